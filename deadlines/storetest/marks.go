package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/deadlines"
	"pacer/txn"
)

func mark(course, user, module uint64, job uint8, when time.Time, outcome uint8) deadlines.Mark {
	return deadlines.Mark{Course: course, User: user, Module: module, Job: job, At: when, Outcome: outcome}
}

func sweepFacts(t *testing.T, open Open) {
	s, _ := open(t)
	put := value[deadlines.Extension](t)
	put(s.PutExtension(bg, extension(1, 20, 100, day(1))))
	put(s.PutExtension(bg, extension(1, 10, 101, day(2))))
	put(s.PutExtension(bg, extension(1, 10, 100, day(3))))
	put(s.PutExtension(bg, extension(2, 10, 100, day(4))))
	must(t, putMarks(s, []deadlines.Mark{
		mark(1, 20, 100, deadlines.MarkMissed, day(5), deadlines.OutcomeNotified),
		mark(1, 10, 101, deadlines.MarkMissed, day(6), deadlines.OutcomeDone),
		mark(1, 10, 100, deadlines.MarkMissed, day(7), deadlines.OutcomeSilent),
		mark(1, 10, 100, deadlines.MarkOpened, day(0), deadlines.OutcomeNotified),
		mark(2, 10, 100, deadlines.MarkMissed, day(8), deadlines.OutcomeNotified),
	}))
	f := value[deadlines.SweepFacts](t)(s.SweepFacts(bg, 1, deadlines.MarkMissed))
	wantExt := []deadlines.Override{{User: 10, Module: 100, Due: day(3)}, {User: 10, Module: 101, Due: day(2)}, {User: 20, Module: 100, Due: day(1)}}
	if len(f.Extensions) != len(wantExt) {
		t.Fatalf("extensions = %+v, want %+v", f.Extensions, wantExt)
	}
	for i, o := range f.Extensions {
		if o.User != wantExt[i].User || o.Module != wantExt[i].Module || !o.Due.Equal(wantExt[i].Due) {
			t.Errorf("extension %d = %+v, want %+v", i, o, wantExt[i])
		}
	}
	wantMarks := []deadlines.Mark{
		mark(1, 10, 100, deadlines.MarkMissed, day(7), deadlines.OutcomeSilent),
		mark(1, 10, 101, deadlines.MarkMissed, day(6), deadlines.OutcomeDone),
		mark(1, 20, 100, deadlines.MarkMissed, day(5), deadlines.OutcomeNotified),
	}
	if len(f.Marks) != len(wantMarks) {
		t.Fatalf("marks = %+v, want %+v (one job's, in learner then module order)", f.Marks, wantMarks)
	}
	for i, m := range f.Marks {
		if !sameMark(m, wantMarks[i]) {
			t.Errorf("mark %d = %+v, want %+v", i, m, wantMarks[i])
		}
	}
	if f := value[deadlines.SweepFacts](t)(s.SweepFacts(bg, 3, deadlines.MarkMissed)); len(f.Extensions)+len(f.Marks) != 0 {
		t.Errorf("a course without facts: %+v", f)
	}
}

// sameMark reports whether a sweep read the mark m: its place and instant.
func sameMark(got deadlines.SweptMark, m deadlines.Mark) bool {
	return got.User == m.User && got.Module == m.Module && got.At.Equal(m.At)
}

// putMarks stores marks wherever none is for their instant.
func putMarks(s deadlines.Store, marks []deadlines.Mark) error {
	return putMarksCtx(bg, s, marks)
}

func putMarksCtx(ctx context.Context, s deadlines.Store, marks []deadlines.Mark) error {
	_, err := s.ClaimMarks(ctx, marks, false)
	return err
}

