package postgres_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"pacer/limit"
	"pacer/limit/limittest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// openAt opens the database at url as one more process would, with its
// own connection pool.
func openAt(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLimits(t *testing.T) {
	var url string
	limittest.Run(t, limittest.Suite{
		Open: func(t *testing.T, now func() time.Time) limit.Factory {
			url = pgtest.URL(t)
			return postgres.NewLimits(openAt(t, url), now, nil).Limiter
		},
		Replica: func(t *testing.T, now func() time.Time) limit.Factory {
			return postgres.NewLimits(openAt(t, url), now, nil).Limiter
		},
	})
}

func TestLimitsSweepDeletesEndedWindows(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := postgres.NewLimits(db, clock, nil).Limiter
	short, long := f("short", 1, time.Minute), f("long", 1, time.Hour)
	short.Allow(ctx, "a")
	long.Allow(ctx, "a")
	now = now.Add(time.Minute)
	n, err := postgres.NewLimits(db, clock, nil).Sweep(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want the one ended window", n, err)
	}
	if ok, _ := long.Allow(ctx, "a"); ok {
		t.Fatal("the sweep deleted a window still running")
	}
	if ok, _ := short.Allow(ctx, "a"); !ok {
		t.Fatal("a swept key was refused")
	}
}

// While the database does not answer, a limiter still limits, on this
// process's count, and says so once; when it answers again the shared
// count is back.
func TestLimitsCountLocallyWhileTheDatabaseIsDown(t *testing.T) {
	url := pgtest.URL(t)
	db := openAt(t, url)
	ctx := context.Background()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	l := postgres.NewLimits(db, func() time.Time { return now }, log).Limiter("sign_in", 3, time.Minute)
	l.Allow(ctx, "ip")

	pgtest.SetReachable(t, url, false)
	for i := range 3 {
		if ok, _ := l.Allow(ctx, "ip"); !ok {
			t.Fatalf("database down: event %d refused", i+1)
		}
	}
	if ok, _ := l.Allow(ctx, "ip"); ok {
		t.Fatal("database down: the fourth event was allowed")
	}
	if got := strings.Count(logs.String(), "did not answer"); got != 1 {
		t.Fatalf("%d log lines of the outage, want 1:\n%s", got, logs.String())
	}

	pgtest.SetReachable(t, url, true)
	for i := range 2 {
		if ok, _ := l.Allow(ctx, "ip"); !ok {
			t.Fatalf("database back: event %d of the shared count refused", i+2)
		}
	}
	if ok, _ := l.Allow(ctx, "ip"); ok {
		t.Fatal("database back: allowed over the shared count")
	}
}
