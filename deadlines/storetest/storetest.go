// Package storetest is the contract of deadlines.Store: what every
// engine's implementation must do, checked the same way for each (the
// bbolt engine runs it in storage/bolt; the next engine runs it too).
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/deadlines"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (deadlines.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("PutExtension gives an id and replaces a learner's extension of a module", func(t *testing.T) { putExtension(t, open) })
	t.Run("Extensions lists in learner then module order", func(t *testing.T) { listExtensions(t, open) })
	t.Run("Overrides and ModuleOverrides give the due times", func(t *testing.T) { overrides(t, open) })
	t.Run("DeleteExtension removes it everywhere", func(t *testing.T) { deleteExtension(t, open) })
	t.Run("AddAttempt numbers attempts and keeps the superseded ones", func(t *testing.T) { addAttempt(t, open) })
	t.Run("AddAttempt in a transaction sets each attempt by its end", func(t *testing.T) { addAttemptsInTransaction(t, open) })
	t.Run("ItemAttempts pages learners with all their attempts", func(t *testing.T) { itemAttempts(t, open) })
	t.Run("Submitters and Ungraded list an item's and a course's work", func(t *testing.T) { submittersUngraded(t, open) })
	t.Run("SaveSubmission keeps a grade", func(t *testing.T) { saveSubmission(t, open) })
	t.Run("DeleteItem removes every attempt of the item only", func(t *testing.T) { deleteItem(t, open) })
	t.Run("SubmittedNotes are kept per staff member and item", func(t *testing.T) { submittedNotes(t, open) })
	t.Run("QueuedSubmitted lists the queue by course, item, then arrival", func(t *testing.T) { submittedQueue(t, open) })
	t.Run("queued submissions commit and roll back with their transaction", func(t *testing.T) { submittedQueueTransactions(t, open) })
	t.Run("DeleteCourse drops the course's queued submissions", func(t *testing.T) { submittedQueueDeleteCourse(t, open) })
	t.Run("the calendar generation rotates", func(t *testing.T) { calendarGeneration(t, open) })
	t.Run("event states are kept per user and event", func(t *testing.T) { eventStates(t, open) })
	t.Run("SweepFacts gives a course's extensions and one job's marks in learner order", func(t *testing.T) { sweepFacts(t, open) })
	t.Run("ClaimMarks stores a mark once per place and instant", func(t *testing.T) { claimMarks(t, open) })
	t.Run("Missed lists the missed modules whose work was not done", func(t *testing.T) { missed(t, open) })
	t.Run("DeleteCourse removes every record of the course and no other's", func(t *testing.T) { deleteCourse(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
}

var (
	at       = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	bg       = context.Background()
	errAbort = errors.New("abort")
)

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// value returns v, failing the test on err.
func value[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func day(n int) time.Time { return at.AddDate(0, 0, n) }
