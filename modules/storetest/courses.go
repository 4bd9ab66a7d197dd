package storetest

import (
	"errors"
	"slices"
	"testing"

	"pacer/modules"
)

func addCourse(t *testing.T, s modules.Store, title string) modules.Course {
	t.Helper()
	c, err := s.AddCourse(bg, modules.Course{Title: title, Pacing: "scheduled", Timezone: "UTC", Enrollment: "open",
		Policy: modules.DefaultPolicy(), CreatedBy: 3, CreatedAt: at, UpdatedAt: at})
	if err != nil {
		t.Fatalf("AddCourse: %v", err)
	}
	return c
}

func courseIDs(t *testing.T, s modules.Store) []uint64 {
	t.Helper()
	var out []uint64
	if err := s.EachCourse(bg, func(c modules.Course) error { out = append(out, c.ID); return nil }); err != nil {
		t.Fatalf("EachCourse: %v", err)
	}
	return out
}

func courses(t *testing.T, open Open) {
	s, _ := open(t)
	a := addCourse(t, s, "Algebra")
	b := addCourse(t, s, "Biology")
	if a.ID == 0 || b.ID <= a.ID {
		t.Fatalf("ids %d, %d: want growing, non-zero", a.ID, b.ID)
	}
	got, err := s.Course(bg, a.ID)
	if err != nil || got.Title != "Algebra" || !got.CreatedAt.Equal(at) || got.Policy != modules.DefaultPolicy() {
		t.Errorf("Course = %+v, %v", got, err)
	}
	if _, err := s.Course(bg, 999); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("a missing course: %v, want ErrNoRecord", err)
	}
	a.Title, a.Published = "Algebra II", true
	if err := s.PutCourse(bg, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Course(bg, a.ID); got.Title != "Algebra II" || !got.Published {
		t.Errorf("after PutCourse: %+v", got)
	}
	if got := courseIDs(t, s); !slices.Equal(got, []uint64{a.ID, b.ID}) {
		t.Errorf("EachCourse = %v, want [%d %d]", got, a.ID, b.ID)
	}
	if err := s.DeleteCourse(bg, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCourse(bg, a.ID); err != nil {
		t.Errorf("deleting again: %v", err)
	}
	if got := courseIDs(t, s); !slices.Equal(got, []uint64{b.ID}) {
		t.Errorf("after a deletion EachCourse = %v, want [%d]", got, b.ID)
	}
	stop := errors.New("stop")
	if err := s.EachCourse(bg, func(modules.Course) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("EachCourse returned %v, want fn's error", err)
	}
}
