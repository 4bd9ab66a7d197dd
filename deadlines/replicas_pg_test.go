package deadlines_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"pacer/deadlines"
	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres/pgtest"
)

// Two replicas on one PostgreSQL database that both run the deadline jobs
// at the same moment (as two leaders would, for a moment, when one lost
// its lease unknowingly) tell each learner of each event once, and queue
// each e-mail once: the marks are claimed in the notification's
// transaction, and each notification's cause is unique in the database.
func TestTwoReplicasRunningTheJobsAtOnceTellOnce(t *testing.T) {
	url := pgtest.URL(t) // skips without PostgreSQL
	cfg := func(c *server.Config) {
		c.Store = url
		c.AccessTTL = 5 * 365 * 24 * time.Hour
		c.Tick = 1000 * time.Hour
	}
	a, b := pacertest.New(t, cfg), pacertest.New(t, cfg)
	inst := a.Register("Ines")
	course := a.Course(inst, map[string]any{"title": "Statistics", "pacing": "scheduled",
		"starts_at": courseStart.Format(time.RFC3339), "timezone": "UTC"})
	week1 := a.Module(inst, course, map[string]any{"title": "Week 1", "week": 1})
	a.Module(inst, course, map[string]any{"title": "Week 2", "week": 2})
	a.Item(inst, course, week1, map[string]any{"kind": "page", "title": "Reading"})
	var learners []pacertest.User
	for i := range 12 {
		u := a.Register(fmt.Sprintf("Learner %d", i))
		a.Enroll(u, course)
		learners = append(learners, u)
	}

	// Each job at its instant, on both replicas at once.
	for _, step := range []struct {
		job string
		at  time.Time
	}{
		{deadlines.JobOpenWindows, courseStart},
		{deadlines.JobDeadlineReminders, week1Due.Add(-deadlines.ReminderBefore)},
		{deadlines.JobOpenWindows, week1Due},
	} {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, env := range []*pacertest.Env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if res, err := env.Server.Scheduler.RunAt(step.job, step.at); err != nil || res.Error != "" {
					t.Errorf("%s at %s: %v %s", step.job, step.at, err, res.Error)
				}
			}()
		}
		close(start)
		wg.Wait()
	}

	for _, u := range learners {
		ns := notifications(t, b, u)
		if n := countKind(ns, "module_opened"); n != 2 {
			t.Errorf("%s was told of %d openings, want 2 (Week 1 and Week 2 once each)", u.Name, n)
		}
		if n := countKind(ns, "deadline_soon"); n != 1 {
			t.Errorf("%s got %d reminders, want 1", u.Name, n)
		}
		mails, err := b.Server.Outbox.Mails(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		reminders := 0
		for _, m := range mails {
			if m.Kind == "deadline_soon" {
				reminders++
			}
		}
		if reminders != 1 {
			t.Errorf("%s has %d reminder e-mails queued, want 1", u.Name, reminders)
		}
	}
}
