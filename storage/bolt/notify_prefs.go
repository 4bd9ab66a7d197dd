package bolt

import (
	"context"
	"errors"

	"pacer/notify"
	"pacer/storage"
)

// Prefs implements notify.Store. Preferences live in storage.EmailPrefs
// under the user's id.
func (s *Notify) Prefs(ctx context.Context, user uint64) (notify.Prefs, error) {
	var p notify.Prefs
	err := s.db.Read(ctx, func(ctx context.Context) error {
		p = notify.Prefs{}
		err := storage.TxFrom(ctx).Get(storage.EmailPrefs, storage.ID(user), &p)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		return err
	})
	return p, err
}

// SetPrefs implements notify.Store.
func (s *Notify) SetPrefs(ctx context.Context, user uint64, p notify.Prefs) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Put(storage.EmailPrefs, storage.ID(user), p)
	})
}
