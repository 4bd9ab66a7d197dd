package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/deadlines"
)

// courseRecords are the ids of what fillCourse stored of one course.
type courseRecords struct {
	course      uint64
	extensions  []uint64
	submissions []uint64
}

// fillCourse stores one of every record of a course, the same shapes in
// every course: learners 10 and 20 with extensions, attempts (10 has an
// earlier one, graded) at items 50 and 51, staff member 7's submitted
// notices, calendar event states of users 10 and 7, and marks of each job.
func fillCourse(t *testing.T, s deadlines.Store, course uint64) courseRecords {
	t.Helper()
	r := courseRecords{course: course}
	for _, e := range []deadlines.Extension{extension(course, 10, 100, day(3)), extension(course, 10, 101, day(4)), extension(course, 20, 100, day(5))} {
		r.extensions = append(r.extensions, value[deadlines.Extension](t)(s.PutExtension(bg, e)).ID)
	}
	for _, a := range []deadlines.Submission{attempt(course, 50, 10, "a"), attempt(course, 50, 10, "b"), attempt(course, 50, 20, "c"), attempt(course, 51, 10, "d")} {
		r.submissions = append(r.submissions, value[deadlines.Submission](t)(added(s, bg, a)).ID)
	}
	graded := value[deadlines.Submission](t)(s.Submission(bg, r.submissions[0]))
	score := 6.0
	graded.Score, graded.FinalScore = &score, &score
	must(t, s.SaveSubmission(bg, graded))
	must(t, s.PutSubmittedNotes(bg, course, 50, map[uint64]deadlines.SubmittedNote{7: {Notification: 70 + course, Count: 3}}))
	must(t, s.PutSubmittedNotes(bg, course, 51, map[uint64]deadlines.SubmittedNote{7: {Notification: 80 + course, Count: 1}}))
	for _, user := range []uint64{10, 7} {
		must(t, s.PutEventStates(bg, user, map[deadlines.EventKey]deadlines.EventState{
			{Course: course, Module: 100, Kind: 1}: {At: day(1), Modified: at},
			{Course: course, Module: 100, Kind: 2}: {At: day(3), Sequence: 1, Modified: at},
		}))
	}
	must(t, putMarks(s, []deadlines.Mark{
		mark(course, 10, 100, deadlines.MarkOpened, day(0), deadlines.OutcomeNotified),
		mark(course, 10, 100, deadlines.MarkReminded, day(2), deadlines.OutcomeNotified),
		mark(course, 10, 100, deadlines.MarkMissed, day(3), deadlines.OutcomeNotified),
		mark(course, 20, 101, deadlines.MarkMissed, day(3), deadlines.OutcomeSilent),
	}))
	return r
}

// checkCourse reads every record fillCourse stored of a course, through
// every read method, and fails unless all of them are there (kept) or
// none is (after the course's deletion).
func checkCourse(t *testing.T, s deadlines.Store, r courseRecords, kept bool) {
	t.Helper()
	c := r.course
	// count reports a finding: n records where fillCourse stored want.
	count := func(what string, n, want int) {
		t.Helper()
		if !kept {
			want = 0
		}
		if n != want {
			t.Errorf("course %d: %s: %d, want %d", c, what, n, want)
		}
	}
	found := func(err error) int {
		t.Helper()
		if errors.Is(err, deadlines.ErrNotFound) {
			return 0
		}
		must(t, err)
		return 1
	}
	n := 0
	for _, id := range r.extensions {
		_, err := s.Extension(bg, id)
		n += found(err)
	}
	count("extensions by id", n, 3)
	count("Extensions", len(value[[]deadlines.Extension](t)(s.Extensions(bg, c, 0))), 3)
	count("Extensions of learner 10", len(value[[]deadlines.Extension](t)(s.Extensions(bg, c, 10))), 2)
	count("Overrides of learner 10", len(value[map[uint64]time.Time](t)(s.Overrides(bg, c, 10))), 2)
	count("ModuleOverrides of module 100", len(value[map[uint64]time.Time](t)(s.ModuleOverrides(bg, c, 100))), 2)

	n = 0
	for _, id := range r.submissions {
		_, err := s.Submission(bg, id)
		n += found(err)
	}
	count("submissions by id", n, 4)
	count("Attempts of learner 10 at item 50", len(value[[]deadlines.Submission](t)(s.Attempts(bg, c, 50, 10))), 2)
	subs, next, err := s.ItemAttempts(bg, c, 50, 0, 10)
	must(t, err)
	count("ItemAttempts of item 50", len(subs), 3)
	if next != 0 {
		t.Errorf("course %d: ItemAttempts' next page starts at %d, want none", c, next)
	}
	count("Submitters of item 50", len(value[[]uint64](t)(s.Submitters(bg, c, 50))), 2)
	count("Ungraded", len(value[[]deadlines.Submission](t)(s.Ungraded(bg, c))), 3)
	count("CourseSubmissions", len(value[[]deadlines.Submission](t)(s.CourseSubmissions(bg, c))), 4)
	notes := 0
	for _, item := range []uint64{50, 51} {
		notes += len(value[map[uint64]deadlines.SubmittedNote](t)(s.SubmittedNotes(bg, c, item, []uint64{7})))
	}
	count("SubmittedNotes", notes, 2)

	events := 0
	for _, user := range []uint64{10, 7} {
		for k := range value[map[deadlines.EventKey]deadlines.EventState](t)(s.EventStates(bg, user)) {
			if k.Course == c {
				events++
			}
		}
	}
	count("event states", events, 4)

	marks := 0
	for _, job := range []uint8{deadlines.MarkOpened, deadlines.MarkReminded, deadlines.MarkMissed} {
		f := value[deadlines.SweepFacts](t)(s.SweepFacts(bg, c, job))
		count("SweepFacts' extensions", len(f.Extensions), 3)
		marks += len(f.Marks)
	}
	count("SweepFacts' marks", marks, 4)
	count("Missed of learner 10", len(value[[]uint64](t)(s.Missed(bg, c, 10))), 1)
	count("Missed of learner 20", len(value[[]uint64](t)(s.Missed(bg, c, 20))), 1)
}

func deleteCourse(t *testing.T, open Open) {
	s, run := open(t)
	one, two := fillCourse(t, s, 1), fillCourse(t, s, 2)
	value[uint64](t)(s.RotateCalendar(bg, 10))

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
	checkCourse(t, s, one, true)

	must(t, s.DeleteCourse(bg, 1))
	checkCourse(t, s, one, false)
	checkCourse(t, s, two, true)
	if g := value[uint64](t)(s.CalendarGeneration(bg, 10)); g != 1 {
		t.Errorf("a user's calendar generation is %d after a course's deletion, want 1 (it is theirs, not the course's)", g)
	}
	must(t, s.DeleteCourse(bg, 1))
	must(t, s.DeleteCourse(bg, 3))

	// Nothing of the course is left to be found again: work starts over.
	if sub := value[deadlines.Submission](t)(added(s, bg, attempt(1, 50, 10, "again"))); sub.Attempt != 1 {
		t.Errorf("a new attempt in a deleted course's place is number %d, want 1", sub.Attempt)
	}
	claimed := value[[]bool](t)(s.ClaimMarks(bg, []deadlines.Mark{mark(1, 10, 100, deadlines.MarkMissed, day(3), deadlines.OutcomeNotified)}, true))
	if !equal(claimed, []bool{true}) {
		t.Errorf("a mark of a deleted course's place is refused: %v", claimed)
	}
}
