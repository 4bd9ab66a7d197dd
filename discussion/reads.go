package discussion

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pacer/errs"
	"pacer/jobs"
)

// Reading a thread marks it read, and thread pages are the busiest reads
// there are: a commit (an fsync) for each would make every page a write.
// So read marks are written behind. Thread records a mark in memory; the
// first mark recorded ReadFlushEvery or more after the last flush writes
// every buffered mark in one transaction, and so does Stop.
//
// What a caller is shown is exact all the same, under any isolation and
// whatever else commits meanwhile: a mark leaves the buffer only after the
// transaction that wrote it has committed, so every mark is, at any
// moment, in the buffer or in a committed transaction. A read of read
// state takes the caller's buffered marks before its transaction begins
// and counts the later of the two: a mark missing from that copy had
// committed before the transaction began, so the transaction sees it. A
// transaction that reads the buffer inside itself (reply delivery) holds
// reading() from before it begins to after it ends, and a flush lets its
// marks leave only when no such transaction runs: so a mark committed
// after such a transaction began is still in the buffer when it looks.
// Neither argument asks that writers commit one at a time.
//
// The trade-off: a crash loses the marks of the last ReadFlushEvery (the
// first read after it flushes, and so does the scheduled flush of Start in
// a quiet spell). A read mark is not a write anybody was promised; losing it
// shows a few posts as unread again.

// DefaultReadFlushEvery is how long read marks wait in memory at most,
// given further reads.
const DefaultReadFlushEvery = time.Second

// maxBufferedReads bounds the buffer; past it, marks are written at once.
const maxBufferedReads = 200_000

// readBuffer holds read marks not yet written: user → thread → post.
type readBuffer struct {
	mu        sync.Mutex
	pending   map[uint64]map[uint64]uint64
	n         int
	lastFlush time.Time
	stopped   bool

	// flushMu serialises flushes; flushes counts committed ones.
	flushMu sync.Mutex
	flushes atomic.Int64
	// retire is held shared by transactions that read the buffer inside
	// themselves (reading), and exclusively by a flush while its marks
	// leave the buffer.
	retire sync.RWMutex

	// flush and deliver are the scheduled flush of read marks and delivery
	// of replies (Start), once started; Stop ends them.
	flush, deliver *jobs.Local
	stopOnce       sync.Once
}

func newReadBuffer(now time.Time) *readBuffer {
	return &readBuffer{pending: map[uint64]map[uint64]uint64{}, lastFlush: now}
}

// readMarks are one user's buffered read marks (thread → post), copied
// before a read transaction begins.
type readMarks map[uint64]uint64

