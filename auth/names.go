package auth

import (
	"context"
	"pacer/cache"
)

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
