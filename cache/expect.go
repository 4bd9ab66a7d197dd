package cache

import (
	"context"
	"errors"
	"sync"
)

// Checks put off. Every authenticated request checks the revision of its
// sign-in; where that check is a round trip of its own (PostgreSQL), the
// request pays it on top of its transaction's. A request may instead put
// the check off (PeekLater): the engine makes it together with the
// request's next statement (in the same round trip, and, in a
// transaction, ahead of everything else, so that no write commits after
// a check that failed), and what was not checked that way is checked by
// Settle when the request's work is done, before it is answered. A
// request whose check fails is answered as if it had been made first:
// its caller re-checks and runs it again (auth.HTTP.Identify).

// ErrChanged is a check put off that found the revision changed.
var ErrChanged = errors.New("cache: a value read for this request changed")

// Expected is one check put off: Key must still be at Rev.
type Expected struct {
	Key Key
	Rev uint64
}

// expectations are a request's checks put off.
type expectations struct {
	mu      sync.Mutex
	pending []Expected
	changed bool
}

type expectKey struct{}

// WithExpectations returns ctx with room for the checks its request puts
// off (PeekLater). Without it, PeekLater is Peek.
func WithExpectations(ctx context.Context) context.Context {
	return context.WithValue(ctx, expectKey{}, &expectations{})
}

func expectationsOf(ctx context.Context) *expectations {
	e, _ := ctx.Value(expectKey{}).(*expectations)
	return e
}

// Pending returns the checks put off in ctx's request and not made yet:
// for engines, which make them with their next statement and report with
// Checked.
func Pending(ctx context.Context) []Expected {
	e := expectationsOf(ctx)
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pending
}

// Checked records that the engine made checks (as Pending returned them):
// ok is false when a revision differed.
func Checked(ctx context.Context, checks []Expected, ok bool) {
	e := expectationsOf(ctx)
	if e == nil || len(checks) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !ok {
		e.changed = true
	}
	e.pending = removeChecked(e.pending, checks)
}

func removeChecked(pending, checked []Expected) []Expected {
	out := pending[:0:0]
	for _, p := range pending {
		done := false
		for _, c := range checked {
			if c == p {
				done = true
				break
			}
		}
		if !done {
			out = append(out, p)
		}
	}
	return out
}

// Settle makes, through revs, the checks of ctx's request that no
// statement made, and returns ErrChanged when any check found its
// revision changed; an error of the store otherwise. Call it when the
// request's work is done, before answering.
func Settle(ctx context.Context, revs Revisions) error {
	e := expectationsOf(ctx)
	if e == nil {
		return nil
	}
	for _, x := range Pending(ctx) {
		rev, _, err := revs.Revision(ctx, x.Key)
		if err != nil {
			return err
		}
		Checked(ctx, []Expected{x}, rev == x.Rev)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.changed {
		return ErrChanged
	}
	return nil
}

// PeekLater is Peek with the revision check put off (see above), where
// ctx has room for it (WithExpectations) and the engine's revision read
// is a round trip (a Prefetcher): a cached value is then returned at once,
// on the condition that the check, made later, finds it current.
// Otherwise it is Peek.
func (c *Cache[V]) PeekLater(ctx context.Context, id, sub uint64) (V, bool, error) {
	e := expectationsOf(ctx)
	if _, ok := c.revs.(Prefetcher); !ok || e == nil {
		return c.Peek(ctx, id, sub)
	}
	var zero V
	c.mu.RLock()
	en, ok := c.entries[[2]uint64{id, sub}]
	c.mu.RUnlock()
	if !ok {
		return zero, false, nil
	}
	e.mu.Lock()
	e.pending = append(e.pending, Expected{Key{c.kind, id, sub}, en.rev})
	e.mu.Unlock()
	return en.v, true, nil
}
