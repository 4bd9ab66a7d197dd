package bolt

import (
	"context"
	"errors"

	"pacer/auth"
	"pacer/storage"
)

// StartSession implements auth.Store.
func (s *Auth) StartSession(ctx context.Context, sess auth.Session, hash []byte, t auth.RefreshToken) (auth.Session, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id, err := tx.NextID(storage.Sessions)
		if err != nil {
			return err
		}
		sess.ID, t.Session = id, id
		if err := tx.Put(storage.Sessions, storage.ID(id), sess); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.SessionsByUser, storage.Key(sess.UserID, id), nil); err != nil {
			return err
		}
		return tx.Put(storage.Refresh, hash, t)
	})
	return sess, err
}

// Session implements auth.Store.
func (s *Auth) Session(ctx context.Context, id uint64) (auth.Session, error) {
	var sess auth.Session
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Get(storage.Sessions, storage.ID(id), &sess)
	})
	return sess, authErr(err)
}

// UserSession implements auth.Store: two reads in one transaction.
func (s *Auth) UserSession(ctx context.Context, user, sid uint64) (auth.User, auth.Session, error) {
	var u auth.User
	var sess auth.Session
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.Get(storage.Users, storage.ID(user), &u); err != nil {
			return err
		}
		return tx.Get(storage.Sessions, storage.ID(sid), &sess)
	})
	return u, sess, authErr(err)
}

// Revoke implements auth.Store.
func (s *Auth) Revoke(ctx context.Context, ids []uint64) ([]uint64, error) {
	var found []uint64
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		found = found[:0]
		for _, id := range ids {
			var sess auth.Session
			if err := tx.Get(storage.Sessions, storage.ID(id), &sess); err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					continue
				}
				return err
			}
			sess.Revoked = true
			if err := tx.Put(storage.Sessions, storage.ID(id), sess); err != nil {
				return err
			}
			found = append(found, id)
		}
		return nil
	})
	return found, err
}

// RevokeUser implements auth.Store: one walk of the user's sign-ins. A
// sign-in that cannot be read is left as it is, as it always was: the
// account's token generation, bumped with every RevokeUser, shuts its
// access tokens out anyway.
func (s *Auth) RevokeUser(ctx context.Context, user uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var sids []uint64
		_ = tx.Each(storage.SessionsByUser, storage.Key(user), func(k, _ []byte) error {
			sids = append(sids, storage.Part(k, 1))
			return nil
		})
		for _, sid := range sids {
			var sess auth.Session
			if err := tx.Get(storage.Sessions, storage.ID(sid), &sess); err != nil || sess.Revoked {
				continue
			}
			sess.Revoked = true
			if err := tx.Put(storage.Sessions, storage.ID(sid), sess); err != nil {
				return err
			}
		}
		return nil
	})
}

// SessionIDs implements auth.Store: a walk of the user's index of
// sign-ins, which reads no sign-in.
func (s *Auth) SessionIDs(ctx context.Context, user uint64) ([]uint64, error) {
	var sids []uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.SessionsByUser, storage.Key(user), func(k, _ []byte) error {
			sids = append(sids, storage.Part(k, 1))
			return nil
		})
	})
	return sids, err
}

// RefreshToken implements auth.Store.
func (s *Auth) RefreshToken(ctx context.Context, hash []byte) (auth.RefreshToken, error) {
	var t auth.RefreshToken
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Get(storage.Refresh, hash, &t)
	})
	return t, authErr(err)
}

// Rotate implements auth.Store.
func (s *Auth) Rotate(ctx context.Context, old, new []byte, next auth.RefreshToken) error {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var t auth.RefreshToken
		if err := tx.Get(storage.Refresh, old, &t); err != nil {
			return err
		}
		t.Used = true
		if err := tx.Put(storage.Refresh, old, t); err != nil {
			return err
		}
		return tx.Put(storage.Refresh, new, next)
	})
	return authErr(err)
}
