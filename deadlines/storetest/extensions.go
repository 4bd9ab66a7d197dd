package storetest

import (
	"errors"
	"testing"
	"time"

	"pacer/deadlines"
)

func extension(course, user, module uint64, due time.Time) deadlines.Extension {
	return deadlines.Extension{CourseID: course, UserID: user, ModuleID: module, DueAt: due, CreatedBy: 9, CreatedAt: at}
}

// same reports whether two extensions are equal, their instants whatever
// their location.
func same(a, b deadlines.Extension) bool {
	ok := a.DueAt.Equal(b.DueAt) && a.CreatedAt.Equal(b.CreatedAt)
	a.DueAt, a.CreatedAt, b.DueAt, b.CreatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return ok && a == b
}

func putExtension(t *testing.T, open Open) {
	s, _ := open(t)
	put := value[deadlines.Extension](t)
	a := put(s.PutExtension(bg, extension(1, 10, 100, day(7))))
	b := put(s.PutExtension(bg, extension(1, 10, 101, day(8))))
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Fatalf("ids %d and %d: want two distinct, non-zero", a.ID, b.ID)
	}
	got := value[deadlines.Extension](t)(s.Extension(bg, a.ID))
	want := extension(1, 10, 100, day(7))
	want.ID = a.ID
	if !same(got, want) {
		t.Errorf("Extension(%d) = %+v, want %+v", a.ID, got, want)
	}
	again := put(s.PutExtension(bg, extension(1, 10, 100, day(9))))
	if again.ID != a.ID {
		t.Errorf("a second extension of the same module got id %d, want the first's %d", again.ID, a.ID)
	}
	if got := value[deadlines.Extension](t)(s.Extension(bg, a.ID)); !got.DueAt.Equal(day(9)) {
		t.Errorf("after replacing, due %v, want %v", got.DueAt, day(9))
	}
	if all := value[[]deadlines.Extension](t)(s.Extensions(bg, 1, 10)); len(all) != 2 {
		t.Errorf("the learner has %d extensions after a replacement, want 2", len(all))
	}
	if _, err := s.Extension(bg, 999); !errors.Is(err, deadlines.ErrNotFound) {
		t.Errorf("Extension(999): %v, want ErrNotFound", err)
	}
}

func listExtensions(t *testing.T, open Open) {
	s, _ := open(t)
	put := value[deadlines.Extension](t)
	// Given out of order, across two courses.
	put(s.PutExtension(bg, extension(1, 20, 101, day(1))))
	put(s.PutExtension(bg, extension(1, 10, 102, day(2))))
	put(s.PutExtension(bg, extension(2, 10, 100, day(3))))
	put(s.PutExtension(bg, extension(1, 10, 100, day(4))))
	type lm struct{ user, module uint64 }
	list := func(course, user uint64) []lm {
		var out []lm
		for _, e := range value[[]deadlines.Extension](t)(s.Extensions(bg, course, user)) {
			if e.CourseID != course {
				t.Errorf("Extensions(%d) holds one of course %d", course, e.CourseID)
			}
			out = append(out, lm{e.UserID, e.ModuleID})
		}
		return out
	}
	if got, want := list(1, 0), []lm{{10, 100}, {10, 102}, {20, 101}}; !equal(got, want) {
		t.Errorf("course 1's extensions = %v, want %v", got, want)
	}
	if got, want := list(1, 10), []lm{{10, 100}, {10, 102}}; !equal(got, want) {
		t.Errorf("learner 10's = %v, want %v", got, want)
	}
	if got := list(3, 0); len(got) != 0 {
		t.Errorf("a course without extensions: %v", got)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func overrides(t *testing.T, open Open) {
	s, _ := open(t)
	put := value[deadlines.Extension](t)
	put(s.PutExtension(bg, extension(1, 10, 100, day(1))))
	put(s.PutExtension(bg, extension(1, 10, 101, day(2))))
	put(s.PutExtension(bg, extension(1, 20, 100, day(3))))
	put(s.PutExtension(bg, extension(2, 10, 100, day(4))))
	got := value[map[uint64]time.Time](t)(s.Overrides(bg, 1, 10))
	if len(got) != 2 || !got[100].Equal(day(1)) || !got[101].Equal(day(2)) {
		t.Errorf("Overrides(1, 10) = %v", got)
	}
	if got := value[map[uint64]time.Time](t)(s.Overrides(bg, 1, 30)); len(got) != 0 {
		t.Errorf("a learner without extensions: %v", got)
	}
	mod := value[map[uint64]time.Time](t)(s.ModuleOverrides(bg, 1, 100))
	if len(mod) != 2 || !mod[10].Equal(day(1)) || !mod[20].Equal(day(3)) {
		t.Errorf("ModuleOverrides(1, 100) = %v", mod)
	}
	if got := value[map[uint64]time.Time](t)(s.ModuleOverrides(bg, 1, 102)); len(got) != 0 {
		t.Errorf("a module without extensions: %v", got)
	}
}

func deleteExtension(t *testing.T, open Open) {
	s, _ := open(t)
	put := value[deadlines.Extension](t)
	a := put(s.PutExtension(bg, extension(1, 10, 100, day(1))))
	put(s.PutExtension(bg, extension(1, 10, 101, day(2))))
	must(t, s.DeleteExtension(bg, a.ID))
	if _, err := s.Extension(bg, a.ID); !errors.Is(err, deadlines.ErrNotFound) {
		t.Errorf("a deleted extension reads %v, want ErrNotFound", err)
	}
	if got := value[map[uint64]time.Time](t)(s.Overrides(bg, 1, 10)); len(got) != 1 || got[101].IsZero() {
		t.Errorf("overrides after the delete = %v, want only module 101", got)
	}
	if got := value[[]deadlines.Extension](t)(s.Extensions(bg, 1, 0)); len(got) != 1 {
		t.Errorf("%d extensions listed after the delete, want 1", len(got))
	}
	must(t, s.DeleteExtension(bg, 999))
	// A new extension of the module gets a new id.
	if b := put(s.PutExtension(bg, extension(1, 10, 100, day(3)))); b.ID == a.ID {
		t.Errorf("an extension granted again reuses the deleted id %d", a.ID)
	}
}