// marksOf copies a user's buffered marks (nil when there are none).
func (b *readBuffer) marksOf(user uint64) readMarks {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.pending[user]
	if len(m) == 0 {
		return nil
	}
	out := make(readMarks, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// reading is held from before a transaction that reads marks with mark
// begins until after it ends; it returns the release.
func (b *readBuffer) reading() func() {
	b.retire.RLock()
	return b.retire.RUnlock
}

// mark is a user's buffered mark in one thread (0: none), for a
// transaction that holds reading(): a mark committed by a flush after the
// transaction began is still buffered until the transaction ends.
func (b *readBuffer) mark(user, thread uint64) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending[user][thread]
}

// record buffers a mark and reports whether it did (false: buffering is
// off or full, write it now) and whether a flush is due.
func (b *readBuffer) record(thread, user, post uint64, now time.Time, every time.Duration) (buffered, due bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped || b.n >= maxBufferedReads {
		return false, false
	}
	m := b.pending[user]
	if m == nil {
		m = map[uint64]uint64{}
		b.pending[user] = m
	}
	if old, ok := m[thread]; !ok {
		b.n++
		m[thread] = post
	} else if post > old {
		m[thread] = post
	}
	return true, now.Sub(b.lastFlush) >= every
}

// lastRead is the last post the user has read in a thread: the stored
// mark or the buffered one taken before the transaction, whichever is later.
func (s *Service) lastRead(ctx context.Context, marks readMarks, thread, user uint64) (uint64, error) {
	stored, err := s.store.ReadMark(ctx, thread, user)
	return max(stored, marks[thread]), err
}

// markRead moves the user's read mark forward to post: in the buffer, or
// in the store when buffering is off (after Stop) or full. A due flush is
// done here, by the one request that finds it due.
func (s *Service) markRead(ctx context.Context, thread, user, post uint64) error {
	now := s.now()
	buffered, due := s.reads.record(thread, user, post, now, s.ReadFlushEvery)
	if !buffered {
		// A mark only moves forward, so tx.Batch may run this twice.
		err := s.tx.Batch(ctx, func(ctx context.Context) error {
			return s.store.MoveReadMarks(ctx, []ReadMark{{thread, user, post}})
		})
		return errs.Wrap(err, "mark read")
	}
	if due && s.reads.flushMu.TryLock() {
		defer s.reads.flushMu.Unlock()
		return s.flushReadsLocked(ctx, now)
	}
	return nil
}

// FlushReads writes every buffered read mark in one transaction. On
// failure the marks stay buffered for the next flush.
func (s *Service) FlushReads(ctx context.Context) error {
	s.reads.flushMu.Lock()
	defer s.reads.flushMu.Unlock()
	return s.flushReadsLocked(ctx, s.now())
}

func (s *Service) flushReadsLocked(ctx context.Context, now time.Time) error {
	b := s.reads
	b.mu.Lock()
	b.lastFlush = now
	marks := make([]ReadMark, 0, b.n)
	for user, m := range b.pending {
		for thread, post := range m {
			marks = append(marks, ReadMark{thread, user, post})
		}
	}
	b.mu.Unlock()
	if len(marks) == 0 {
		return nil
	}
	// Key order makes the writes sequential in the B+tree.
	slices.SortFunc(marks, func(a, b ReadMark) int {
		if a.Thread != b.Thread {
			return cmp.Compare(a.Thread, b.Thread)
		}
		return cmp.Compare(a.User, b.User)
	})
	err := s.tx.Write(ctx, func(ctx context.Context) error { return s.store.MoveReadMarks(ctx, marks) })
	if err != nil {
		return errs.Wrap(err, "write read marks")
	}
	b.flushes.Add(1)
	// Only now, with the marks committed, may they leave the buffer, and
	// only while no transaction that began before the commit reads it
	// (reading); a mark moved further meanwhile stays for the next flush.
	b.retire.Lock()
	defer b.retire.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range marks {
		um := b.pending[m.User]
		if cur, ok := um[m.Thread]; ok && cur <= m.Post {
			delete(um, m.Thread)
			b.n--
			if len(um) == 0 {
				delete(b.pending, m.User)
			}
		}
	}
	return nil
}

// Start has sched check every ReadFlushEvery, until Stop, whether a flush
// is due by the service clock, so that marks recorded just before a quiet
// spell do not wait in memory for the next read. (Due by the service clock,
// not the scheduler's: with a pinned clock, tests decide when marks are
// written.) In the same way it has sched deliver queued replies every
// DeliverEvery (deliver.go), so that their notifications and mail do not
// wait for a reader. Both are work of this process (jobs.Every): the
// buffer and the counts of the queue are this process's own, so every
// replica flushes and delivers its own. Each run works in the ctx of its
// run, not in the ctx Start is given.
func (s *Service) Start(_ context.Context, sched *jobs.Scheduler) error {
	b := s.reads
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flush != nil || b.stopped {
		return nil
	}
	// The ticks log their own failures, saying what was not written, so
	// they leave the scheduler nothing to log.
	flush, err := sched.Every("discussion_read_flush", s.ReadFlushEvery, func(ctx context.Context) error {
		s.flushTick(ctx)
		return nil
	})
	if err != nil {
		return err
	}
	deliver, err := sched.Every("discussion_reply_delivery", s.DeliverEvery, func(ctx context.Context) error {
		s.deliverTick(ctx)
		return nil
	})
	// Stop ends whichever started.
	b.flush, b.deliver = flush, deliver
	return err
}

// flushTick is one run of the scheduled flush. Nobody waits for its
// answer, so a failure is logged here, once, with how many marks it could
// not write; the marks stay buffered and the next read or run retries.
func (s *Service) flushTick(ctx context.Context) {
	n := s.reads.buffered()
	if err := s.flushIfDue(ctx); err != nil {
		s.log.Error("discussion: read marks not written; they stay buffered for the next flush", "marks", n, "err", err)
	}
}

// deliverTick is one run of the scheduled delivery of replies; as
// flushTick, it logs a failure once. The replies stay queued, and the next
// read of notifications or run retries.
func (s *Service) deliverTick(ctx context.Context) {
	if err := s.deliverIfDue(ctx); err != nil {
		s.log.Error("discussion: queued replies not delivered (notifications and search postings); they stay queued for the next delivery",
			"err", err)
	}
}

// buffered counts the buffered marks.
func (b *readBuffer) buffered() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// flushIfDue flushes when marks are buffered and the last flush was
// ReadFlushEvery or longer ago by the service clock.
func (s *Service) flushIfDue(ctx context.Context) error {
	b := s.reads
	b.mu.Lock()
	due := b.n > 0 && s.now().Sub(b.lastFlush) >= s.ReadFlushEvery
	b.mu.Unlock()
	if !due {
		return nil
	}
	return s.FlushReads(ctx)
}

// Stop ends the scheduled flush and delivery, waits for a run in
// progress, delivers queued replies and writes the buffered read marks;
// marks recorded after it are written at once. It must run before the
// store closes (server.OnStop). They run to the end even when ctx is
// done: the marks are only in memory, and nothing after Stop writes them.
func (s *Service) Stop(ctx context.Context) error {
	s.halt(ctx)
	ctx = context.WithoutCancel(ctx)
	return errors.Join(s.DeliverReplies(ctx), s.FlushReads(ctx))
}

// halt ends the scheduled flush and delivery, waiting for a run in
// progress, and the buffering of read marks, without flushing.
func (s *Service) halt(context.Context) {
	b := s.reads
	b.stopOnce.Do(func() {
		b.mu.Lock()
		b.stopped = true
		flush, deliver := b.flush, b.deliver
		b.mu.Unlock()
		for _, l := range []*jobs.Local{flush, deliver} {
			if l != nil {
				l.Stop()
			}
		}
	})
}
