package migrate_test

import (
	"context"
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

// Submissions still queued for their staff notification are copied with
// their ids and instants, in the queue's order, and a submission queued
// after the copy gets an id past theirs.
func TestDeadlinesCopyCarriesTheSubmittedQueue(t *testing.T) {
	ctx := context.Background()
	b := bolt.NewDeadlines(openBolt(t))
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	for i, q := range []deadlines.QueuedSubmission{
		{Course: 2, Item: 600, Learner: 20}, {Course: 1, Item: 500, Learner: 10}, {Course: 1, Item: 501, Learner: 11},
		{Course: 1, Item: 500, Learner: 12}, {Course: 1, Item: 500, Learner: 13},
	} {
		q.SubmittedAt = t0.Add(time.Duration(i) * time.Second)
		if err := b.QueueSubmitted(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// One delivered already: a gap in the ids.
	first, _, err := b.QueuedSubmitted(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DropQueuedSubmitted(ctx, first); err != nil {
		t.Fatal(err)
	}

	pg := pgtest.Open(t)
	p := postgres.NewDeadlines(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "deadlines", From: b, To: p}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"deadlines/submitted_queue": 4}; !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}
	type listing struct {
		Entries []deadlines.QueuedSubmission
		More    bool
	}
	for _, limit := range []int{1, 2, 4, 10} {
		deadlinesSame(t, "QueuedSubmitted", b, p, func(s deadlines.Store) (listing, error) {
			qs, more, err := s.QueuedSubmitted(ctx, limit)
			return listing{qs, more}, err
		})
	}
	deadlinesSame(t, "CountQueuedSubmitted", b, p, func(s deadlines.Store) (int, error) { return s.CountQueuedSubmitted(ctx) })

	all, _, err := p.QueuedSubmitted(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for _, q := range all {
		last = max(last, q.ID)
	}
	if err := p.QueueSubmitted(ctx, deadlines.QueuedSubmission{Course: 1, Item: 500, Learner: 14, SubmittedAt: t0}); err != nil {
		t.Fatal(err)
	}
	after, _, err := p.QueuedSubmitted(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range after {
		if q.Learner == 14 && q.ID <= last {
			t.Errorf("a submission queued after the copy got id %d, not past %d", q.ID, last)
		}
	}
}
