// Package storetest is the contract of quiz.Store: what every engine's
// implementation must do (the bbolt engine runs it in storage/bolt).
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"pacer/quiz"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (quiz.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("questions keep their fields and list by position", func(t *testing.T) { questions(t, open) })
	t.Run("attempts list per learner, item and course", func(t *testing.T) { attempts(t, open) })
	t.Run("Expired lists open timed attempts by closing time", func(t *testing.T) { expired(t, open) })
	t.Run("DeleteItem and DeleteCourse remove only theirs", func(t *testing.T) { deletes(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joins(t, open) })
}

var (
	ctx = context.Background()
	at  = time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
)

// must(call)(t) is call's value, failing t on its error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func five() *float64 { v := 5.0; return &v }

func question(course, item uint64, pos int, prompt string) quiz.QuestionRecord {
	return quiz.QuestionRecord{CourseID: course, ItemID: item, Position: pos, CreatedAt: at, UpdatedAt: at,
		Question: quiz.Question{Kind: quiz.Numeric, Prompt: prompt, Points: 2, Answer: &quiz.Key{Value: five(), Tolerance: 0.5}, Explanation: "why"}}
}

func prompts(qs []quiz.QuestionRecord) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Prompt)
	}
	return out
}

func questions(t *testing.T, open Open) {
	s, _ := open(t)
	a := must(s.PutQuestion(ctx, question(1, 10, 2, "b")))(t)
	b := must(s.PutQuestion(ctx, question(1, 10, 1, "a")))(t)
	c := must(s.PutQuestion(ctx, question(1, 10, 2, "c")))(t)
	must(s.PutQuestion(ctx, question(1, 11, 0, "other item")))(t)
	if a.ID == 0 || b.ID <= a.ID || c.ID <= b.ID {
		t.Fatalf("ids %d %d %d", a.ID, b.ID, c.ID)
	}
	got := must(s.Question(ctx, a.ID))(t)
	if got.Prompt != "b" || got.Answer == nil || *got.Answer.Value != 5 || got.Answer.Tolerance != 0.5 || got.Points != 2 || !got.CreatedAt.Equal(at) || got.Explanation != "why" {
		t.Fatalf("Question = %+v", got)
	}
	if p := prompts(must(s.Questions(ctx, 1, 10))(t)); !slices.Equal(p, []string{"a", "b", "c"}) {
		t.Fatalf("Questions = %q, want by position then id", p)
	}
	a.Position = 0
	a.Prompt = "b'"
	must(s.PutQuestion(ctx, a))(t)
	if p := prompts(must(s.Questions(ctx, 1, 10))(t)); !slices.Equal(p, []string{"b'", "a", "c"}) {
		t.Fatalf("after moving: %q", p)
	}
	if err := s.DeleteQuestion(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteQuestion(ctx, b.ID); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	if _, err := s.Question(ctx, b.ID); !errors.Is(err, txn.ErrNotFound) {
		t.Fatalf("deleted question: %v", err)
	}
	if p := prompts(must(s.Questions(ctx, 1, 10))(t)); !slices.Equal(p, []string{"b'", "c"}) {
		t.Fatalf("after delete: %q", p)
	}
}

func attempt(course, item, user uint64, status string) quiz.Attempt {
	return quiz.Attempt{CourseID: course, ItemID: item, UserID: user, Status: status, StartedAt: at,
		Drawn: []quiz.Drawn{{QuestionID: 3, Choices: []int{2, 1}}}}
}

func ids(as []quiz.Attempt) []uint64 {
	var out []uint64
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func attempts(t *testing.T, open Open) {
	s, _ := open(t)
	a1 := must(s.PutAttempt(ctx, attempt(1, 10, 7, quiz.StatusSubmitted)))(t)
	b1 := must(s.PutAttempt(ctx, attempt(1, 10, 8, quiz.StatusSubmitted)))(t)
	a2 := must(s.PutAttempt(ctx, attempt(1, 10, 7, quiz.StatusOpen)))(t)
	pv := attempt(1, 10, 9, quiz.StatusSubmitted)
	pv.Preview = true
	pv = must(s.PutAttempt(ctx, pv))(t)
	other := must(s.PutAttempt(ctx, attempt(1, 11, 7, quiz.StatusSubmitted)))(t)
	must(s.PutAttempt(ctx, attempt(2, 10, 7, quiz.StatusSubmitted)))(t)

	v := 4.5
	a2.Answers = map[uint64]quiz.Response{3: {Value: &v}}
	a2.Status, a2.Marks = quiz.StatusSubmitted, map[uint64]quiz.Mark{3: {Correct: true, Score: 2}}
	a2.Result = quiz.Result{Score: 2, MaxScore: 2, Percent: 100, Passed: true}
	must(s.PutAttempt(ctx, a2))(t)
	got := must(s.Attempt(ctx, a2.ID))(t)
	if got.Status != quiz.StatusSubmitted || *got.Answers[3].Value != 4.5 || !got.Marks[3].Correct || !got.Passed || got.Drawn[0].Choices[0] != 2 {
		t.Fatalf("Attempt = %+v", got)
	}
	if _, err := s.Attempt(ctx, 999); !errors.Is(err, txn.ErrNotFound) {
		t.Fatalf("missing attempt: %v", err)
	}
	if l := ids(must(s.LearnerAttempts(ctx, 1, 10, 7))(t)); !slices.Equal(l, []uint64{a1.ID, a2.ID}) {
		t.Fatalf("LearnerAttempts = %v", l)
	}
	if l := ids(must(s.ItemAttempts(ctx, 1, 10))(t)); !slices.Equal(l, []uint64{a1.ID, a2.ID, b1.ID, pv.ID}) {
		t.Fatalf("ItemAttempts = %v", l)
	}
	if l := ids(must(s.CourseAttempts(ctx, 1))(t)); !slices.Equal(l, []uint64{a1.ID, a2.ID, b1.ID, other.ID}) {
		t.Fatalf("CourseAttempts = %v, want submitted non-preview ones of course 1", l)
	}
}

func expired(t *testing.T, open Open) {
	s, _ := open(t)
	timed := func(closes time.Time) quiz.Attempt {
		a := attempt(1, 10, 7, quiz.StatusOpen)
		a.ClosesAt = &closes
		return must(s.PutAttempt(ctx, a))(t)
	}
	late := timed(at.Add(time.Hour))
	soon := timed(at.Add(time.Minute))
	mid := timed(at.Add(10 * time.Minute))
	must(s.PutAttempt(ctx, attempt(1, 10, 8, quiz.StatusOpen)))(t) // untimed
	if l := ids(must(s.Expired(ctx, at.Add(10*time.Minute), 10))(t)); !slices.Equal(l, []uint64{soon.ID, mid.ID}) {
		t.Fatalf("Expired = %v, want soonest first up to and including t", l)
	}
	if l := ids(must(s.Expired(ctx, at.Add(2*time.Hour), 1))(t)); !slices.Equal(l, []uint64{soon.ID}) {
		t.Fatalf("Expired with limit 1 = %v", l)
	}
	soon.Status = quiz.StatusSubmitted
	must(s.PutAttempt(ctx, soon))(t)
	later := at.Add(3 * time.Hour)
	mid.ClosesAt = &later
	must(s.PutAttempt(ctx, mid))(t)
	if l := ids(must(s.Expired(ctx, at.Add(2*time.Hour), 10))(t)); !slices.Equal(l, []uint64{late.ID}) {
		t.Fatalf("after submitting one and moving another: %v", l)
	}
}

func deletes(t *testing.T, open Open) {
	s, _ := open(t)
	q1 := must(s.PutQuestion(ctx, question(1, 10, 0, "q")))(t)
	q2 := must(s.PutQuestion(ctx, question(1, 11, 0, "kept")))(t)
	q3 := must(s.PutQuestion(ctx, question(2, 12, 0, "other course")))(t)
	closes := at.Add(time.Minute)
	a := attempt(1, 10, 7, quiz.StatusOpen)
	a.ClosesAt = &closes
	a = must(s.PutAttempt(ctx, a))(t)
	kept := must(s.PutAttempt(ctx, attempt(1, 11, 7, quiz.StatusSubmitted)))(t)
	must(s.PutAttempt(ctx, attempt(2, 12, 7, quiz.StatusSubmitted)))(t)
	if err := s.DeleteItem(ctx, 1, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Question(ctx, q1.ID); !errors.Is(err, txn.ErrNotFound) {
		t.Fatalf("question of the deleted item: %v", err)
	}
	if _, err := s.Attempt(ctx, a.ID); !errors.Is(err, txn.ErrNotFound) {
		t.Fatalf("attempt of the deleted item: %v", err)
	}
	if l := must(s.Expired(ctx, at.Add(time.Hour), 10))(t); len(l) != 0 {
		t.Fatalf("Expired still lists %v", ids(l))
	}
	if l := ids(must(s.CourseAttempts(ctx, 1))(t)); !slices.Equal(l, []uint64{kept.ID}) {
		t.Fatalf("course 1 after DeleteItem: %v", l)
	}
	if err := s.DeleteCourse(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Question(ctx, q2.ID); !errors.Is(err, txn.ErrNotFound) {
		t.Fatalf("question of the deleted course: %v", err)
	}
	if l := must(s.CourseAttempts(ctx, 1))(t); len(l) != 0 {
		t.Fatalf("course 1 after DeleteCourse: %v", ids(l))
	}
	if _, err := s.Question(ctx, q3.ID); err != nil {
		t.Fatalf("the other course's question: %v", err)
	}
	if l := must(s.CourseAttempts(ctx, 2))(t); len(l) != 1 {
		t.Fatalf("the other course's attempts: %v", ids(l))
	}
}

func joins(t *testing.T, open Open) {
	s, run := open(t)
	errAbort := errors.New("abort")
	var q quiz.QuestionRecord
	err := run.Write(ctx, func(ctx context.Context) error {
		var err error
		if q, err = s.PutQuestion(ctx, question(1, 10, 0, "q")); err != nil {
			return err
		}
		if _, err := s.PutAttempt(ctx, attempt(1, 10, 7, quiz.StatusOpen)); err != nil {
			return err
		}
		// Inside the transaction, its own writes are seen.
		if l, err := s.Questions(ctx, 1, 10); err != nil || len(l) != 1 {
			t.Errorf("Questions inside = %v, %v", prompts(l), err)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write = %v", err)
	}
	if _, err := s.Question(ctx, q.ID); !errors.Is(err, txn.ErrNotFound) {
		t.Fatalf("an aborted question remains: %v", err)
	}
	if l := must(s.LearnerAttempts(ctx, 1, 10, 7))(t); len(l) != 0 {
		t.Fatalf("an aborted attempt remains: %v", ids(l))
	}
	// Run the same work again, as an engine retrying a conflict would:
	// exactly one of each remains.
	work := func(ctx context.Context) error {
		if _, err := s.PutQuestion(ctx, question(1, 10, 0, "q")); err != nil {
			return err
		}
		_, err := s.PutAttempt(ctx, attempt(1, 10, 7, quiz.StatusOpen))
		return err
	}
	if err := run.Write(ctx, func(ctx context.Context) error { work(ctx); return errAbort }); !errors.Is(err, errAbort) {
		t.Fatal(err)
	}
	if err := run.Write(ctx, work); err != nil {
		t.Fatal(err)
	}
	if l := must(s.Questions(ctx, 1, 10))(t); len(l) != 1 {
		t.Fatalf("questions after a rerun: %d", len(l))
	}
	if l := must(s.LearnerAttempts(ctx, 1, 10, 7))(t); len(l) != 1 {
		t.Fatalf("attempts after a rerun: %d", len(l))
	}
}
