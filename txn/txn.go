// Package txn is the engine-neutral face of a transaction. Domain packages
// run a unit of work with a Runner; the transaction travels in the context
// the work function receives, and every store method called with that
// context joins it. So a request that spans packages (an announcement that
// checks membership, stores itself and notifies every member) is still one
// transaction, and no domain package sees which engine holds it.
//
// A work function may run more than once: an engine with optimistic or
// serializable transactions retries it from the start when it conflicts
// with another writer. It must therefore do nothing outside the
// transaction that it could not repeat (no e-mail sent, no cache filled
// before the commit) and must not count on being the only writer.
package txn

import (
	"context"
	"errors"
)

// Runner runs work in a transaction.
type Runner interface {
	// Write runs fn in a read-write transaction and commits it when fn
	// returns nil; the commit is durable when Write returns. When ctx
	// already carries a read-write transaction, fn joins it instead (the
	// outer Write commits).
	Write(ctx context.Context, fn func(ctx context.Context) error) error
	// Read runs fn in a read-only transaction: one consistent view of the
	// store. When ctx already carries a transaction, fn joins it.
	Read(ctx context.Context, fn func(ctx context.Context) error) error
	// Batch is Write for small, hot writes (a reply, a first view, a read
	// mark): concurrent calls may share one commit, each returning once
	// that commit is durable. fn may run more than once even on an engine
	// that never retries Write, so it must be safe to repeat. When ctx
	// already carries a read-write transaction, fn joins it.
	Batch(ctx context.Context, fn func(ctx context.Context) error) error
}

// ErrUnavailable marks a failure to reach the store (a database restarting,
// a network cut): nothing about the request was wrong, and the same
// request may succeed in a moment. Engines wrap the driver's error in it.
var ErrUnavailable = errors.New("the store is unreachable")

// ErrNotFound is what a store returns for a record that does not exist,
// on every engine.
var ErrNotFound = errors.New("not found")

// Work written for row locks. Serializable transactions make every write
// correct without argument, but writers of one hot row (a busy thread's)
// abort each other and run again. Work marked with Locking instead argues
// its own correctness: before it reads a record whose invariant it relies
// on it locks it through its store (a method named Lock…, held to the end
// of the transaction), and each of its other writes is one statement
// whose outcome does not depend on what the work read (an insert, an
// increment, a conditional update). An engine with concurrent writers may
// then run it at a weaker isolation, where writers of the same row wait
// for each other instead of aborting (PostgreSQL: READ COMMITTED). Work
// that finds on the way that it must do more than that (a write that
// reads another owner's records and writes them back) calls Serial first.

type lockingKey struct{}

type weakKey struct{}

// Locking marks the work run with the returned context as written for
// row locks (see above).
func Locking(ctx context.Context) context.Context { return context.WithValue(ctx, lockingKey{}, true) }

// WantsLocking reports whether ctx's work was marked with Locking: for
// engines.
func WantsLocking(ctx context.Context) bool { v, _ := ctx.Value(lockingKey{}).(bool); return v }

// Weak marks ctx as running in a transaction weaker than serializable:
// engines call it for the work they run so (Locking).
func Weak(ctx context.Context) context.Context { return context.WithValue(ctx, weakKey{}, true) }

// ErrSerial is what Serial returns in a weaker transaction; the engine
// then runs the work again from the start, serializable.
var ErrSerial = errors.New("txn: this work needs a serializable transaction")

// Serial returns ErrSerial when ctx's transaction is weaker than
// serializable, and nil otherwise. Work marked with Locking calls it
// before a write that row locks do not make correct, and returns its
// error.
func Serial(ctx context.Context) error {
	if v, _ := ctx.Value(weakKey{}).(bool); v {
		return ErrSerial
	}
	return nil
}

// Reads answered from caches. Most page views of a busy course are
// answered from the exact caches alone (package cache): the read's only
// statement is the check of the revisions those caches hold. Work marked
// with Cached says so, and an engine whose transaction costs round trips
// of its own (PostgreSQL: BEGIN and COMMIT) may then read those revisions
// in one statement outside a transaction, which is a snapshot of its own;
// should the work need any other read, the engine runs it again from the
// start in a transaction. A read not usually answered from caches must not
// be marked: it would pay that first statement twice.

type cachedKey struct{}

// Cached marks the read work run with the returned context as usually
// answered from caches alone (see above).
func Cached(ctx context.Context) context.Context { return context.WithValue(ctx, cachedKey{}, true) }

// WantsCached reports whether ctx's work was marked with Cached: for
// engines.
func WantsCached(ctx context.Context) bool { v, _ := ctx.Value(cachedKey{}).(bool); return v }
