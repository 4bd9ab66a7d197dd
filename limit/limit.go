// Package limit counts events per key in fixed windows: how often one
// address may try to sign in, one account check a password, one person
// send invitations or guess an enrolment key. Services hold a Limiter, so
// that replicas can share the counts (an implementation over the shared
// database); Window keeps them in this process's memory.
package limit

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Limiter counts events per key. ctx is the request's: an implementation
// over a database runs its statements under it, on its own and never in
// the transaction ctx may carry, so that a count survives the rollback of
// the work it guards. A Limiter that cannot count (its database does not
// answer) decides by itself what to answer and says so in its log; its
// callers are not asked to handle an error.
type Limiter interface {
	// Allow counts one event for key. When the key is over its limit it
	// returns false and how long until the window resets; an event refused
	// is not counted.
	Allow(ctx context.Context, key string) (bool, time.Duration)
	// Exceeded reports, without counting an event, whether key has used
	// up its window and how long until it resets.
	Exceeded(ctx context.Context, key string) (bool, time.Duration)
	// Refund gives back one event counted by Allow in the current window.
	Refund(ctx context.Context, key string)
}

// Factory builds the limiter called name, which allows n events per key in
// each window; n <= 0 allows all. Services are given one by the server, so
// that their limits live where the engine shares them between replicas;
// name tells the limiters of one factory apart and must be unique per
// service and limit.
type Factory func(name string, n int, window time.Duration) Limiter

// Memory is the Factory of in-memory Windows on the clock now (nil:
// time.Now): the limits of one process, right for bbolt and for tests.
func Memory(now func() time.Time) Factory {
	return func(_ string, n int, window time.Duration) Limiter {
		return NewWindow(n, window, now)
	}
}

var _ Limiter = (*Window)(nil)

// Window allows at most limit events per key in each fixed window, in
// this process's memory. It keeps no goroutine: stale windows are swept
// when the map grows. A nil *Window allows everything.
type Window struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	n     int
}

// NewWindow allows limit events per window per key; limit <= 0 allows all.
func NewWindow(limit int, window time.Duration, now func() time.Time) *Window {
	if now == nil {
		now = time.Now
	}
	return &Window{limit: limit, window: window, now: now, windows: map[string]*rateWindow{}}
}

// Allow counts one event for key. When the key is over its limit it returns
// false and how long until the window resets.
func (r *Window) Allow(_ context.Context, key string) (bool, time.Duration) {
	if r == nil || r.limit <= 0 {
		return true, 0
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.windows[key]
	if w == nil || now.Sub(w.start) >= r.window {
		if len(r.windows) > 10000 {
			r.sweep(now)
		}
		w = &rateWindow{start: now}
		// The key may come from a Fiber buffer that is reused after the
		// handler returns; the map keeps its own copy.
		r.windows[strings.Clone(key)] = w
	}
	if w.n >= r.limit {
		return false, w.start.Add(r.window).Sub(now)
	}
	w.n++
	return true, 0
}

// Exceeded reports, without counting an event, whether key has used up its
// window and how long until it resets. It lets a caller refuse an attempt
// before trying it and count only the attempts that fail (Allow).
func (r *Window) Exceeded(_ context.Context, key string) (bool, time.Duration) {
	if r == nil || r.limit <= 0 {
		return false, 0
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.windows[key]
	if w == nil || now.Sub(w.start) >= r.window || w.n < r.limit {
		return false, 0
	}
	return true, w.start.Add(r.window).Sub(now)
}

// Refund gives back one event counted by Allow in the current window: a
// limit on failures counts each attempt before its work is done (so that
// concurrent attempts cannot all slip in) and refunds those that succeed.
func (r *Window) Refund(_ context.Context, key string) {
	if r == nil || r.limit <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if w := r.windows[key]; w != nil && w.n > 0 {
		w.n--
	}
}

func (r *Window) sweep(now time.Time) {
	for k, w := range r.windows {
		if now.Sub(w.start) >= r.window {
			delete(r.windows, k)
		}
	}
}

// Unlimited allows every event: the limiter of a service built without
// one (tests, tools).
type Unlimited struct{}

// Allow implements Limiter.
func (Unlimited) Allow(context.Context, string) (bool, time.Duration) { return true, 0 }

// Exceeded implements Limiter.
func (Unlimited) Exceeded(context.Context, string) (bool, time.Duration) { return false, 0 }

// Refund implements Limiter.
func (Unlimited) Refund(context.Context, string) {}
