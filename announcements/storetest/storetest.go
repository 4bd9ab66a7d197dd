// Package storetest is the contract of announcements.Store: what every
// engine's implementation must do, checked the same way for each (the
// bbolt engine runs it in storage/bolt; the next engine runs it too).
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"pacer/announcements"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (announcements.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("Add gives growing ids and keeps every field", func(t *testing.T) { addKeepsFields(t, open) })
	t.Run("Newest pages a course newest first", func(t *testing.T) { newestPages(t, open) })
	t.Run("DeleteCourse removes only that course", func(t *testing.T) { deleteCourse(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
}

var at = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

func record(course uint64, n int) announcements.Record {
	return announcements.Record{CourseID: course, Title: "News " + string(rune('A'+n)), Body: "**b**",
		BodyHTML: "<p><strong>b</strong></p>", AuthorID: 7, CreatedAt: at.Add(time.Duration(n) * time.Minute)}
}

func add(t *testing.T, s announcements.Store, r announcements.Record) announcements.Record {
	t.Helper()
	got, err := s.Add(context.Background(), r)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return got
}

func newest(t *testing.T, s announcements.Store, course, before uint64, limit int) ([]announcements.Record, bool) {
	t.Helper()
	got, more, err := s.Newest(context.Background(), course, before, limit)
	if err != nil {
		t.Fatalf("Newest(%d, %d, %d): %v", course, before, limit, err)
	}
	return got, more
}

func ids(rs []announcements.Record) []uint64 {
	out := []uint64{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func addKeepsFields(t *testing.T, open Open) {
	s, _ := open(t)
	var last uint64
	for i, course := range []uint64{1, 2, 1} {
		in := record(course, i)
		got := add(t, s, in)
		if got.ID <= last {
			t.Fatalf("id %d after %d: ids must grow", got.ID, last)
		}
		last = got.ID
		in.ID = got.ID
		if got != in {
			t.Errorf("Add returned %+v, want %+v", got, in)
		}
		read, _ := newest(t, s, course, 0, 1)
		if len(read) != 1 || !read[0].CreatedAt.Equal(in.CreatedAt) {
			t.Fatalf("the newest of course %d = %+v, want %+v", course, read, in)
		}
		read[0].CreatedAt = in.CreatedAt // the instant, whatever its location
		if read[0] != in {
			t.Errorf("read back %+v, want %+v", read[0], in)
		}
	}
}

func newestPages(t *testing.T, open Open) {
	s, _ := open(t)
	var want []uint64
	for i := range 7 {
		want = append(want, add(t, s, record(1, i)).ID)
		add(t, s, record(2, i))
	}
	slices.Reverse(want)
	var got []uint64
	before := uint64(0)
	for pages := 0; ; pages++ {
		page, more := newest(t, s, 1, before, 3)
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		got = append(got, ids(page)...)
		if !more {
			break
		}
		if len(page) != 3 {
			t.Fatalf("a page with more after it holds %d, want the limit 3", len(page))
		}
		before = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages of course 1 = %v, want %v (newest first, no other course)", got, want)
	}
	if page, more := newest(t, s, 1, 0, 7); len(page) != 7 || more {
		t.Errorf("a limit of exactly all: %d items, more %v; want 7, false", len(page), more)
	}
	if page, more := newest(t, s, 3, 0, 10); len(page) != 0 || more {
		t.Errorf("a course without announcements: %v, more %v", ids(page), more)
	}
}

func deleteCourse(t *testing.T, open Open) {
	s, _ := open(t)
	for i := range 3 {
		add(t, s, record(1, i))
		add(t, s, record(2, i))
	}
	if err := s.DeleteCourse(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if page, _ := newest(t, s, 1, 0, 10); len(page) != 0 {
		t.Errorf("course 1 still has %v", ids(page))
	}
	if page, _ := newest(t, s, 2, 0, 10); len(page) != 3 {
		t.Errorf("course 2 has %d announcements after course 1 was deleted, want 3", len(page))
	}
	if err := s.DeleteCourse(context.Background(), 9); err != nil {
		t.Errorf("deleting a course without announcements: %v", err)
	}
}

var errAbort = errors.New("abort")

func joinsTransaction(t *testing.T, open Open) {
	s, run := open(t)
	err := run.Write(context.Background(), func(ctx context.Context) error {
		if _, err := s.Add(ctx, record(1, 0)); err != nil {
			return err
		}
		page, _, err := s.Newest(ctx, 1, 0, 10)
		if err != nil {
			return err
		}
		if len(page) != 1 {
			t.Errorf("inside the transaction the new announcement is not seen: %v", ids(page))
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	if page, _ := newest(t, s, 1, 0, 10); len(page) != 0 {
		t.Errorf("an aborted transaction left %v", ids(page))
	}
}

func rerun(t *testing.T, open Open) {
	s, run := open(t)
	attempts := 0
	work := func(ctx context.Context) error {
		attempts++
		if _, err := s.Add(ctx, record(1, 0)); err != nil {
			return err
		}
		if attempts == 1 {
			return errAbort // as a conflict would make an engine retry
		}
		return nil
	}
	if err := run.Write(context.Background(), work); !errors.Is(err, errAbort) {
		t.Fatalf("first attempt: %v", err)
	}
	if err := run.Write(context.Background(), work); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if page, _ := newest(t, s, 1, 0, 10); len(page) != 1 {
		t.Errorf("after a failed and a good attempt there are %d announcements, want 1", len(page))
	}
}
