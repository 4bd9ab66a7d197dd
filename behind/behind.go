// Package behind keeps the accounts of work done behind acknowledged
// writes: a write's transaction queues an entry in the store (a reply's
// subscribers to tell, a submission's staff to notify), the write is
// acknowledged, and a delivery transaction later takes queued entries in
// batches. What people are shown must stay exact all the same, so every
// reader of what a delivery writes first delivers what was acknowledged
// before it began; a Queue makes that cheap when nothing is queued.
package behind

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Config is what a Queue delivers with.
type Config struct {
	// Now is the owner's service clock: DeliverIfDue measures with it, so
	// tests with a pinned clock decide when scheduled deliveries happen.
	Now func() time.Time
	// Batch delivers up to a bounded number of queued entries in one
	// transaction and reports whether more were queued.
	Batch func(ctx context.Context) (more bool, err error)
	// Shared says that other processes queue entries in the same store
	// (replicas on one database): this process's counts then say nothing
	// of theirs, so a reader asks Count, the store's queue length.
	Shared bool
	Count  func(ctx context.Context) (int, error)
}

// Queue counts entries queued and delivered by this process.
type Queue struct {
	cfg Config
	// mu serialises deliveries.
	mu sync.Mutex
	// queued counts acknowledged entries; it starts at 1 so that the first
	// reader looks for entries a previous run left queued. delivered is
	// the value queued had when the last delivery that emptied the queue
	// began.
	queued, delivered atomic.Uint64
	// deliveries counts committed delivery transactions; last is when
	// (service clock, unix nanoseconds) the last delivery began.
	deliveries atomic.Int64
	last       atomic.Int64
}

// New returns a queue whose first reader looks for entries left queued.
func New(cfg Config) *Queue {
	q := &Queue{cfg: cfg}
	q.queued.Store(1)
	q.last.Store(cfg.Now().UnixNano())
	return q
}

// Added counts an entry whose transaction has committed.
func (q *Queue) Added() { q.queued.Add(1) }

// Delivered counts a committed delivery transaction; Batch calls it.
func (q *Queue) Delivered() { q.deliveries.Add(1) }

// Deliveries is how many delivery transactions committed.
func (q *Queue) Deliveries() int64 { return q.deliveries.Load() }

// pending reports whether entries may be queued that no delivery has
// taken.
func (q *Queue) pending() bool { return q.delivered.Load() < q.queued.Load() }

// Deliver delivers every entry acknowledged before it was called.
// Concurrent callers share deliveries; with nothing queued it costs two
// atomic loads, or, when other processes queue entries too (Shared), one
// count of the store's queue: an entry another replica acknowledged is in
// no count of this one's, and what it changes must show here at once all
// the same.
func (q *Queue) Deliver(ctx context.Context) error {
	want := q.queued.Load()
	others := false
	if q.delivered.Load() >= want {
		if !q.cfg.Shared {
			return nil
		}
		n, err := q.cfg.Count(ctx)
		if err != nil || n == 0 {
			return err
		}
		others = true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.last.Store(q.cfg.Now().UnixNano())
	for others || q.delivered.Load() < want {
		// Every entry counted in upto committed before this delivery's
		// transaction begins, so once a transaction finds the queue no
		// longer than it takes, all of them are delivered.
		upto := q.queued.Load()
		more, err := q.cfg.Batch(ctx)
		if err != nil {
			return err
		}
		if !more {
			q.delivered.Store(upto)
			// Other processes' entries found in the queue are taken too;
			// those another replica holds (SKIP LOCKED) are its to finish.
			others = false
		}
	}
	return nil
}

// DeliverIfDue delivers when entries may be queued (or others' may be:
// Shared) and every or longer has passed since the last delivery began, by
// the service clock.
func (q *Queue) DeliverIfDue(ctx context.Context, every time.Duration) error {
	if !(q.pending() || q.cfg.Shared) || q.cfg.Now().UnixNano()-q.last.Load() < int64(every) {
		return nil
	}
	return q.Deliver(ctx)
}
