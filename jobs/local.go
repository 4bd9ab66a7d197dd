package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Local is work that every process does for itself at a fixed interval,
// whether or not it leads: writing out what this process buffered
// (activity, read marks, replies waiting to be delivered). Such work needs
// no leader, since no other process holds the buffer, and its runs are
// neither stored nor listed: one every few hundred milliseconds would be a
// write each. A failed run is logged and the next one tries again.
type Local struct {
	s    *Scheduler
	name string
	fn   func(ctx context.Context) error
	id   cron.EntryID

	// mu is held by a run and by Stop, so Stop waits for a run in progress
	// and no run starts after it.
	mu      sync.Mutex
	stopped bool
}

// interval is a cron schedule of a fixed delay that, unlike cron.Every,
// keeps intervals under a second (reply delivery runs every 200 ms).
type interval time.Duration

func (d interval) Next(t time.Time) time.Time { return t.Add(time.Duration(d)) }

// Every runs fn every d, on this process, until the returned Local stops
// or the scheduler does; the scheduler's wrapper chain applies (a run
// still busy makes the next one skip, a panic is recovered).
func (s *Scheduler) Every(name string, d time.Duration, fn func(ctx context.Context) error) (*Local, error) {
	if name == "" || fn == nil || d <= 0 {
		return nil, errors.New("scheduler: local work needs a name, a function and an interval")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, fmt.Errorf("scheduler: %q added after the scheduler stopped", name)
	}
	l := &Local{s: s, name: name, fn: fn}
	l.id = s.cron.Schedule(interval(d), cron.FuncJob(l.run)) // wrapped by the chain
	return l, nil
}

func (l *Local) run() {
	if !l.mu.TryLock() {
		return // Stop holds it
	}
	defer l.mu.Unlock()
	if l.stopped {
		return
	}
	if err := l.fn(l.s.ctx); err != nil {
		l.s.log.Error("scheduler: local work failed; the next run retries", "work", l.name, "err", err)
	}
}

// Stop ends the work: it waits for a run in progress, and no run starts
// afterwards. It is safe to call more than once.
func (l *Local) Stop() {
	l.s.cron.Remove(l.id)
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}
