package engagement_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pacer/engagement"
	"pacer/pacertest"
)

// lastActive reads a member's stored last_active_at.
func lastActive(t *testing.T, env *pacertest.Env, course, user uint64) *time.Time {
	t.Helper()
	m, err := env.Server.Stores.Modules.Member(context.Background(), course, user)
	if err != nil {
		t.Fatal(err)
	}
	return m.LastActiveAt
}

// activitySetup makes a course with one student and returns a tracker of
// the test's own (the server's stays idle: the test makes no requests).
func activitySetup(t *testing.T, every time.Duration) (*pacertest.Env, *course, pacertest.User, *engagement.Tracker) {
	env := pacertest.New(t)
	c := newCourse(t, env, nil, weekModule{"Unit", 0})
	ann := c.student("Ann")
	tr := engagement.NewTracker(env.Server.Tx, env.Server.Stores.Engagement, env.Server.Courses, env.Clock.Now, nil, every)
	return env, c, ann, tr
}

func TestActivityIsBufferedAndFlushedInOneCommit(t *testing.T) {
	env, c, ann, tr := activitySetup(t, time.Hour)
	if err := tr.Start(env.Server.Scheduler); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10_000; i++ {
		env.Clock.Advance(time.Millisecond)
		tr.Touch(c.id, ann.ID)
	}
	if got := lastActive(t, env, c.id, ann.ID); got != nil {
		t.Fatalf("a touch reached the disk before a flush: %v", got)
	}
	if err := tr.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := lastActive(t, env, c.id, ann.ID); got == nil || !got.Equal(env.Clock.Now()) {
		t.Fatalf("after a clean stop last_active_at = %v, want %v", got, env.Clock.Now())
	}
	if n := tr.Flushes(); n != 1 {
		t.Fatalf("10,000 touches cost %d commits, want 1", n)
	}
	teacher := env.Login(c.teacher)
	var members struct {
		Items []struct {
			UserID       uint64     `json:"user_id"`
			LastActiveAt *time.Time `json:"last_active_at"`
		} `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/members", c.id), teacher.Token, nil).Decode(&members)
	for _, m := range members.Items {
		if m.UserID == ann.ID && (m.LastActiveAt == nil || !m.LastActiveAt.Equal(env.Clock.Now())) {
			t.Fatalf("members route shows %v", m.LastActiveAt)
		}
	}
	rows := c.atRisk(t, "")
	if len(rows) != 1 || rows[0].WeeklyActivity[7] != 1 {
		t.Fatalf("activity history: %+v", rows)
	}

	t.Run("touches after stop are ignored", func(t *testing.T) {
		tr.Touch(c.id, ann.ID)
		if err := tr.Flush(context.Background()); err != nil || tr.Flushes() != 1 {
			t.Fatalf("flush after stop: %v, %d commits", err, tr.Flushes())
		}
	})
}

func TestLastActiveOnlyMovesForward(t *testing.T) {
	env, c, ann, tr := activitySetup(t, time.Hour)
	later := env.Clock.Now().Add(time.Hour)
	env.Clock.Set(later)
	tr.Touch(c.id, ann.ID)
	if err := tr.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(later.Add(-30 * time.Minute)) // a late-arriving, older action
	tr.Touch(c.id, ann.ID)
	if err := tr.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := lastActive(t, env, c.id, ann.ID); !got.Equal(later) {
		t.Fatalf("last_active_at moved back to %v", got)
	}
}

func TestActivityFromRequests(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, nil, weekModule{"Unit", 0})
	ann := c.student("Ann")
	env.Clock.Advance(time.Hour)
	c.open(t, ann, 0)
	c.open(t, c.teacher, 0)
	if err := env.Server.Engagement.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := lastActive(t, env, c.id, ann.ID); got == nil || !got.Equal(env.Clock.Now()) {
		t.Fatalf("opening an item: last_active_at %v, want %v", got, env.Clock.Now())
	}
	if got := lastActive(t, env, c.id, c.teacher.ID); got != nil {
		t.Fatalf("the instructor's authoring counted as learner activity: %v", got)
	}
}

// TestCrashLosesAtMostTheFlushWindow touches continuously while the clock
// follows real time, then stops the tracker the way a crash would. What
// reached the disk must be at most one flush interval (plus the time a
// flush takes) behind the last touch.
func TestCrashLosesAtMostTheFlushWindow(t *testing.T) {
	const every = 100 * time.Millisecond
	env, c, ann, tr := activitySetup(t, every)
	base := env.Clock.Now()
	if err := tr.Start(env.Server.Scheduler); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	for time.Since(began) < 20*every {
		env.Clock.Set(base.Add(time.Since(began)))
		tr.Touch(c.id, ann.ID)
		time.Sleep(time.Millisecond)
	}
	last := env.Clock.Now()
	tr.Crash()
	got := lastActive(t, env, c.id, ann.ID)
	if got == nil {
		t.Fatalf("nothing was flushed in %v with a %v interval", 20*every, every)
	}
	// Scheduling on a busy machine delays ticks (CI's race pass, both
	// cores taken, delayed one by ~300 ms); a flush itself is one small
	// transaction. So the bound is the window plus that slack, still well
	// under the 2 s of activity: most of it was flushed before the crash.
	const slack = 600 * time.Millisecond
	if lost := last.Sub(*got); lost > every+slack {
		t.Fatalf("the crash lost %v of activity, more than the %v window (+ %v for late ticks)", lost, every, slack)
	}
	if got.After(last) {
		t.Fatalf("stored %v after the last touch %v", got, last)
	}
	t.Logf("crash lost the last %v of activity (window %v)", last.Sub(*got), every)

	t.Run("a clean stop after the same work loses nothing", func(t *testing.T) {
		tr := engagement.NewTracker(env.Server.Tx, env.Server.Stores.Engagement, env.Server.Courses, env.Clock.Now, nil, every)
		if err := tr.Start(env.Server.Scheduler); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(time.Second)
		tr.Touch(c.id, ann.ID)
		if err := tr.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		// PostgreSQL keeps instants to the microsecond.
		if got := lastActive(t, env, c.id, ann.ID); !got.Truncate(time.Microsecond).Equal(env.Clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("clean stop: %v, want %v", got, env.Clock.Now())
		}
	})
}

// Replicas flush their own buffers, of the same learners, at the same
// moment: every count adds up and last_active_at ends at the latest
// activity, whichever flush commits last.
func TestFlushesOfTheSameLearnersAtOnceLoseNothing(t *testing.T) {
	env, c, ann, _ := activitySetup(t, time.Hour)
	bob := c.student("Bob")
	base := env.Clock.Now().Truncate(24 * time.Hour).Add(36 * time.Hour) // noon: every touch on one day
	const replicas, touches = 4, 50
	trackers := make([]*engagement.Tracker, replicas)
	for i := range trackers {
		trackers[i] = engagement.NewTracker(env.Server.Tx, env.Server.Stores.Engagement, env.Server.Courses, env.Clock.Now, nil, time.Hour)
		env.Clock.Set(base.Add(time.Duration(replicas-i) * time.Minute)) // the first holds the latest
		for range touches {
			trackers[i].Touch(c.id, ann.ID)
			trackers[i].Touch(c.id, bob.ID)
		}
	}
	errs := make(chan error, replicas)
	for _, tr := range trackers {
		go func() { errs <- tr.Flush(context.Background()) }()
	}
	for range trackers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	latest := base.Add(replicas * time.Minute)
	day := latest.UnixNano() / int64(24*time.Hour)
	for _, u := range []uint64{ann.ID, bob.ID} {
		if got := lastActive(t, env, c.id, u); got == nil || !got.Equal(latest) {
			t.Errorf("user %d: last_active_at %v, want %v", u, got, latest)
		}
		out := make([]uint32, 1)
		if err := env.Server.Stores.Engagement.Activity(context.Background(), c.id, u, day, out); err != nil {
			t.Fatal(err)
		}
		if out[0] != replicas*touches {
			t.Errorf("user %d: %d actions counted today, want %d", u, out[0], replicas*touches)
		}
	}
}
