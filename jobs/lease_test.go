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

// revocable is a lease another replica can take away: Check fails once
// lost is set, as the PostgreSQL lease does once a new epoch is written.
type revocable struct {
	lost    atomic.Bool
	checked atomic.Int32
}

func (r *revocable) Check(context.Context) error {
	r.checked.Add(1)
	if r.lost.Load() {
		return jobs.ErrLeaseLost
	}
	return nil
}

// leasing leads with its lease and counts releases.
type leasing struct {
	lease    *revocable
	released atomic.Int32
	// running reports, at release, whether a run was still in progress.
	running       *atomic.Bool
	releasedEarly atomic.Bool
}

func (l *leasing) Lead(context.Context, string) (jobs.Lease, bool, error) { return l.lease, true, nil }
func (l *leasing) Release(context.Context) error {
	if l.running != nil && l.running.Load() {
		l.releasedEarly.Store(true)
	}
	l.released.Add(1)
	return nil
}
func (l *leasing) Holder(context.Context) (string, error) { return "replica-a", nil }

// A scheduled run's writes go through a fenced runner: each write
// transaction checks the lease first (once, however many writes join it),
// and once the lease is lost the run writes nothing more. An
// administrator's run carries no lease and is not fenced.
func TestAScheduledRunWritesOnlyWhileItsLeaseHolds(t *testing.T) {
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := bolt.NewJobs(db)
	tx := jobs.Fenced(db)
	lease := &revocable{}
	s := jobs.New(jobs.Config{Tx: db, Store: store, Leader: &leasing{lease: lease},
		Now: func() time.Time { return time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC) }})
	t.Cleanup(func() { s.Stop(context.Background()) })

	// The job records an "effect" run, inside a transaction that another
	// Write joins: the lease is checked once for the two.
	effect := func(ctx context.Context, now time.Time) (int, error) {
		err := tx.Write(ctx, func(ctx context.Context) error {
			return tx.Write(ctx, func(ctx context.Context) error {
				return store.RecordRun(ctx, jobs.RunResult{Job: "effect", StartedAt: now, FinishedAt: now}, "")
			})
		})
		return 1, err
	}
	if err := s.Register("effect", effect); err != nil {
		t.Fatal(err)
	}
	runs := func() int {
		st, err := store.Status(context.Background(), "effect")
		if err != nil {
			t.Fatal(err)
		}
		// The scheduler records each run too: the job's own record and
		// the scheduler's make two per run.
		return st.Runs
	}
	if err := s.Tick("effect"); err != nil {
		t.Fatal(err)
	}
	if got, checks := runs(), lease.checked.Load(); got != 2 || checks != 1 {
		t.Fatalf("after a run under the lease: %d records, %d checks; want 2 and 1", got, checks)
	}

	lease.lost.Store(true)
	if err := s.Tick("effect"); err != nil {
		t.Fatal(err)
	}
	// The job's write was refused; the scheduler still records the run
	// (with its error), outside any lease.
	if got := runs(); got != 3 {
		t.Fatalf("after a run whose lease was lost: %d records, want 3 (the job wrote nothing)", got)
	}
	st, _ := store.Status(context.Background(), "effect")
	if st.LastError != jobs.ErrLeaseLost.Error() {
		t.Errorf("last error = %q, want the lost lease", st.LastError)
	}
	list, err := s.Jobs(context.Background())
	if err != nil || len(list) != 1 || list[0].Leader != "replica-a" {
		t.Errorf("jobs = %+v, %v; want the leading replica named", list, err)
	}

	checks := lease.checked.Load()
	if _, err := s.Run("effect"); err != nil {
		t.Fatal(err)
	}
	if got := runs(); got != 5 || lease.checked.Load() != checks {
		t.Errorf("an administrator's run: %d records, lease checked %d more times; want 5 and none",
			got, lease.checked.Load()-checks)
	}
}

// Stop releases the lead once, after the run in progress has ended.
func TestStopReleasesTheLeadAfterRunsEnd(t *testing.T) {
	var running atomic.Bool
	leader := &leasing{lease: &revocable{}, running: &running}
	s := scheduler(t, leader)
	started, finish := make(chan struct{}), make(chan struct{})
	if err := s.Register("slow", func(ctx context.Context, _ time.Time) (int, error) {
		running.Store(true)
		close(started)
		<-finish
		running.Store(false)
		return 0, nil
	}); err != nil {
		t.Fatal(err)
	}
	ticked := make(chan error, 1)
	go func() { ticked <- s.Tick("slow") }()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	close(finish)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if err := <-ticked; err != nil {
		t.Fatal(err)
	}
	if leader.released.Load() != 1 || leader.releasedEarly.Load() {
		t.Errorf("released %d times (early: %v); want once, after the run", leader.released.Load(), leader.releasedEarly.Load())
	}
	if err := s.Stop(context.Background()); err != nil || leader.released.Load() != 1 {
		t.Errorf("a second Stop: %v, released %d times; want nil and still once", err, leader.released.Load())
	}
}
