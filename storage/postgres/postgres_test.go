package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"pacer/cache"
	"pacer/cache/cachetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestRevisions(t *testing.T) {
	cachetest.Run(t, func(t *testing.T) (cache.Revisions, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewRevisions(db), db
	})
}

// Replicas starting together on an empty database apply each migration
// once: the advisory lock makes the second wait for the first.
func TestMigrationsRaceOnce(t *testing.T) {
	url := pgtest.EmptyURL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("a replica failed to start: %v", err)
		}
	}
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, max int
	if err := db.Pool().QueryRow(context.Background(), "SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if max != postgres.SchemaVersion() || n < 1 {
		t.Fatalf("schema_migrations has %d rows up to %d, want up to %d", n, max, postgres.SchemaVersion())
	}
}

// A database migrated by a newer Pacer is refused, not written to.
func TestNewerSchemaRefused(t *testing.T) {
	url := pgtest.URL(t)
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(context.Background(), "INSERT INTO schema_migrations (version, name) VALUES ($1, 'future')", postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = postgres.Open(context.Background(), url, postgres.Options{})
	var newer postgres.ErrNewerSchema
	if !errors.As(err, &newer) || newer.Have != postgres.SchemaVersion()+1 {
		t.Fatalf("Open on a newer schema: %v, want ErrNewerSchema", err)
	}
}

// A write that conflicts with a concurrent one is run again, and both
// land: the counter adds up under serializable isolation.
func TestWritesRetryOnConflict(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, "CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	runs := 0
	const writers = 8
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(ctx, func(ctx context.Context) error {
				mu.Lock()
				runs++
				mu.Unlock()
				return postgres.Exec(ctx, db, "UPDATE counter SET n = (SELECT n FROM counter) + 1")
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var n int
	if err := db.Pool().QueryRow(ctx, "SELECT n FROM counter").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writers {
		t.Fatalf("counter = %d after %d writers (%d runs)", n, writers, runs)
	}
}

// A write nested in a read is refused rather than run outside it.
func TestWriteInsideReadRefused(t *testing.T) {
	db := pgtest.Open(t)
	err := db.Read(context.Background(), func(ctx context.Context) error {
		return db.Write(ctx, func(context.Context) error { return nil })
	})
	if !errors.Is(err, postgres.ErrReadOnly) {
		t.Fatalf("Write inside Read: %v", err)
	}
}

// Code that goes on past a failed statement (treating an error as "not
// there") makes PostgreSQL refuse the rest (25P02); the transaction is
// judged by the first failure: a serialization failure there is retried,
// anything else is returned as itself.
func TestAFailureTheCodeWentPastDecides(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	runs := 0
	err := db.Write(ctx, func(ctx context.Context) error {
		runs++
		if runs == 1 {
			_ = postgres.Exec(ctx, db, "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
		}
		return postgres.Exec(ctx, db, "SELECT 1")
	})
	if err != nil || runs != 2 {
		t.Fatalf("a swallowed serialization failure: err %v after %d runs, want success on the second", err, runs)
	}
	err = db.Write(ctx, func(ctx context.Context) error {
		_ = postgres.Exec(ctx, db, "SELECT 1/0")
		return postgres.Exec(ctx, db, "SELECT 1")
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22012" {
		t.Fatalf("a swallowed division by zero: %v, want it (22012) rather than 25P02", err)
	}
	err = db.Write(ctx, func(ctx context.Context) error {
		_ = postgres.Exec(ctx, db, "SELECT 1/0")
		return nil
	})
	if !errors.As(err, &pe) || pe.Code != "22012" {
		t.Fatalf("a commit after a swallowed failure: %v, want the failure", err)
	}
}
