package deadlines

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is what a store returns for a record it does not hold; the
// service turns it into the 404 of the record's kind (notFoundAs).
var ErrNotFound = errors.New("deadlines: not found")

// Store is everything this package keeps. An engine implements it (the
// bbolt one is storage/bolt.Deadlines); storetest.Run is the contract every
// implementation passes. Each method joins the transaction ctx carries
// (txn.Runner), or runs in its own.
type Store interface {
	ExtensionStore
	SubmissionStore
	CalendarStore
	MarkStore
	SubmittedQueueStore

	// DeleteCourse removes every record of a course: its extensions, its
	// submissions (current and earlier attempts), the staff's submitted
	// notices of its items and the submissions queued for them, every
	// user's calendar event states of it and the jobs' marks. Calendar token generations are the user's, not the
	// course's, and stay. Removing none is no error.
	DeleteCourse(ctx context.Context, course uint64) error
}

// ExtensionStore keeps extensions: at most one per learner and module.
type ExtensionStore interface {
	// PutExtension stores e as the learner's extension of the module. It
	// replaces the one they had, keeping its id; a first one gets a new id.
	// It returns e with its id.
	PutExtension(ctx context.Context, e Extension) (Extension, error)
	// Extension is one extension by id, or ErrNotFound.
	Extension(ctx context.Context, id uint64) (Extension, error)
	// DeleteExtension removes an extension by id; removing none is no error.
	DeleteExtension(ctx context.Context, id uint64) error
	// Extensions lists a course's extensions in learner then module order:
	// only the learner's when user is not 0.
	Extensions(ctx context.Context, course, user uint64) ([]Extension, error)
	// Overrides is a learner's extended due times by module (nil for none),
	// read without decoding a record: every learner view asks for it.
	Overrides(ctx context.Context, course, user uint64) (map[uint64]time.Time, error)
	// ModuleOverrides is every learner's extended due time of one module,
	// by learner (nil for none).
	ModuleOverrides(ctx context.Context, course, module uint64) (map[uint64]time.Time, error)
}

// SubmissionStore keeps submissions: each learner's current attempt at an
// item and the earlier attempts it superseded.
type SubmissionStore interface {
	// AddAttempt stores *sub as its learner's new current attempt at the
	// item, under a new id, with the attempt number after the one it
	// supersedes (1 for a first); the superseded one stays, as history.
	// It sets sub's ID, Attempt and Current by the time ctx's transaction
	// commits, not necessarily before: an engine may send the write with
	// the transaction's next statement or its COMMIT (a round trip fewer
	// for a submission), so the work reads them once its transaction has
	// ended. Two attempts of one learner at one item at once are a
	// conflict: on an engine with concurrent writers one transaction runs
	// again.
	AddAttempt(ctx context.Context, sub *Submission) error
	// Submission is one attempt by id with Current decided (whether it is
	// its learner's current one), or ErrNotFound.
	Submission(ctx context.Context, id uint64) (Submission, error)
	// SaveSubmission overwrites a stored attempt (a grade); Current is not
	// kept.
	SaveSubmission(ctx context.Context, sub Submission) error
	// Attempts is a learner's attempts at an item, the current one first
	// and then the earlier ones, newest first; none when they never
	// submitted.
	Attempts(ctx context.Context, course, item, user uint64) ([]Submission, error)
	// ItemAttempts pages the learners who submitted to an item, in learner
	// order from the learner from (included), at most limit learners: their
	// attempts, each learner's together as Attempts orders them. next is
	// the learner the following page starts with, 0 after the last.
	ItemAttempts(ctx context.Context, course, item, from uint64, limit int) (subs []Submission, next uint64, err error)
	// Submitters lists the learners with a submission to an item, in
	// learner order.
	Submitters(ctx context.Context, course, item uint64) ([]uint64, error)
	// Ungraded lists a course's current attempts that have no score, in
	// item then learner order.
	Ungraded(ctx context.Context, course uint64) ([]Submission, error)
	// CourseSubmissions lists every submission of a course, current and
	// earlier attempts (Current set), by item, learner, then newest first:
	// the gradebook's assignment cells in one call.
	CourseSubmissions(ctx context.Context, course uint64) ([]Submission, error)
	// DeleteItem removes every attempt at an item.
	DeleteItem(ctx context.Context, course, item uint64) error

	// SubmittedNotes are the staff members' unread "submitted" notices of
	// an item, by staff member (those without one are absent).
	SubmittedNotes(ctx context.Context, course, item uint64, staff []uint64) (map[uint64]SubmittedNote, error)
	// PutSubmittedNotes stores the notices of an item, by staff member.
	PutSubmittedNotes(ctx context.Context, course, item uint64, notes map[uint64]SubmittedNote) error
}

