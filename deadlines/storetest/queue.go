package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pacer/deadlines"
)

// queued is an entry as a test gives it: course, item, learner and the
// minute of `at` it arrived (instants in whole microseconds, which every
// engine keeps).
func queued(course, item, learner uint64, minute int) deadlines.QueuedSubmission {
	return deadlines.QueuedSubmission{Course: course, Item: item, Learner: learner, SubmittedAt: at.Add(time.Duration(minute) * time.Minute)}
}

// shape is an entry without its id, for comparing with what was queued.
func shape(qs []deadlines.QueuedSubmission) string {
	var out []string
	for _, q := range qs {
		out = append(out, fmt.Sprintf("%d/%d/%d@%s", q.Course, q.Item, q.Learner, q.SubmittedAt.UTC().Format(time.RFC3339Nano)))
	}
	return fmt.Sprint(out)
}

func submittedQueue(t *testing.T, open Open) {
	s, _ := open(t)
	count := func(want int) {
		t.Helper()
		if n := value[int](t)(s.CountQueuedSubmitted(bg)); n != want {
			t.Errorf("CountQueuedSubmitted = %d, want %d", n, want)
		}
	}
	count(0)
	if got, more, err := s.QueuedSubmitted(bg, 10); err != nil || len(got) != 0 || more {
		t.Fatalf("QueuedSubmitted of an empty queue = %v (more %v), %v", got, more, err)
	}
	// Arrival order: learner 12 at (2, 60), then 10 at (1, 50), ...
	in := []deadlines.QueuedSubmission{
		queued(2, 60, 12, 0), queued(1, 50, 10, 1), queued(1, 51, 11, 2), queued(1, 50, 12, 3),
		queued(2, 60, 10, 4), queued(1, 50, 11, 5),
	}
	for _, q := range in {
		q.ID = 999 // the store gives the id
		must(t, s.QueueSubmitted(bg, q))
	}
	count(6)
	// By course, then item, then arrival.
	want := []deadlines.QueuedSubmission{in[1], in[3], in[5], in[2], in[0], in[4]}
	got, more, err := s.QueuedSubmitted(bg, 10)
	must(t, err)
	if shape(got) != shape(want) || more {
		t.Fatalf("QueuedSubmitted = %s (more %v), want %s by course, item, then arrival", shape(got), more, shape(want))
	}
	seen := map[uint64]bool{}
	for i, q := range got {
		if q.ID == 0 || q.ID == 999 || seen[q.ID] {
			t.Errorf("entry %d has id %d: want a new id of the store's, unique", i, q.ID)
		}
		seen[q.ID] = true
		if i > 0 && q.Course == got[i-1].Course && q.Item == got[i-1].Item && q.ID <= got[i-1].ID {
			t.Errorf("an item's later entry has id %d, not past %d", q.ID, got[i-1].ID)
		}
	}
	first, more, err := s.QueuedSubmitted(bg, 4)
	must(t, err)
	if shape(first) != shape(want[:4]) || !more {
		t.Fatalf("QueuedSubmitted(4) = %s (more %v), want %s and more", shape(first), more, shape(want[:4]))
	}
	must(t, s.DropQueuedSubmitted(bg, first))
	// Dropping what is gone already is no error.
	must(t, s.DropQueuedSubmitted(bg, first[:1]))
	must(t, s.DropQueuedSubmitted(bg, nil))
	count(2)
	rest, more, err := s.QueuedSubmitted(bg, 2)
	must(t, err)
	if shape(rest) != shape(want[4:]) || more {
		t.Errorf("after DropQueuedSubmitted: %s (more %v), want %s", shape(rest), more, shape(want[4:]))
	}
	if rest[0].ID != got[4].ID {
		t.Errorf("an entry's id changed from %d to %d", got[4].ID, rest[0].ID)
	}
}

func submittedQueueTransactions(t *testing.T, open Open) {
	s, run := open(t)
	// Queued in a transaction that fails: not queued.
	err := run.Write(bg, func(ctx context.Context) error {
		sub := attempt(1, 50, 10, "a")
		if err := s.AddAttempt(ctx, &sub); err != nil {
			return err
		}
		if err := s.QueueSubmitted(ctx, queued(1, 50, 10, 0)); err != nil {
			return err
		}
		if n, err := s.CountQueuedSubmitted(ctx); err != nil || n != 1 {
			t.Errorf("inside the transaction %d entries are counted (%v), want 1", n, err)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	if n := value[int](t)(s.CountQueuedSubmitted(bg)); n != 0 {
		t.Errorf("a rolled-back submission is queued (%d)", n)
	}

	// A delivery takes, and drops, in one transaction; one that fails
	// leaves the queue as it was.
	must(t, s.QueueSubmitted(bg, queued(1, 50, 10, 1)))
	must(t, s.QueueSubmitted(bg, queued(1, 50, 11, 2)))
	deliver := func(fail bool) error {
		return run.Write(bg, func(ctx context.Context) error {
			qs, _, err := s.QueuedSubmitted(ctx, 10)
			if err != nil {
				return err
			}
			if len(qs) != 2 {
				t.Errorf("a delivery took %d entries, want 2", len(qs))
			}
			if err := s.DropQueuedSubmitted(ctx, qs); err != nil {
				return err
			}
			if fail {
				return errAbort
			}
			return nil
		})
	}
	if err := deliver(true); !errors.Is(err, errAbort) {
		t.Fatalf("the failed delivery returned %v", err)
	}
	if n := value[int](t)(s.CountQueuedSubmitted(bg)); n != 2 {
		t.Errorf("after a failed delivery %d entries are queued, want 2", n)
	}
	must(t, deliver(false))
	if n := value[int](t)(s.CountQueuedSubmitted(bg)); n != 0 {
		t.Errorf("after the delivery %d entries are queued, want none", n)
	}
}

func submittedQueueDeleteCourse(t *testing.T, open Open) {
	s, _ := open(t)
	for _, q := range []deadlines.QueuedSubmission{queued(1, 50, 10, 0), queued(2, 60, 10, 1), queued(1, 51, 11, 2), queued(3, 50, 10, 3)} {
		must(t, s.QueueSubmitted(bg, q))
	}
	must(t, s.DeleteCourse(bg, 1))
	got, _, err := s.QueuedSubmitted(bg, 10)
	must(t, err)
	if want := []deadlines.QueuedSubmission{queued(2, 60, 10, 1), queued(3, 50, 10, 3)}; shape(got) != shape(want) {
		t.Errorf("after deleting course 1 the queue holds %s, want %s", shape(got), shape(want))
	}
}
