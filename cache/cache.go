// Package cache keeps values derived from stored records in memory, exact
// even when other processes write the same store.
//
// The rule: every value is kept together with the revision of its source,
// and it is served only to a transaction that reads that same revision
// from the store. Every write that changes a value's source gives it a new
// revision (Bump) in its own transaction, before it changes anything. So a
// reader's transaction sees either the old revision and the old records,
// or the new revision and the new ones, never a mix, whichever process
// wrote them and however the engine isolates transactions. Read
// transactions fill the cache, and so may a write that has written nothing
// yet and reads one snapshot (the engine says, through Revision's fill): its
// reads are then committed records at a committed revision, as a read's
// are; a write's later reads may include its own changes, which may still
// roll back, so they fill nothing at once (an engine that can, a
// Confirmer, keeps them after the commit: those whose revision it finds
// unchanged then and which the write did not bump). A write reads through
// the cache like anyone else, and since it bumps before it changes
// anything, it never gets a value older than its own changes. Revisions
// are random, never counted, so one that a rolled-back or retried write
// drew is never seen again either.
//
// A revision costs one point read in the reading transaction; what the
// cache saves is the walk, the decoding and the assembly of the value.
package cache

import (
	"context"
	"math/rand/v2"
	"sync"
)

// Key names the source of one cached value: a kind, which names the owner
// and what it caches ("modules.structure"), and up to two ids.
type Key struct {
	Kind    string
	ID, Sub uint64
}

// Revisions is the engine's store of revisions. Each owner bumps and reads
// only its own kinds.
type Revisions interface {
	// Revision is k's revision as ctx's transaction sees it (0 when k
	// was never bumped), and whether that transaction may fill the cache:
	// a read-only one, or a write that has written nothing yet and reads
	// one snapshot.
	Revision(ctx context.Context, k Key) (rev uint64, fill bool, err error)
	// Bump gives k a new revision (NewRevision) in ctx's write
	// transaction. Revisions are never deleted: a deleted record's
	// revision must not fall back to 0, which a value cached before
	// anything was bumped carries.
	Bump(ctx context.Context, k Key) error
}

// Prefetcher is a Revisions that can read several revisions in one go,
// for the transaction in ctx, and answer the following Revision calls of
// that transaction from what it read. An engine whose revision read is a
// round trip (PostgreSQL) implements it; one whose read is a memory lookup
// (bbolt) need not.
type Prefetcher interface {
	Prefetch(ctx context.Context, keys []Key) error
}

// Confirmer is a Revisions whose write transactions may keep what they
// load only once they have committed: a write at READ COMMITTED, whose
// statements each read a snapshot of their own, so that a value is loaded
// at a later snapshot than the revision it goes with (PostgreSQL). Confirm
// asks ctx's transaction to read k's revision again with its commit, and
// to call keep after committing if it is still rev and the transaction
// did not bump k itself: no write of k's source then committed between
// the two reads (each bumps k with its change, in one commit), so the
// value loaded between them is the one at rev. It reports whether it will
// ask; without such a transaction it does nothing.
type Confirmer interface {
	Confirm(ctx context.Context, k Key, rev uint64, keep func()) bool
}

// Ahead names a value a transaction is about to read through a cache.
type Ahead struct {
	revs Revisions
	key  Key
}

// Prefetch reads ahead, where the engine can, the revisions of values the
// transaction in ctx is about to read, in one go instead of one each: a
// request that checks three caches pays one round trip, not three. It
// changes no answer; without a transaction in ctx it does nothing.
func Prefetch(ctx context.Context, ahead ...Ahead) error {
	if len(ahead) == 0 {
		return nil
	}
	p, ok := ahead[0].revs.(Prefetcher)
	if !ok {
		return nil
	}
	keys := make([]Key, 0, len(ahead))
	for _, a := range ahead {
		if a.revs == ahead[0].revs {
			keys = append(keys, a.key)
		}
	}
	return p.Prefetch(ctx, keys)
}

// NewRevision returns a fresh random revision, never 0.
func NewRevision() uint64 {
	for {
		if r := rand.Uint64(); r != 0 {
			return r
		}
	}
}

// Cache holds values of one kind by their ids. Values are shared by every
// reader and must be treated as immutable.
type Cache[V any] struct {
	kind    string
	revs    Revisions
	mu      sync.RWMutex
	max     int
	entries map[[2]uint64]entry[V]
}

type entry[V any] struct {
	rev uint64
	v   V
}

// New returns a cache of kind's values, at most max of them; when full it
// starts over empty (hot values come back on their next read). A nil revs
// makes a cache that never keeps anything.
func New[V any](kind string, max int, revs Revisions) *Cache[V] {
	return &Cache[V]{kind: kind, revs: revs, max: max, entries: map[[2]uint64]entry[V]{}}
}

