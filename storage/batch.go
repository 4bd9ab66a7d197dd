package storage

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// BatchTx is Update for hot, idempotent writes: concurrent callers share one
// commit, and each returns once that commit is durable (fsync'd). fn may run
// more than once, so it must be idempotent.
//
// A group is whatever calls are waiting when the writer is free: no timer.
// bbolt's own Batch closed a group after a fixed delay (2 ms) whether the
// writer was free or not, and each closed group then waited for the writer
// and paid a commit of its own (two fdatasyncs). Once a commit took longer
// than the delay (fdatasync on a busy disk took 2.7 ms on average), groups
// were formed faster than they were committed, the line for the writer
// grew without bound and a steady 1,000 first item views a second waited
// 0.5-2 s. Here a commit takes every call that queued during the one
// before, so groups grow with the load instead of the line, and a lone
// call commits at once instead of waiting out the delay.
func (db *DB) BatchTx(fn func(*Tx) error) error {
	c := batchCall{fn: fn, err: make(chan error, 1)}
	if db.batch.enqueue(c) {
		// This call found no commit loop running: it starts one, which
		// ends when the queue is empty.
		go db.commitQueued()
	}
	err := <-c.err
	if errors.Is(err, errTrySolo) {
		err = db.Update(fn)
	}
	return err
}

type batchCall struct {
	fn  func(*Tx) error
	err chan error
}

// batcher is the queue of Batch calls waiting for a commit.
type batcher struct {
	max     int // most calls per commit
	mu      sync.Mutex
	queue   []batchCall
	running bool // a commitQueued loop is draining the queue
}

// enqueue adds c and reports whether the caller must start the commit loop.
func (b *batcher) enqueue(c batchCall) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = append(b.queue, c)
	start := !b.running
	b.running = true
	return start
}

// take removes up to max calls from the queue. When it is empty it ends the
// loop (running = false) and returns nil.
func (b *batcher) take() []batchCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(b.queue), b.max)
	if n == 0 {
		b.running = false
		b.queue = nil
		return nil
	}
	calls := b.queue[:n:n]
	b.queue = b.queue[n:]
	return calls
}

// queued is the number of calls waiting for a commit.
func (b *batcher) queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// commitQueued commits queued calls, a group per transaction, until the
// queue is empty. Calls are taken once the writer lock is held, so that a
// group holds everything that queued while the previous write committed.
func (db *DB) commitQueued() {
	for {
		// Callers that are runnable and about to queue get to first: on
		// a machine with few cores they would otherwise miss this commit
		// and wait for the next, and groups would stay small. It costs
		// no time when nothing else is runnable.
		runtime.Gosched()
		var calls []batchCall
		began := false
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			began = true
			if calls = db.batch.take(); calls == nil {
				return errEmpty // nothing to write: no commit, no fsync
			}
			return db.runGroup(tx, &calls)
		})
		if !began {
			// No transaction could begin (the database is closed): every
			// queued call gets the error.
			for calls = db.batch.take(); calls != nil; calls = db.batch.take() {
				for _, c := range calls {
					c.err <- err
				}
			}
			return
		}
		if calls == nil {
			return
		}
		for len(calls) > 0 {
			if !errors.Is(err, errRetry) {
				// Committed, or the commit failed: every call gets the
				// result.
				for _, c := range calls {
					c.err <- err
				}
				break
			}
			// A call failed and was sent to run alone; the others run
			// again in a new transaction (their writes were rolled back).
			err = db.bolt.Update(func(tx *bolt.Tx) error { return db.runGroup(tx, &calls) })
		}
	}
}

// runGroup runs calls in tx. When one fails (or panics) it is told to run
// alone, removed from calls, and errRetry rolls the transaction back.
func (db *DB) runGroup(tx *bolt.Tx, calls *[]batchCall) error {
	for i, c := range *calls {
		if err := safelyCall(c.fn, &Tx{tx: tx, db: db}); err != nil {
			c.err <- errTrySolo
			*calls = append((*calls)[:i:i], (*calls)[i+1:]...)
			return errRetry
		}
	}
	return nil
}

var (
	// errTrySolo tells a Batch caller to run its function in a
	// transaction of its own, where its error (or panic) is its alone.
	errTrySolo = errors.New("storage: batch call failed; run it alone")
	// errRetry rolls back a group transaction that lost a call.
	errRetry = errors.New("storage: batch group lost a call; run it again")
	// errEmpty rolls back a transaction that found the queue empty.
	errEmpty = errors.New("storage: no batch calls queued")
)

func safelyCall(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn(tx)
}
