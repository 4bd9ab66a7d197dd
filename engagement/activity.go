package engagement

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pacer/jobs"
	"pacer/modules"
	"pacer/txn"
)

// Tracker records learner activity without an fsync per request. Touch
// only updates an in-memory buffer; the scheduler writes the buffer in one
// transaction every FlushEvery, as work of this process (jobs.Every: the
// buffer is this process's own, so every replica flushes its own), and
// Stop writes what is left, moving each member's last_active_at forward
// and adding to their per-day counts.
//
// The trade-off: a crash loses at most the last FlushEvery of activity.
// That is an acceptable loss for "when was this learner last here", which
// drives flags measured in days, and it keeps the hot path to a map update.
type Tracker struct {
	tx    txn.Runner
	store Store
	now   func() time.Time
	log   *slog.Logger
	every time.Duration
	// courses owns the member records whose last_active_at a flush moves.
	courses *modules.Service

	mu      sync.Mutex
	pending map[dayKey]dayVal
	stopped bool

	// flushMu serialises flushes (the scheduled one, Stop, the flag job).
	flushMu sync.Mutex
	flushes atomic.Int64

	// local is the scheduled flush, once started.
	local    *jobs.Local
	stopOnce sync.Once
}

// dayKey is one learner's activity in one course on one UTC day.
type dayKey struct {
	course, user uint64
	day          int64
}

// dayVal is what the buffer holds for a dayKey: how many actions and the
// latest instant (unix nanoseconds).
type dayVal struct {
	count uint32
	last  int64
}

// DefaultFlushEvery is how often the buffer is written when not configured.
const DefaultFlushEvery = 5 * time.Second

// NewTracker builds a tracker; Start begins its flushing.
func NewTracker(tx txn.Runner, store Store, courses *modules.Service, now func() time.Time, log *slog.Logger, every time.Duration) *Tracker {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if every <= 0 {
		every = DefaultFlushEvery
	}
	return &Tracker{tx: tx, store: store, courses: courses, now: now, log: log, every: every, pending: map[dayKey]dayVal{}}
}

// FlushEvery is the flush interval: the most activity a crash can lose.
func (t *Tracker) FlushEvery() time.Duration { return t.every }

// unixDay is the UTC day number of an instant in unix nanoseconds.
func unixDay(nanos int64) int64 {
	const day = int64(24 * time.Hour)
	d := nanos / day
	if nanos < 0 && nanos%day != 0 {
		d--
	}
	return d
}

// Touch records one action of user in course now. It is what
// modules.Service.OnActivity calls on every learner request, so it takes
// one lock and updates one map entry, and never touches the disk.
func (t *Tracker) Touch(course, user uint64) {
	now := t.now().UnixNano()
	k := dayKey{course: course, user: user, day: unixDay(now)}
	t.mu.Lock()
	if !t.stopped {
		v := t.pending[k]
		v.count++
		if now > v.last {
			v.last = now
		}
		t.pending[k] = v
	}
	t.mu.Unlock()
}

// pendingDay is buffered activity of one learner on one day.
type pendingDay struct {
	day   int64
	count uint32
	last  int64
}

// pendingIn returns the buffered (not yet written) activity of every
// learner of a course, in one pass over the buffer, so that readers can be
// exact without forcing a flush.
func (t *Tracker) pendingIn(course uint64) map[uint64][]pendingDay {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out map[uint64][]pendingDay
	for k, v := range t.pending {
		if k.course != course {
			continue
		}
		if out == nil {
			out = map[uint64][]pendingDay{}
		}
		out[k.user] = append(out[k.user], pendingDay{day: k.day, count: v.count, last: v.last})
	}
	return out
}

// overlay adds buffered activity to a member's stored last_active_at and
// to per-day counts read from the store (days[0] is the day of now).
func overlay(m *modules.Member, days []uint32, pend []pendingDay, now time.Time) {
	today := unixDay(now.UnixNano())
	for _, p := range pend {
		at := time.Unix(0, p.last).UTC()
		if m.LastActiveAt == nil || at.After(*m.LastActiveAt) {
			m.LastActiveAt = &at
		}
		if ago := today - p.day; ago >= 0 && ago < int64(len(days)) {
			days[ago] += p.count
		}
	}
}

// Flushes counts the transactions the tracker has committed: the number of
// fsyncs that all the Touch calls so far have cost.
func (t *Tracker) Flushes() int64 { return t.flushes.Load() }

