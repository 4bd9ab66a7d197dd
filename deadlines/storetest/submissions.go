package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/deadlines"
)

func attempt(course, item, user uint64, body string) deadlines.Submission {
	return deadlines.Submission{CourseID: course, ItemID: item, ModuleID: 100, UserID: user, Body: body,
		BodyHTML: "<p>" + body + "</p>", Status: "on_time", SubmittedAt: at, DueAt: &at}
}

// added stores sub with AddAttempt outside any transaction (its own
// commits before it returns) and returns it as AddAttempt set it.
func added(s deadlines.Store, ctx context.Context, sub deadlines.Submission) (deadlines.Submission, error) {
	err := s.AddAttempt(ctx, &sub)
	return sub, err
}

// bodies are the bodies of subs, in order.
func bodies(subs []deadlines.Submission) []string {
	out := []string{}
	for _, s := range subs {
		out = append(out, s.Body)
	}
	return out
}

func addAttempt(t *testing.T, open Open) {
	s, _ := open(t)
	add := value[deadlines.Submission](t)
	first := add(added(s, bg, attempt(1, 50, 10, "a")))
	if first.ID == 0 || first.Attempt != 1 || !first.Current || first.Body != "a" || first.DueAt == nil {
		t.Fatalf("first attempt = %+v", first)
	}
	second := add(added(s, bg, attempt(1, 50, 10, "b")))
	third := add(added(s, bg, attempt(1, 50, 10, "c")))
	if second.ID <= first.ID || third.ID <= second.ID || second.Attempt != 2 || third.Attempt != 3 {
		t.Fatalf("ids %d, %d, %d and attempts %d, %d: want growing ids, attempts 2 and 3",
			first.ID, second.ID, third.ID, second.Attempt, third.Attempt)
	}
	other := add(added(s, bg, attempt(1, 50, 11, "x")))
	if other.Attempt != 1 {
		t.Errorf("another learner's first attempt is number %d", other.Attempt)
	}
	got := value[[]deadlines.Submission](t)(s.Attempts(bg, 1, 50, 10))
	if b := bodies(got); !equal(b, []string{"c", "b", "a"}) {
		t.Fatalf("Attempts = %v, want the current one first, then newest first", b)
	}
	for i, sub := range got {
		if sub.Current != (i == 0) {
			t.Errorf("attempt %q Current = %v", sub.Body, sub.Current)
		}
	}
	if got := value[[]deadlines.Submission](t)(s.Attempts(bg, 1, 50, 12)); len(got) != 0 {
		t.Errorf("a learner who never submitted has %v", bodies(got))
	}
	read := value[deadlines.Submission](t)
	if sub := read(s.Submission(bg, third.ID)); !sub.Current || sub.Body != "c" || sub.Attempt != 3 || !sub.SubmittedAt.Equal(at) {
		t.Errorf("Submission(current) = %+v", sub)
	}
	if sub := read(s.Submission(bg, first.ID)); sub.Current || sub.Body != "a" {
		t.Errorf("Submission(superseded) = %+v, want Current false", sub)
	}
	if _, err := s.Submission(bg, 999); !errors.Is(err, deadlines.ErrNotFound) {
		t.Errorf("Submission(999): %v, want ErrNotFound", err)
	}
}

// addAttemptsInTransaction adds attempts of two learners in one
// transaction: each is numbered after the one before it in the same
// transaction, and each Submission given is set by the end of it.
func addAttemptsInTransaction(t *testing.T, open Open) {
	s, run := open(t)
	subs := []deadlines.Submission{attempt(1, 50, 10, "a"), attempt(1, 50, 10, "b"), attempt(1, 50, 11, "x")}
	must(t, run.Write(bg, func(ctx context.Context) error {
		for i := range subs {
			if err := s.AddAttempt(ctx, &subs[i]); err != nil {
				return err
			}
		}
		return nil
	}))
	for i, want := range []int{1, 2, 1} {
		got := subs[i]
		if got.ID == 0 || got.Attempt != want || !got.Current {
			t.Errorf("attempt %q = id %d, number %d, current %v: want an id, number %d, current", got.Body, got.ID, got.Attempt, got.Current, want)
			continue
		}
		stored := value[deadlines.Submission](t)(s.Submission(bg, got.ID))
		if stored.Body != got.Body || stored.Attempt != want || stored.Current != (got.Body != "a") {
			t.Errorf("Submission(%d) = %q number %d current %v", got.ID, stored.Body, stored.Attempt, stored.Current)
		}
	}
	if subs[0].ID == subs[1].ID || subs[1].ID == subs[2].ID {
		t.Errorf("ids %d, %d, %d: want each its own", subs[0].ID, subs[1].ID, subs[2].ID)
	}
}

