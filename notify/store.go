package notify

import (
	"context"
	"errors"
	"time"
)

// Store keeps what notify owns: notifications, the mail outbox with its
// batches, and e-mail preferences. An engine implements it (the bbolt one
// is storage/bolt.Notify); storetest.Run is the contract every
// implementation passes. Each method joins the transaction ctx carries
// (txn.Runner), or runs in its own.
type Store interface {
	Notifications
	Mails
	Batches
	PrefsStore
}

// Notifications keeps each user's in-app notifications and which of them
// are unread.
type Notifications interface {
	// Add stores n unread under a new id, larger than every id given
	// before, and returns it with that id. When n.Cause is not empty and
	// a stored notification has the same cause, it stores nothing and
	// returns ErrAlreadyTold: the engine enforces it, so that two
	// transactions telling of one event at once store one notification.
	Add(ctx context.Context, n Notification) (Notification, error)
	// AddAll is Add of each of ns, in order, in one go (one round trip
	// where the engine pays one per statement): it returns them with
	// their ids, and those already told with ID 0 instead of
	// ErrAlreadyTold.
	AddAll(ctx context.Context, ns []Notification) ([]Notification, error)
	// Newest lists a user's notifications newest first: those with an id
	// below before (every one when before is 0), at most limit of them.
	// more says whether older ones remain past the last.
	Newest(ctx context.Context, user, before uint64, limit int) (items []Notification, more bool, err error)
	// UnreadCount counts a user's unread notifications.
	UnreadCount(ctx context.Context, user uint64) (int, error)
	// IsUnread reports whether notification id is the user's and unread.
	IsUnread(ctx context.Context, user, id uint64) (bool, error)
	// UnreadAmong returns the ids of those of refs that are their user's
	// notification and unread, in id order, in one read.
	UnreadAmong(ctx context.Context, refs []Ref) ([]uint64, error)
	// UpdateUnread rewrites the title and body of notification id while it
	// is the user's and unread, and reports whether it did.
	UpdateUnread(ctx context.Context, user, id uint64, title, body string) (bool, error)
	// MarkRead marks the user's notifications among ids read (every unread
	// one when all is set). Other users' ids, unknown ids and ids already
	// read are skipped.
	MarkRead(ctx context.Context, user uint64, ids []uint64, all bool) error
}

// Ref names a notification of a user.
type Ref struct{ User, ID uint64 }

// ErrNoMail is what Mails answers for a mail id it does not hold.
var ErrNoMail = errors.New("notify: no such mail")

// Mails keeps the outbox. A pending mail waits in a queue ordered by its
// next attempt, a sending mail in one ordered by its claim; the store
// keeps each mail's place in them in step with its State.
type Mails interface {
	// Queue stores m under a new id, larger than every id given before,
	// and returns it with that id. When m.Cause is not empty and a stored
	// mail has the same cause, it stores nothing and returns
	// ErrAlreadyTold (a deleted mail's cause is free again). Put keeps
	// the cause Queue stored.
	Queue(ctx context.Context, m Email) (Email, error)
	// QueueAll is Queue of each of ms, in order, in one go (one statement
	// where the engine pays one per statement): it returns them with their
	// ids, and those whose cause was told with ID 0 instead of
	// ErrAlreadyTold.
	QueueAll(ctx context.Context, ms []Email) ([]Email, error)
	// Put rewrites a stored mail (by m.ID), moving it to the queue its new
	// state calls for. It returns ErrNoMail for an id it does not hold.
	Put(ctx context.Context, m Email) error
	// Mail returns one mail, or ErrNoMail.
	Mail(ctx context.Context, id uint64) (Email, error)
	// Mails lists the outbox oldest first: every mail, or one user's.
	Mails(ctx context.Context, user uint64) ([]Email, error)
	// NewestMails lists the outbox newest first: mails with an id below
	// before (every one when before is 0) in state (any state when ""),
	// at most limit of them. more says whether older ones remain.
	NewestMails(ctx context.Context, state string, before uint64, limit int) (items []Email, more bool, err error)
	// Queued lists the mails in state (MailPending or MailSending) whose
	// next attempt (pending) or claim (sending) is at or before until
	// (any time when until is zero), earliest first, at most limit of
	// them (no bound when limit is 0).
	Queued(ctx context.Context, state string, until time.Time, limit int) ([]Email, error)
	// Prunable lists, oldest first, mails created before cutoff that are
	// settled (sent, failed or unknown), and with logged also pending mails
	// already logged, at most limit of them. Ids grow with time, so the
	// walk may end at the first mail created at or after cutoff.
	Prunable(ctx context.Context, cutoff time.Time, logged bool, limit int) ([]Email, error)
	// Delete removes mails and their places in the queues; unknown ids
	// are skipped.
	Delete(ctx context.Context, ids []uint64) error
}

// Batch is the head of a user's discussion notifications waiting to be
// mailed together. Its entries are kept apart, one record each, so that
// adding one to a busy user's batch writes a few dozen bytes instead of
// rewriting the whole batch.
type Batch struct {
	// User is whose batch it is.
	User uint64 `json:"-"`
	// Entries is only read: batches written before entries had records of
	// their own kept them here.
	Entries    []Notification `json:"entries,omitempty"`
	Count      int            `json:"count"`
	Dropped    int            `json:"dropped"`
	FirstAt    time.Time      `json:"first_at"`
	LastMailAt time.Time      `json:"last_mail_at"`
}

// BatchSave is a batch head to store, and the entry it adds (nil: none).
type BatchSave struct {
	Head  Batch
	Entry *Notification
}

// Batches keeps the mail batches.
type Batches interface {
	// Batch is a user's batch head, or a zero Batch (of that user) when
	// there is none.
	Batch(ctx context.Context, user uint64) (Batch, error)
	// BatchesOf is the batch heads of those of users who have one (the
	// others' is a zero Batch), in one read.
	BatchesOf(ctx context.Context, users []uint64) (map[uint64]Batch, error)
	// SaveBatches stores, in order, each save's Head as its user's batch
	// head and, when its Entry is not nil, Entry as the batch's entry
	// number Head.Count: a later save of a user replaces the head (and an
	// entry of the same number) an earlier one stored. All of them in one
	// go, so that a delivery telling many users pays nothing per user
	// where the engine pays per statement.
	SaveBatches(ctx context.Context, saves []BatchSave) error
	// AllBatches lists every batch head in user order.
	AllBatches(ctx context.Context) ([]Batch, error)
	// TakeEntries returns a user's batch entries (not the head's own
	// Entries) in the order they came, and removes them.
	TakeEntries(ctx context.Context, user uint64) ([]Notification, error)
	// DeleteBatch removes a user's batch head and entries.
	DeleteBatch(ctx context.Context, user uint64) error
}

// PrefsStore keeps e-mail preferences.
type PrefsStore interface {
	// Prefs is a user's stored preferences, or zero Prefs (the defaults)
	// when none are stored.
	Prefs(ctx context.Context, user uint64) (Prefs, error)
	// PrefsOf is the stored preferences of those of users who have any
	// (the others' are zero Prefs, the defaults), in one read.
	PrefsOf(ctx context.Context, users []uint64) (map[uint64]Prefs, error)
	// SetPrefs stores a user's preferences.
	SetPrefs(ctx context.Context, user uint64, p Prefs) error
}