// SubmittedNote is a staff member's unread notification of the work that
// arrived on an item, and how many submissions it counts.
type SubmittedNote struct {
	Notification uint64
	Count        uint64
}

// QueuedSubmission is a submission whose staff notification is still to
// be delivered (deliver.go): which learner handed in at which item, and
// when. ID is the store's, and orders the entries of one item by arrival.
type QueuedSubmission struct {
	ID, Course, Item, Learner uint64
	SubmittedAt               time.Time
}

// SubmittedQueueStore keeps the queue of submissions whose staff
// notifications are still to be delivered.
type SubmittedQueueStore interface {
	// QueueSubmitted queues a submission for delivery under a new id (the
	// ID given is ignored).
	QueueSubmitted(ctx context.Context, q QueuedSubmission) error
	// QueuedSubmitted lists up to limit queued submissions by course, item,
	// then id; more says whether others are queued. In a write transaction
	// of an engine that several processes share, entries another
	// transaction has taken are skipped (they are its to deliver).
	QueuedSubmitted(ctx context.Context, limit int) (entries []QueuedSubmission, more bool, err error)
	// DropQueuedSubmitted takes entries off the queue, by course, item and
	// id; missing ones are no error.
	DropQueuedSubmitted(ctx context.Context, qs []QueuedSubmission) error
	// CountQueuedSubmitted counts the queued submissions.
	CountQueuedSubmitted(ctx context.Context) (int, error)
}

// CalendarStore keeps what the secret feed needs: each user's token
// generation and the state of every event it served.
type CalendarStore interface {
	// CalendarGeneration is a user's feed token generation, 0 before the
	// first rotation.
	CalendarGeneration(ctx context.Context, user uint64) (uint64, error)
	// RotateCalendar moves a user's generation on by one and returns it.
	RotateCalendar(ctx context.Context, user uint64) (uint64, error)
	// EventStates is the state of each event a user's feed served.
	EventStates(ctx context.Context, user uint64) (map[EventKey]EventState, error)
	// PutEventStates stores the state of some of a user's events.
	PutEventStates(ctx context.Context, user uint64, states map[EventKey]EventState) error
}

// EventKey names one event of a user's feed: a module's opening or due
// time in a course.
type EventKey struct {
	Course, Module uint64
	Kind           uint8
}

// EventState is what the feed remembers of an event it served: the instant
// it showed, its SEQUENCE and when that changed.
type EventState struct {
	At       time.Time
	Sequence uint64
	Modified time.Time
}

// MarkStore keeps the jobs' marks: that a job dealt with a learner's
// module for one instant (see Mark).
type MarkStore interface {
	// SweepFacts is what a job's sweep of a course judges besides the
	// members: every extension and every mark of the job, each in learner
	// then module order.
	SweepFacts(ctx context.Context, course uint64, job uint8) (SweepFacts, error)
	// ClaimMarks stores each mark whose place (Course, User, Module, Job)
	// holds none for its instant, or none at all when anyInstant, and
	// reports by index which it stored: the marks a concurrent or repeated
	// run placed first are left as they are, so a job deals with each
	// learner's module once.
	ClaimMarks(ctx context.Context, marks []Mark, anyInstant bool) ([]bool, error)
	// Missed lists the modules whose missed deadline was recorded for a
	// learner (the work was not done), in module order.
	Missed(ctx context.Context, course, user uint64) ([]uint64, error)
}

// SweepFacts are a course's extensions and one job's marks, each sorted by
// learner then module.
type SweepFacts struct {
	Extensions []Override
	Marks      []SweptMark
}

// SweptMark is a mark as a sweep judges it: whose module and for which
// instant (the course and job are the sweep's; the outcome plays no part).
// It is small because a sweep holds one per learner and module.
type SweptMark struct {
	User, Module uint64
	At           time.Time
}

// Override is a learner's extended due time of a module.
type Override struct {
	User, Module uint64
	Due          time.Time
}

// The jobs that leave marks (Mark.Job).
const (
	MarkOpened   uint8 = 1 // open_windows
	MarkReminded uint8 = 2 // deadline_reminders
	MarkMissed   uint8 = 3 // enforce_deadlines
)

// How a job dealt with a learner's module (Mark.Outcome).
const (
	OutcomeNotified uint8 = 1 // the learner was told
	OutcomeDone     uint8 = 2 // the work was done: nothing to tell
	OutcomeSilent   uint8 = 3 // recorded without telling (it was before they enrolled)
)

// Mark records that a job dealt with one learner's module for one instant
// (the opening or the due time it looked at) and how (Outcome).
type Mark struct {
	Course, User, Module uint64
	Job                  uint8
	At                   time.Time
	Outcome              uint8
}
