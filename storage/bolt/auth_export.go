package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"pacer/auth"
	"pacer/storage"
	"pacer/storage/records"
)

// Export implements migrate.Exporter: accounts ("users"), sign-ins
// ("sessions"), refresh tokens under their hash ("refresh_tokens") and the
// site settings ("site_settings", when they were ever saved), in that
// order, so that every sign-in follows its account and every token its
// sign-in. The address and per-user indexes are not exported: PostgreSQL
// derives them from the records.
func (s *Auth) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.Users, nil, func(k, _ []byte) error {
			var u auth.User
			if err := tx.Get(storage.Users, k, &u); err != nil {
				return err
			}
			// PostgreSQL finds an account by the address the account
			// holds; here it is found through the address index. The copy
			// must not change who an address signs in as, so an account
			// the index does not name under its own address is refused
			// rather than copied.
			if id := tx.GetRaw(storage.UsersByEmail, storage.EmailKey(u.Email)); !bytes.Equal(id, storage.ID(u.ID)) {
				return fmt.Errorf("account %d: the address index does not name it under %q: %w", u.ID, u.Email, errBroken)
			}
			return put("users", u)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Sessions, nil, func(k, _ []byte) error {
			var sess auth.Session
			if err := tx.Get(storage.Sessions, k, &sess); err != nil {
				return err
			}
			return put("sessions", sess)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Refresh, nil, func(k, _ []byte) error {
			var t auth.RefreshToken
			if err := tx.Get(storage.Refresh, k, &t); err != nil {
				return err
			}
			// k is bbolt's memory, valid only during this call.
			return put("refresh_tokens", records.RefreshToken{Hash: bytes.Clone(k), Token: t})
		})
		if err != nil {
			return err
		}
		var st auth.SiteSettings
		switch err := tx.Get(storage.Settings, settingsKey, &st); {
		case errors.Is(err, storage.ErrNotFound):
			return nil // never saved: the service's defaults apply on both engines
		case err != nil:
			return err
		}
		return put("site_settings", st)
	})
}
