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
// runs regardless, since every job is idempotent.
type Leader interface {
	Lead(ctx context.Context, job string) (bool, error)
}

// Always is the leader of a single process: it always leads.
type Always struct{}

// Lead implements Leader.
func (Always) Lead(context.Context, string) (bool, error) { return true, nil }
