package engagement

import "context"

// DayCount is one learner's actions in a course on one UTC day (days
// counted from the Unix epoch).
type DayCount struct {
	Course, User uint64
	Day          int64
	Count        uint32
}

// Store keeps what this package owns: per-day activity counts and each
// learner's ladder state (flags, nudges, escalations). An engine
// implements it (storage/bolt.Engagement); storetest.Run is the contract.
// Each method joins the transaction ctx carries, or runs in its own.
//
// The ladder state is kept as this package encodes it (JSON): the store
// holds the bytes, and the sweep scans them without a full decode.
type Store interface {
	// AddActivity adds each count to what is stored for its day.
	AddActivity(ctx context.Context, counts []DayCount) error
	// Activity fills out with a learner's counts of the len(out) days up
	// to today: out[0] is today, out[1] yesterday. Days after today are
	// left out.
	Activity(ctx context.Context, course, user uint64, today int64, out []uint32) error
	// CourseActivity calls fn for every stored day from first to today of
	// every learner in a course, in user order and then day order.
	CourseActivity(ctx context.Context, course uint64, first, today int64, fn func(user uint64, day int64, count uint32)) error
	// State is a learner's stored ladder state; ok is false when none is.
	State(ctx context.Context, course, user uint64) (raw []byte, ok bool, err error)
	// States calls fn for every stored ladder state of a course, in user
	// order. raw is valid only during the call.
	States(ctx context.Context, course uint64, fn func(user uint64, raw []byte) error) error
	// PutState stores a learner's ladder state.
	PutState(ctx context.Context, course, user uint64, raw []byte) error
	// DeleteState removes a learner's ladder state (none is no error).
	DeleteState(ctx context.Context, course, user uint64) error
	// DeleteCourse removes every activity count and every ladder state of
	// a course (none is no error).
	DeleteCourse(ctx context.Context, course uint64) error
}
