package api

import (
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
)

// RateLimiter allows at most Limit events per key in each fixed window. It
// keeps no goroutine: stale windows are swept when the map grows.
type RateLimiter struct {
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

// NewRateLimiter allows limit events per window per key; limit <= 0 allows all.
func NewRateLimiter(limit int, window time.Duration, now func() time.Time) *RateLimiter {
	if now == nil {
		now = time.Now
	}
	return &RateLimiter{limit: limit, window: window, now: now, windows: map[string]*rateWindow{}}
}

// Allow counts one event for key. When the key is over its limit it returns
// false and how long until the window resets.
func (r *RateLimiter) Allow(key string) (bool, time.Duration) {
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
func (r *RateLimiter) Exceeded(key string) (bool, time.Duration) {
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
func (r *RateLimiter) Refund(key string) {
	if r == nil || r.limit <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if w := r.windows[key]; w != nil && w.n > 0 {
		w.n--
	}
}

func (r *RateLimiter) sweep(now time.Time) {
	for k, w := range r.windows {
		if now.Sub(w.start) >= r.window {
			delete(r.windows, k)
		}
	}
}

// Check counts one event for key and returns a 429 error (with Retry-After
// set on c) when over the limit.
func (r *RateLimiter) Check(c *fiber.Ctx, key string) error {
	ok, wait := r.Allow(key)
	if ok {
		return nil
	}
	retryAfter(c, int64((wait+time.Second-1)/time.Second))
	return errs.E(errs.RateLimited, "too many requests; try again later")
}

// ByIP is middleware limiting requests per client IP.
func (r *RateLimiter) ByIP() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := r.Check(c, ClientIP(c)); err != nil {
			return err
		}
		return c.Next()
	}
}
