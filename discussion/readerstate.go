package discussion

import "context"

// ReaderThread is a thread as one reader comes to it: the thread, its
// board, and what the reader did there, read together for the pages that
// show a thread to someone (Store.ReaderThread).
type ReaderThread struct {
	Thread ThreadRecord
	Board  BoardRecord
	// ReadMark is the last post the reader read (0: none), as stored.
	ReadMark uint64
	// Subscription is the reader's subscription entry (SubNone: none).
	Subscription Subscription
	// Participant says whether the reader replied in the thread.
	Participant bool
	// Follows says whether the reader follows every thread of the
	// thread's course (true unless they turned it off; it matters only
	// for staff).
	Follows bool
}

// PageStore reads what a thread page needs of the thread and its reader
// in one go.
type PageStore interface {
	// ReaderThread returns a thread with its board and one user's read
	// mark, subscription, participation and follow setting, in one read;
	// errs.NotFound ("thread") when the thread or its board does not
	// exist.
	ReaderThread(ctx context.Context, thread, user uint64) (ReaderThread, error)
	// PostSources is PostSource of several posts (ids sorted), in one
	// read: the sources of those that have one; the others' is "".
	PostSources(ctx context.Context, ids []uint64) (map[uint64]string, error)
}

// subscribedBy is subscribed for a subscription entry and follow setting
// already read: a choice of the user's own decides; without one, staff
// who follow the course are subscribed.
func subscribedBy(sub Subscription, staff, follows bool) bool {
	if chosen(sub) {
		return sub.State == SubOn
	}
	return staff && follows
}

// chosen reports whether a subscription entry is the user's own choice
// (on or off), which decides whatever the course's follow setting.
func chosen(sub Subscription) bool { return sub.State != SubNone && sub.State != SubFollowed }
