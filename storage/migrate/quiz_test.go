package migrate_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/quiz"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

// quizSame reads the same thing from both stores and wants equal answers
// (errors included: both absent, or both there).
func quizSame[T any](t *testing.T, what string, b, p quiz.Store, read func(quiz.Store) (T, error)) T {
	t.Helper()
	want, berr := read(b)
	got, perr := read(p)
	if (berr == nil) != (perr == nil) || (berr != nil && errors.Is(berr, txn.ErrNotFound) != errors.Is(perr, txn.ErrNotFound)) {
		t.Fatalf("%s: bbolt says %v, PostgreSQL says %v", what, berr, perr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s differs:\nPostgreSQL %+v\nbbolt      %+v", what, got, want)
	}
	return want
}

func TestQuizCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	b := bolt.NewQuiz(db)
	// Instants as PostgreSQL keeps them: whole microseconds, UTC.
	t0 := time.Date(2026, 5, 4, 13, 37, 0, 271828000, time.UTC)
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	f := func(v float64) *float64 { return &v }
	s := func(v string) *string { return &v }

	// Questions of every kind, two at one position (id order decides), one
	// deleted, words outside ASCII.
	var qs []quiz.QuestionRecord
	for _, q := range []quiz.QuestionRecord{
		{CourseID: 1, ItemID: 700, Position: 1, Question: quiz.Question{Kind: quiz.Single, Prompt: "Pick *one*", Points: 2,
			Choices: []quiz.Choice{{ID: 1, Text: "yes", Correct: true, Feedback: "right"}, {ID: 2, Text: "no"}}},
			HTML: quiz.QuestionHTML{Prompt: "<p>Pick <em>one</em></p>", Choices: []string{"yes", "no"}, Feedback: []string{"right", ""}}},
		{CourseID: 1, ItemID: 700, Position: 0, Question: quiz.Question{Kind: quiz.Numeric, Prompt: "π?", Points: 1,
			Answer: &quiz.Key{Value: f(3.14159), Tolerance: 0.001}, Explanation: "The circle's ratio."},
			HTML: quiz.QuestionHTML{Prompt: "<p>π?</p>", Explanation: "<p>The circle's ratio.</p>"}},
		{CourseID: 1, ItemID: 700, Position: 1, Question: quiz.Question{Kind: quiz.Text, Prompt: "学习 in English?",
			Answer: &quiz.Key{Accepted: []string{"learning", "study", "\"quoted\" \\ back"}}},
			HTML: quiz.QuestionHTML{Prompt: "<p>学习 in English?</p>"}},
		{CourseID: 1, ItemID: 700, Position: 2, Question: quiz.Question{Kind: quiz.Single, Prompt: "deleted"}},
		{CourseID: 1, ItemID: 701, Position: 0, Question: quiz.Question{Kind: quiz.Multiple, Prompt: "Ünïcødé 🎓", Points: 3,
			Choices: []quiz.Choice{{ID: 1, Text: "ä", Correct: true}, {ID: 2, Text: "ö", Correct: true}, {ID: 3, Text: "ü"}}},
			HTML: quiz.QuestionHTML{Prompt: "<p>Ünïcødé 🎓</p>", Choices: []string{"ä", "ö", "ü"}, Feedback: []string{"", "", ""}}},
		{CourseID: 2, ItemID: 800, Position: 0, Question: quiz.Question{Kind: quiz.Multiple, Prompt: "empty choices",
			Choices: []quiz.Choice{}}, HTML: quiz.QuestionHTML{Choices: []string{}}},
	} {
		q.CreatedAt, q.UpdatedAt = t0.Add(time.Duration(len(qs))*time.Second), t0.Add(time.Hour)
		got, err := b.PutQuestion(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, got)
	}
	if err := b.DeleteQuestion(ctx, qs[3].ID); err != nil {
		t.Fatal(err)
	}

	// Attempts: open timed (one past its time, one not), open untimed,
	// submitted with answers and frozen marks, a preview, one expired with
	// nothing answered, one timed attempt later submitted (no longer
	// closing), nil and empty lists.
	answers := map[uint64]quiz.Response{
		qs[0].ID: {ChoiceIDs: []int{1}}, qs[1].ID: {Value: f(3.1416)}, qs[2].ID: {Text: s("Lernen — 学习")},
	}
	drawn := []quiz.Drawn{{QuestionID: qs[1].ID}, {QuestionID: qs[0].ID, Choices: []int{2, 1}}, {QuestionID: qs[2].ID}}
	var as []quiz.Attempt
	for _, a := range []quiz.Attempt{
		{CourseID: 1, ItemID: 700, UserID: 10, Number: 1, Status: quiz.StatusSubmitted, StartedAt: t0, ClosesAt: at(time.Hour),
			Drawn: drawn, Answers: answers, SubmittedAt: at(30 * time.Minute),
			Marks:  map[uint64]quiz.Mark{qs[0].ID: {Correct: true, Score: 2}, qs[1].ID: {Correct: true, Score: 1}, qs[2].ID: {}},
			Result: quiz.Result{Score: 3, MaxScore: 3, Percent: 100, Passed: true}, Late: true, PenaltyPercent: 10, FinalScore: 2.7},
		{CourseID: 1, ItemID: 700, UserID: 10, Number: 2, Status: quiz.StatusOpen, StartedAt: t0.Add(2 * time.Hour),
			ClosesAt: at(3 * time.Hour), Drawn: drawn, Answers: map[uint64]quiz.Response{qs[0].ID: {ChoiceIDs: []int{}}}},
		{CourseID: 1, ItemID: 700, UserID: 11, Number: 1, Status: quiz.StatusOpen, StartedAt: t0, Drawn: []quiz.Drawn{}},
		{CourseID: 1, ItemID: 700, UserID: 2, Number: 1, Status: quiz.StatusSubmitted, Preview: true, StartedAt: t0,
			Drawn: drawn, Answers: answers, SubmittedAt: at(time.Minute), Marks: map[uint64]quiz.Mark{qs[0].ID: {Correct: true, Score: 2}},
			Result: quiz.Result{Score: 2, MaxScore: 3, Percent: 66.67}, FinalScore: 2},
		{CourseID: 1, ItemID: 700, UserID: 12, Number: 1, Status: quiz.StatusSubmitted, StartedAt: t0, ClosesAt: at(time.Minute),
			Drawn: nil, Answers: map[uint64]quiz.Response{}, SubmittedAt: at(time.Minute), Marks: map[uint64]quiz.Mark{},
			Result: quiz.Result{MaxScore: 3}, Expired: true},
		{CourseID: 1, ItemID: 701, UserID: 10, Number: 1, Status: quiz.StatusOpen, StartedAt: t0, ClosesAt: at(10 * time.Minute),
			Drawn: []quiz.Drawn{{QuestionID: qs[4].ID, Choices: []int{3, 1, 2}}}},
		{CourseID: 2, ItemID: 800, UserID: 20, Number: 1, Status: quiz.StatusOpen, StartedAt: t0, ClosesAt: at(48 * time.Hour),
			Drawn: []quiz.Drawn{{QuestionID: qs[5].ID}}},
	} {
		got, err := b.PutAttempt(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, got)
	}
	// The timed attempt at item 701 is submitted: it leaves the closing
	// index.
	sub := as[5]
	sub.Status, sub.SubmittedAt, sub.Result = quiz.StatusSubmitted, at(5*time.Minute), quiz.Result{Score: 3, MaxScore: 3, Percent: 100, Passed: true}
	sub.FinalScore = 3
	var err error
	if as[5], err = b.PutAttempt(ctx, sub); err != nil {
		t.Fatal(err)
	}

	pg := pgtest.Open(t)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "quiz", From: b, To: postgres.NewQuiz(pg)}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"quiz/quiz_questions": 5, "quiz/quiz_attempts": 7}; !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}
	p := postgres.NewQuiz(pg)

	for id := uint64(0); id <= qs[len(qs)-1].ID+1; id++ {
		quizSame(t, "Question", b, p, func(s quiz.Store) (quiz.QuestionRecord, error) { return s.Question(ctx, id) })
	}
	for _, ci := range [][2]uint64{{1, 700}, {1, 701}, {2, 800}, {3, 1}} {
		got := quizSame(t, "Questions", b, p, func(s quiz.Store) ([]quiz.QuestionRecord, error) { return s.Questions(ctx, ci[0], ci[1]) })
		if ci == [2]uint64{1, 700} && (len(got) != 3 || got[0].ID != qs[1].ID || got[1].ID != qs[0].ID || got[2].ID != qs[2].ID) {
			t.Errorf("item 700's questions out of order: %+v", got)
		}
	}
	for id := uint64(0); id <= as[len(as)-1].ID+1; id++ {
		quizSame(t, "Attempt", b, p, func(s quiz.Store) (quiz.Attempt, error) { return s.Attempt(ctx, id) })
	}
	for _, ciu := range [][3]uint64{{1, 700, 10}, {1, 700, 11}, {1, 700, 2}, {1, 700, 12}, {1, 701, 10}, {2, 800, 20}, {2, 800, 10}} {
		quizSame(t, "LearnerAttempts", b, p, func(s quiz.Store) ([]quiz.Attempt, error) { return s.LearnerAttempts(ctx, ciu[0], ciu[1], ciu[2]) })
	}
	for _, ci := range [][2]uint64{{1, 700}, {1, 701}, {2, 800}, {3, 1}} {
		quizSame(t, "ItemAttempts", b, p, func(s quiz.Store) ([]quiz.Attempt, error) { return s.ItemAttempts(ctx, ci[0], ci[1]) })
	}
	for _, c := range []uint64{1, 2, 3} {
		quizSame(t, "CourseAttempts", b, p, func(s quiz.Store) ([]quiz.Attempt, error) { return s.CourseAttempts(ctx, c) })
	}
	for _, e := range []struct {
		at    time.Time
		limit int
	}{{t0, 10}, {t0.Add(3 * time.Hour), 10}, {t0.Add(3*time.Hour - time.Microsecond), 10}, {t0.Add(100 * time.Hour), 1}, {t0.Add(100 * time.Hour), 10}} {
		got := quizSame(t, "Expired", b, p, func(s quiz.Store) ([]quiz.Attempt, error) { return s.Expired(ctx, e.at, e.limit) })
		if e.limit == 10 && e.at.Equal(t0.Add(100*time.Hour)) && len(got) != 2 {
			t.Errorf("%d attempts expire by the end, want 2 (the submitted ones and the untimed one never do)", len(got))
		}
	}

	// After the copy: new records get ids past the copied ones.
	q, err := p.PutQuestion(ctx, quiz.QuestionRecord{CourseID: 1, ItemID: 700, Position: 3, CreatedAt: t0, UpdatedAt: t0,
		Question: quiz.Question{Kind: quiz.Single, Prompt: "new"}})
	if err != nil || q.ID <= qs[len(qs)-1].ID {
		t.Errorf("a new question got id %d (%v), not past %d", q.ID, err, qs[len(qs)-1].ID)
	}
	a, err := p.PutAttempt(ctx, quiz.Attempt{CourseID: 1, ItemID: 700, UserID: 11, Number: 2, Status: quiz.StatusOpen, StartedAt: t0})
	if err != nil || a.ID <= as[len(as)-1].ID {
		t.Errorf("a new attempt got id %d (%v), not past %d", a.ID, err, as[len(as)-1].ID)
	}
}
