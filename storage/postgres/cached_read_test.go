package postgres_test

import (
	"context"
	"testing"

	"pacer/cache"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

// A read marked txn.Cached is answered from the cache with its revisions'
// one statement and no transaction around it; one that needs anything
// more runs again, from the start, in a transaction, and answers the same.
func TestACachedReadNeedsNoTransaction(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	revs := postgres.NewRevisions(db)
	c := cache.New[int]("test.value", 10, revs)
	if err := db.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 1, 0) }); err != nil {
		t.Fatal(err)
	}
	stored := 42
	loads, runs := 0, 0
	read := func() (int, []byte) {
		t.Helper()
		var v int
		var status []byte
		err := db.Read(txn.Cached(ctx), func(ctx context.Context) error {
			runs++
			if err := cache.Prefetch(ctx, c.Ahead(1, 0), c.Ahead(2, 0)); err != nil {
				return err
			}
			status = append(status, postgres.TxStatus(ctx))
			var err error
			v, err = c.Read(ctx, 1, 0, func(ctx context.Context) (int, error) {
				var n int
				err := postgres.Q(ctx, db).QueryRow(ctx, "SELECT $1::int", stored).Scan(&n)
				if err == nil {
					loads++
				}
				return n, err
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v, status
	}

	// A miss: the work runs twice, the second time in a transaction.
	v, status := read()
	if v != 42 || runs != 2 || loads != 1 || string(status) != "IT" {
		t.Fatalf("miss: value %d, runs %d, loads %d, status %q; want 42, 2, 1, \"IT\"", v, runs, loads, status)
	}
	// A hit: one run, outside any transaction, nothing loaded.
	runs, loads = 0, 0
	v, status = read()
	if v != 42 || runs != 1 || loads != 0 || string(status) != "I" {
		t.Fatalf("hit: value %d, runs %d, loads %d, status %q; want 42, 1, 0, \"I\"", v, runs, loads, status)
	}
	// A change another process commits is seen by the next read.
	stored = 43
	if err := db.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 1, 0) }); err != nil {
		t.Fatal(err)
	}
	if v, _ = read(); v != 43 {
		t.Fatalf("after the bump: %d, want 43", v)
	}
	// Without the mark, a read runs once, in a transaction.
	runs = 0
	err := db.Read(ctx, func(ctx context.Context) error {
		runs++
		if err := cache.Prefetch(ctx, c.Ahead(1, 0)); err != nil {
			return err
		}
		if s := postgres.TxStatus(ctx); s != 'T' {
			t.Errorf("unmarked read: status %q, want T", s)
		}
		return nil
	})
	if err != nil || runs != 1 {
		t.Fatalf("unmarked read: %v, runs %d", err, runs)
	}
}
