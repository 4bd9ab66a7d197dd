package auth

import (
	"context"
	"pacer/cache"
	"slices"
)

// NameReader returns a reader of user names, served from the cache of
// accounts ("auth.user", see cache.go). The reader joins the transaction
// the ctx it is given carries (or reads in its own), and the revision
// cache is exact in any transaction, so, unlike the in-process cache it
// replaces, it may be made at any time and used in any transaction; ctx
// is not read.
func (s *Service) NameReader(ctx context.Context) func(ctx context.Context, id uint64) (string, error) {
	return s.name
}

// Names reads the names of several accounts (those that do not exist are
// left out), in the transaction ctx carries or in its own: a page's
// authors without a read per author. They come through the cache of
// names by bucket ("auth.names", see cache.go): a revision per bucket of
// namesPerBucket ids, read together, and each bucket not cached in one
// store read.
func (s *Service) Names(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(ids))
	keys := nameBuckets(ids)
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		buckets, err := s.cache.names.ReadSet(ctx, keys, func(ctx context.Context, missing [][2]uint64) (map[[2]uint64]map[uint64]string, error) {
			found := make(map[[2]uint64]map[uint64]string, len(missing))
			for _, k := range missing {
				lo := k[0] * namesPerBucket
				names, err := s.store.NamesBetween(ctx, lo, lo+namesPerBucket-1)
				if err != nil {
					return nil, err
				}
				found[k] = names
			}
			return found, nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if name, ok := buckets[[2]uint64{id / namesPerBucket, 0}][id]; ok {
				out[id] = name
			}
		}
		return nil
	})
	return out, err
}

// nameBuckets are the keys of the buckets of names that hold ids, once
// each.
func nameBuckets(ids []uint64) [][2]uint64 {
	var keys [][2]uint64
	for _, id := range ids {
		k := [2]uint64{id / namesPerBucket, 0}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// NamesAhead names for cache.Prefetch what Names(ids) reads through the
// cache, so that a caller reading more can read all the revisions in one
// go before it calls Names.
func (s *Service) NamesAhead(ctx context.Context, ids []uint64) []cache.Ahead {
	keys := nameBuckets(ids)
	out := make([]cache.Ahead, len(keys))
	for i, k := range keys {
		out[i] = s.cache.names.Ahead(k[0], k[1])
	}
	return out
}

// name is an account's name as the transaction ctx carries sees it.
func (s *Service) name(ctx context.Context, id uint64) (string, error) {
	var u User
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.cache.users.Read(ctx, id, 0, func(ctx context.Context) (User, error) {
			u, err := s.user(ctx, id)
			return withoutHash(u), err
		})
		return err
	})
	return u.Name, err
}
