// Package jobs owns the periodic work of the platform: every job (the
// deadline sweeps, the at-risk flags, the mail outbox, the upload sweep)
// is registered here and runs on robfig/cron every tick, and only while
// this process leads (Leader): one process always does; replicas on one
// PostgreSQL database agree on one, whose runs carry a lease that the
// engine checks before each write (Lease, Fenced).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"pacer/audit"
	"pacer/errs"
	"pacer/txn"
)

// Func is one run of a scheduler job at the instant now. It reports how
// many things it changed (notifications sent, records made). A job must be
// idempotent and must look at everything that time has made true by now,
// not only at what happened since the last tick, so that it catches up
// after the server was down.
type Func func(ctx context.Context, now time.Time) (changed int, err error)

// Status is a job as GET /api/v1/admin/jobs shows it. The last run's
// outcome is stored, so it survives a restart.
type Status struct {
	Name           string     `json:"name"`
	Schedule       string     `json:"schedule"`
	LastRunAt      *time.Time `json:"last_run_at"`
	LastFinishedAt *time.Time `json:"last_finished_at"`
	LastChanged    int        `json:"last_changed"`
	LastError      string     `json:"last_error"`
	Runs           int        `json:"runs"`
	// Leader names the replica that runs scheduled work now, when there
	// are replicas and one leads.
	Leader string `json:"leader,omitempty"`
}

