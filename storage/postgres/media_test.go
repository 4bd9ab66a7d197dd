package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"pacer/media"
	mediastore "pacer/media/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestMediaStore(t *testing.T) {
	mediastore.Run(t, func(t *testing.T) (media.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewMedia(db), db
	})
}

// Two processes' locks of one blob take turns: the second LockBlob (here
// through another pool, as another replica's) waits in PostgreSQL until
// the first is given back, and a lock of another blob does not wait.
func TestLockBlobWaitsAcrossProcesses(t *testing.T) {
	url := pgtest.URL(t)
	open := func() *postgres.Media {
		db, err := postgres.Open(context.Background(), url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return postgres.NewMedia(db)
	}
	one, two := open(), open()
	ctx := context.Background()
	sum, other := strings.Repeat("c", 64), strings.Repeat("d", 64)
	unlock, err := one.LockBlob(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		unlock2, err := two.LockBlob(ctx, sum)
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	// The second lock is seen waiting in PostgreSQL before the first is
	// given back: no timing guess.
	deadline := time.Now().Add(30 * time.Second)
	for waiting(t, url) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the second lock of one blob never waited")
		}
		select {
		case err := <-got:
			t.Fatalf("the second lock of one blob was granted while the first was held (%v)", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	unlockOther, err := one.LockBlob(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	unlockOther()
	unlock()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// waiting counts the advisory locks someone waits for in the database.
func waiting(t *testing.T, url string) int {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
