package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"pacer/jobs"
	"pacer/storage"
	"pacer/storage/bolt"
)

// follower never leads, as a replica would while another holds the lead.
type follower struct{ asked atomic.Int32 }

func (f *follower) Lead(context.Context, string) (jobs.Lease, bool, error) {
	f.asked.Add(1)
	return nil, false, nil
}

func (f *follower) Release(context.Context) error { return nil }

func (f *follower) Holder(context.Context) (string, error) { return "", nil }

func scheduler(t *testing.T, leader jobs.Leader) *jobs.Scheduler {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := jobs.New(jobs.Config{Tx: db, Store: bolt.NewJobs(db), Leader: leader,
		Now: func() time.Time { return time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC) }})
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

// A scheduled run happens only where the leader says so; an
// administrator's run happens anyway (every job is idempotent).
func TestOnlyTheLeaderRunsScheduledWork(t *testing.T) {
	for _, tc := range []struct {
		name   string
		leader jobs.Leader
		want   int32
	}{{"the only process", nil, 1}, {"a follower", &follower{}, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			s := scheduler(t, tc.leader)
			var runs atomic.Int32
			if err := s.Register("count", func(context.Context, time.Time) (int, error) { runs.Add(1); return 1, nil }); err != nil {
				t.Fatal(err)
			}
			if err := s.Tick("count"); err != nil {
				t.Fatal(err)
			}
			if got := runs.Load(); got != tc.want {
				t.Fatalf("a tick ran the job %d times, want %d", got, tc.want)
			}
			if f, ok := tc.leader.(*follower); ok && f.asked.Load() != 1 {
				t.Errorf("the leader was asked %d times, want once per tick", f.asked.Load())
			}
			if _, err := s.Run("count"); err != nil {
				t.Fatal(err)
			}
			if got := runs.Load(); got != tc.want+1 {
				t.Errorf("an administrator's run did not run the job: %d runs", got)
			}
			list, err := s.Jobs(context.Background())
			if err != nil || len(list) != 1 || list[0].Runs != int(tc.want+1) {
				t.Errorf("status = %+v, %v; want %d runs recorded", list, err, tc.want+1)
			}
		})
	}
}
