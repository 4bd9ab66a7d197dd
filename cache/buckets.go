package cache

import (
	"context"
	"slices"
)

// Buckets caches values of the members of something (the names of
// accounts, the roles in a course) by bucket of per consecutive member
// ids: one revision per bucket, keyed (id, member/per), so that a page
// that needs the values of dozens of members checks a revision or two
// instead of one a member. A change of one member's value bumps its
// bucket, which is then read again whole, in one load of its id range.
type Buckets[V any] struct {
	c   *Cache[map[uint64]V]
	per uint64
}

// NewBuckets returns a cache of kind's values by bucket of per member
// ids, at most max buckets (see New).
func NewBuckets[V any](kind string, per uint64, max int, revs Revisions) *Buckets[V] {
	return &Buckets[V]{c: New[map[uint64]V](kind, max, revs), per: per}
}

// Read returns the values of id's members, as ctx's transaction sees
// them: the buckets that hold them through the cache (ReadSet), each one
// missing loaded with load(ctx, lo, hi), the values of the members with
// ids in [lo, hi]. A member load leaves out has no value and is absent
// from the result.
func (b *Buckets[V]) Read(ctx context.Context, id uint64, members []uint64, load func(ctx context.Context, lo, hi uint64) (map[uint64]V, error)) (map[uint64]V, error) {
	buckets, err := b.c.ReadSet(ctx, b.keys(id, members), func(ctx context.Context, missing [][2]uint64) (map[[2]uint64]map[uint64]V, error) {
		found := make(map[[2]uint64]map[uint64]V, len(missing))
		for _, k := range missing {
			lo := k[1] * b.per
			vs, err := load(ctx, lo, lo+b.per-1)
			if err != nil {
				return nil, err
			}
			found[k] = vs
		}
		return found, nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]V, len(members))
	for _, m := range members {
		if v, ok := buckets[[2]uint64{id, m / b.per}][m]; ok {
			out[m] = v
		}
	}
	return out, nil
}

// Ahead names for Prefetch the revisions Read(id, members) checks.
func (b *Buckets[V]) Ahead(id uint64, members []uint64) []Ahead {
	keys := b.keys(id, members)
	out := make([]Ahead, len(keys))
	for i, k := range keys {
		out[i] = b.c.Ahead(k[0], k[1])
	}
	return out
}

// Bump gives the bucket of id's member a new revision in ctx's write
// transaction (see Cache.Bump).
func (b *Buckets[V]) Bump(ctx context.Context, id, member uint64) error {
	return b.c.Bump(ctx, id, member/b.per)
}

// keys are the keys of the buckets that hold members, once each.
func (b *Buckets[V]) keys(id uint64, members []uint64) [][2]uint64 {
	var keys [][2]uint64
	for _, m := range members {
		if k := [2]uint64{id, m / b.per}; !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}
