package engagement_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"pacer/notify"
	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres/pgtest"
)

// Two replicas on one PostgreSQL database that both run flag_inactive at
// once, each at its own tick's instant, nudge each learner once and tell
// the staff once: the ladder records are written without a look first, so
// what keeps them apart is each nudge's and digest's cause, unique in the
// database.
func TestTwoReplicasFlaggingAtOnceNudgeOnce(t *testing.T) {
	url := pgtest.URL(t) // skips without PostgreSQL
	onStore := func(cfg *server.Config) { cfg.Store = url }
	a, b := pacertest.New(t, onStore), pacertest.New(t, onStore)
	c := newCourse(t, a, scheduledCourse(7*days, 3*days), weekModule{"Week 2", 2}, weekModule{"Week 3", 3})
	learners := []pacertest.User{c.student("Ann"), c.student("Bob"), c.student("Dan")}

	both := func(at time.Time) {
		t.Helper()
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, env := range []*pacertest.Env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// The replicas' ticks a few seconds apart.
				if _, err := env.Server.Engagement.FlagInactive(context.Background(), at.Add(time.Duration(i)*7*time.Second)); err != nil {
					t.Errorf("flag_inactive: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	both(date(11, 9, 0, 0)) // a week after they enrolled: inactive
	for _, u := range learners {
		if ns := notes(t, b, u, notify.KindInactiveNudge, notify.KindBehindNudge); len(ns) != 1 {
			t.Errorf("%s got %d nudges, want 1", u.Name, len(ns))
		}
		mails, err := b.Server.Outbox.Mails(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) != 1 {
			t.Errorf("%s has %d e-mails queued, want the nudge's once", u.Name, len(mails))
		}
	}
	both(date(14, 9, 0, 0)) // a cooldown later, still inactive: escalated
	for _, staff := range []pacertest.User{c.teacher, c.ta} {
		if ds := notes(t, a, staff, notify.KindStaffDigest); len(ds) != 1 {
			t.Errorf("%s got %d digests, want 1", staff.Name, len(ds))
		}
	}
}