// Start has sched flush the buffer every FlushEvery until Stop.
func (t *Tracker) Start(sched *jobs.Scheduler) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.local != nil || t.stopped {
		return nil
	}
	l, err := sched.Every("activity_flush", t.every, t.Flush)
	t.local = l
	return err
}

// Stop ends the scheduled flushing, waits for a flush in progress and
// writes what is left in the buffer. Touches after Stop are ignored. It must run
// before the store closes (server.OnStop).
func (t *Tracker) Stop(ctx context.Context) error {
	t.halt(ctx)
	// The last flush is written even when the shutdown's time has run
	// out: the store closes next, and what is left in the buffer would be
	// lost for good.
	return t.Flush(context.WithoutCancel(ctx))
}

// halt stops the scheduled flushing and further touches without
// flushing.
func (t *Tracker) halt(context.Context) {
	t.stopOnce.Do(func() {
		t.mu.Lock()
		t.stopped = true
		l := t.local
		t.mu.Unlock()
		if l != nil {
			l.Stop()
		}
	})
}

// Flush writes the buffer in one transaction. On failure the entries go
// back into the buffer, merged with any that arrived meanwhile, so a
// passing error loses nothing.
func (t *Tracker) Flush(ctx context.Context) error {
	t.flushMu.Lock()
	defer t.flushMu.Unlock()
	t.mu.Lock()
	batch := t.pending
	if len(batch) == 0 {
		t.mu.Unlock()
		return nil
	}
	t.pending = make(map[dayKey]dayVal, len(batch))
	t.mu.Unlock()

	keys := make([]dayKey, 0, len(batch))
	for k := range batch {
		keys = append(keys, k)
	}
	// Key order makes the writes sequential in the B+tree.
	slices.SortFunc(keys, func(a, b dayKey) int {
		switch {
		case a.course != b.course:
			return cmp.Compare(a.course, b.course)
		case a.user != b.user:
			return cmp.Compare(a.user, b.user)
		}
		return cmp.Compare(uint64(a.day), uint64(b.day))
	})
	// Written for row locks (txn.Locking): each of the flush's two writes
	// is one statement whose outcome does not depend on anything the flush
	// read — last_active_at moves forward only where it is older (the
	// condition is evaluated again on the row as the last writer left it),
	// and the day counts add up in an upsert. So every replica's flush
	// may update the same learners at once, waiting for each other's row
	// locks instead of aborting each other as serializable transactions.
	err := t.tx.Write(txn.Locking(ctx), func(ctx context.Context) error { return t.writeActivity(ctx, keys, batch) })
	if err != nil {
		t.mu.Lock()
		for k, v := range batch {
			cur := t.pending[k]
			cur.count += v.count
			cur.last = max(cur.last, v.last)
			t.pending[k] = cur
		}
		t.mu.Unlock()
		return err
	}
	t.flushes.Add(1)
	return nil
}

// writeActivity applies a sorted batch: per member, last_active_at moves
// forward only (a late flush never moves it back); per day, counts add up.
// Activity of someone who is no longer a member is dropped.
func (t *Tracker) writeActivity(ctx context.Context, keys []dayKey, batch map[dayKey]dayVal) error {
	// One entry per member: keys are sorted, so a member's days are
	// together.
	var seen []modules.Seen
	for i := 0; i < len(keys); {
		course, user := keys[i].course, keys[i].user
		var last int64
		for ; i < len(keys) && keys[i].course == course && keys[i].user == user; i++ {
			last = max(last, batch[keys[i]].last)
		}
		seen = append(seen, modules.Seen{Course: course, User: user, At: time.Unix(0, last).UTC()})
	}
	member, err := t.courses.MarkActive(ctx, seen)
	if err != nil {
		return err
	}
	counts := make([]DayCount, 0, len(keys))
	for i, m := 0, 0; i < len(keys); i++ {
		k := keys[i]
		for seen[m].Course != k.course || seen[m].User != k.user {
			m++
		}
		if member[m] {
			counts = append(counts, DayCount{Course: k.course, User: k.user, Day: k.day, Count: batch[k].count})
		}
	}
	return t.store.AddActivity(ctx, counts)
}

// activity reads a learner's per-day counts for the n days up to and
// including the day of now: out[0] is today.
func (s *Service) activity(ctx context.Context, course, user uint64, now time.Time, n int, out []uint32) ([]uint32, error) {
	out = slices.Grow(out[:0], n)[:n]
	err := s.store.Activity(ctx, course, user, unixDay(now.UnixNano()), out)
	return out, err
}
