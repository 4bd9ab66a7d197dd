// Package storetest is the contract of engagement.Store: what every
// engine's implementation must do, checked the same way for each (the
// bbolt engine runs it in storage/bolt).
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"pacer/engagement"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (engagement.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("AddActivity adds to each day's count", func(t *testing.T) { addActivity(t, open) })
	t.Run("Activity reads the window up to today", func(t *testing.T) { activityWindow(t, open) })
	t.Run("CourseActivity walks a course in user then day order", func(t *testing.T) { courseActivity(t, open) })
	t.Run("states are put, listed in user order and deleted", func(t *testing.T) { states(t, open) })
	t.Run("DeleteCourse removes the course's activity and states and no other's", func(t *testing.T) { deleteCourse(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
}

var (
	bg       = context.Background()
	errAbort = errors.New("abort")
)

const today = int64(20_000)

func add(t *testing.T, s engagement.Store, counts ...engagement.DayCount) {
	t.Helper()
	if err := s.AddActivity(bg, counts); err != nil {
		t.Fatalf("AddActivity: %v", err)
	}
}

func activity(t *testing.T, s engagement.Store, course, user uint64, n int) []uint32 {
	t.Helper()
	out := make([]uint32, n)
	for i := range out {
		out[i] = 99 // must be overwritten, not added to
	}
	if err := s.Activity(bg, course, user, today, out); err != nil {
		t.Fatalf("Activity: %v", err)
	}
	return out
}

func day(course, user uint64, ago int64, n uint32) engagement.DayCount {
	return engagement.DayCount{Course: course, User: user, Day: today - ago, Count: n}
}

func addActivity(t *testing.T, open Open) {
	s, _ := open(t)
	add(t, s, day(1, 5, 0, 2), day(1, 5, 1, 1))
	add(t, s, day(1, 5, 0, 3), day(2, 5, 0, 7)) // another course is another count
	if got, want := activity(t, s, 1, 5, 3), []uint32{5, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("course 1 = %v, want %v", got, want)
	}
	if got, want := activity(t, s, 2, 5, 2), []uint32{7, 0}; !slices.Equal(got, want) {
		t.Errorf("course 2 = %v, want %v", got, want)
	}
	if got := activity(t, s, 1, 6, 2); !slices.Equal(got, []uint32{0, 0}) {
		t.Errorf("a learner without activity = %v, want zeros", got)
	}
}

func activityWindow(t *testing.T, open Open) {
	s, _ := open(t)
	// One day before the window, the edges of a 4-day window, and a day
	// after today (a clock that moved back) that must not count.
	add(t, s, day(1, 5, 4, 9), day(1, 5, 3, 4), day(1, 5, 0, 1), day(1, 5, -1, 8))
	if got, want := activity(t, s, 1, 5, 4), []uint32{1, 0, 0, 4}; !slices.Equal(got, want) {
		t.Errorf("window = %v, want %v", got, want)
	}
}

type seen struct {
	user  uint64
	day   int64
	count uint32
}

func courseActivity(t *testing.T, open Open) {
	s, _ := open(t)
	// User 3 has a long history before the window (more days than an
	// engine may step over before it seeks), user 9 a day after today.
	var long []engagement.DayCount
	for ago := int64(100); ago < 200; ago++ {
		long = append(long, day(1, 3, ago, 1))
	}
	add(t, s, long...)
	add(t, s, day(1, 9, 0, 2), day(1, 3, 1, 5), day(1, 3, 0, 6), day(1, 7, 2, 1), day(1, 9, -1, 4), day(2, 1, 0, 3))
	var got []seen
	err := s.CourseActivity(bg, 1, today-13, today, func(user uint64, d int64, n uint32) {
		got = append(got, seen{user, d, n})
	})
	if err != nil {
		t.Fatalf("CourseActivity: %v", err)
	}
	want := []seen{{3, today - 1, 5}, {3, today, 6}, {7, today - 2, 1}, {9, today, 2}}
	if !slices.Equal(got, want) {
		t.Errorf("CourseActivity = %v, want %v", got, want)
	}
}

func states(t *testing.T, open Open) {
	s, _ := open(t)
	if _, ok, err := s.State(bg, 1, 5); err != nil || ok {
		t.Fatalf("State of nobody = ok %v, err %v; want none", ok, err)
	}
	for _, u := range []uint64{9, 5, 7} {
		if err := s.PutState(bg, 1, u, []byte(`{"flags":["inactive"]}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutState(bg, 2, 1, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutState(bg, 1, 5, []byte(`{"flags":["behind"]}`)); err != nil { // replaces
		t.Fatal(err)
	}
	raw, ok, err := s.State(bg, 1, 5)
	if err != nil || !ok || string(raw) != `{"flags":["behind"]}` {
		t.Errorf("State = %q, %v, %v; want the replaced state", raw, ok, err)
	}
	if err := s.DeleteState(bg, 1, 7); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteState(bg, 1, 8); err != nil {
		t.Errorf("deleting no state: %v, want nil", err)
	}
	var users []uint64
	err = s.States(bg, 1, func(u uint64, raw []byte) error {
		users = append(users, u)
		return nil
	})
	if err != nil || !slices.Equal(users, []uint64{5, 9}) {
		t.Errorf("States = %v, %v; want users [5 9] in order", users, err)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.States(bg, 1, func(uint64, []byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("an error from fn: got %v after %d calls, want it back after 1", err, n)
	}
}

// fillCourse stores activity of learners 5 and 6 on two days and their
// ladder states in a course.
func fillCourse(t *testing.T, s engagement.Store, course uint64) {
	t.Helper()
	add(t, s, day(course, 5, 0, 2), day(course, 5, 3, 1), day(course, 6, 1, 4))
	for _, u := range []uint64{5, 6} {
		if err := s.PutState(bg, course, u, []byte(`{"flags":["inactive"]}`)); err != nil {
			t.Fatal(err)
		}
	}
}

// checkCourse reads what fillCourse stored of a course through every read
// method and fails unless all of it is there (kept) or none is.
func checkCourse(t *testing.T, s engagement.Store, course uint64, kept bool) {
	t.Helper()
	want5, want6 := []uint32{2, 0, 0, 1}, []uint32{0, 4, 0, 0}
	wantDays, wantStates := 3, []uint64{5, 6}
	if !kept {
		want5, want6, wantDays, wantStates = []uint32{0, 0, 0, 0}, []uint32{0, 0, 0, 0}, 0, nil
	}
	if got := activity(t, s, course, 5, 4); !slices.Equal(got, want5) {
		t.Errorf("course %d: learner 5's activity = %v, want %v", course, got, want5)
	}
	if got := activity(t, s, course, 6, 4); !slices.Equal(got, want6) {
		t.Errorf("course %d: learner 6's activity = %v, want %v", course, got, want6)
	}
	days := 0
	if err := s.CourseActivity(bg, course, today-10, today, func(uint64, int64, uint32) { days++ }); err != nil {
		t.Fatal(err)
	}
	if days != wantDays {
		t.Errorf("course %d: CourseActivity gave %d days, want %d", course, days, wantDays)
	}
	for _, u := range []uint64{5, 6} {
		if _, ok, err := s.State(bg, course, u); err != nil || ok != kept {
			t.Errorf("course %d: learner %d's state: found %v (%v), want %v", course, u, ok, err, kept)
		}
	}
	var users []uint64
	if err := s.States(bg, course, func(u uint64, _ []byte) error { users = append(users, u); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(users, wantStates) {
		t.Errorf("course %d: States gave users %v, want %v", course, users, wantStates)
	}
}

func deleteCourse(t *testing.T, open Open) {
	s, run := open(t)
	fillCourse(t, s, 1)
	fillCourse(t, s, 2)
	// A deletion whose transaction fails removes nothing.
	err := run.Write(bg, func(ctx context.Context) error {
		if err := s.DeleteCourse(ctx, 1); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	checkCourse(t, s, 1, true)
	if err := s.DeleteCourse(bg, 1); err != nil {
		t.Fatal(err)
	}
	checkCourse(t, s, 1, false)
	checkCourse(t, s, 2, true)
	if err := s.DeleteCourse(bg, 3); err != nil {
		t.Errorf("deleting a course without records: %v", err)
	}
}

func joinsTransaction(t *testing.T, open Open) {
	s, run := open(t)
	err := run.Write(bg, func(ctx context.Context) error {
		if err := s.AddActivity(ctx, []engagement.DayCount{day(1, 5, 0, 2)}); err != nil {
			return err
		}
		if err := s.PutState(ctx, 1, 5, []byte(`{}`)); err != nil {
			return err
		}
		out := make([]uint32, 1)
		if err := s.Activity(ctx, 1, 5, today, out); err != nil || out[0] != 2 {
			t.Errorf("inside the transaction the count is %v (%v), want 2", out, err)
		}
		if _, ok, _ := s.State(ctx, 1, 5); !ok {
			t.Error("inside the transaction the state is not seen")
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	if got := activity(t, s, 1, 5, 1); got[0] != 0 {
		t.Errorf("an aborted transaction left a count of %d", got[0])
	}
	if _, ok, _ := s.State(bg, 1, 5); ok {
		t.Error("an aborted transaction left a state")
	}
}

func rerun(t *testing.T, open Open) {
	s, run := open(t)
	attempts := 0
	work := func(ctx context.Context) error {
		attempts++
		if err := s.AddActivity(ctx, []engagement.DayCount{day(1, 5, 0, 3)}); err != nil {
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
	if got := activity(t, s, 1, 5, 1); got[0] != 3 {
		t.Errorf("after a failed and a good attempt the count is %d, want 3", got[0])
	}
}
