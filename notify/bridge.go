package notify

import (
	"errors"
	"strings"

	"pacer/storage"
)

// The bridges below are for packages that still hold a *storage.Tx and
// call them as package functions (discussion, deadlines). A package
// function has no store to reach, so these still read bbolt's keys
// themselves; the same work behind the store is Service.IsUnread,
// Service.UpdateUnread and Store.Prefs. Once their callers use those (with
// storage.WithTx), these go.

// UnreadTx reports whether a notification of the user is stored and still
// unread, inside the caller's transaction: one key lookup, so that a caller
// can keep a single unread notification per subject (discussion replies)
// instead of adding one per event.
func UnreadTx(tx *storage.Tx, userID, id uint64) bool {
	return tx.Has(storage.NotificationsUnread, storage.Key(userID, id))
}

// UpdateUnreadTx rewrites the title and body of a user's notification while
// it is still unread, inside the caller's transaction, and reports whether
// it did. No e-mail is derived from the update.
func UpdateUnreadTx(tx *storage.Tx, userID, id uint64, title, body string) (bool, error) {
	if !UnreadTx(tx, userID, id) {
		return false, nil
	}
	// The user id is kept beside the notification (whose JSON leaves it
	// out), as the store keeps it.
	var n struct {
		Notification
		User uint64 `json:"user_id"`
	}
	if err := tx.Get(storage.Notifications, storage.ID(id), &n); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if n.User != userID || strings.TrimSpace(title) == "" {
		return false, nil
	}
	n.Title, n.Body = title, body
	return true, tx.Put(storage.Notifications, storage.ID(id), n)
}

// PrefsTx reads a user's preferences (the defaults when none are stored).
func PrefsTx(tx *storage.Tx, user uint64) (Prefs, error) {
	var p Prefs
	if err := tx.Get(storage.EmailPrefs, storage.ID(user), &p); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return p, err
	}
	return p, nil
}
