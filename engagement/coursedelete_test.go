package engagement_test

import (
	"context"
	"fmt"
	"testing"

	"pacer/pacertest"
)

// engagementKept is what the engagement store holds of a course: activity
// days and ladder states, by learner.
type engagementKept struct {
	days   map[uint64]int
	states map[uint64]bool
}

func (k engagementKept) String() string { return fmt.Sprintf("days %v, states %v", k.days, k.states) }

func keptIn(t *testing.T, env *pacertest.Env, course uint64) engagementKept {
	t.Helper()
	s, ctx := env.Server.Stores.Engagement, context.Background()
	k := engagementKept{days: map[uint64]int{}, states: map[uint64]bool{}}
	err := s.CourseActivity(ctx, course, 0, 1<<40, func(user uint64, _ int64, _ uint32) { k.days[user]++ })
	if err != nil {
		t.Fatal(err)
	}
	err = s.States(ctx, course, func(user uint64, _ []byte) error { k.states[user] = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Deleting a course takes its learners' activity and ladder states with
// it, in the deletion's transaction, and so does the activity still in
// the tracker's buffer when it happens; another course of the same
// learners keeps its own.
func TestDeletingACourseRemovesItsActivityAndFlags(t *testing.T) {
	env := pacertest.New(t)
	ctx := context.Background()
	gone := newCourse(t, env, scheduledCourse(7*days, 3*days), weekModule{"Week 1", 1}, weekModule{"Week 2", 2})
	stays := newCourse(t, env, scheduledCourse(7*days, 3*days), weekModule{"Week 1", 1}, weekModule{"Week 2", 2})
	env.Clock.Set(date(4, 9, 0, 0))
	ann, bob := gone.student("Ann"), gone.student("Bob")
	env.Enroll(env.Login(ann), stays.id)
	env.Enroll(env.Login(bob), stays.id)
	for _, c := range []*course{gone, stays} {
		c.open(t, ann, 0)
		c.open(t, bob, 0)
	}
	env.Clock.Set(date(6, 9, 0, 0))
	for _, c := range []*course{gone, stays} {
		c.open(t, ann, 0)
	}
	// Bob stays away long enough to be flagged and nudged in both.
	env.Clock.Set(date(14, 9, 0, 0))
	if n := run(t, env); n == 0 {
		t.Fatal("flag_inactive changed nothing: the test has no ladder states")
	}
	if err := env.Server.Engagement.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	before := keptIn(t, env, gone.id)
	if before.days[ann.ID] != 2 || before.days[bob.ID] != 1 || !before.states[bob.ID] {
		t.Fatalf("before the deletion the course holds %v: the test does not reach every kind of record", before)
	}
	if other := keptIn(t, env, stays.id); other.String() != before.String() {
		t.Fatalf("the other course holds %v, want %v like the first", other, before)
	}

	// Ann's last visit is still in the tracker's buffer when the course
	// goes: its learners and TA are removed, it is unpublished, deleted.
	env.Clock.Set(date(15, 9, 0, 0))
	gone.open(t, ann, 0)
	teacher := env.Login(gone.teacher)
	for _, u := range []pacertest.User{ann, bob, gone.ta} {
		if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", gone.id, u.ID), teacher.Token, nil); r.Status != 204 {
			t.Fatalf("remove %s: %d %s", u.Name, r.Status, r.Body)
		}
	}
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", gone.id), teacher.Token, map[string]any{"published": false}); r.Status != 200 {
		t.Fatalf("unpublish: %d %s", r.Status, r.Body)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", gone.id), teacher.Token, nil); r.Status != 204 {
		t.Fatalf("delete course: %d %s", r.Status, r.Body)
	}
	if err := env.Server.Engagement.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	if got := keptIn(t, env, gone.id); len(got.days)+len(got.states) != 0 {
		t.Errorf("the deleted course still holds %v", got)
	}
	for _, u := range []pacertest.User{ann, bob} {
		if _, ok, err := env.Server.Stores.Engagement.State(ctx, gone.id, u.ID); err != nil || ok {
			t.Errorf("%s's ladder state in the deleted course: found %v (%v)", u.Name, ok, err)
		}
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk", gone.id), teacher.Token, nil); r.Status != 404 {
		t.Errorf("the deleted course's at-risk view: %d, want 404", r.Status)
	}

	if got := keptIn(t, env, stays.id); got.String() != before.String() {
		t.Errorf("the other course holds %v after the deletion, want %v", got, before)
	}
	if r := stays.flagsOf(t, bob); len(r.Flags) == 0 {
		t.Errorf("bob is no longer flagged in the other course: %+v", r)
	}
}