// RunResult is the answer of POST /api/v1/admin/jobs/:job/run.
type RunResult struct {
	Job        string    `json:"job"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Changed    int       `json:"changed"`
	Error      string    `json:"error,omitempty"`
}

// Scheduler runs registered jobs every tick with robfig/cron (in UTC). Each
// cron run goes through SkipIfStillRunning outside Recover: a run that is
// still busy makes the next tick skip rather than pile up, and a panic is
// recovered inside, so the skip guard is released and the next tick runs.
// Stop waits for running jobs, then releases the lead, before the store
// closes.
type Scheduler struct {
	tx     txn.Runner
	store  Store
	leader Leader
	audit  *audit.Log
	log    *slog.Logger
	now    func() time.Time
	spec   string
	cron   *cron.Cron

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	order   []string
	jobs    map[string]*job
	started bool
	stopped bool
	running atomic.Bool
}

type job struct {
	name string
	fn   Func
	// wrapped is the job as cron runs it, inside the wrapper chain.
	wrapped cron.Job
	// mu serialises runs of one job, so a run asked for by an admin waits
	// for a tick's run instead of racing it.
	mu sync.Mutex
}

// cronLogger adapts slog to cron's logger. cron reports every wake-up at
// Info, which is noise at our level; skips and errors are worth seeing.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		c.l.Warn("scheduler: a run was skipped because the previous one is still running")
		return
	}
	c.l.Debug("cron: "+msg, kv...)
}

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// Chain is the wrapper chain of every scheduled run: SkipIfStillRunning
// outside Recover. The order matters: were Recover outside, a panic would
// leave SkipIfStillRunning's token taken and the job would be skipped at
// every later tick.
func Chain(l cron.Logger) cron.Chain { return cron.NewChain(jobWrappers(l)...) }

func jobWrappers(l cron.Logger) []cron.JobWrapper {
	return []cron.JobWrapper{cron.SkipIfStillRunning(l), cron.Recover(l)}
}

// Config is what a scheduler is built from.
type Config struct {
	// Tx runs the transactions in which a run's outcome is stored (Store
	// joins them).
	Tx    txn.Runner
	Store Store
	// Leader says whether this process runs the work now; nil is Always.
	Leader Leader
	// Audit records the runs administrators ask for (nil: none).
	Audit *audit.Log
	Log   *slog.Logger
	Now   func() time.Time
	// Tick is how often every job runs (default a minute).
	Tick time.Duration
}

// New builds a scheduler that runs its jobs every tick.
func New(cfg Config) *Scheduler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Minute
	}
	if cfg.Leader == nil {
		cfg.Leader = Always{}
	}
	l := cronLogger{cfg.Log}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{tx: cfg.Tx, store: cfg.Store, leader: cfg.Leader, audit: cfg.Audit, log: cfg.Log, now: cfg.Now,
		spec: "@every " + cfg.Tick.String(),
		cron: cron.New(cron.WithLocation(time.UTC), cron.WithLogger(l),
			cron.WithChain(jobWrappers(l)...)),
		ctx: ctx, cancel: cancel, jobs: map[string]*job{}}
}

// Register adds a job that runs every tick (also after Start). Names are
// unique; they are what the admin routes use.
func (s *Scheduler) Register(name string, fn Func) error {
	if name == "" || fn == nil {
		return errors.New("scheduler: a job needs a name and a function")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.jobs[name]; dup {
		return fmt.Errorf("scheduler: job %q registered twice", name)
	}
	j := &job{name: name, fn: fn}
	id, err := s.cron.AddFunc(s.spec, func() { s.tick(j) })
	if err != nil {
		return fmt.Errorf("scheduler: schedule %q: %w", s.spec, err)
	}
	j.wrapped = s.cron.Entry(id).WrappedJob
	s.jobs[name] = j
	s.order = append(s.order, name)
	return nil
}

// Start begins ticking.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	s.cron.Start()
	s.running.Store(true)
}

// Running reports whether the scheduler ticks (for /readyz).
func (s *Scheduler) Running() bool { return s.running.Load() }

// Stop stops ticking, cancels the context of running jobs (a sweep stops
// between its batches) and waits for them, or until ctx is done; then it
// releases the lead, so that another replica takes over at its next tick.
// It is called before the database closes.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	s.mu.Unlock()
	s.running.Store(false)
	cronDone := s.cron.Stop()
	s.cancel()
	done := make(chan struct{})
	go func() {
		<-cronDone.Done()
		s.wg.Wait()
		close(done)
	}()
	var waitErr error
	select {
	case <-done:
	case <-ctx.Done():
		waitErr = fmt.Errorf("scheduler: jobs still running at shutdown: %w", ctx.Err())
	}
	// Released even when a run is still busy: its lease is then gone, so
	// it writes nothing more, and the next leader need not wait for it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := s.leader.Release(rctx); err != nil {
		// The lead then passes when the lease expires or the connection
		// that holds it closes.
		s.log.Warn("scheduler: could not release the lead", "err", err)
	}
	return waitErr
}

// releaseTimeout bounds the release of the lead at Stop.
const releaseTimeout = 5 * time.Second

// Tick runs one job exactly as a cron tick does (through the wrapper
// chain, at the scheduler's clock), and returns when it is done. Tests use
// it to drive ticks without waiting for them.
func (s *Scheduler) Tick(name string) error {
	s.mu.Lock()
	j, ok := s.jobs[name]
	s.mu.Unlock()
	if !ok {
		return errs.NotFoundf("job")
	}
	j.wrapped.Run()
	return nil
}

// tick is what cron calls. A process that does not lead skips the run:
// another one does the work.
func (s *Scheduler) tick(j *job) {
	lease, lead, err := s.leader.Lead(s.ctx, j.name)
	if err != nil {
		s.log.Error("scheduler: could not tell whether this process leads", "job", j.name, "err", err)
		return
	}
	if !lead {
		s.log.Debug("scheduler: another process leads", "job", j.name)
		return
	}
	res, err := s.execute(WithLease(s.ctx, lease), j, s.now().UTC())
	if errors.Is(err, ErrLeaseLost) {
		s.log.Warn("scheduler: this process lost the lead during a run; the new leader carries on", "job", j.name)
		return
	}
	if err != nil {
		s.log.Error("scheduler: job failed", "job", j.name, "err", err)
		return
	}
	if res.Changed > 0 {
		s.log.Info("scheduler: job ran", "job", j.name, "changed", res.Changed)
	}
}

// Run runs a job now and waits for it (POST /admin/jobs/:job/run). A job
// that fails still answers, with its error in the result and in the
// job's status; an unknown job is 404.
func (s *Scheduler) Run(name string) (RunResult, error) {
	return s.RunAt(name, s.now().UTC())
}

// RunFor is Run asked for by an administrator (the admin API and the
// console both): the run is audited. It has happened by then, so a lost
// entry is logged rather than the run undone.
func (s *Scheduler) RunFor(ctx context.Context, name string, actor uint64, ip string) (RunResult, error) {
	res, err := s.Run(name)
	if err != nil {
		return res, err
	}
	s.audit.RecordAfter(ctx, audit.Entry{ActorID: actor, Action: "job_run", Detail: res.Job, IP: ip})
	return res, nil
}

// RunAt runs a job as if the time were now: tests call jobs directly with
// a chosen instant.
func (s *Scheduler) RunAt(name string, now time.Time) (RunResult, error) {
	s.mu.Lock()
	j, ok := s.jobs[name]
	s.mu.Unlock()
	if !ok {
		return RunResult{}, errs.NotFoundf("job")
	}
	res, err := s.execute(s.ctx, j, now)
	if err != nil {
		res.Error = err.Error()
	}
	if errors.Is(err, errStopped) {
		return res, errs.ConflictCode("conflict", "the scheduler is stopping")
	}
	return res, nil
}

var errStopped = errors.New("scheduler stopped")

// execute runs one job with ctx (the scheduler's, with the lease of a
// scheduled run), turns a panic into an error, and stores the run's
// outcome.
func (s *Scheduler) execute(ctx context.Context, j *job, now time.Time) (res RunResult, err error) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return RunResult{Job: j.name}, errStopped
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	j.mu.Lock()
	defer j.mu.Unlock()
	res = RunResult{Job: j.name, StartedAt: s.now().UTC()}
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("job panicked: %v", r)
				s.log.Error("scheduler: job panicked", "job", j.name, "panic", r, "stack", string(debug.Stack()))
			}
		}()
		res.Changed, err = j.fn(ctx, now)
	}()
	res.FinishedAt = s.now().UTC()
	if rerr := s.record(res, err); rerr != nil {
		s.log.Error("scheduler: could not record a run", "job", j.name, "err", rerr)
	}
	return res, err
}

// record stores a run's outcome.
func (s *Scheduler) record(res RunResult, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	return s.tx.Write(context.Background(), func(ctx context.Context) error {
		return s.store.RecordRun(ctx, res, msg)
	})
}

// Jobs lists the registered jobs with their stored status, in the order
// they were registered.
func (s *Scheduler) Jobs(ctx context.Context) ([]Status, error) {
	s.mu.Lock()
	names := append([]string(nil), s.order...)
	s.mu.Unlock()
	out := make([]Status, 0, len(names))
	// Who leads is shown when it is known; the list does not fail for it.
	holder, herr := s.leader.Holder(ctx)
	if herr != nil {
		s.log.Warn("scheduler: could not read which replica leads", "err", herr)
	}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		for _, name := range names {
			st, err := s.store.Status(ctx, name)
			if err != nil {
				return err
			}
			st.Name, st.Schedule, st.Leader = name, s.spec, holder
			out = append(out, st)
		}
		return nil
	})
	return out, errs.Wrap(err, "list jobs")
}
