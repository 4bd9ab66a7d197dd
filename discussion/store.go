package discussion

import "context"

// Store keeps a course's discussions: boards, threads, posts with their
// sources and the per-thread post index, participants, subscriptions, read
// marks, reports, the search postings, the reply queue and the staff's
// follow settings. An engine implements it (the bbolt one is
// storage/bolt.Discussion); storetest.Run is the contract every
// implementation passes. Each method joins the transaction ctx carries
// (txn.Runner), or runs in its own.
//
// Records read through Thread, ThreadPosts and PostsAfter may be shared
// with other readers: their slices and pointers must not be changed.
type Store interface {
	BoardStore
	ThreadStore
	ReaderStore
	ReportStore
	SearchStore
	QueueStore
	PageStore
}

// BoardStore keeps boards.
type BoardStore interface {
	// Board returns a board; errs.NotFound when there is none.
	Board(ctx context.Context, id uint64) (BoardRecord, error)
	// CourseBoards lists a course's boards in the order they were added.
	CourseBoards(ctx context.Context, course uint64) ([]BoardRecord, error)
	// AddBoard stores b under a new id and returns it with that id.
	AddBoard(ctx context.Context, b BoardRecord) (BoardRecord, error)
	// PutBoard rewrites a stored board (its course stays the same).
	PutBoard(ctx context.Context, b BoardRecord) error
	// CountThreads counts a board's threads.
	CountThreads(ctx context.Context, board uint64) (int, error)
	// BoardThreads lists every thread of a board in list order (pinned
	// first, then the latest last post first).
	BoardThreads(ctx context.Context, board uint64) ([]ThreadRecord, error)
	// BoardThreadsPage walks a board's threads in list order, from just
	// after the thread at after (the start when nil), and returns the first
	// limit that keep accepts. more says whether any thread follows the
	// last one returned (accepted or not).
	BoardThreadsPage(ctx context.Context, board uint64, after *ThreadPlace, limit int, keep func(ThreadRecord) (bool, error)) (items []ThreadRecord, more bool, err error)
	// DeleteCourseBoards removes a course's boards (their threads are
	// removed first, with DeleteThread).
	DeleteCourseBoards(ctx context.Context, course uint64) error
	// Follows reports whether a staff member follows every thread of a
	// course (true unless they turned it off).
	Follows(ctx context.Context, course, user uint64) (bool, error)
	// Following reports which of users follow every thread of a course
	// (a set: only they are in it), in one read.
	Following(ctx context.Context, course uint64, users []uint64) (map[uint64]bool, error)
	// SetFollows turns following a course's threads on or off.
	SetFollows(ctx context.Context, course, user uint64, on bool) error
}

// ThreadPlace is a thread's place in its board's list, the keyset a page
// of the list resumes after.
type ThreadPlace struct {
	Pinned     bool
	LastPostID uint64
	ID         uint64
}

// PlaceOf is a thread's place in its board's list.
func PlaceOf(t ThreadRecord) ThreadPlace {
	return ThreadPlace{Pinned: t.Pinned, LastPostID: t.LastPostID, ID: t.ID}
}