func claimMarks(t *testing.T, open Open) {
	s, _ := open(t)
	claim := func(anyInstant bool, marks ...deadlines.Mark) []bool {
		t.Helper()
		got, err := s.ClaimMarks(bg, marks, anyInstant)
		must(t, err)
		return got
	}
	first := []deadlines.Mark{
		mark(1, 10, 100, deadlines.MarkReminded, day(1), deadlines.OutcomeNotified),
		mark(1, 10, 101, deadlines.MarkReminded, day(2), deadlines.OutcomeDone),
		mark(1, 10, 100, deadlines.MarkOpened, day(0), deadlines.OutcomeNotified),
	}
	if got := claim(false, first...); !equal(got, []bool{true, true, true}) {
		t.Fatalf("claiming free places = %v, want all stored", got)
	}
	// The same instant again is refused; a moved instant replaces the mark
	// unless any mark at all is enough.
	got := claim(false,
		mark(1, 10, 100, deadlines.MarkReminded, day(1), deadlines.OutcomeNotified),
		mark(1, 10, 101, deadlines.MarkReminded, day(3), deadlines.OutcomeNotified),
		mark(1, 11, 100, deadlines.MarkReminded, day(1), deadlines.OutcomeNotified),
		mark(1, 10, 100, deadlines.MarkMissed, day(1), deadlines.OutcomeNotified))
	if !equal(got, []bool{false, true, true, true}) {
		t.Errorf("claims = %v, want [false true true true]", got)
	}
	if got := claim(true, mark(1, 10, 100, deadlines.MarkOpened, day(5), deadlines.OutcomeNotified)); !equal(got, []bool{false}) {
		t.Errorf("claiming a taken opening for another instant = %v, want refused", got)
	}
	if got := claim(true); len(got) != 0 {
		t.Errorf("no marks: %v", got)
	}
	// A refused claim leaves the stored mark's outcome as it was.
	if got := claim(false, mark(1, 10, 100, deadlines.MarkMissed, day(1), deadlines.OutcomeDone)); !equal(got, []bool{false}) {
		t.Errorf("claiming a taken missed deadline = %v, want refused", got)
	}
	if got := value[[]uint64](t)(s.Missed(bg, 1, 10)); !equal(got, []uint64{100}) {
		t.Errorf("after a refused claim, missed = %v, want [100] (the first outcome)", got)
	}
	f := value[deadlines.SweepFacts](t)(s.SweepFacts(bg, 1, deadlines.MarkReminded))
	want := []deadlines.Mark{
		mark(1, 10, 100, deadlines.MarkReminded, day(1), deadlines.OutcomeNotified), // the first claim stays
		mark(1, 10, 101, deadlines.MarkReminded, day(3), deadlines.OutcomeNotified), // moved
		mark(1, 11, 100, deadlines.MarkReminded, day(1), deadlines.OutcomeNotified),
	}
	if len(f.Marks) != len(want) {
		t.Fatalf("reminder marks = %+v, want %+v", f.Marks, want)
	}
	for i := range want {
		if !sameMark(f.Marks[i], want[i]) {
			t.Errorf("mark %d = %+v, want %+v", i, f.Marks[i], want[i])
		}
	}
	opened := value[deadlines.SweepFacts](t)(s.SweepFacts(bg, 1, deadlines.MarkOpened))
	if len(opened.Marks) != 1 || !opened.Marks[0].At.Equal(day(0)) {
		t.Errorf("opening marks = %+v, want the first only", opened.Marks)
	}
}

func missed(t *testing.T, open Open) {
	s, _ := open(t)
	must(t, putMarks(s, []deadlines.Mark{
		mark(1, 10, 102, deadlines.MarkMissed, day(1), deadlines.OutcomeSilent),
		mark(1, 10, 100, deadlines.MarkMissed, day(1), deadlines.OutcomeNotified),
		mark(1, 10, 101, deadlines.MarkMissed, day(1), deadlines.OutcomeDone),
		mark(1, 10, 103, deadlines.MarkReminded, day(1), deadlines.OutcomeNotified),
		mark(1, 11, 104, deadlines.MarkMissed, day(1), deadlines.OutcomeNotified),
		mark(2, 10, 105, deadlines.MarkMissed, day(1), deadlines.OutcomeNotified),
	}))
	if got := value[[]uint64](t)(s.Missed(bg, 1, 10)); !equal(got, []uint64{100, 102}) {
		t.Errorf("Missed(1, 10) = %v, want [100 102]", got)
	}
	if got := value[[]uint64](t)(s.Missed(bg, 1, 12)); len(got) != 0 {
		t.Errorf("a learner without marks missed %v", got)
	}
}

