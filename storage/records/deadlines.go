package records

import "pacer/deadlines"

// SubmittedNote is a staff member's unread "submitted" notice of an item:
// the bbolt engine keeps the notice under staff|course|item, places the
// domain type does not carry.
type SubmittedNote struct {
	Course, Item, Staff uint64
	deadlines.SubmittedNote
}

// CalendarToken is a user's calendar feed token generation (kept under
// the user).
type CalendarToken struct {
	User, Generation uint64
}

// CalendarEvent is what a user's feed served of one event (kept under
// user|course|module|kind).
type CalendarEvent struct {
	User uint64
	Key  deadlines.EventKey
	deadlines.EventState
}
