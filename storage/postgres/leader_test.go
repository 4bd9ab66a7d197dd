package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pacer/jobs"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// replica is one process's view of a shared database: its own pool and
// its own leader.
type replica struct {
	db     *postgres.DB
	leader *postgres.Leader
	name   string
}

func replicas(t *testing.T, names ...string) []replica {
	t.Helper()
	url := pgtest.URL(t)
	out := make([]replica, len(names))
	for i, name := range names {
		db, err := postgres.Open(context.Background(), url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		l := postgres.NewLeader(db, postgres.LeaderConfig{Holder: name})
		t.Cleanup(func() {
			l.Release(context.Background())
			db.Close()
		})
		out[i] = replica{db: db, leader: l, name: name}
	}
	return out
}

func lead(t *testing.T, r replica) (jobs.Lease, bool) {
	t.Helper()
	lease, ok, err := r.leader.Lead(context.Background(), "job")
	if err != nil {
		t.Fatalf("%s: lead: %v", r.name, err)
	}
	return lease, ok
}

// untilLeads asks r until it leads: the end of another session is seen
// by PostgreSQL a moment after it was asked for.
func untilLeads(t *testing.T, r replica) jobs.Lease {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if lease, ok, err := r.leader.Lead(context.Background(), "job"); err == nil && ok {
			return lease
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never took the lead", r.name)
	return nil
}

// effect is a write of a scheduled run: one job_runs row counted under
// the lease, through the fenced runner, as a job's writes are.
func effect(r replica, lease jobs.Lease) error {
	ctx := jobs.WithLease(context.Background(), lease)
	return jobs.Fenced(r.db).Write(ctx, func(ctx context.Context) error {
		return postgres.NewJobs(r.db).RecordRun(ctx, jobs.RunResult{Job: "effect"}, r.name)
	})
}

func effects(t *testing.T, db *postgres.DB) int {
	t.Helper()
	st, err := postgres.NewJobs(db).Status(context.Background(), "effect")
	if err != nil {
		t.Fatal(err)
	}
	return st.Runs
}

// killLeaderSession ends the leader connection of the named replica, as a
// crash of its process or a cut network would.
func killLeaderSession(t *testing.T, db *postgres.DB, name string) {
	t.Helper()
	var n int
	err := db.Pool().QueryRow(context.Background(), `WITH s AS MATERIALIZED (SELECT pid FROM pg_stat_activity
		WHERE application_name = $1) SELECT count(*) FROM s WHERE pg_terminate_backend(s.pid)`, "pacer leader "+name).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("terminate %s's leader session: %d ended, %v", name, n, err)
	}
}

func holder(t *testing.T, r replica) string {
	t.Helper()
	h, err := r.leader.Holder(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// One replica leads; when its session dies the other takes over, and the
// first one's writes under its old lease are refused, whatever it
// believes.
func TestLeaderFailsOverWhenItsSessionDies(t *testing.T) {
	rs := replicas(t, "a", "b")
	a, b := rs[0], rs[1]
	leaseA, ok := lead(t, a)
	if !ok {
		t.Fatal("the first replica asked does not lead")
	}
	if _, ok := lead(t, b); ok {
		t.Fatal("two replicas lead at once")
	}
	if err := effect(a, leaseA); err != nil {
		t.Fatalf("a write under the lease: %v", err)
	}
	if h := holder(t, b); h != "a" {
		t.Errorf("holder = %q, want a", h)
	}

	killed := time.Now()
	killLeaderSession(t, a.db, "a")
	leaseB := untilLeads(t, b)
	t.Logf("b led %v after a's session was ended", time.Since(killed).Round(time.Millisecond))
	// a has not asked again: it still carries its lease, and a run in
	// flight would write with it now.
	if err := effect(a, leaseA); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("a write under the lost lease: %v, want ErrLeaseLost", err)
	}
	if err := effect(b, leaseB); err != nil {
		t.Fatalf("a write under the new lease: %v", err)
	}
	if n := effects(t, a.db); n != 2 {
		t.Errorf("%d writes stored, want 2 (the lost lease's refused)", n)
	}
	if _, ok := lead(t, a); ok {
		t.Error("the replica whose session died still leads")
	}
	if h := holder(t, a); h != "b" {
		t.Errorf("holder = %q, want b", h)
	}
}

// A leader whose own connection fails, with no other replica around,
// leads again on a new connection at a new epoch; the old lease is dead.
func TestLeaderReacquiresAfterItsConnectionFails(t *testing.T) {
	a := replicas(t, "a")[0]
	old, ok := lead(t, a)
	if !ok {
		t.Fatal("the only replica does not lead")
	}
	killLeaderSession(t, a.db, "a")
	renewed := untilLeads(t, a)
	if err := effect(a, old); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Errorf("a write under the first epoch's lease: %v, want ErrLeaseLost", err)
	}
	if err := effect(a, renewed); err != nil {
		t.Errorf("a write under the new epoch's lease: %v", err)
	}
}

// A write that passed its check holds the lease row: a takeover waits for
// it to commit, and writes under the old lease after that are refused.
func TestTakeoverWaitsForAWriteInFlight(t *testing.T) {
	rs := replicas(t, "a", "b")
	a, b := rs[0], rs[1]
	leaseA, _ := lead(t, a)
	checked, resume := make(chan struct{}), make(chan struct{})
	var once sync.Once
	// A failed test still lets the write end, so its connection goes
	// back and the pool closes.
	t.Cleanup(func() { once.Do(func() { close(resume) }) })
	wrote := make(chan error, 1)
	var attempts atomic.Int32
	go func() {
		ctx := jobs.WithLease(context.Background(), leaseA)
		wrote <- jobs.Fenced(a.db).Write(ctx, func(ctx context.Context) error {
			if attempts.Add(1) == 1 {
				close(checked)
				<-resume
			}
			return postgres.NewJobs(a.db).RecordRun(ctx, jobs.RunResult{Job: "effect"}, "a")
		})
	}()
	<-checked
	killLeaderSession(t, a.db, "a")
	led := make(chan jobs.Lease, 1)
	go func() {
		// Asked once: b gets the lock at once (a's session is gone) and
		// then waits for the lease row.
		for {
			if lease, ok, err := b.leader.Lead(context.Background(), "job"); err == nil && ok {
				led <- lease
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// b gets the lock, then waits on the lease row a's write holds.
	deadline := time.Now().Add(20 * time.Second)
	for waiting := false; !waiting; {
		if time.Now().After(deadline) {
			t.Fatal("b's takeover never waited for a's write")
		}
		err := a.db.Pool().QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE application_name = 'pacer leader b' AND wait_event_type = 'Lock')`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	once.Do(func() { close(resume) })
	if err := <-wrote; err != nil {
		t.Fatalf("the write that passed its check before the takeover: %v", err)
	}
	leaseB := <-led
	if err := effect(a, leaseA); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Errorf("a write under a's lease after the takeover: %v, want ErrLeaseLost", err)
	}
	if err := effect(b, leaseB); err != nil {
		t.Fatal(err)
	}
	if n := effects(t, a.db); n != 2 {
		t.Errorf("%d writes stored, want 2", n)
	}
}

// A leader that stalls with its session alive keeps the lock, but not
// past its lease: a follower that finds the lease expired ends the
// stalled session and leads.
func TestAnExpiredLeaseIsTakenOver(t *testing.T) {
	rs := replicas(t, "a", "b")
	a, b := rs[0], rs[1]
	leaseA, _ := lead(t, a)
	if _, ok := lead(t, b); ok {
		t.Fatal("b leads while a's lease holds")
	}
	// a stops renewing: its lease runs out.
	if err := postgres.Exec(context.Background(), a.db, `UPDATE job_leases SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if err := effect(a, leaseA); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Errorf("a write under an expired lease: %v, want ErrLeaseLost", err)
	}
	leaseB := untilLeads(t, b)
	if err := effect(b, leaseB); err != nil {
		t.Fatal(err)
	}
	if _, ok := lead(t, a); ok {
		t.Error("the stalled replica leads again")
	}
}

// A replica that stops hands the lead over: its scheduler waits for its
// runs, then releases the lock and clears the lease, so the other
// replica's very next tick runs the work, with no wait for a timeout.
func TestStoppingSchedulerHandsTheLeadOver(t *testing.T) {
	rs := replicas(t, "a", "b")
	now := func() time.Time { return time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC) }
	runs := map[string]*atomic.Int32{}
	scheds := make([]*jobs.Scheduler, len(rs))
	for i, r := range rs {
		s := jobs.New(jobs.Config{Tx: jobs.Fenced(r.db), Store: postgres.NewJobs(r.db), Leader: r.leader, Now: now})
		t.Cleanup(func() { s.Stop(context.Background()) })
		n := &atomic.Int32{}
		runs[r.name] = n
		tx := jobs.Fenced(r.db)
		if err := s.Register("work", func(ctx context.Context, _ time.Time) (int, error) {
			n.Add(1)
			return 1, tx.Write(ctx, func(ctx context.Context) error {
				return postgres.NewJobs(r.db).RecordRun(ctx, jobs.RunResult{Job: "effect"}, r.name)
			})
		}); err != nil {
			t.Fatal(err)
		}
		scheds[i] = s
	}
	tick := func(i int) {
		if err := scheds[i].Tick("work"); err != nil {
			t.Fatal(err)
		}
	}
	tick(0)
	tick(1)
	if a, b := runs["a"].Load(), runs["b"].Load(); a != 1 || b != 0 {
		t.Fatalf("runs a=%d b=%d, want 1 and 0", a, b)
	}
	if err := scheds[0].Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	var holder string
	var epoch int64
	if err := rs[1].db.Pool().QueryRow(context.Background(), "SELECT holder, epoch FROM job_leases").Scan(&holder, &epoch); err != nil {
		t.Fatal(err)
	}
	if holder != "" || epoch != 1 {
		t.Errorf("lease after release: holder %q epoch %d, want cleared at epoch 1", holder, epoch)
	}
	tick(1)
	if b := runs["b"].Load(); b != 1 {
		t.Fatalf("b's first tick after a stopped ran the job %d times, want 1", b)
	}
	list, err := scheds[1].Jobs(context.Background())
	if err != nil || len(list) != 1 || list[0].Leader != "b" {
		t.Errorf("jobs = %+v, %v; want b named as leader", list, err)
	}
	if err := rs[1].db.Pool().QueryRow(context.Background(), "SELECT epoch FROM job_leases").Scan(&epoch); err != nil || epoch != 2 {
		t.Errorf("epoch after the handover = %d, %v; want 2", epoch, err)
	}
	if n := effects(t, rs[1].db); n != 2 {
		t.Errorf("%d effects, want 2", n)
	}
}
