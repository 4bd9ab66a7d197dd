package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"pacer/deadlines"
	deadlinestore "pacer/deadlines/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestDeadlinesStore(t *testing.T) {
	deadlinestore.Run(t, func(t *testing.T) (deadlines.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewDeadlines(db), db
	})
}

// Learners' concurrent first attempts at an item, and jobs' concurrent
// claims of one mark, conflict under serializable isolation and are run
// again: every attempt lands with its own number, one claim wins.
func TestDeadlinesConcurrentWrites(t *testing.T) {
	db := pgtest.Open(t)
	s := postgres.NewDeadlines(db)
	ctx := context.Background()
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	const n = 6
	var wg sync.WaitGroup
	claims := make([]bool, n)
	numbers := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := deadlines.Submission{CourseID: 1, ItemID: 50, ModuleID: 100, UserID: 10, Body: "x", Status: "on_time", SubmittedAt: at}
			if err := s.AddAttempt(ctx, &sub); err != nil {
				t.Error(err)
			}
			numbers[i] = sub.Attempt
			got, err := s.ClaimMarks(ctx, []deadlines.Mark{{Course: 1, User: 10, Module: 100, Job: deadlines.MarkMissed, At: at, Outcome: deadlines.OutcomeNotified}}, false)
			if err != nil {
				t.Error(err)
				return
			}
			claims[i] = got[0]
		}()
	}
	wg.Wait()
	subs, err := s.Attempts(ctx, 1, 50, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != n || !subs[0].Current || subs[0].Attempt != n || subs[n-1].Attempt != 1 {
		t.Errorf("%d attempts, the first %+v", len(subs), subs[0])
	}
	// Each AddAttempt returned the number it was stored under.
	seen := map[int]bool{}
	for _, a := range numbers {
		seen[a] = true
	}
	for a := 1; a <= n; a++ {
		if !seen[a] {
			t.Errorf("AddAttempt returned numbers %v, want each of 1 to %d once", numbers, n)
			break
		}
	}
	won := 0
	for _, c := range claims {
		if c {
			won++
		}
	}
	if won != 1 {
		t.Errorf("%d claims of one mark won, want 1", won)
	}
}
