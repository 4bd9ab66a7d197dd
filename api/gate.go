package api

import (
	"time"

	"pacer/errs"
)

// Gate bounds how many of one kind of costly work (a Markdown preview) run
// at once, so that a burst of it cannot take every core from the rest of
// the server. A caller that finds every slot taken waits for one at most
// Wait, then is told to come back (429 with Retry-After).
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewGate allows n at once (at least one); a caller waits at most wait.
func NewGate(n int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(1, n)), wait: wait}
}

// Enter takes a slot and returns the function that gives it back, or a
// RateLimited error when none freed up within the wait.
func (g *Gate) Enter() (func(), error) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	if g.wait > 0 {
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
			return g.leave, nil
		case <-t.C:
		}
	}
	return nil, errs.Limited("the server is busy; try again in a moment", time.Second)
}

func (g *Gate) leave() { <-g.slots }

// Size is how many may run at once.
func (g *Gate) Size() int { return cap(g.slots) }
