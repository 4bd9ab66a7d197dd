package auth

import (
	"context"
	"pacer/cache"
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
// authors without a read per author. They come through the accounts'
// cache: their revisions read together, the accounts not cached in one
// store read.
func (s *Service) Names(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(ids))
	keys := make([][2]uint64, len(ids))
	for i, id := range ids {
		keys[i] = [2]uint64{id, 0}
	}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		users, err := s.cache.users.ReadSet(ctx, keys, func(ctx context.Context, missing [][2]uint64) (map[[2]uint64]User, error) {
			ids := make([]uint64, len(missing))
			for i, k := range missing {
				ids[i] = k[0]
			}
			users, err := s.store.UsersByID(ctx, ids)
			found := make(map[[2]uint64]User, len(users))
			for _, u := range users {
				found[[2]uint64{u.ID, 0}] = withoutHash(u)
			}
			return found, err
		})
		for k, u := range users {
			out[k[0]] = u.Name
		}
		return err
	})
	return out, err
}

// NamesAhead names for cache.Prefetch what Names(ids) reads through the
// cache, so that a caller reading more can read all the revisions in one
// go before it calls Names.
func (s *Service) NamesAhead(ctx context.Context, ids []uint64) []cache.Ahead {
	out := make([]cache.Ahead, len(ids))
	for i, id := range ids {
		out[i] = s.cache.users.Ahead(id, 0)
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
