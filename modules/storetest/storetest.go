// Package storetest is the contract of modules.Store: what every engine's
// implementation must do, checked the same way for each (the bbolt engine
// runs it in storage/bolt).
package storetest

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"pacer/modules"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (modules.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("invitations are added, read and listed by address and course", func(t *testing.T) { invitations(t, open) })
	t.Run("an invitation is updated and deleted with its indexes", func(t *testing.T) { updateDelete(t, open) })
	t.Run("DeleteCourseInvitations removes only that course's", func(t *testing.T) { deleteCourse(t, open) })
	t.Run("members are put, read, listed and swept in user order", func(t *testing.T) { members(t, open) })
	t.Run("the staff index and the courses of a user follow roles and deletions", func(t *testing.T) { staffAndCourses(t, open) })
	t.Run("MarkActive moves existing members' last activity forward only", func(t *testing.T) { markActive(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
	t.Run("courses are added, read, replaced, listed and deleted", func(t *testing.T) { courses(t, open) })
	t.Run("modules and items keep the order they are set in", func(t *testing.T) { content(t, open) })
	t.Run("an outline is the course, its modules and item heads", func(t *testing.T) { outline(t, open) })
	t.Run("items and modules are deleted with their order", func(t *testing.T) { deleteContent(t, open) })
	t.Run("progress is read by learner and by course", func(t *testing.T) { progress(t, open) })
	t.Run("content and progress writes join the caller's transaction", func(t *testing.T) { contentJoins(t, open) })
	t.Run("a course made by work that failed can be made again", func(t *testing.T) { contentRerun(t, open) })
}

var (
	bg       = context.Background()
	errAbort = errors.New("abort")
	at       = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
)

func invite(t *testing.T, s modules.Store, course uint64, email, role string) modules.Invitation {
	t.Helper()
	inv, err := s.AddInvitation(bg, modules.Invitation{CourseID: course, Email: email, Role: role, InvitedBy: 3, CreatedAt: at})
	if err != nil {
		t.Fatalf("AddInvitation: %v", err)
	}
	return inv
}

func ids(invs []modules.Invitation) []uint64 {
	out := []uint64{}
	for _, inv := range invs {
		out = append(out, inv.ID)
	}
	return out
}

func to(t *testing.T, s modules.Store, email string) []uint64 {
	t.Helper()
	invs, err := s.InvitationsTo(bg, email)
	if err != nil {
		t.Fatalf("InvitationsTo: %v", err)
	}
	return ids(invs)
}

func ofCourse(t *testing.T, s modules.Store, course uint64) []uint64 {
	t.Helper()
	invs, err := s.CourseInvitations(bg, course)
	if err != nil {
		t.Fatalf("CourseInvitations: %v", err)
	}
	return ids(invs)
}

func invitations(t *testing.T, open Open) {
	s, _ := open(t)
	a := invite(t, s, 1, "ann@example.org", modules.RoleStudent)
	b := invite(t, s, 2, "ann@example.org", modules.RoleTA)
	c := invite(t, s, 1, "bo@example.org", modules.RoleInstructor)
	// An address that is a prefix of another must not see its invitations.
	invite(t, s, 1, "ann@example.org.uk", modules.RoleStudent)
	if a.ID == 0 || b.ID <= a.ID || c.ID <= b.ID {
		t.Fatalf("ids %d, %d, %d: want growing, non-zero", a.ID, b.ID, c.ID)
	}
	got, err := s.Invitation(bg, b.ID)
	if err != nil || got != b {
		t.Errorf("Invitation = %+v, %v; want %+v", got, err, b)
	}
	if _, err := s.Invitation(bg, 999); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a missing invitation: %v, want ErrNoRecord", err)
	}
	if got := to(t, s, "ann@example.org"); !slices.Equal(got, []uint64{a.ID, b.ID}) {
		t.Errorf("InvitationsTo = %v, want %v", got, []uint64{a.ID, b.ID})
	}
	if got := to(t, s, "nobody@example.org"); len(got) != 0 {
		t.Errorf("InvitationsTo of nobody = %v", got)
	}
	if got := ofCourse(t, s, 1); len(got) != 3 || got[0] != a.ID || got[1] != c.ID {
		t.Errorf("CourseInvitations(1) = %v, want %d, %d and the .uk one", got, a.ID, c.ID)
	}
}

func updateDelete(t *testing.T, open Open) {
	s, _ := open(t)
	a := invite(t, s, 1, "ann@example.org", modules.RoleStudent)
	a.Role = modules.RoleTA
	if err := s.UpdateInvitation(bg, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Invitation(bg, a.ID); got.Role != modules.RoleTA {
		t.Errorf("after UpdateInvitation the role is %q", got.Role)
	}
	if err := s.UpdateInvitation(bg, modules.Invitation{ID: 999, CourseID: 1, Email: "x@example.org"}); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("updating a missing invitation: %v, want ErrNoRecord", err)
	}
	if err := s.DeleteInvitation(bg, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteInvitation(bg, a.ID); err != nil {
		t.Errorf("deleting it again: %v, want nil", err)
	}
	if len(to(t, s, "ann@example.org")) != 0 || len(ofCourse(t, s, 1)) != 0 {
		t.Error("a deleted invitation is still listed")
	}
}

func deleteCourse(t *testing.T, open Open) {
	s, _ := open(t)
	invite(t, s, 1, "ann@example.org", modules.RoleStudent)
	invite(t, s, 1, "bo@example.org", modules.RoleStudent)
	keep := invite(t, s, 2, "ann@example.org", modules.RoleStudent)
	if err := s.DeleteCourseInvitations(bg, 1); err != nil {
		t.Fatal(err)
	}
	if got := ofCourse(t, s, 1); len(got) != 0 {
		t.Errorf("course 1 still has %v", got)
	}
	if got := to(t, s, "ann@example.org"); !slices.Equal(got, []uint64{keep.ID}) {
		t.Errorf("ann's invitations = %v, want only %d", got, keep.ID)
	}
	if got := to(t, s, "bo@example.org"); len(got) != 0 {
		t.Errorf("bo's invitations = %v, want none", got)
	}
}

func joinsTransaction(t *testing.T, open Open) {
	s, run := open(t)
	err := run.Write(bg, func(ctx context.Context) error {
		inv, err := s.AddInvitation(ctx, modules.Invitation{CourseID: 1, Email: "ann@example.org", Role: modules.RoleStudent})
		if err != nil {
			return err
		}
		if _, err := s.Invitation(ctx, inv.ID); err != nil {
			t.Errorf("inside the transaction the invitation is not seen: %v", err)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	if got := to(t, s, "ann@example.org"); len(got) != 0 {
		t.Errorf("an aborted transaction left %v", got)
	}
}

func rerun(t *testing.T, open Open) {
	s, run := open(t)
	attempts := 0
	work := func(ctx context.Context) error {
		attempts++
		if _, err := s.AddInvitation(ctx, modules.Invitation{CourseID: 1, Email: "ann@example.org", Role: modules.RoleStudent}); err != nil {
			return err
		}
		if attempts == 1 {
			return errAbort // as a conflict would make an engine retry
		}
		return nil
	}
	if err := run.Write(bg, work); !errors.Is(err, errAbort) {
		t.Fatalf("first attempt: %v", err)
	}
	if err := run.Write(bg, work); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if got := ofCourse(t, s, 1); len(got) != 1 {
		t.Errorf("after a failed and a good attempt there are %d invitations, want 1", len(got))
	}
}

func put(t *testing.T, s modules.Store, course, user uint64, role string) modules.Member {
	t.Helper()
	m := modules.Member{CourseID: course, UserID: user, Role: role, EnrolledAt: at.Add(time.Duration(user) * time.Hour),
		Joined: modules.JoinedEnrolled}
	if err := s.PutMember(bg, m); err != nil {
		t.Fatalf("PutMember: %v", err)
	}
	return m
}

func members(t *testing.T, open Open) {
	s, _ := open(t)
	last := at.Add(48 * time.Hour)
	for _, u := range []uint64{9, 2, 5} {
		put(t, s, 1, u, modules.RoleStudent)
	}
	put(t, s, 2, 7, modules.RoleInstructor)
	m := put(t, s, 1, 5, modules.RoleTA) // replaces
	if _, err := s.MarkActive(bg, []modules.Seen{{Course: 1, User: 5, At: last}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Member(bg, 1, 5)
	if err != nil || got.Role != modules.RoleTA || got.LastActiveAt == nil || !got.LastActiveAt.Equal(last) {
		t.Errorf("Member(1, 5) = %+v, %v", got, err)
	}
	if _, err := s.Member(bg, 1, 7); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a missing member: %v, want ErrNoRecord", err)
	}
	if ok, err := s.IsMember(bg, 2, 7); err != nil || !ok {
		t.Errorf("IsMember(2, 7) = %v, %v", ok, err)
	}
	if ok, _ := s.IsMember(bg, 2, 9); ok {
		t.Error("IsMember(2, 9) = true")
	}
	some, err := s.RolesBetween(bg, 1, 3, 9)
	if want := map[uint64]string{5: modules.RoleTA, 9: modules.RoleStudent}; err != nil || !maps.Equal(some, want) {
		t.Errorf("RolesBetween(1, 3, 9) = %v, %v; want %v (both ends included, other courses and users left out)", some, err, want)
	}
	if all, err := s.RolesBetween(bg, 1, 0, math.MaxUint64); err != nil || len(all) != 3 {
		t.Errorf("RolesBetween(1, 0, max) = %v, %v; want 3 members", all, err)
	}
	if none, err := s.RolesBetween(bg, 1, 10, math.MaxUint64); err != nil || len(none) != 0 {
		t.Errorf("RolesBetween(1, 10, max) = %v, %v; want none", none, err)
	}
	var users []uint64
	if err := s.EachMember(bg, 1, func(m modules.Member) error { users = append(users, m.UserID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(users, []uint64{2, 5, 9}) {
		t.Errorf("EachMember = %v, want [2 5 9]", users)
	}
	swept, err := s.SweepMembers(bg, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(swept) != 3 || swept[1].UserID != 5 || swept[1].Role != modules.RoleTA || !swept[1].EnrolledAt.Equal(m.EnrolledAt) ||
		swept[1].LastActiveAt == nil || !swept[1].LastActiveAt.Equal(last) || swept[0].LastActiveAt != nil {
		t.Errorf("SweepMembers = %+v", swept)
	}
	// The buffer is reused.
	again, _ := s.SweepMembers(bg, 2, swept)
	if len(again) != 1 || again[0].UserID != 7 {
		t.Errorf("SweepMembers(2) = %+v", again)
	}
	if err := s.DeleteMember(bg, 1, 5); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMember(bg, 1, 5); err != nil {
		t.Errorf("deleting again: %v", err)
	}
	if ok, _ := s.IsMember(bg, 1, 5); ok {
		t.Error("a deleted member remains")
	}
}

func staffAndCourses(t *testing.T, open Open) {
	s, _ := open(t)
	put(t, s, 1, 3, modules.RoleInstructor)
	put(t, s, 1, 4, modules.RoleStudent)
	put(t, s, 1, 5, modules.RoleTA)
	put(t, s, 2, 4, modules.RoleTA)
	staff := func(course uint64) []uint64 {
		ids, err := s.StaffOf(bg, course)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := staff(1); !slices.Equal(got, []uint64{3, 5}) {
		t.Errorf("StaffOf(1) = %v, want [3 5]", got)
	}
	put(t, s, 1, 5, modules.RoleStudent) // demoted
	put(t, s, 1, 4, modules.RoleTA)      // promoted
	if got := staff(1); !slices.Equal(got, []uint64{3, 4}) {
		t.Errorf("after role changes StaffOf(1) = %v, want [3 4]", got)
	}
	if got, _ := s.CoursesOf(bg, 4); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("CoursesOf(4) = %v, want [1 2]", got)
	}
	if err := s.DeleteMember(bg, 1, 4); err != nil {
		t.Fatal(err)
	}
	if got := staff(1); !slices.Equal(got, []uint64{3}) {
		t.Errorf("after a deletion StaffOf(1) = %v, want [3]", got)
	}
	if got, _ := s.CoursesOf(bg, 4); !slices.Equal(got, []uint64{2}) {
		t.Errorf("after a deletion CoursesOf(4) = %v, want [2]", got)
	}
	for range 2 {
		if err := s.BuildStaffIndex(bg); err != nil {
			t.Fatalf("BuildStaffIndex: %v", err)
		}
	}
	if got := staff(2); !slices.Equal(got, []uint64{4}) {
		t.Errorf("after BuildStaffIndex StaffOf(2) = %v, want [4]", got)
	}
}

func markActive(t *testing.T, open Open) {
	s, _ := open(t)
	put(t, s, 1, 2, modules.RoleStudent)
	put(t, s, 1, 3, modules.RoleStudent)
	put(t, s, 2, 2, modules.RoleTA)
	early, late := at.Add(time.Hour), at.Add(2*time.Hour)
	lastOf := func(course, user uint64) *time.Time {
		t.Helper()
		m, err := s.Member(bg, course, user)
		if err != nil {
			t.Fatalf("Member(%d, %d): %v", course, user, err)
		}
		return m.LastActiveAt
	}
	got, err := s.MarkActive(bg, []modules.Seen{{Course: 1, User: 2, At: late}, {Course: 1, User: 9, At: late}, {Course: 2, User: 2, At: early}})
	if err != nil || !slices.Equal(got, []bool{true, false, true}) {
		t.Fatalf("MarkActive = %v, %v; want [true false true]", got, err)
	}
	if l := lastOf(1, 2); l == nil || !l.Equal(late) {
		t.Errorf("last active of (1, 2) = %v, want %v", l, late)
	}
	if l := lastOf(1, 3); l != nil {
		t.Errorf("a member not seen became active at %v", l)
	}
	// Never back: an older time leaves it; a newer one moves it.
	if got, err := s.MarkActive(bg, []modules.Seen{{Course: 1, User: 2, At: early}, {Course: 2, User: 2, At: late}}); err != nil || !slices.Equal(got, []bool{true, true}) {
		t.Fatalf("MarkActive = %v, %v", got, err)
	}
	if l := lastOf(1, 2); l == nil || !l.Equal(late) {
		t.Errorf("an older time moved (1, 2) back to %v", l)
	}
	if l := lastOf(2, 2); l == nil || !l.Equal(late) || lastOf(2, 2) == nil {
		t.Errorf("last active of (2, 2) = %v, want %v", l, late)
	}
	if m, _ := s.Member(bg, 2, 2); m.Role != modules.RoleTA {
		t.Errorf("MarkActive changed the role: %q", m.Role)
	}
	if ok, _ := s.IsMember(bg, 1, 9); ok {
		t.Error("MarkActive created a membership")
	}
	if got, err := s.MarkActive(bg, nil); err != nil || len(got) != 0 {
		t.Errorf("MarkActive(nil) = %v, %v", got, err)
	}
}
