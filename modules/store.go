package modules

import (
	"context"
	"errors"
)

// ErrNoRecord is what a store answers when the record asked for does not
// exist; the service turns it into the 404 of what was asked.
var ErrNoRecord = errors.New("modules: no such record")

// Store keeps what this package owns. An engine implements it
// (storage/bolt.Modules); storetest.Run is the contract every
// implementation passes. Each method joins the transaction ctx carries
// (txn.Runner), or runs in its own.
//
// The move behind it goes one record kind at a time: invitations and
// members are here; courses, modules, items and progress still use the
// bbolt transaction directly.
type Store interface {
	InvitationStore
	MemberStore
}

// MemberStore keeps memberships, with what finds them by user and a
// course's staff (instructors and TAs) without reading every member.
type MemberStore interface {
	// Member reads one membership, or ErrNoRecord.
	Member(ctx context.Context, course, user uint64) (Member, error)
	// IsMember reports whether a membership exists.
	IsMember(ctx context.Context, course, user uint64) (bool, error)
	// PutMember stores a membership, new or changed (its role may
	// change: StaffOf follows it).
	PutMember(ctx context.Context, m Member) error
	// UpdateMember replaces the record of an existing membership whose
	// role is unchanged (PutMember otherwise): what the activity flush
	// writes for every active learner, so it leaves the indexes alone.
	UpdateMember(ctx context.Context, m Member) error
	// DeleteMember removes a membership (none is no error).
	DeleteMember(ctx context.Context, course, user uint64) error
	// EachMember calls fn with every member of a course in user order.
	EachMember(ctx context.Context, course uint64, fn func(Member) error) error
	// SweepMembers is every member of a course in user order, in the lean
	// form a sweep over every enrolment judges (out is reused).
	SweepMembers(ctx context.Context, course uint64, out []Swept) ([]Swept, error)
	// CoursesOf lists the ids of the courses a user is a member of, in id
	// order.
	CoursesOf(ctx context.Context, user uint64) ([]uint64, error)
	// StaffOf lists the users who are instructors or TAs of a course, in
	// user order.
	StaffOf(ctx context.Context, course uint64) ([]uint64, error)
	// BuildStaffIndex makes StaffOf answer for members stored before it
	// existed; a store that needs no index does nothing.
	BuildStaffIndex(ctx context.Context) error
}

// InvitationStore keeps pending invitations.
type InvitationStore interface {
	// AddInvitation stores inv under a new id and returns it with that id.
	AddInvitation(ctx context.Context, inv Invitation) (Invitation, error)
	// UpdateInvitation replaces the stored invitation of inv.ID (its role
	// may change; its course and address do not).
	UpdateInvitation(ctx context.Context, inv Invitation) error
	// Invitation reads one invitation, or ErrNoRecord.
	Invitation(ctx context.Context, id uint64) (Invitation, error)
	// InvitationsTo lists the pending invitations of a normalised e-mail
	// address, in id order.
	InvitationsTo(ctx context.Context, email string) ([]Invitation, error)
	// CourseInvitations lists a course's pending invitations in id order.
	CourseInvitations(ctx context.Context, course uint64) ([]Invitation, error)
	// DeleteInvitation removes an invitation (none is no error).
	DeleteInvitation(ctx context.Context, id uint64) error
	// DeleteCourseInvitations removes every invitation of a course.
	DeleteCourseInvitations(ctx context.Context, course uint64) error
}
