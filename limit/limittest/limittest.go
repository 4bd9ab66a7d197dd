// Package limittest is the contract every limit.Limiter keeps, run on each
// implementation: the in-memory Window (limit's own tests) and the one on
// PostgreSQL (storage/postgres). It is imported only by tests.
package limittest

import (
	"context"
	"sync"
	"testing"
	"time"

	"pacer/limit"
)

// Clock is the suite's settable clock; the limiters under test read it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's instant.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Suite describes the implementation under test.
type Suite struct {
	// Open returns a factory of limiters on the clock now. Each call is
	// one process (one replica) over a fresh store.
	Open func(t *testing.T, now func() time.Time) limit.Factory
	// Replica, when set, returns another process's factory over the same
	// store as the last Open: the suite then checks that limiters of one
	// name share their counts across processes.
	Replica func(t *testing.T, now func() time.Time) limit.Factory
}

// start is an arbitrary instant with a sub-second part, as a real clock's.
var start = time.Date(2027, 3, 1, 10, 0, 0, 123456000, time.UTC)

// Run runs the contract.
func Run(t *testing.T, s Suite) {
	ctx := context.Background()
	setup := func(t *testing.T) (limit.Factory, *Clock) {
		c := &Clock{t: start}
		return s.Open(t, c.Now), c
	}

	t.Run("allows n events per key in a window, then refuses until it ends", func(t *testing.T) {
		f, clock := setup(t)
		l := f("login", 3, time.Minute)
		for i := range 3 {
			if ok, _ := l.Allow(ctx, "1.2.3.4"); !ok {
				t.Fatalf("event %d refused", i+1)
			}
		}
		clock.advance(20 * time.Second)
		ok, wait := l.Allow(ctx, "1.2.3.4")
		if ok || wait != 40*time.Second {
			t.Fatalf("fourth event: ok %v wait %v, want refused with 40s to wait", ok, wait)
		}
		clock.advance(40*time.Second - time.Nanosecond)
		if ok, _ := l.Allow(ctx, "1.2.3.4"); ok {
			t.Fatal("allowed just before the window ended")
		}
		clock.advance(time.Nanosecond)
		for i := range 3 {
			if ok, _ := l.Allow(ctx, "1.2.3.4"); !ok {
				t.Fatalf("new window: event %d refused", i+1)
			}
		}
	})

	t.Run("refused events are not counted", func(t *testing.T) {
		f, _ := setup(t)
		l := f("posts", 2, time.Hour)
		l.Allow(ctx, "k")
		l.Allow(ctx, "k")
		for range 5 {
			if ok, _ := l.Allow(ctx, "k"); ok {
				t.Fatal("allowed over the limit")
			}
		}
		// Two refunds give back both counted events, whatever was refused.
		l.Refund(ctx, "k")
		l.Refund(ctx, "k")
		for i := range 2 {
			if ok, _ := l.Allow(ctx, "k"); !ok {
				t.Fatalf("after refunds: event %d refused", i+1)
			}
		}
		if ok, _ := l.Allow(ctx, "k"); ok {
			t.Fatal("allowed a third event after two refunds")
		}
	})

	t.Run("keys and limiters count apart", func(t *testing.T) {
		f, _ := setup(t)
		a, b := f("a", 1, time.Hour), f("b", 1, time.Hour)
		if ok, _ := a.Allow(ctx, "k"); !ok {
			t.Fatal("a refused its first event")
		}
		if ok, _ := a.Allow(ctx, "other"); !ok {
			t.Fatal("another key of a was refused")
		}
		if ok, _ := b.Allow(ctx, "k"); !ok {
			t.Fatal("b's key was counted by a")
		}
		if ok, _ := a.Allow(ctx, "k"); ok {
			t.Fatal("a allowed a second event")
		}
	})

	t.Run("Exceeded looks without counting", func(t *testing.T) {
		f, clock := setup(t)
		l := f("keys", 2, time.Hour)
		for range 10 {
			if over, _ := l.Exceeded(ctx, "u"); over {
				t.Fatal("exceeded before any event")
			}
		}
		l.Allow(ctx, "u")
		if over, _ := l.Exceeded(ctx, "u"); over {
			t.Fatal("exceeded after one of two events")
		}
		l.Allow(ctx, "u")
		clock.advance(15 * time.Minute)
		over, wait := l.Exceeded(ctx, "u")
		if !over || wait != 45*time.Minute {
			t.Fatalf("after two events: over %v wait %v, want over with 45m to wait", over, wait)
		}
		l.Refund(ctx, "u")
		if over, _ := l.Exceeded(ctx, "u"); over {
			t.Fatal("still exceeded after a refund")
		}
		l.Allow(ctx, "u")
		clock.advance(45 * time.Minute)
		if over, _ := l.Exceeded(ctx, "u"); over {
			t.Fatal("exceeded after the window ended")
		}
	})

	t.Run("a refund with nothing counted gives nothing", func(t *testing.T) {
		f, clock := setup(t)
		l := f("checks", 2, time.Minute)
		l.Refund(ctx, "x")
		l.Allow(ctx, "x")
		l.Refund(ctx, "x")
		l.Refund(ctx, "x")
		for i := range 2 {
			if ok, _ := l.Allow(ctx, "x"); !ok {
				t.Fatalf("event %d refused", i+1)
			}
		}
		if ok, _ := l.Allow(ctx, "x"); ok {
			t.Fatal("refunds beyond the counted events were kept as credit")
		}
		// A refund after the window ended does not reach into the next.
		clock.advance(time.Minute)
		l.Refund(ctx, "x")
		l.Allow(ctx, "x")
		l.Allow(ctx, "x")
		if ok, _ := l.Allow(ctx, "x"); ok {
			t.Fatal("a refund from an ended window was credited to the new one")
		}
	})

	t.Run("n of zero allows everything", func(t *testing.T) {
		f, _ := setup(t)
		l := f("off", 0, time.Minute)
		for range 50 {
			if ok, _ := l.Allow(ctx, "k"); !ok {
				t.Fatal("a limiter of n 0 refused")
			}
		}
		if over, _ := l.Exceeded(ctx, "k"); over {
			t.Fatal("a limiter of n 0 is exceeded")
		}
	})

	t.Run("concurrent events are counted once each", func(t *testing.T) {
		f, _ := setup(t)
		l := f("burst", 5, time.Hour)
		var mu sync.Mutex
		allowed := 0
		var wg sync.WaitGroup
		for range 24 {
			wg.Go(func() {
				if ok, _ := l.Allow(ctx, "k"); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if allowed != 5 {
			t.Fatalf("%d of 24 concurrent events allowed, want 5", allowed)
		}
	})

	if s.Replica == nil {
		return
	}
	t.Run("two processes share a limiter's counts", func(t *testing.T) {
		f, clock := setup(t)
		g := s.Replica(t, clock.Now)
		a, b := f("login", 4, time.Minute), g("login", 4, time.Minute)
		for i := range 4 {
			l := a
			if i%2 == 1 {
				l = b
			}
			if ok, _ := l.Allow(ctx, "ip"); !ok {
				t.Fatalf("event %d refused", i+1)
			}
		}
		for _, l := range []limit.Limiter{a, b} {
			if ok, _ := l.Allow(ctx, "ip"); ok {
				t.Fatal("a process allowed a fifth event")
			}
			if over, _ := l.Exceeded(ctx, "ip"); !over {
				t.Fatal("a process does not see the window used up")
			}
		}
		b.Refund(ctx, "ip")
		if ok, _ := a.Allow(ctx, "ip"); !ok {
			t.Fatal("a refund on one process was not seen by the other")
		}
	})
}
