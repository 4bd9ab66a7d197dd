package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"pacer/modules"
)

func mark(t *testing.T, s modules.Store, course, user, item uint64, status string) modules.ItemProgress {
	t.Helper()
	p := modules.ItemProgress{Status: status, UpdatedAt: at}
	if status == modules.StatusCompleted {
		done := at.Add(time.Hour)
		p.CompletedAt = &done
	}
	if err := s.PutProgress(bg, course, user, item, p); err != nil {
		t.Fatalf("PutProgress: %v", err)
	}
	return p
}

func progress(t *testing.T, open Open) {
	s, _ := open(t)
	mark(t, s, 1, 5, 30, modules.StatusInProgress)
	done := mark(t, s, 1, 5, 10, modules.StatusCompleted)
	mark(t, s, 1, 2, 20, modules.StatusCompleted)
	mark(t, s, 1, 50, 10, modules.StatusCompleted)
	mark(t, s, 2, 5, 10, modules.StatusCompleted)

	got, err := s.Progress(bg, 1, 5)
	if err != nil || len(got) != 2 || got[30].Status != modules.StatusInProgress || got[10].CompletedAt == nil ||
		!got[10].CompletedAt.Equal(*done.CompletedAt) {
		t.Errorf("Progress(1, 5) = %+v, %v", got, err)
	}
	if got, err := s.Progress(bg, 1, 9); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Progress of nobody = %v, %v; want an empty map", got, err)
	}
	p, err := s.ItemProgress(bg, 1, 5, 30)
	if err != nil || p.Status != modules.StatusInProgress || !p.UpdatedAt.Equal(at) {
		t.Errorf("ItemProgress = %+v, %v", p, err)
	}
	if _, err := s.ItemProgress(bg, 1, 5, 99); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("missing progress: %v, want ErrNoRecord", err)
	}
	for _, c := range []struct {
		item uint64
		want bool
	}{{10, true}, {30, false}, {99, false}} {
		if got, err := s.Completed(bg, 1, 5, c.item); err != nil || got != c.want {
			t.Errorf("Completed(1, 5, %d) = %v, %v; want %v", c.item, got, err, c.want)
		}
	}

	type rec struct {
		user, item uint64
		done       bool
	}
	var mine []rec
	if err := s.EachProgress(bg, 1, 5, func(item uint64, done bool) { mine = append(mine, rec{5, item, done}) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mine, []rec{{5, 10, true}, {5, 30, false}}) {
		t.Errorf("EachProgress = %v, want item order", mine)
	}
	var all []rec
	if err := s.EachCourseProgress(bg, 1, func(user, item uint64, done bool) { all = append(all, rec{user, item, done}) }); err != nil {
		t.Fatal(err)
	}
	want := []rec{{2, 20, true}, {5, 10, true}, {5, 30, false}, {50, 10, true}}
	if !slices.Equal(all, want) {
		t.Errorf("EachCourseProgress = %v, want %v (user order, then item order)", all, want)
	}

	if err := s.DeleteCourseProgress(bg, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Progress(bg, 1, 5); len(got) != 0 {
		t.Errorf("after DeleteCourseProgress: %v", got)
	}
	if done, _ := s.Completed(bg, 2, 5, 10); !done {
		t.Error("DeleteCourseProgress removed another course's progress")
	}
}
