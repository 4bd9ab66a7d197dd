package deadlines_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/deadlines"
)

// another is a second course of the fixture's kind, taught by the same
// instructor, with the same schedule and Ann enrolled.
func (f *fixture) another(t *testing.T) *fixture {
	t.Helper()
	g := *f
	env := f.env
	g.course = env.Course(f.inst, map[string]any{"title": "Probability", "pacing": "scheduled",
		"starts_at": courseStart.Format(time.RFC3339), "timezone": "UTC",
		"policy": map[string]any{"grace_seconds": 0, "late_seconds": 172800, "late_penalty_percent_per_day": 10}})
	g.week1 = env.Module(f.inst, g.course, map[string]any{"title": "Week 1", "week": 1})
	g.week2 = env.Module(f.inst, g.course, map[string]any{"title": "Week 2", "week": 2, "prerequisites": []uint64{g.week1}})
	g.essay = env.Item(f.inst, g.course, g.week1, map[string]any{"kind": "assignment", "title": "Essay", "points": 10})
	g.page = env.Item(f.inst, g.course, g.week1, map[string]any{"kind": "page", "title": "Reading"})
	g.notes = env.Item(f.inst, g.course, g.week2, map[string]any{"kind": "page", "title": "Notes"})
	env.Enroll(f.ann, g.course)
	return &g
}

// kept counts what the deadlines store holds of a fixture's course, read
// through every kind of record: extensions, attempts, the instructor's
// submitted notice, Ann's calendar event states, and each job's marks.
type kept struct {
	Extensions, Attempts, Notes, Events, Opened, Reminded, Missed int
}

func keptOf(t *testing.T, f *fixture) kept {
	t.Helper()
	s, ctx := f.env.Server.Stores.Deadlines, context.Background()
	// The staff's notices follow the submissions once they are delivered,
	// as every reader of notifications has them delivered first.
	if err := f.env.Server.Notify.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	var k kept
	ext, err := s.Extensions(ctx, f.course, 0)
	if err != nil {
		t.Fatal(err)
	}
	k.Extensions = len(ext)
	subs, err := s.CourseSubmissions(ctx, f.course)
	if err != nil {
		t.Fatal(err)
	}
	k.Attempts = len(subs)
	notes, err := s.SubmittedNotes(ctx, f.course, f.essay, []uint64{f.inst.ID})
	if err != nil {
		t.Fatal(err)
	}
	k.Notes = len(notes)
	events, err := s.EventStates(ctx, f.ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	for e := range events {
		if e.Course == f.course {
			k.Events++
		}
	}
	for job, n := range map[uint8]*int{deadlines.MarkOpened: &k.Opened, deadlines.MarkReminded: &k.Reminded, deadlines.MarkMissed: &k.Missed} {
		facts, err := s.SweepFacts(ctx, f.course, job)
		if err != nil {
			t.Fatal(err)
		}
		*n = len(facts.Marks)
	}
	return k
}

// Deleting a course takes every record the deadlines package keeps of it
// (its learners' work included) with it, in the deletion's transaction,
// and leaves those of another course of the same people as they were.
func TestDeletingACourseRemovesItsDeadlineRecords(t *testing.T) {
	f := newFixture(t)
	g := f.another(t)
	env := f.env
	var ids []uint64
	for _, c := range []*fixture{f, g} {
		env.Clock.Set(courseStart.Add(time.Hour))
		for _, body := range []string{"first", "second"} {
			r := c.submit(f.ann, c.essay, body)
			if r.Status != 201 {
				t.Fatalf("submit: %d %s", r.Status, r.Body)
			}
			if c == f {
				ids = append(ids, r.ID())
			}
		}
		r := env.Do("POST", c.path("/extensions"), f.inst.Token, map[string]any{
			"user_id": f.ann.ID, "module_id": c.week2, "due_at": week2Due.Add(24 * time.Hour).Format(time.RFC3339)})
		if r.Status != 201 {
			t.Fatalf("extension: %d %s", r.Status, r.Body)
		}
	}
	fetchFeed(t, env, feedPath(t, env, f.ann))
	run(t, env, deadlines.JobOpenWindows, courseStart)
	run(t, env, deadlines.JobDeadlineReminders, week2Due.Add(24*time.Hour-ReminderBefore))
	run(t, env, deadlines.JobEnforceDeadlines, week2Due.Add(24*time.Hour+week1Cutoff.Sub(week1Due)+time.Second))

	before := keptOf(t, f)
	if before != (kept{Extensions: 1, Attempts: 2, Notes: 1, Events: 4, Opened: 1, Reminded: 1, Missed: 2}) {
		t.Fatalf("before the deletion the course holds %+v: the test does not reach every kind of record", before)
	}
	if other := keptOf(t, g); other != before {
		t.Fatalf("the other course holds %+v, want %+v like the first", other, before)
	}

	// A course with work handed in is deleted once its learners are
	// removed and it is unpublished: the work stays until then.
	env.Clock.Set(week2Due.Add(5 * 24 * time.Hour))
	if r := env.Do("DELETE", f.path("/members/%d", f.ann.ID), f.inst.Token, nil); r.Status != 204 {
		t.Fatalf("remove ann: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", f.path(""), f.inst.Token, map[string]any{"published": false}); r.Status != 200 {
		t.Fatalf("unpublish: %d %s", r.Status, r.Body)
	}
	if got := keptOf(t, f); got != before {
		t.Fatalf("removing the learner changed the course's records: %+v, want %+v", got, before)
	}
	if r := env.Do("DELETE", f.path(""), f.inst.Token, nil); r.Status != 204 {
		t.Fatalf("delete course: %d %s", r.Status, r.Body)
	}

	if got := keptOf(t, f); got != (kept{}) {
		t.Errorf("the deleted course still holds %+v", got)
	}
	s, ctx := env.Server.Stores.Deadlines, context.Background()
	for _, id := range ids {
		if _, err := s.Submission(ctx, id); !errors.Is(err, deadlines.ErrNotFound) {
			t.Errorf("submission %d of the deleted course reads %v, want ErrNotFound", id, err)
		}
	}
	if missed, err := s.Missed(ctx, f.course, f.ann.ID); err != nil || len(missed) != 0 {
		t.Errorf("ann's missed modules: %v (%v), want none", missed, err)
	}
	if o, err := s.Overrides(ctx, f.course, f.ann.ID); err != nil || len(o) != 0 {
		t.Errorf("ann's overrides: %v (%v), want none", o, err)
	}
	if r := env.Do("GET", f.path("/submissions/%d", ids[0]), f.inst.Token, nil); r.Status != 404 {
		t.Errorf("a submission of the deleted course: %d, want 404", r.Status)
	}

	if got := keptOf(t, g); got != before {
		t.Errorf("the other course holds %+v after the deletion, want %+v", got, before)
	}
	var list struct {
		Items []struct {
			UserID uint64 `json:"user_id"`
		} `json:"items"`
	}
	r := env.Do("GET", g.path("/items/%d/submissions", g.essay), f.inst.Token, nil)
	if r.Status != 200 {
		t.Fatalf("the other course's submissions: %d %s", r.Status, r.Body)
	}
	r.Decode(&list)
	if len(list.Items) == 0 || list.Items[0].UserID != f.ann.ID {
		t.Errorf("the other course's submissions = %s, want Ann's", r.Body)
	}
	for _, d := range myDeadlines(t, env, f.ann) {
		if d.CourseID == f.course {
			t.Errorf("ann's deadlines still list the deleted course: %+v", d)
		}
	}
}