// ThreadStore keeps threads and their posts.
type ThreadStore interface {
	// Thread returns a thread; errs.NotFound when there is none.
	Thread(ctx context.Context, id uint64) (ThreadRecord, error)
	// Threads returns the threads of ids that exist, in id order, in one
	// read.
	Threads(ctx context.Context, ids []uint64) ([]ThreadRecord, error)
	// LockThreadToReply is Thread, and locks the thread's record to the
	// end of the write transaction ctx carries, so that no other
	// transaction changes it meanwhile and this one reads its latest
	// version (for work marked with txn.Locking; an engine with one
	// writer at a time needs no lock). It also returns the thread's board
	// and a new post id (NewPostID) taken once the lock is held, so that
	// a thread's replies take ids in commit order; an engine that reads
	// in round trips reads all three in one. The id is left as a gap when
	// the reply is not stored.
	LockThreadToReply(ctx context.Context, id uint64) (ThreadRecord, BoardRecord, uint64, error)
	// AddThread stores a thread and its opening post under new ids (the
	// thread's first), placing the thread in its board's list and the post
	// in the thread's index, and returns both with their ids.
	AddThread(ctx context.Context, t ThreadRecord, opening PostRecord, source string) (ThreadRecord, PostRecord, error)
	// SaveThread stores a changed thread (the caller sets its Rev),
	// moving it in its board's list when its pin or last post changed
	// from old.
	SaveThread(ctx context.Context, old, t ThreadRecord) error
	// DeleteThread removes a thread with its posts, their sources, its
	// index, participants, subscriptions, read marks and the reports of
	// its posts. (Search postings are removed by the caller.)
	DeleteThread(ctx context.Context, t ThreadRecord) error
	// Post returns a post, decoded afresh; errs.NotFound when there is
	// none.
	Post(ctx context.Context, id uint64) (PostRecord, error)
	// Posts returns the posts of ids (sorted) that exist, decoded afresh,
	// in id order.
	Posts(ctx context.Context, ids []uint64) ([]PostRecord, error)
	// NewPostID reserves the id of a post about to be stored, larger than
	// every id of a post already committed (an engine with sequences may
	// leave gaps; it never gives a smaller one).
	NewPostID(ctx context.Context) (uint64, error)
	// SavePost stores a post with its Markdown source (none for a deleted
	// post) and its entry in its thread's index.
	SavePost(ctx context.Context, p PostRecord, source string) error
	// UpdatePost rewrites a stored post's record only.
	UpdatePost(ctx context.Context, p PostRecord) error
	// PostSource is a post's Markdown source ("" when it has none).
	PostSource(ctx context.Context, id uint64) (string, error)
	// ThreadPosts lists a thread's posts in id order, complete reports
	// whether that is all of them: at most max are read (max <= 0: no
	// limit), and a longer thread returns none and false.
	ThreadPosts(ctx context.Context, thread uint64, max int) (posts []PostRecord, complete bool, err error)
	// PostsAfter is one page of a thread's posts in id order: the first
	// limit with ids above after that keep accepts, judged by id and
	// author alone. more says whether another accepted post follows.
	PostsAfter(ctx context.Context, thread, after uint64, limit int, keep func(id, author uint64) bool) (posts []PostRecord, more bool, err error)
	// CountUnread counts the posts of t with ids above after that user
	// neither wrote nor saw deleted; without seeAll only the opening post
	// counts.
	CountUnread(ctx context.Context, t ThreadRecord, user, after uint64, seeAll bool) (int, error)
}

// Subscription is one user's choice about a thread's replies, with their
// unread reply notification about it (0: none).
type Subscription struct {
	State        SubState
	Notification uint64
}

// SubState is the state of a subscription.
type SubState uint8

// Subscription states. SubFollowed is kept only to remember the unread
// reply notification of a staff member who follows the thread by default,
// not by their own choice.
const (
	SubNone SubState = iota // no choice made
	SubOff                  // opted out
	SubOn                   // subscribed
	SubFollowed
)

// Subscriber is a user with a subscription entry in a thread.
type Subscriber struct {
	User uint64
	Subscription
}

// ReadMark is the last post a user has read in a thread.
type ReadMark struct{ Thread, User, Post uint64 }

