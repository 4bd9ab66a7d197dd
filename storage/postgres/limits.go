package postgres

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"pacer/limit"
)

// Limits are rate limits counted in the database, so that every replica
// sees the same counts: one row per limiter and key holds the current fixed
// window (rate_windows). Each event is one statement of its own on the
// pool, outside whatever transaction the request's ctx carries: a count
// must outlive the rollback of the work it guards (a wrong enrolment key
// rolls its enrolment back), and a limit check must never make a
// serializable transaction retry or conflict.
//
// Those statements run at the pool's READ COMMITTED, which is enough: the
// upsert of Allow is one atomic statement, and concurrent upserts of one
// key queue on its row lock, each then updating the row as the previous
// one committed it (PostgreSQL re-reads a locked row's newest version in
// ON CONFLICT DO UPDATE), so no event is lost or counted twice, and no
// serialization failure has to be retried.
//
// Their commits do not wait for the WAL flush (asyncCommit): a count is
// not a write anybody was promised, and a crash loses at most the counts
// of the last few hundred milliseconds (PostgreSQL's WAL writer flushes
// every wal_writer_delay, 200 ms by default), letting a few more events
// through in the windows then open — as a restart of a bbolt process
// forgets its in-memory counts entirely. Every reply counts one event:
// its count waited for an fsync of its own, holding a pool connection,
// before the reply's transaction began.
//
// Times come from the injected clock (never SQL's now()), so that limits
// follow a pinned clock in tests as the in-memory ones do.
type Limits struct {
	db  *DB
	now func() time.Time
	log *slog.Logger
	// warned is when the last failure was logged (unix nanoseconds of the
	// clock), so that an outage logs a line a minute, not one per request.
	warned atomic.Int64
}

// NewLimits counts limits in db on the clock now (nil: time.Now); log
// hears when the database does not answer (nil: discarded).
func NewLimits(db *DB, now func() time.Time, log *slog.Logger) *Limits {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Limits{db: db, now: now, log: log}
}

// asyncCommit is a one-row FROM item that turns synchronous_commit off for
// the statement's own implicit transaction (set_config's is_local): its
// commit returns without waiting for the WAL flush. A commit is as visible
// to every other session at once either way.
const asyncCommit = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`

// Limiter is a limit.Factory: the limiter called name, n events per key
// in each window. Limiters of one name share their counts, on this
// process and on every other using the database.
func (l *Limits) Limiter(name string, n int, window time.Duration) limit.Limiter {
	if n <= 0 {
		return limit.Unlimited{}
	}
	return &sharedLimiter{limits: l, name: name, n: n, window: window, local: limit.NewWindow(n, window, l.now)}
}

// Sweep deletes the windows that ended by now: they count as nothing
// already, and keys are many (every client address that signed in).
func (l *Limits) Sweep(ctx context.Context, now time.Time) (int, error) {
	tag, err := l.db.pool.Exec(ctx, `DELETE FROM rate_windows WHERE window_end <= $1`, now)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// sharedLimiter is one limiter of Limits.
//
// When the database does not answer, the limiter counts in this process's
// memory (local) until it answers again, and says so in the log: every
// request it guards then gets its own answer from the store it needs
// anyway (a sign-in cannot check a password without the database), so
// refusing with 500 or 503 here would only turn a short outage into
// minutes of refused sign-ins after it, while counting nothing at all
// would leave the password hashing of a sign-in storm unbounded. Local
// counts bound each replica as bbolt's single process is bounded.
type sharedLimiter struct {
	limits *Limits
	name   string
	n      int
	window time.Duration
	local  *limit.Window
}

// clock is the limiter's now, at the microsecond resolution of
// timestamptz, so that a wait computed from a stored window end is exact.
func (s *sharedLimiter) clock() time.Time {
	return s.limits.now().UTC().Truncate(time.Microsecond)
}

// Allow counts an event unless the window is used up. The count is kept
// at most n+1 (n+1 meaning "refused since it was full"), so that refused
// events are not counted and a refund gives back one counted event.
func (s *sharedLimiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	now := s.clock()
	var n int
	var end time.Time
	err := s.limits.db.pool.QueryRow(ctx, `
		INSERT INTO rate_windows AS w (name, key, n, window_end)
		SELECT $1, $2, 1, $4 FROM `+asyncCommit+`
		ON CONFLICT (name, key) DO UPDATE SET
			n = CASE WHEN w.window_end <= $3 THEN 1 ELSE least(w.n + 1, $5) END,
			window_end = CASE WHEN w.window_end <= $3 THEN $4 ELSE w.window_end END
		RETURNING n, window_end`,
		s.name, key, now, now.Add(s.window), s.n+1).Scan(&n, &end)
	if err != nil {
		s.failed(ctx, err)
		return s.local.Allow(ctx, key)
	}
	if n > s.n {
		return false, end.Sub(now)
	}
	return true, 0
}

// Exceeded reads the key's window without counting.
func (s *sharedLimiter) Exceeded(ctx context.Context, key string) (bool, time.Duration) {
	now := s.clock()
	var n int
	var end time.Time
	err := s.limits.db.pool.QueryRow(ctx, `
		SELECT n, window_end FROM rate_windows WHERE name = $1 AND key = $2 AND window_end > $3`,
		s.name, key, now).Scan(&n, &end)
	if noRows(err) {
		return false, 0
	}
	if err != nil {
		s.failed(ctx, err)
		return s.local.Exceeded(ctx, key)
	}
	if n < s.n {
		return false, 0
	}
	return true, end.Sub(now)
}

// Refund gives back one counted event of the current window; a window
// that ended has nothing to give back.
func (s *sharedLimiter) Refund(ctx context.Context, key string) {
	_, err := s.limits.db.pool.Exec(ctx, `
		UPDATE rate_windows SET n = least(n, $3) - 1
		FROM `+asyncCommit+`
		WHERE name = $1 AND key = $2 AND window_end > $4 AND n > 0`,
		s.name, key, s.n, s.clock())
	if err != nil {
		s.failed(ctx, err)
		s.local.Refund(ctx, key)
	}
}

// failed logs a statement that failed, once a minute at most; one that
// failed because its request went away is no news of the database.
func (s *sharedLimiter) failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	now := s.limits.now().UnixNano()
	last := s.limits.warned.Load()
	if last != 0 && now-last < int64(time.Minute) {
		return
	}
	if s.limits.warned.CompareAndSwap(last, now) {
		s.limits.log.Warn("rate limits: the database did not answer; counting on this replica alone until it does",
			"limiter", s.name, "err", err)
	}
}
