package migrate_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/deadlines"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// deadlinesSame reads the same thing from both stores and wants equal
// answers (errors included: both absent, or both there).
func deadlinesSame[T any](t *testing.T, what string, b, p deadlines.Store, read func(deadlines.Store) (T, error)) T {
	t.Helper()
	want, berr := read(b)
	got, perr := read(p)
	if (berr == nil) != (perr == nil) || (berr != nil && errors.Is(berr, deadlines.ErrNotFound) != errors.Is(perr, deadlines.ErrNotFound)) {
		t.Fatalf("%s: bbolt says %v, PostgreSQL says %v", what, berr, perr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s differs:\nPostgreSQL %+v\nbbolt      %+v", what, got, want)
	}
	return want
}

func deadlinesF(v float64) *float64 { return &v }

func deadlinesT(t time.Time) *time.Time { return &t }

func TestDeadlinesCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	b := bolt.NewDeadlines(db)
	// Instants as PostgreSQL keeps them: whole microseconds, UTC.
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Extensions: one replaced (its id kept), one deleted (a gap in the ids).
	var extIDs []uint64
	for _, e := range []deadlines.Extension{
		{CourseID: 1, UserID: 10, ModuleID: 100, DueAt: t0.Add(48 * time.Hour), CreatedBy: 2, CreatedAt: t0},
		{CourseID: 1, UserID: 10, ModuleID: 101, DueAt: t0.Add(72 * time.Hour), CreatedBy: 2, CreatedAt: t0.Add(time.Second)},
		{CourseID: 1, UserID: 11, ModuleID: 100, DueAt: t0.Add(24 * time.Hour), CreatedBy: 3, CreatedAt: t0.Add(2 * time.Second)},
		{CourseID: 2, UserID: 10, ModuleID: 200, DueAt: t0.Add(-time.Hour), CreatedBy: 4, CreatedAt: t0.Add(3 * time.Second)},
		{CourseID: 1, UserID: 10, ModuleID: 100, DueAt: t0.Add(96 * time.Hour), CreatedBy: 3, CreatedAt: t0.Add(4 * time.Second)},
		{CourseID: 1, UserID: 12, ModuleID: 102, DueAt: t0, CreatedBy: 2, CreatedAt: t0},
	} {
		got, err := b.PutExtension(ctx, e)
		must(err)
		extIDs = append(extIDs, got.ID)
	}
	if extIDs[4] != extIDs[0] {
		t.Fatalf("a replaced extension got id %d, not %d", extIDs[4], extIDs[0])
	}
	must(b.DeleteExtension(ctx, extIDs[5]))

	// Submissions: several attempts per learner, grades with and without
	// rubrics on current and superseded attempts, an item deleted.
	type place struct{ course, item, module, user uint64 }
	add := func(p place, body string, media uint64, due *time.Time, at time.Time) deadlines.Submission {
		t.Helper()
		sub := deadlines.Submission{CourseID: p.course, ItemID: p.item, ModuleID: p.module, UserID: p.user,
			Body: body, BodyHTML: "<p>" + body + "</p>", MediaID: media, Status: "submitted", SubmittedAt: at, DueAt: due}
		must(b.AddAttempt(ctx, &sub))
		return sub
	}
	grade := func(sub deadlines.Submission, score float64, rubric []deadlines.RubricMark, adj *float64) {
		t.Helper()
		sub.Status, sub.Score, sub.FinalScore = "graded", deadlinesF(score), deadlinesF(score*0.9)
		sub.PenaltyPercent, sub.Feedback, sub.FeedbackHTML = 10, "Bien joué — 很好", "<p>Bien joué — 很好</p>"
		sub.GradedAt, sub.GradedBy, sub.Rubric, sub.Adjustment = deadlinesT(t0.Add(time.Hour)), 2, rubric, adj
		must(b.SaveSubmission(ctx, sub))
	}
	due := deadlinesT(t0.Add(24 * time.Hour))
	u10 := place{1, 500, 100, 10}
	s1 := add(u10, "first try", 0, due, t0)
	grade(s1, 4, []deadlines.RubricMark{{CriterionID: 1, LevelID: 2, Points: 3}, {CriterionID: 2, LevelID: 1, Points: 1}}, nil)
	add(u10, "second try", 0, due, t0.Add(time.Minute))
	add(u10, "", 77, due, t0.Add(2*time.Minute))
	s4 := add(place{1, 500, 100, 11}, "Ünïcødé — 学习 🎓 \"quoted\" \\ back", 0, nil, t0.Add(3*time.Minute))
	grade(s4, 0, []deadlines.RubricMark{}, deadlinesF(-1.5))
	add(place{1, 500, 100, 12}, "late work", 78, due, t0.Add(48*time.Hour))
	add(place{1, 501, 100, 10}, "other item", 0, nil, t0.Add(4*time.Minute))
	add(place{1, 502, 101, 10}, "gone", 0, nil, t0)
	add(place{1, 502, 101, 10}, "gone again", 0, nil, t0)
	must(b.DeleteItem(ctx, 1, 502))
	s9 := add(place{2, 600, 200, 20}, "course two", 0, nil, t0)
	grade(s9, 7.25, []deadlines.RubricMark{{CriterionID: 1, LevelID: 1, Points: 5.25}}, deadlinesF(2))
	s10 := add(place{2, 600, 200, 20}, "course two again", 0, nil, t0.Add(time.Hour))
	grade(s10, 9, nil, nil)

	// Submitted notices, calendar generations and event states, marks
	// (their instants in nanoseconds, which the feed and the jobs compare
	// exactly).
	must(b.PutSubmittedNotes(ctx, 1, 500, map[uint64]deadlines.SubmittedNote{2: {Notification: 7, Count: 3}, 3: {Notification: 8, Count: 1}}))
	must(b.PutSubmittedNotes(ctx, 2, 600, map[uint64]deadlines.SubmittedNote{2: {Notification: 9, Count: 2}}))
	for _, u := range []uint64{10, 10, 10, 11} {
		_, err := b.RotateCalendar(ctx, u)
		must(err)
	}
	ns := t0.Add(123 * time.Nanosecond)
	must(b.PutEventStates(ctx, 10, map[deadlines.EventKey]deadlines.EventState{
		{Course: 1, Module: 100, Kind: 1}: {At: ns, Sequence: 0, Modified: t0},
		{Course: 1, Module: 100, Kind: 2}: {At: ns.Add(time.Hour), Sequence: 3, Modified: t0.Add(time.Minute)},
		{Course: 2, Module: 200, Kind: 1}: {At: time.Unix(0, 0).UTC(), Sequence: 1, Modified: t0},
	}))
	must(b.PutEventStates(ctx, 11, map[deadlines.EventKey]deadlines.EventState{
		{Course: 1, Module: 100, Kind: 2}: {At: ns, Sequence: 9, Modified: t0.Add(time.Second)},
	}))
	marks := []deadlines.Mark{
		{Course: 1, User: 10, Module: 100, Job: deadlines.MarkOpened, At: ns, Outcome: deadlines.OutcomeNotified},
		{Course: 1, User: 10, Module: 100, Job: deadlines.MarkReminded, At: ns.Add(time.Hour), Outcome: deadlines.OutcomeDone},
		{Course: 1, User: 10, Module: 100, Job: deadlines.MarkMissed, At: ns.Add(2 * time.Hour), Outcome: deadlines.OutcomeNotified},
		{Course: 1, User: 10, Module: 101, Job: deadlines.MarkMissed, At: ns, Outcome: deadlines.OutcomeDone},
		{Course: 1, User: 11, Module: 100, Job: deadlines.MarkMissed, At: ns, Outcome: deadlines.OutcomeSilent},
		{Course: 2, User: 20, Module: 200, Job: deadlines.MarkOpened, At: t0, Outcome: deadlines.OutcomeNotified},
	}
	_, err := b.ClaimMarks(ctx, marks, false)
	must(err)

	pg := pgtest.Open(t)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "deadlines", From: b, To: postgres.NewDeadlines(pg)}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantCopied := map[string]int64{"deadlines/extensions": 4, "deadlines/submissions": 8, "deadlines/submitted_notes": 3,
		"deadlines/calendar_tokens": 2, "deadlines/calendar_events": 4, "deadlines/job_marks": 6}
	if !reflect.DeepEqual(rep.Copied, wantCopied) {
		t.Errorf("copied %v, want %v", rep.Copied, wantCopied)
	}
	p := postgres.NewDeadlines(pg)

	// Extensions.
	for id := uint64(0); id <= extIDs[5]+1; id++ {
		deadlinesSame(t, "Extension", b, p, func(s deadlines.Store) (deadlines.Extension, error) { return s.Extension(ctx, id) })
	}
	for _, cu := range [][2]uint64{{1, 0}, {1, 10}, {1, 11}, {1, 12}, {2, 0}, {3, 0}} {
		exts := deadlinesSame(t, "Extensions", b, p, func(s deadlines.Store) ([]deadlines.Extension, error) { return s.Extensions(ctx, cu[0], cu[1]) })
		if cu == [2]uint64{1, 0} && len(exts) != 3 {
			t.Errorf("course 1 has %d extensions, want 3", len(exts))
		}
		deadlinesSame(t, "Overrides", b, p, func(s deadlines.Store) (map[uint64]time.Time, error) { return s.Overrides(ctx, cu[0], cu[1]) })
	}
	for _, cm := range [][2]uint64{{1, 100}, {1, 101}, {1, 102}, {2, 200}} {
		deadlinesSame(t, "ModuleOverrides", b, p, func(s deadlines.Store) (map[uint64]time.Time, error) { return s.ModuleOverrides(ctx, cm[0], cm[1]) })
	}

	// Submissions, every attempt: point reads (deleted ones absent from
	// both), lists, pages, the ungraded and the gradebook.
	for id := uint64(0); id <= s10.ID+1; id++ {
		deadlinesSame(t, "Submission", b, p, func(s deadlines.Store) (deadlines.Submission, error) { return s.Submission(ctx, id) })
	}
	for _, pl := range []place{u10, {1, 500, 0, 11}, {1, 500, 0, 12}, {1, 501, 0, 10}, {1, 502, 0, 10}, {2, 600, 0, 20}, {2, 600, 0, 10}} {
		subs := deadlinesSame(t, "Attempts", b, p, func(s deadlines.Store) ([]deadlines.Submission, error) {
			return s.Attempts(ctx, pl.course, pl.item, pl.user)
		})
		if pl == u10 && (len(subs) != 3 || !subs[0].Current || subs[0].Attempt != 3 || subs[1].Current) {
			t.Errorf("learner 10's attempts: %+v", subs)
		}
	}
	type page struct {
		Subs []deadlines.Submission
		Next uint64
	}
	for _, pr := range []struct {
		from  uint64
		limit int
	}{{0, 1}, {10, 1}, {11, 1}, {12, 1}, {0, 2}, {11, 10}, {0, -1}, {13, 1}} {
		deadlinesSame(t, "ItemAttempts", b, p, func(s deadlines.Store) (page, error) {
			subs, next, err := s.ItemAttempts(ctx, 1, 500, pr.from, pr.limit)
			return page{subs, next}, err
		})
	}
	for _, ci := range [][2]uint64{{1, 500}, {1, 501}, {1, 502}, {2, 600}} {
		deadlinesSame(t, "Submitters", b, p, func(s deadlines.Store) ([]uint64, error) { return s.Submitters(ctx, ci[0], ci[1]) })
	}
	for _, c := range []uint64{1, 2, 3} {
		deadlinesSame(t, "Ungraded", b, p, func(s deadlines.Store) ([]deadlines.Submission, error) { return s.Ungraded(ctx, c) })
		deadlinesSame(t, "CourseSubmissions", b, p, func(s deadlines.Store) ([]deadlines.Submission, error) { return s.CourseSubmissions(ctx, c) })
	}
	for _, n := range []struct {
		course, item uint64
		staff        []uint64
	}{{1, 500, []uint64{2, 3, 4}}, {2, 600, []uint64{2, 3}}, {1, 501, []uint64{2}}, {1, 500, nil}} {
		deadlinesSame(t, "SubmittedNotes", b, p, func(s deadlines.Store) (map[uint64]deadlines.SubmittedNote, error) {
			return s.SubmittedNotes(ctx, n.course, n.item, n.staff)
		})
	}

	// Calendar feed and marks.
	for _, u := range []uint64{10, 11, 12} {
		deadlinesSame(t, "CalendarGeneration", b, p, func(s deadlines.Store) (uint64, error) { return s.CalendarGeneration(ctx, u) })
		deadlinesSame(t, "EventStates", b, p, func(s deadlines.Store) (map[deadlines.EventKey]deadlines.EventState, error) {
			return s.EventStates(ctx, u)
		})
	}
	for _, c := range []uint64{1, 2, 3} {
		for _, job := range []uint8{deadlines.MarkOpened, deadlines.MarkReminded, deadlines.MarkMissed} {
			deadlinesSame(t, "SweepFacts", b, p, func(s deadlines.Store) (deadlines.SweepFacts, error) { return s.SweepFacts(ctx, c, job) })
		}
		for _, u := range []uint64{10, 11, 20} {
			deadlinesSame(t, "Missed", b, p, func(s deadlines.Store) ([]uint64, error) { return s.Missed(ctx, c, u) })
		}
	}
	if got, err := p.Missed(ctx, 1, 10); err != nil || !reflect.DeepEqual(got, []uint64{100}) {
		t.Errorf("learner 10 missed %v (%v), want [100]", got, err)
	}

	// After the copy: new records get ids past the copied ones, attempts
	// number on, the calendar turns on, a copied mark is still claimed.
	e, err := p.PutExtension(ctx, deadlines.Extension{CourseID: 1, UserID: 13, ModuleID: 100, DueAt: t0, CreatedBy: 2, CreatedAt: t0})
	must(err)
	// Past the largest copied id (4): the deleted extension's id 5 is
	// free again, since the sequence follows the rows copied, not bbolt's.
	if e.ID <= extIDs[3] {
		t.Errorf("a new extension got id %d, not past %d", e.ID, extIDs[3])
	}
	sub := deadlines.Submission{CourseID: 1, ItemID: 500, ModuleID: 100, UserID: 10, Status: "submitted", SubmittedAt: t0}
	must(p.AddAttempt(ctx, &sub))
	if sub.ID <= s10.ID || sub.Attempt != 4 {
		t.Errorf("a new attempt got id %d (past %d?) and number %d (want 4)", sub.ID, s10.ID, sub.Attempt)
	}
	if gen, err := p.RotateCalendar(ctx, 10); err != nil || gen != 4 {
		t.Errorf("the rotation after 3 gave %d (%v)", gen, err)
	}
	claimed, err := p.ClaimMarks(ctx, marks, false)
	must(err)
	for i, c := range claimed {
		if c {
			t.Errorf("copied mark %d claimed again", i)
		}
	}
}
