package jobs

import (
	"context"
	"errors"

	"pacer/txn"
)

// A Lease is a leader's proof that this process leads, as a scheduled run
// carries it in its context. Between the leader's answer and a run's
// writes a replica may stall (a pause, a slow disk) while another takes
// over; so the engine checks the lease at the start of every write
// transaction the run makes (Fenced), and a run that lost the lead writes
// nothing more.
type Lease interface {
	// Check runs inside a write transaction (ctx carries it) and returns
	// ErrLeaseLost when the lead has passed since the lease was given.
	// It holds what the engine needs so that the lead cannot pass before
	// the transaction ends.
	Check(ctx context.Context) error
}

// ErrLeaseLost is a write refused because this process no longer leads.
var ErrLeaseLost = errors.New("jobs: this process no longer leads")

type leaseKey struct{}

// checkedKey marks a transaction's context whose lease was checked, so a
// Write that joins it does not check again.
type checkedKey struct{}

// WithLease returns ctx carrying lease (nil: ctx unchanged).
func WithLease(ctx context.Context, lease Lease) context.Context {
	if lease == nil {
		return ctx
	}
	return context.WithValue(ctx, leaseKey{}, lease)
}

// LeaseFrom is the lease ctx carries, or nil.
func LeaseFrom(ctx context.Context) Lease {
	l, _ := ctx.Value(leaseKey{}).(Lease)
	return l
}

// Fenced wraps an engine's txn.Runner so that a write transaction whose
// context carries a lease checks it first: the job code knows nothing of
// leases, and the services built on the wrapped runner need no change.
// Work without a lease (requests, an administrator's run) is untouched,
// and so are reads.
func Fenced(r txn.Runner) txn.Runner { return fenced{r} }

type fenced struct{ txn.Runner }

func (f fenced) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	return f.Runner.Write(ctx, checked(fn))
}

func (f fenced) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return f.Runner.Batch(ctx, checked(fn))
}

// checked is fn preceded by the lease check, once per transaction (a
// Write that joins an outer one finds the mark the outer one left).
func checked(fn func(ctx context.Context) error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		lease := LeaseFrom(ctx)
		if lease == nil || ctx.Value(checkedKey{}) != nil {
			return fn(ctx)
		}
		if err := lease.Check(ctx); err != nil {
			return err
		}
		return fn(context.WithValue(ctx, checkedKey{}, true))
	}
}