// Read returns the value of (id, sub) as ctx's transaction sees it: the
// cached one when it was loaded at the revision this transaction reads,
// else load's, which a read transaction keeps under that revision. ctx
// must carry the transaction load reads in.
func (c *Cache[V]) Read(ctx context.Context, id, sub uint64, load func(ctx context.Context) (V, error)) (V, error) {
	if c.revs == nil {
		return load(ctx)
	}
	rev, fill, err := c.revs.Revision(ctx, Key{c.kind, id, sub})
	if err != nil {
		var zero V
		return zero, err
	}
	k := [2]uint64{id, sub}
	c.mu.RLock()
	e, ok := c.entries[k]
	c.mu.RUnlock()
	if ok && e.rev == rev {
		return e.v, nil
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	if !fill {
		c.confirm(ctx, k, rev, v)
		return v, nil
	}
	c.keep(k, rev, v)
	return v, nil
}

func (c *Cache[V]) keep(k [2]uint64, rev uint64, v V) {
	c.mu.Lock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = entry[V]{rev, v}
	c.mu.Unlock()
}

// confirm keeps v, loaded by a transaction that may not fill the cache,
// once the transaction confirms rev (Confirmer), where the engine can.
func (c *Cache[V]) confirm(ctx context.Context, k [2]uint64, rev uint64, v V) {
	if cf, ok := c.revs.(Confirmer); ok {
		cf.Confirm(ctx, Key{c.kind, k[0], k[1]}, rev, func() { c.keep(k, rev, v) })
	}
}

// ReadSet is Read of many values at once, each named by its (id, sub):
// their revisions are read ahead together (Prefetch), the values loaded
// at the revisions ctx's transaction reads come from the cache, and the
// rest from one call of load, given the keys it must read. A key that
// load leaves out has no value: it is absent from the result and nothing
// is kept for it.
func (c *Cache[V]) ReadSet(ctx context.Context, keys [][2]uint64, load func(ctx context.Context, missing [][2]uint64) (map[[2]uint64]V, error)) (map[[2]uint64]V, error) {
	if c.revs == nil {
		return load(ctx, keys)
	}
	ahead := make([]Ahead, len(keys))
	for i, k := range keys {
		ahead[i] = c.Ahead(k[0], k[1])
	}
	if err := Prefetch(ctx, ahead...); err != nil {
		return nil, err
	}
	out := make(map[[2]uint64]V, len(keys))
	var missing [][2]uint64
	var revs map[[2]uint64]uint64
	fill := false
	for _, k := range keys {
		rev, f, err := c.revs.Revision(ctx, Key{c.kind, k[0], k[1]})
		if err != nil {
			return nil, err
		}
		c.mu.RLock()
		e, ok := c.entries[k]
		c.mu.RUnlock()
		if ok && e.rev == rev {
			out[k] = e.v
			continue
		}
		if revs == nil {
			revs = make(map[[2]uint64]uint64)
		}
		if _, dup := revs[k]; !dup {
			missing = append(missing, k)
		}
		revs[k], fill = rev, f
	}
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := load(ctx, missing)
	if err != nil {
		return nil, err
	}
	if fill {
		c.mu.Lock()
		for k, v := range loaded {
			if rev, ok := revs[k]; ok {
				if len(c.entries) >= c.max {
					clear(c.entries)
				}
				c.entries[k] = entry[V]{rev, v}
			}
		}
		c.mu.Unlock()
	} else {
		for k, v := range loaded {
			if rev, ok := revs[k]; ok {
				c.confirm(ctx, k, rev, v)
			}
		}
	}
	for k, v := range loaded {
		out[k] = v
	}
	return out, nil
}

// Peek returns the cached value of (id, sub) when it was loaded at the
// revision the store holds now, read in ctx's transaction or, without one,
// on its own: a single read is its own snapshot, so a hit needs no
// transaction around it (on PostgreSQL, no BEGIN and COMMIT: one round
// trip instead of three). On a miss the caller reads in a transaction
// with Read as usual.
func (c *Cache[V]) Peek(ctx context.Context, id, sub uint64) (V, bool, error) {
	var zero V
	if c.revs == nil {
		return zero, false, nil
	}
	c.mu.RLock()
	e, ok := c.entries[[2]uint64{id, sub}]
	c.mu.RUnlock()
	if !ok {
		return zero, false, nil
	}
	rev, _, err := c.revs.Revision(ctx, Key{c.kind, id, sub})
	if err != nil || rev != e.rev {
		return zero, false, err
	}
	return e.v, true, nil
}

// Ahead names (id, sub) for Prefetch.
func (c *Cache[V]) Ahead(id, sub uint64) Ahead {
	return Ahead{revs: c.revs, key: Key{c.kind, id, sub}}
}

// Bump gives (id, sub) a new revision in ctx's write transaction. Call it
// in every transaction that changes what the value is derived from, before
// the change, so that the transaction's own reads miss the value it is
// about to change.
func (c *Cache[V]) Bump(ctx context.Context, id, sub uint64) error {
	if c.revs == nil {
		return nil
	}
	return c.revs.Bump(ctx, Key{c.kind, id, sub})
}
