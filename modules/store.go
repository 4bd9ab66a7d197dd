package modules

import (
	"context"
	"errors"
	"pacer/auth"
)

// ErrNoRecord is what a store answers when the record asked for does not
// exist; the service turns it into the 404 of what was asked.
var ErrNoRecord = errors.New("modules: no such record")

// Store keeps what this package owns. An engine implements it
// (storage/bolt.Modules); storetest.Run is the contract every
// implementation passes. Each method joins the transaction ctx carries
// (txn.Runner), or runs in its own.
type Store interface {
	InvitationStore
	MemberStore
	CourseStore
	ContentStore
	ProgressStore
}

// CourseStore keeps course records.
type CourseStore interface {
	// Course reads one course, or ErrNoRecord.
	Course(ctx context.Context, id uint64) (Course, error)
	// AddCourse stores c under a new id and returns it with that id.
	AddCourse(ctx context.Context, c Course) (Course, error)
	// PutCourse replaces the stored course of c.ID.
	PutCourse(ctx context.Context, c Course) error
	// DeleteCourse removes a course record (none is no error); its
	// content, progress and members are removed by their own calls.
	DeleteCourse(ctx context.Context, id uint64) error
	// EachCourse calls fn with every course, in id order.
	EachCourse(ctx context.Context, fn func(Course) error) error
}

// Outline is a course's content as lists need it: the course, its
// modules in order and each module's items in order, without bodies
// (Body and BodyHTML empty), by module id.
type Outline struct {
	Course  Course
	Modules []Module
	Items   map[uint64][]Item
}

// ContentStore keeps a course's modules and items and their order.
// Positions are the caller's: SetModules and SetItems store the records as
// given, in the order given.
type ContentStore interface {
	// Outline reads a course's structure in one call, or ErrNoRecord when
	// the course does not exist.
	Outline(ctx context.Context, course uint64) (Outline, error)
	// Modules lists a course's modules in order.
	Modules(ctx context.Context, course uint64) ([]Module, error)
	// Module reads one module, or ErrNoRecord.
	Module(ctx context.Context, id uint64) (Module, error)
	// NextModuleID reserves the id of a new module.
	NextModuleID(ctx context.Context) (uint64, error)
	// SetModules stores mods as the course's modules, in this order: the
	// records are written and the course's order replaced.
	SetModules(ctx context.Context, course uint64, mods []Module) error
	// DeleteModule removes a module record (none is no error); its place
	// in the order goes with the next SetModules.
	DeleteModule(ctx context.Context, id uint64) error
	// Items lists a module's items in order, with their bodies.
	Items(ctx context.Context, module uint64) ([]Item, error)
	// CourseItems lists every item of a course with its body, module by
	// module in order and in order within each.
	CourseItems(ctx context.Context, course uint64) ([]Item, error)
	// Item reads one item, or ErrNoRecord.
	Item(ctx context.Context, id uint64) (Item, error)
	// NextItemID reserves the id of a new item.
	NextItemID(ctx context.Context) (uint64, error)
	// SetItems stores items as the module's items, in this order: the
	// records are written and the module's order replaced.
	SetItems(ctx context.Context, module uint64, items []Item) error
	// DeleteItem removes an item and its place in its module's order
	// (it.ModuleID, it.Position).
	DeleteItem(ctx context.Context, it Item) error
	// DeleteCourseContent removes every module and item of a course and
	// their order.
	DeleteCourseContent(ctx context.Context, course uint64) error
}

// ProgressStore keeps each learner's progress on each item.
type ProgressStore interface {
	// Progress is a learner's progress in a course by item id (an empty
	// map when there is none).
	Progress(ctx context.Context, course, user uint64) (map[uint64]ItemProgress, error)
	// ItemProgress reads one record, or ErrNoRecord.
	ItemProgress(ctx context.Context, course, user, item uint64) (ItemProgress, error)
	// PutProgress stores a learner's progress on an item.
	PutProgress(ctx context.Context, course, user, item uint64, p ItemProgress) error
	// Completed reports whether a learner has completed an item (false
	// when there is no record).
	Completed(ctx context.Context, course, user, item uint64) (bool, error)
	// EachProgress calls fn for every item a learner has progress on in a
	// course, in item order, with whether it is completed.
	EachProgress(ctx context.Context, course, user uint64, fn func(item uint64, completed bool)) error
	// EachCourseProgress calls fn for every progress record of a course,
	// in user order and, per user, in item order.
	EachCourseProgress(ctx context.Context, course uint64, fn func(user, item uint64, completed bool)) error
	// DeleteCourseProgress removes every progress record of a course.
	DeleteCourseProgress(ctx context.Context, course uint64) error
}

// MemberStore keeps memberships, with what finds them by user and a
// course's staff (instructors and TAs) without reading every member.
type MemberStore interface {
	// Member reads one membership, or ErrNoRecord.
	Member(ctx context.Context, course, user uint64) (Member, error)
	// RolesBetween returns the roles in course of its members whose user
	// ids are in [lo, hi], by user (a bucket of the roles cache in one
	// read).
	RolesBetween(ctx context.Context, course, lo, hi uint64) (map[uint64]string, error)
	// IsMember reports whether a membership exists.
	IsMember(ctx context.Context, course, user uint64) (bool, error)
	// PutMember stores a membership, new or changed (its role may
	// change: StaffOf follows it).
	PutMember(ctx context.Context, m Member) error
	// MarkActive moves the last_active_at of each membership seen names
	// forward to its At (never back), and reports which of them are
	// memberships (out[i] for seen[i]); the others change nothing. It is
	// the activity flush's one write for every active learner, so it
	// leaves the indexes alone.
	MarkActive(ctx context.Context, seen []Seen) (out []bool, err error)
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

// Users is what this package reads of accounts (auth.Service implements
// it), joining the transaction ctx carries.
type Users interface {
	User(ctx context.Context, id uint64) (auth.User, error)
	// UserIDByEmail is the account with an e-mail address, or 0.
	UserIDByEmail(ctx context.Context, email string) (uint64, error)
	// MayCreateCourses applies the site's course-creation setting.
	MayCreateCourses(ctx context.Context, userID uint64) (bool, error)
}
