package bolt

import (
	"context"
	"errors"
	"slices"

	"pacer/notify"
	"pacer/storage"
)

// Notify implements notify.Store. A notification lives in
// storage.Notifications under its id; storage.NotificationsByUser
// (user|id) lists a user's in id order, and storage.NotificationsUnread
// (user|id) holds only the unread ones, so the unread count shown on every
// page is a key count, not a decode of each notification;
// storage.NotificationCauses (cause -> id) tells a cause once. The outbox and
// the batches are in notify_mail.go, the preferences in notify_prefs.go.
type Notify struct{ db *storage.DB }

// NewNotify returns the store over db.
func NewNotify(db *storage.DB) *Notify { return &Notify{db: db} }

// storedNotification is a notification as kept: with the user id, which
// the API answer (notify.Notification's JSON) leaves out.
type storedNotification struct {
	notify.Notification
	User  uint64 `json:"user_id"`
	Cause string `json:"cause,omitempty"`
}

func (s storedNotification) value() notify.Notification {
	n := s.Notification
	n.UserID, n.Cause = s.User, s.Cause
	return n
}

// AddAll implements notify.Store: Add of each, in one transaction (bbolt
// pays no round trip per statement).
func (s *Notify) AddAll(ctx context.Context, ns []notify.Notification) ([]notify.Notification, error) {
	return eachOnce(ctx, s.db, ns, s.Add, func(n *notify.Notification) { n.ID = 0 })
}

// eachOnce runs add on each of in, in order, in one transaction, and
// returns what it stored; one whose cause was told comes back as given,
// with its id cleared.
func eachOnce[T any](ctx context.Context, db *storage.DB, in []T, add func(context.Context, T) (T, error), unset func(*T)) ([]T, error) {
	out := make([]T, len(in))
	err := db.Write(ctx, func(ctx context.Context) error {
		for i, v := range in {
			got, err := add(ctx, v)
			if errors.Is(err, notify.ErrAlreadyTold) {
				unset(&v)
				got = v
			} else if err != nil {
				return err
			}
			out[i] = got
		}
		return nil
	})
	return out, err
}

// Add implements notify.Store.
func (s *Notify) Add(ctx context.Context, n notify.Notification) (notify.Notification, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		// bbolt has one writer: a look inside the transaction is enough.
		if n.Cause != "" && tx.Has(storage.NotificationCauses, []byte(n.Cause)) {
			return notify.ErrAlreadyTold
		}
		id, err := tx.NextID(storage.Notifications)
		if err != nil {
			return err
		}
		n.ID, n.Read = id, false
		if err := tx.Put(storage.Notifications, storage.ID(id), storedNotification{Notification: n, User: n.UserID, Cause: n.Cause}); err != nil {
			return err
		}
		if n.Cause != "" {
			if err := tx.PutRaw(storage.NotificationCauses, []byte(n.Cause), storage.ID(id)); err != nil {
				return err
			}
		}
		if err := tx.PutRaw(storage.NotificationsByUser, storage.Key(n.UserID, id), nil); err != nil {
			return err
		}
		return tx.PutRaw(storage.NotificationsUnread, storage.Key(n.UserID, id), nil)
	})
	return n, err
}

// Newest implements notify.Store: one reverse walk of the user's index,
// decoding only the notifications of the page.
func (s *Notify) Newest(ctx context.Context, user, before uint64, limit int) ([]notify.Notification, bool, error) {
	var out []notify.Notification
	var more bool
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var err error
		more, err = newest(tx, storage.NotificationsByUser, storage.Key(user), before, limit, func(id uint64, room bool) (bool, error) {
			if !room {
				return true, nil
			}
			var n storedNotification
			if err := tx.Get(storage.Notifications, storage.ID(id), &n); err != nil {
				return false, err
			}
			out = append(out, n.value())
			return true, nil
		})
		return err
	})
	return out, more, err
}

// UnreadCount implements notify.Store.
func (s *Notify) UnreadCount(ctx context.Context, user uint64) (int, error) {
	n := 0
	err := s.db.Read(ctx, func(ctx context.Context) error {
		n = storage.TxFrom(ctx).Count(storage.NotificationsUnread, storage.Key(user))
		return nil
	})
	return n, err
}

