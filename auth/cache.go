package auth

import "sync"

// authCache keeps the user and session records that every authenticated
// request checks, so that a request costs a map lookup instead of two bbolt
// reads and two JSON decodes. The auth service is the only writer of users
// and sessions; it tells the cache after each commit (forget), so entries
// are never stale for long. A fill races with a commit only through the
// epoch: a reader records the epoch before its read transaction and may
// store what it read only if no change was committed since, because then
// its transaction might predate that change.
type authCache struct {
	mu       sync.Mutex
	epoch    uint64
	users    map[uint64]User
	sessions map[uint64]Session
}

const maxCached = 100_000

func newAuthCache() *authCache {
	return &authCache{users: map[uint64]User{}, sessions: map[uint64]Session{}}
}

func (c *authCache) snapshot() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *authCache) get(user, sid uint64) (User, Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u, ok1 := c.users[user]
	s, ok2 := c.sessions[sid]
	return u, s, ok1 && ok2
}

func (c *authCache) fill(epoch uint64, u User, s Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	c.putUserLocked(u)
	c.sessions[s.ID] = s
}

// putUserLocked stores a user (c.mu held), starting over when full.
func (c *authCache) putUserLocked(u User) {
	if len(c.users) >= maxCached || len(c.sessions) >= maxCached {
		c.users, c.sessions = map[uint64]User{}, map[uint64]Session{}
	}
	u.PasswordHash = "" // the cache never needs it
	c.users[u.ID] = u
}

// forgetUser drops a user and all their sessions after a committed change.
func (c *authCache) forgetUser(user uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.users, user)
	for id, s := range c.sessions {
		if s.UserID == user {
			delete(c.sessions, id)
		}
	}
}

// forgetSessions drops sessions after a committed revocation.
func (c *authCache) forgetSessions(sids ...uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, id := range sids {
		delete(c.sessions, id)
	}
}
