package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"pacer/auth"
	"pacer/storage"
)

// Auth implements auth.Store. An account lives in storage.Users under its
// id and is found by address through storage.UsersByEmail (address ->
// id); a sign-in lives in storage.Sessions under its id, listed under its
// user in storage.SessionsByUser (user|session); a refresh token lives in
// storage.Refresh under the hash of the token; the site settings are one
// record in the shared storage.Settings, under auth's own name. auth's
// *Tx bridges (auth/bridge.go) read the same keys.
type Auth struct{ db *storage.DB }

// NewAuth returns the store over db.
func NewAuth(db *storage.DB) *Auth { return &Auth{db: db} }

// errBroken is a record an index names but the store lacks.
var errBroken = errors.New("auth store: index names a missing record")

// authErr maps the engine's errors to the store's: the one place a
// missing record becomes auth.ErrNotFound.
func authErr(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return auth.ErrNotFound
	}
	return err
}

// AddUser implements auth.Store.
func (s *Auth) AddUser(ctx context.Context, u auth.User) (auth.User, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		email := storage.EmailKey(u.Email)
		if tx.Has(storage.UsersByEmail, email) {
			return auth.ErrEmailTaken
		}
		id, err := tx.NextID(storage.Users)
		if err != nil {
			return err
		}
		u.ID = id
		if err := tx.Put(storage.Users, storage.ID(id), u); err != nil {
			return err
		}
		return tx.PutRaw(storage.UsersByEmail, email, storage.ID(id))
	})
	return u, err
}

// User implements auth.Store.
func (s *Auth) User(ctx context.Context, id uint64) (auth.User, error) {
	var u auth.User
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Get(storage.Users, storage.ID(id), &u)
	})
	return u, authErr(err)
}

// UsersAmong implements auth.Store: a key lookup each, in one
// transaction.
func (s *Auth) UsersAmong(ctx context.Context, ids []uint64) (map[uint64]auth.User, error) {
	out := make(map[uint64]auth.User, len(ids))
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		clear(out)
		for _, id := range ids {
			var u auth.User
			err := tx.Get(storage.Users, storage.ID(id), &u)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out[id] = u
		}
		return nil
	})
	return out, err
}

// NamesBetween implements auth.Store: one walk of the accounts in the
// range.
func (s *Auth) NamesBetween(ctx context.Context, lo, hi uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.EachFrom(storage.Users, nil, storage.ID(lo), func(k, v []byte) error {
			if binary.BigEndian.Uint64(k) > hi {
				return storage.Stop
			}
			var u struct{ Name string }
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			out[binary.BigEndian.Uint64(k)] = u.Name
			return nil
		})
	})
	return out, err
}

// UserByEmail implements auth.Store.
func (s *Auth) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	var u auth.User
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id := tx.GetRaw(storage.UsersByEmail, storage.EmailKey(email))
		if id == nil {
			return storage.ErrNotFound
		}
		err := tx.Get(storage.Users, id, &u)
		if errors.Is(err, storage.ErrNotFound) {
			// An address whose account is gone is a broken index, not an
			// unknown address.
			return fmt.Errorf("account %x of address index: %w", id, errBroken)
		}
		return err
	})
	return u, authErr(err)
}

// UserIDByEmail implements auth.Store: the address index alone.
func (s *Auth) UserIDByEmail(ctx context.Context, email string) (uint64, error) {
	var id uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		raw := storage.TxFrom(ctx).GetRaw(storage.UsersByEmail, storage.EmailKey(email))
		if len(raw) != 8 {
			return storage.ErrNotFound
		}
		id = storage.Part(raw, 0)
		return nil
	})
	return id, authErr(err)
}

// AnyUser implements auth.Store: it stops at the first account.
func (s *Auth) AnyUser(ctx context.Context) (bool, error) {
	found := false
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.Users, nil, func(_, _ []byte) error { found = true; return storage.Stop })
	})
	return found, err
}

// PutUser implements auth.Store.
func (s *Auth) PutUser(ctx context.Context, u auth.User) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Put(storage.Users, storage.ID(u.ID), u)
	})
}

// Users implements auth.Store: one walk of storage.Users, in id order.
func (s *Auth) Users(ctx context.Context) ([]auth.User, error) {
	var out []auth.User
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		out = out[:0]
		return tx.Each(storage.Users, nil, func(k, _ []byte) error {
			var u auth.User
			if err := tx.Get(storage.Users, k, &u); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

// settingsKey names the site settings in storage.Settings, which several
// owners share, each under its own names.
var settingsKey = []byte("site_settings")

// SiteSettings implements auth.Store.
func (s *Auth) SiteSettings(ctx context.Context) (auth.SiteSettings, error) {
	var st auth.SiteSettings
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Get(storage.Settings, settingsKey, &st)
	})
	return st, authErr(err)
}

// PutSiteSettings implements auth.Store.
func (s *Auth) PutSiteSettings(ctx context.Context, st auth.SiteSettings) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Put(storage.Settings, settingsKey, st)
	})
}