// IsUnread implements notify.Store: one key lookup, since the unread
// index is keyed by user.
func (s *Notify) IsUnread(ctx context.Context, user, id uint64) (bool, error) {
	ok := false
	err := s.db.Read(ctx, func(ctx context.Context) error {
		ok = storage.TxFrom(ctx).Has(storage.NotificationsUnread, storage.Key(user, id))
		return nil
	})
	return ok, err
}

// UnreadAmong implements notify.Store: a key lookup per ref in the unread
// index, in one transaction.
func (s *Notify) UnreadAmong(ctx context.Context, refs []notify.Ref) ([]uint64, error) {
	var out []uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		out = out[:0]
		tx := storage.TxFrom(ctx)
		for _, r := range refs {
			if tx.Has(storage.NotificationsUnread, storage.Key(r.User, r.ID)) {
				out = append(out, r.ID)
			}
		}
		return nil
	})
	slices.Sort(out)
	return slices.Compact(out), err
}

// UpdateUnread implements notify.Store.
func (s *Notify) UpdateUnread(ctx context.Context, user, id uint64, title, body string) (bool, error) {
	done := false
	err := s.db.Write(ctx, func(ctx context.Context) error {
		done = false
		tx := storage.TxFrom(ctx)
		if !tx.Has(storage.NotificationsUnread, storage.Key(user, id)) {
			return nil
		}
		var n storedNotification
		if err := tx.Get(storage.Notifications, storage.ID(id), &n); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			return err
		}
		if n.User != user {
			return nil
		}
		n.Title, n.Body = title, body
		done = true
		return tx.Put(storage.Notifications, storage.ID(id), n)
	})
	return done, err
}

// MarkRead implements notify.Store.
func (s *Notify) MarkRead(ctx context.Context, user uint64, ids []uint64, all bool) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if all {
			ids = nil
			err := tx.Each(storage.NotificationsUnread, storage.Key(user), func(k, _ []byte) error {
				ids = append(ids, storage.Part(k, 1))
				return nil
			})
			if err != nil {
				return err
			}
		}
		for _, id := range ids {
			// Another user's id is simply absent from this user's part
			// of the unread index.
			key := storage.Key(user, id)
			if !tx.Has(storage.NotificationsUnread, key) {
				continue
			}
			var n storedNotification
			if err := tx.Get(storage.Notifications, storage.ID(id), &n); err != nil {
				return err
			}
			n.Read = true
			if err := tx.Put(storage.Notifications, storage.ID(id), n); err != nil {
				return err
			}
			if err := tx.Delete(storage.NotificationsUnread, key); err != nil {
				return err
			}
		}
		return nil
	})
}

// BatchesOf implements notify.Store: a key lookup per user, in one
// transaction.
func (s *Notify) BatchesOf(ctx context.Context, users []uint64) (map[uint64]notify.Batch, error) {
	return byUser(s.db, ctx, storage.MailBatches, users, func(u uint64, b *notify.Batch) { b.User = u })
}

// PrefsOf implements notify.Store: a key lookup per user, in one
// transaction.
func (s *Notify) PrefsOf(ctx context.Context, users []uint64) (map[uint64]notify.Prefs, error) {
	return byUser[notify.Prefs](s.db, ctx, storage.EmailPrefs, users, nil)
}

// byUser reads the records of users kept under their ids in bucket, in
// one read transaction; users without one are left out. fix, when set,
// completes a record with its user.
func byUser[V any](db *storage.DB, ctx context.Context, bucket storage.Bucket, users []uint64, fix func(uint64, *V)) (map[uint64]V, error) {
	out := make(map[uint64]V, len(users))
	err := db.Read(ctx, func(ctx context.Context) error {
		clear(out)
		tx := storage.TxFrom(ctx)
		for _, u := range users {
			var v V
			err := tx.Get(bucket, storage.ID(u), &v)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if fix != nil {
				fix(u, &v)
			}
			out[u] = v
		}
		return nil
	})
	return out, err
}
