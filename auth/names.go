package auth

import (
	"context"
)

// NameReader returns a reader of user names for one read of the store,
// served from the cache of users the service keeps for authentication.
// Call it before the transaction it will read in begins: it records the
// cache's epoch then, and fills the cache from the transaction only if no
// change of a user was committed since, because the transaction might
// predate that change. Every change of a user drops its cached copy after
// it commits (forgetUser), so a name read through the cache is never older
// than the last change acknowledged.
func (s *Service) NameReader() func(ctx context.Context, id uint64) (string, error) {
	epoch := s.cache.snapshot()
	return func(ctx context.Context, id uint64) (string, error) {
		if u, ok := s.cache.user(id); ok {
			return u.Name, nil
		}
		u, err := s.user(ctx, id)
		if err != nil {
			return "", err
		}
		s.cache.fillUser(epoch, u)
		return u.Name, nil
	}
}

// user returns a cached user.
func (c *authCache) user(id uint64) (User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u, ok := c.users[id]
	return u, ok
}

// fillUser caches a user read after epoch, like fill without a session.
func (c *authCache) fillUser(epoch uint64, u User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	c.putUserLocked(u)
}
