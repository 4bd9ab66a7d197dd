package auth

import (
	"context"

	"pacer/cache"
)

// The caches of accounts and sign-ins, and the writes that bump them. They
// are revision caches (package cache): a value is served only to a
// transaction that reads the revision it was loaded at, so a change made by
// another process is seen by the next request here, as one made by this
// one is. Every write below bumps in its own transaction, before it changes
// anything.
//
// "auth.signin", keyed (user, sign-in): the account and the sign-in an
// access token names, the check of every authenticated request, which
// costs one revision read when the check is cached. Bumped, through
// bumpAccount, by every write of the account (UpdateMe, setDisabled,
// setCanCreateCourses: profile, password, disabling, grants), for each of
// its sign-ins; and, through bumpSignin, by every write of one sign-in
// (Logout, and Refresh revoking a reused token's sign-in). Starting a
// sign-in bumps nothing: only sign-ins found are kept, and a committed
// sign-in's id is never given again. Rotating a refresh token changes no
// sign-in.
//
// "auth.names", keyed (0, id / namesPerBucket): the names of the accounts
// whose ids are in one bucket of namesPerBucket ids, read together
// (Names; cache.Buckets): a page that names fifty people checks a
// revision or two instead of fifty. Bumped, in the account's bucket, by every
// write of an account (bumpAccount) and by adding one (createUser: unlike
// the others, this value lists which accounts exist).
//
// None keeps a password hash: no reader of a cached account needs it.
const (
	kindSignin = "auth.signin"
	kindNames  = "auth.names"
)

// namesPerBucket is how many consecutive account ids share a revision
// of their names: a change of one name reloads the names of the bucket,
// in one read, the next time any of them is asked for.
const namesPerBucket = 1024

// maxCachedNameBuckets is the most buckets of names kept (every account
// of a site of ten million).
const maxCachedNameBuckets = 10_000

// maxCached is the most values each cache keeps.
const maxCached = 100_000

// signin is an account and one of its sign-ins, read together.
type signin struct {
	user    User
	session Session
}

type caches struct {
	signins *cache.Cache[signin]
	names   *cache.Buckets[string]
}

func newCaches(revs cache.Revisions) caches {
	return caches{signins: cache.New[signin](kindSignin, maxCached, revs),
		names: cache.NewBuckets[string](kindNames, namesPerBucket, maxCachedNameBuckets, revs)}
}

// bumpNames gives the names of user's bucket a new revision in the write
// transaction ctx carries.
func (s *Service) bumpNames(ctx context.Context, user uint64) error {
	return s.cache.names.Bump(ctx, 0, user)
}

// bumpAccount gives an account and each of its sign-ins a new revision in
// the write transaction ctx carries, before the account changes.
func (s *Service) bumpAccount(ctx context.Context, user uint64) error {
	if s.revs == nil {
		return nil // nothing is cached, so nothing needs listing
	}
	if err := s.bumpNames(ctx, user); err != nil {
		return err
	}
	sids, err := s.store.SessionIDs(ctx, user)
	if err != nil {
		return err
	}
	for _, sid := range sids {
		if err := s.cache.signins.Bump(ctx, user, sid); err != nil {
			return err
		}
	}
	return nil
}

// bumpSignin gives one sign-in of user a new revision in the write
// transaction ctx carries, before the sign-in changes.
func (s *Service) bumpSignin(ctx context.Context, user, sid uint64) error {
	return s.cache.signins.Bump(ctx, user, sid)
}

// withoutHash is an account as the caches keep it.
func withoutHash(u User) User {
	u.PasswordHash = ""
	return u
}
