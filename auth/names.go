package auth

import (
	"context"
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

// Names reads the names of several accounts in one store read (those that
// do not exist are left out), in the transaction ctx carries or in its
// own: a page's authors without a read per author.
func (s *Service) Names(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(ids))
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		users, err := s.store.UsersByID(ctx, ids)
		for _, u := range users {
			out[u.ID] = u.Name
		}
		return err
	})
	return out, err
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