func itemAttempts(t *testing.T, open Open) {
	s, _ := open(t)
	add := value[deadlines.Submission](t)
	for _, a := range []struct {
		user uint64
		body string
	}{{30, "30a"}, {10, "10a"}, {20, "20a"}, {10, "10b"}, {30, "30b"}, {30, "30c"}} {
		add(added(s, bg, attempt(1, 50, a.user, a.body)))
	}
	add(added(s, bg, attempt(1, 51, 15, "other item")))
	add(added(s, bg, attempt(2, 50, 15, "other course")))
	page := func(from uint64, limit int) ([]string, uint64) {
		subs, next, err := s.ItemAttempts(bg, 1, 50, from, limit)
		must(t, err)
		return bodies(subs), next
	}
	got, next := page(0, 2)
	if want := []string{"10b", "10a", "20a"}; !equal(got, want) || next != 30 {
		t.Fatalf("first page = %v, next %d; want %v, next 30", got, next, want)
	}
	got, next = page(next, 2)
	if want := []string{"30c", "30b", "30a"}; !equal(got, want) || next != 0 {
		t.Fatalf("second page = %v, next %d; want %v, next 0", got, next, want)
	}
	if got, next := page(0, 3); len(got) != 6 || next != 0 {
		t.Errorf("a limit of exactly all: %v, next %d", got, next)
	}
	if got, next := page(11, 1); !equal(got, []string{"20a"}) || next != 30 {
		t.Errorf("from a learner without work: %v, next %d; want [20a], next 30", got, next)
	}
	if got, next, err := s.ItemAttempts(bg, 1, 52, 0, 10); err != nil || len(got) != 0 || next != 0 {
		t.Errorf("an item without work: %v, %d, %v", bodies(got), next, err)
	}
}

func submittersUngraded(t *testing.T, open Open) {
	s, _ := open(t)
	add := value[deadlines.Submission](t)
	add(added(s, bg, attempt(1, 50, 20, "20a")))
	old := add(added(s, bg, attempt(1, 50, 10, "10a")))
	add(added(s, bg, attempt(1, 50, 10, "10b")))
	graded := add(added(s, bg, attempt(1, 51, 10, "51")))
	add(added(s, bg, attempt(1, 49, 30, "49")))
	add(added(s, bg, attempt(2, 50, 10, "other course")))
	score := 5.0
	graded.Score, graded.FinalScore = &score, &score
	must(t, s.SaveSubmission(bg, graded))
	old.Score = &score // a grade of an earlier attempt does not grade the current one
	must(t, s.SaveSubmission(bg, old))
	if got := value[[]uint64](t)(s.Submitters(bg, 1, 50)); !equal(got, []uint64{10, 20}) {
		t.Errorf("Submitters(1, 50) = %v, want [10 20]", got)
	}
	if got := value[[]uint64](t)(s.Submitters(bg, 1, 52)); len(got) != 0 {
		t.Errorf("an item without work has submitters %v", got)
	}
	got := value[[]deadlines.Submission](t)(s.Ungraded(bg, 1))
	if b := bodies(got); !equal(b, []string{"49", "10b", "20a"}) {
		t.Errorf("Ungraded(1) = %v, want [49 10b 20a] (item then learner order, current attempts only)", b)
	}
	for _, sub := range got {
		if sub.CourseID != 1 || sub.Score != nil {
			t.Errorf("Ungraded holds %+v", sub)
		}
	}
	all := value[[]deadlines.Submission](t)(s.CourseSubmissions(bg, 1))
	if b := bodies(all); !equal(b, []string{"49", "10b", "10a", "20a", "51"}) {
		t.Errorf("CourseSubmissions(1) = %v, want [49 10b 10a 20a 51] (item, learner, newest first)", b)
	}
	for _, sub := range all {
		if sub.Current != (sub.Body != "10a") {
			t.Errorf("CourseSubmissions: %q current = %v", sub.Body, sub.Current)
		}
		if sub.Body == "10a" && sub.Score == nil {
			t.Error("CourseSubmissions lost an earlier attempt's grade")
		}
	}
}

