package bolt_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pacer/deadlines"
	deadlinestore "pacer/deadlines/storetest"
	"pacer/engagement"
	"pacer/storage/bolt"
	"pacer/storage/records"
	"pacer/txn"
)

func TestDeadlinesStore(t *testing.T) {
	deadlinestore.Run(t, func(t *testing.T) (deadlines.Store, txn.Runner) {
		db := open(t)
		return bolt.NewDeadlines(db), db
	})
}

// exporter is a store that hands its records to migrate.
type exporter interface {
	Export(ctx context.Context, put func(kind string, rec any) error) error
}

// exportedCourses exports a store and counts its records by kind and by
// the course they belong to (0 for a record of no course). The export
// reads the buckets themselves, not the indexes the store's reads go
// through, so a record those reads can no longer reach still shows here.
func exportedCourses(t *testing.T, s exporter) map[string]map[uint64]int {
	t.Helper()
	out := map[string]map[uint64]int{}
	err := s.Export(context.Background(), func(kind string, rec any) error {
		var course uint64
		switch r := rec.(type) {
		case deadlines.Extension:
			course = r.CourseID
		case deadlines.Submission:
			course = r.CourseID
		case records.SubmittedNote:
			course = r.Course
		case deadlines.QueuedSubmission:
			course = r.Course
		case records.CalendarEvent:
			course = r.Key.Course
		case deadlines.Mark:
			course = r.Course
		case records.CalendarToken:
		case engagement.DayCount:
			course = r.Course
		case records.EngagementState:
			course = r.Course
		default:
			return fmt.Errorf("a %s record of unknown type %T", kind, rec)
		}
		if out[kind] == nil {
			out[kind] = map[uint64]int{}
		}
		out[kind][course]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A course's deletion leaves none of its records in any bucket of the
// store, including the records keyed by id and the buckets keyed by user
// first, and every record of another course.
func TestDeadlinesDeleteCourseLeavesNoRecord(t *testing.T) {
	s := bolt.NewDeadlines(open(t))
	ctx := context.Background()
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	for _, course := range []uint64{1, 2} {
		if _, err := s.PutExtension(ctx, deadlines.Extension{CourseID: course, UserID: 10, ModuleID: 100, DueAt: at, CreatedBy: 7, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second supersedes the first, which moves to the history
			if err := s.AddAttempt(ctx, &deadlines.Submission{CourseID: course, ItemID: 50, ModuleID: 100, UserID: 10, Body: "x", Status: "on_time", SubmittedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutSubmittedNotes(ctx, course, 50, map[uint64]deadlines.SubmittedNote{7: {Notification: 1, Count: 2}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutEventStates(ctx, 10, map[deadlines.EventKey]deadlines.EventState{{Course: course, Module: 100, Kind: 2}: {At: at, Modified: at}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimMarks(ctx, []deadlines.Mark{{Course: course, User: 10, Module: 100, Job: deadlines.MarkMissed, At: at, Outcome: deadlines.OutcomeNotified}}, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RotateCalendar(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCourse(ctx, 1); err != nil {
		t.Fatal(err)
	}
	got := exportedCourses(t, s)
	want := map[string]map[uint64]int{
		"extensions":      {2: 1},
		"submissions":     {2: 2},
		"submitted_notes": {2: 1},
		"calendar_tokens": {0: 1},
		"calendar_events": {2: 1},
		"job_marks":       {2: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records left by kind and course: %v, want %v", got, want)
	}
}

// A course's deletion takes the submissions queued for its staff's
// notifications, and only them, as the export (which reads the bucket
// itself) shows.
func TestDeadlinesDeleteCourseDropsItsQueuedSubmissions(t *testing.T) {
	s := bolt.NewDeadlines(open(t))
	ctx := context.Background()
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	for _, course := range []uint64{1, 2, 1, 3} {
		if err := s.QueueSubmitted(ctx, deadlines.QueuedSubmission{Course: course, Item: 50, Learner: 10, SubmittedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCourse(ctx, 1); err != nil {
		t.Fatal(err)
	}
	got := exportedCourses(t, s)
	if want := map[string]map[uint64]int{"submitted_queue": {2: 1, 3: 1}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records left by kind and course: %v, want %v", got, want)
	}
}
