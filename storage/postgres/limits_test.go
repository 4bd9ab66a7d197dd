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

// A count's commit does not wait for the WAL flush, and that setting ends
// with the count's own statement: the connection it ran on commits every
// later write durably. (With one connection in the pool, the statements
// after the count run on the very connection it used.)
func TestACountsAsyncCommitEndsWithItsStatement(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	// The test cluster commits asynchronously throughout (it is thrown
	// away); this database commits durably, as a deployment's does.
	setup := openAt(t, url)
	if _, err := setup.Pool().Exec(ctx, `DO $$ BEGIN
		EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', current_database()); END $$`); err != nil {
		t.Fatal(err)
	}
	setup.Close()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	l := postgres.NewLimits(db, func() time.Time { return now }, nil).Limiter("replies", 2, time.Minute)
	durable := func(after string) {
		t.Helper()
		var setting string
		if err := db.Pool().QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil {
			t.Fatal(err)
		}
		if setting != "on" {
			t.Fatalf("after %s the connection commits with synchronous_commit %q", after, setting)
		}
		err := db.Write(ctx, func(ctx context.Context) error {
			return postgres.Q(ctx, db).QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting)
		})
		if err != nil || setting != "on" {
			t.Fatalf("after %s a write's transaction has synchronous_commit %q (%v)", after, setting, err)
		}
	}
	// Inside a statement with the count's FROM item, its own commit is
	// asynchronous.
	var inside string
	if err := db.Pool().QueryRow(ctx, "SELECT current_setting('synchronous_commit') FROM "+postgres.AsyncCommit).Scan(&inside); err != nil {
		t.Fatal(err)
	}
	if inside != "off" {
		t.Fatalf("a count's statement commits with synchronous_commit %q", inside)
	}
	durable("a statement with the count's FROM item")
	if ok, _ := l.Allow(ctx, "u1"); !ok {
		t.Fatal("the first event was refused")
	}
	durable("a count")
	l.Refund(ctx, "u1")
	durable("a refund")
	// (What counts and refunds mean is the limit contract's, limittest.)
	for range 3 {
		l.Allow(ctx, "u1")
	}
	durable("a refused count")
}