func saveSubmission(t *testing.T, open Open) {
	s, _ := open(t)
	sub := value[deadlines.Submission](t)(added(s, bg, attempt(1, 50, 10, "a")))
	score, final := 8.0, 7.2
	graded := at.Add(time.Hour)
	sub.Score, sub.FinalScore, sub.Feedback, sub.FeedbackHTML, sub.GradedAt, sub.GradedBy = &score, &final, "good", "<p>good</p>", &graded, 9
	sub.Current = false
	must(t, s.SaveSubmission(bg, sub))
	got := value[deadlines.Submission](t)(s.Submission(bg, sub.ID))
	if got.Score == nil || *got.Score != 8 || got.FinalScore == nil || *got.FinalScore != 7.2 || got.Feedback != "good" ||
		got.GradedAt == nil || !got.GradedAt.Equal(graded) || got.GradedBy != 9 || got.Body != "a" {
		t.Errorf("after SaveSubmission, read %+v", got)
	}
	if !got.Current {
		t.Error("a saved current attempt reads as not current: Current is decided on read, not stored")
	}
}

func deleteItem(t *testing.T, open Open) {
	s, _ := open(t)
	add := value[deadlines.Submission](t)
	a := add(added(s, bg, attempt(1, 50, 10, "a")))
	b := add(added(s, bg, attempt(1, 50, 10, "b")))
	keep := add(added(s, bg, attempt(1, 51, 10, "keep")))
	must(t, s.DeleteItem(bg, 1, 50))
	for _, id := range []uint64{a.ID, b.ID} {
		if _, err := s.Submission(bg, id); !errors.Is(err, deadlines.ErrNotFound) {
			t.Errorf("attempt %d of the deleted item reads %v, want ErrNotFound", id, err)
		}
	}
	if got := value[[]deadlines.Submission](t)(s.Attempts(bg, 1, 50, 10)); len(got) != 0 {
		t.Errorf("attempts left: %v", bodies(got))
	}
	if got := value[[]uint64](t)(s.Submitters(bg, 1, 50)); len(got) != 0 {
		t.Errorf("submitters left: %v", got)
	}
	if got := value[deadlines.Submission](t)(s.Submission(bg, keep.ID)); got.Body != "keep" {
		t.Errorf("another item's attempt = %+v", got)
	}
	must(t, s.DeleteItem(bg, 1, 77))
	// The learner starts again at attempt 1.
	if again := add(added(s, bg, attempt(1, 50, 10, "c"))); again.Attempt != 1 {
		t.Errorf("after the item's work was deleted, a new attempt is number %d", again.Attempt)
	}
}

func submittedNotes(t *testing.T, open Open) {
	s, _ := open(t)
	notes := value[map[uint64]deadlines.SubmittedNote](t)
	if got := notes(s.SubmittedNotes(bg, 1, 50, []uint64{7, 8})); len(got) != 0 {
		t.Errorf("notes before any: %v", got)
	}
	must(t, s.PutSubmittedNotes(bg, 1, 50, map[uint64]deadlines.SubmittedNote{7: {Notification: 70, Count: 1}, 8: {Notification: 80, Count: 3}}))
	must(t, s.PutSubmittedNotes(bg, 1, 51, map[uint64]deadlines.SubmittedNote{7: {Notification: 71, Count: 1}}))
	must(t, s.PutSubmittedNotes(bg, 1, 50, map[uint64]deadlines.SubmittedNote{7: {Notification: 70, Count: 2}}))
	got := notes(s.SubmittedNotes(bg, 1, 50, []uint64{7, 8, 9}))
	want := map[uint64]deadlines.SubmittedNote{7: {Notification: 70, Count: 2}, 8: {Notification: 80, Count: 3}}
	if len(got) != len(want) || got[7] != want[7] || got[8] != want[8] {
		t.Errorf("SubmittedNotes(1, 50) = %v, want %v", got, want)
	}
	if got := notes(s.SubmittedNotes(bg, 1, 51, []uint64{8})); len(got) != 0 {
		t.Errorf("only the staff members asked about are answered: %v", got)
	}
}
