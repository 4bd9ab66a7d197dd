package records

import "pacer/notify"

// MailBatchEntry is one entry of a user's mail batch: bbolt keeps the
// notification under user|seq (seq is the head's count when the entry was
// added), neither of which the notification carries.
type MailBatchEntry struct {
	User  uint64
	Seq   uint64
	Entry notify.Notification
}

// EmailPrefs is one user's e-mail preferences: bbolt keeps them under the
// user's id, which notify.Prefs does not carry.
type EmailPrefs struct {
	User  uint64
	Prefs notify.Prefs
}