// joinsTransaction writes through every kind of record inside one
// transaction, reads each back inside it, and aborts: nothing remains.
func joinsTransaction(t *testing.T, open Open) {
	s, run := open(t)
	var ext deadlines.Extension
	var sub deadlines.Submission
	err := run.Write(bg, func(ctx context.Context) error {
		var err error
		if ext, err = s.PutExtension(ctx, extension(1, 10, 100, day(1))); err != nil {
			return err
		}
		sub = attempt(1, 50, 10, "a")
		if err := s.AddAttempt(ctx, &sub); err != nil {
			return err
		}
		if _, err := s.RotateCalendar(ctx, 10); err != nil {
			return err
		}
		if err := putMarksCtx(ctx, s, []deadlines.Mark{mark(1, 10, 100, deadlines.MarkMissed, day(2), deadlines.OutcomeNotified)}); err != nil {
			return err
		}
		if got, err := s.Overrides(ctx, 1, 10); err != nil || len(got) != 1 {
			t.Errorf("inside the transaction the extension is not seen: %v %v", got, err)
		}
		// (sub's id may be set only at the end of the transaction:
		// the attempt is read by its place.)
		if got, err := s.Attempts(ctx, 1, 50, 10); err != nil || len(got) != 1 || !got[0].Current || got[0].Body != "a" {
			t.Errorf("inside the transaction the attempts read %+v %v", got, err)
		}
		if g, err := s.CalendarGeneration(ctx, 10); err != nil || g != 1 {
			t.Errorf("inside the transaction the generation is %d %v", g, err)
		}
		if got, err := s.Missed(ctx, 1, 10); err != nil || len(got) != 1 {
			t.Errorf("inside the transaction the mark is not seen: %v %v", got, err)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	checkEmpty(t, s, ext)
}

// checkEmpty fails unless the records one joinsTransaction or rerun
// attempt writes are absent.
func checkEmpty(t *testing.T, s deadlines.Store, ext deadlines.Extension) {
	t.Helper()
	if _, err := s.Extension(bg, ext.ID); !errors.Is(err, deadlines.ErrNotFound) {
		t.Errorf("an aborted extension reads %v", err)
	}
	if got := value[[]deadlines.Submission](t)(s.Attempts(bg, 1, 50, 10)); len(got) != 0 {
		t.Errorf("an aborted attempt left %+v", got)
	}
	if g := value[uint64](t)(s.CalendarGeneration(bg, 10)); g != 0 {
		t.Errorf("an aborted rotation left generation %d", g)
	}
	if got := value[[]uint64](t)(s.Missed(bg, 1, 10)); len(got) != 0 {
		t.Errorf("an aborted mark left %v", got)
	}
}

// rerun runs the same work twice, the first attempt failing after it
// wrote (as a conflict would make an engine retry): exactly one of each
// record remains, as if the first had never run.
func rerun(t *testing.T, open Open) {
	s, run := open(t)
	var tries int
	work := func(ctx context.Context) error {
		tries++
		if _, err := s.PutExtension(ctx, extension(1, 10, 100, day(1))); err != nil {
			return err
		}
		sub := attempt(1, 50, 10, "a")
		if err := s.AddAttempt(ctx, &sub); err != nil {
			return err
		}
		if _, err := s.RotateCalendar(ctx, 10); err != nil {
			return err
		}
		if err := putMarksCtx(ctx, s, []deadlines.Mark{mark(1, 10, 100, deadlines.MarkMissed, day(2), deadlines.OutcomeNotified)}); err != nil {
			return err
		}
		if err := s.PutSubmittedNotes(ctx, 1, 50, map[uint64]deadlines.SubmittedNote{7: {Notification: 70, Count: 1}}); err != nil {
			return err
		}
		if tries == 1 {
			return errAbort
		}
		return nil
	}
	runTwice(t, run, work)
	if got := value[[]deadlines.Extension](t)(s.Extensions(bg, 1, 0)); len(got) != 1 {
		t.Errorf("%d extensions, want 1", len(got))
	}
	if got := value[[]deadlines.Submission](t)(s.Attempts(bg, 1, 50, 10)); len(got) != 1 || got[0].Attempt != 1 {
		t.Errorf("attempts %v, want one, number 1", bodies(got))
	}
	if g := value[uint64](t)(s.CalendarGeneration(bg, 10)); g != 1 {
		t.Errorf("generation %d, want 1", g)
	}
	if got := value[[]uint64](t)(s.Missed(bg, 1, 10)); len(got) != 1 {
		t.Errorf("missed %v, want one", got)
	}
	if got := value[deadlines.SweepFacts](t)(s.SweepFacts(bg, 1, deadlines.MarkMissed)); len(got.Marks) != 1 {
		t.Errorf("marks %+v, want one", got.Marks)
	}
	if got := value[map[uint64]deadlines.SubmittedNote](t)(s.SubmittedNotes(bg, 1, 50, []uint64{7})); got[7].Count != 1 {
		t.Errorf("submitted note %+v, want count 1", got[7])
	}
}

func runTwice(t *testing.T, run txn.Runner, work func(ctx context.Context) error) {
	t.Helper()
	if err := run.Write(bg, work); !errors.Is(err, errAbort) {
		t.Fatalf("first attempt: %v", err)
	}
	if err := run.Write(bg, work); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
}
