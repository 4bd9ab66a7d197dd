package jobs

import "context"

// Store keeps each job's last run, so the admin pages show it after a
// restart. Its methods join the transaction ctx carries (txn.Runner).
type Store interface {
	// RecordRun stores a run's outcome as its job's status: the run's
	// times and count, its error text ("" when it succeeded), and one more
	// run counted.
	RecordRun(ctx context.Context, res RunResult, errText string) error
	// Status is a job's stored status; the zero Status for a job that
	// never ran.
	Status(ctx context.Context, name string) (Status, error)
}

// Leader decides whether this process does the periodic work now. It is
// asked before every scheduled run; a run asked for by an administrator
// runs regardless, since every job's effects happen once whoever runs it.
type Leader interface {
	// Lead reports whether this process leads now and, when it does, the
	// lease the run carries (nil when there is nothing to check: one
	// process always leads). A replica that cannot tell (its database
	// does not answer) returns an error and does not run.
	Lead(ctx context.Context, job string) (lease Lease, lead bool, err error)
	// Release gives the lead up for good: the scheduler calls it when it
	// stops, after its runs ended, so that another replica takes over at
	// its next tick instead of after a timeout.
	Release(ctx context.Context) error
	// Holder names the process that leads now ("" when none does or it
	// is not known), for the administrators' list of jobs.
	Holder(ctx context.Context) (string, error)
}

// Always is the leader of a single process (the bbolt engine): it always
// leads, and its runs carry no lease.
type Always struct{}

// Lead implements Leader.
func (Always) Lead(context.Context, string) (Lease, bool, error) { return nil, true, nil }

// Release implements Leader: there is no one to hand over to.
func (Always) Release(context.Context) error { return nil }

// Holder implements Leader: the only process, which has no name.
func (Always) Holder(context.Context) (string, error) { return "", nil }
