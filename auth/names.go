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
// authors without a read per author. They come through the cache of
// names by bucket ("auth.names", see cache.go): a revision per bucket of
// namesPerBucket ids, read together, and each bucket not cached in one
// store read.
func (s *Service) Names(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	var out map[uint64]string
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.cache.names.Read(ctx, 0, ids, s.store.NamesBetween)
		return err
	})
	return out, err
}

// NamesAhead names for cache.Prefetch what Names(ids) reads through the
// cache, so that a caller reading more can read all the revisions in one
// go before it calls Names.
func (s *Service) NamesAhead(ctx context.Context, ids []uint64) []cache.Ahead {
	return s.cache.names.Ahead(0, ids)
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
