package postgres_test

import (
	"context"
	"testing"

	"pacer/engagement"
	engagementstore "pacer/engagement/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestEngagementStore(t *testing.T) {
	engagementstore.Run(t, func(t *testing.T) (engagement.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewEngagement(db), db
	})
}

// Counts of one day given twice in one call are both added (an upsert may
// not touch a row twice, so the store sums them first).
func TestEngagementSameDayTwice(t *testing.T) {
	db := pgtest.Open(t)
	s := postgres.NewEngagement(db)
	ctx := context.Background()
	d := engagement.DayCount{Course: 1, User: 2, Day: 100, Count: 2}
	if err := s.AddActivity(ctx, []engagement.DayCount{d, d, {Course: 1, User: 2, Day: 99, Count: 1}, d}); err != nil {
		t.Fatal(err)
	}
	out := make([]uint32, 2)
	if err := s.Activity(ctx, 1, 2, 100, out); err != nil || out[0] != 6 || out[1] != 1 {
		t.Errorf("Activity = %v, %v; want [6 1]", out, err)
	}
}