// ReaderStore keeps what each reader of a thread did there.
type ReaderStore interface {
	// Participant reports whether a user has replied in a thread.
	Participant(ctx context.Context, thread, user uint64) (bool, error)
	// AddParticipant records that a user replied in a thread; it writes
	// nothing when that is known already.
	AddParticipant(ctx context.Context, thread, user uint64) error
	// ReadMark is the last post a user has read in a thread (0: none).
	ReadMark(ctx context.Context, thread, user uint64) (uint64, error)
	// ReadMarks is the read marks of users in threads (users by thread)
	// of those who have one (the others' mark is 0), by thread, then
	// user, in one read.
	ReadMarks(ctx context.Context, users map[uint64][]uint64) (map[uint64]map[uint64]uint64, error)
	// Participants reports which of users have replied in a thread (a
	// set: only they are in it), in one read.
	Participants(ctx context.Context, thread uint64, users []uint64) (map[uint64]bool, error)
	// MoveReadMarks moves each mark forward (never back), skipping threads
	// that no longer exist. Marks in thread, then user order write
	// sequentially.
	MoveReadMarks(ctx context.Context, marks []ReadMark) error
	// Subscription is a user's subscription to a thread (State SubNone
	// when there is none).
	Subscription(ctx context.Context, thread, user uint64) (Subscription, error)
	// SetSubscription stores a user's subscription to a thread.
	SetSubscription(ctx context.Context, thread, user uint64, sub Subscription) error
	// SetSubscriptions is SetSubscription for several users of a thread
	// (each at most once), in one write.
	SetSubscriptions(ctx context.Context, thread uint64, subs []Subscriber) error
	// SubscribeReplier subscribes a user who replied: SubNone and
	// SubFollowed become SubOn, keeping the unread notification; an
	// opt-out (SubOff) or a subscription stays as it is. One step, so that
	// it holds against concurrent writers of the entry without a lock.
	SubscribeReplier(ctx context.Context, thread, user uint64) error
	// Subscribers lists every subscription entry of threads, by thread,
	// each thread's in user order, in one read.
	Subscribers(ctx context.Context, threads []uint64) (map[uint64][]Subscriber, error)
}

// ReportStore keeps reports of posts.
type ReportStore interface {
	// Report returns a report; errs.NotFound when there is none.
	Report(ctx context.Context, id uint64) (ReportRecord, error)
	// Reported reports whether a user has reported a post.
	Reported(ctx context.Context, post, user uint64) (bool, error)
	// AddReport stores a report under a new id and returns it with that id.
	AddReport(ctx context.Context, r ReportRecord) (ReportRecord, error)
	// SaveReport stores a changed report, moving it in its course's queue
	// when it was resolved since old.
	SaveReport(ctx context.Context, old, r ReportRecord) error
	// CourseReports is one page of a course's queue, each report with the
	// post it reports and that post's thread: status ReportsOpen,
	// ReportsResolved or ReportsAll (open first), each group oldest first,
	// from just after the report at after (the start when nil), at most
	// limit. more says whether others follow.
	CourseReports(ctx context.Context, course uint64, status string, after *ReportPlace, limit int) (items []ReportEntry, more bool, err error)
}

// ReportEntry is a report in its course's queue, with the reported post
// and its thread.
type ReportEntry struct {
	Report ReportRecord
	Thread ThreadRecord
	Post   PostRecord
}

// ReportPlace is a report's place in its course's queue.
type ReportPlace struct {
	Resolved bool
	ID       uint64
}

// Posting is one word of a post in the search index.
type Posting struct {
	Course uint64
	Term   string
	Post   uint64
	Thread uint64
}

// SearchStore keeps the search postings.
type SearchStore interface {
	// AddPostings stores postings (any order).
	AddPostings(ctx context.Context, ps []Posting) error
	// RemovePostings removes postings; missing ones are no error.
	RemovePostings(ctx context.Context, ps []Posting) error
	// Match walks the posts of a course that have every term, newest
	// first, starting below the post before (0: from the newest), calling
	// visit with each post and its thread until visit says stop. seeks
	// counts the index lookups it made.
	Match(ctx context.Context, course uint64, terms []string, before uint64, visit func(thread, post uint64) (stop bool, err error)) (seeks int, err error)
}

// QueuedReply is a reply whose delivery (notifications, postings) is
// still to be done.
type QueuedReply struct{ Thread, Post uint64 }

// QueueStore keeps the reply queue.
type QueueStore interface {
	// QueueReply queues a reply for delivery.
	QueueReply(ctx context.Context, thread, post uint64) error
	// QueuedReplies lists up to limit queued replies by thread, then post;
	// more says whether others are queued.
	QueuedReplies(ctx context.Context, limit int) (items []QueuedReply, more bool, err error)
	// DropQueued takes replies off the queue.
	DropQueued(ctx context.Context, rs []QueuedReply) error
	// CountQueued counts the queued replies.
	CountQueued(ctx context.Context) (int, error)
}
