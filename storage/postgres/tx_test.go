package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// A transaction's BEGIN travels with its first statement, whatever kind of
// statement that is; each kind must leave the transaction usable for the
// next statement and commit what it wrote.
func TestEveryKindOfFirstStatement(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, "CREATE TABLE t (n int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := map[string]func(ctx context.Context, q postgres.Querier, n int) error{
		"Exec": func(ctx context.Context, q postgres.Querier, n int) error {
			_, err := q.Exec(ctx, "INSERT INTO t VALUES ($1)", n)
			return err
		},
		"Query read halfway": func(ctx context.Context, q postgres.Querier, n int) error {
			rows, err := q.Query(ctx, "SELECT generate_series(1, 10)")
			if err != nil {
				return err
			}
			rows.Next()
			rows.Close()
			_, err = q.Exec(ctx, "INSERT INTO t VALUES ($1)", n)
			return err
		},
		"Query read to the end": func(ctx context.Context, q postgres.Querier, n int) error {
			rows, err := q.Query(ctx, "SELECT generate_series(1, 3)")
			if err != nil {
				return err
			}
			seen := 0
			for rows.Next() {
				seen++
			}
			if err := rows.Err(); err != nil || seen != 3 {
				return errors.Join(err, errors.New("rows not all read"))
			}
			// No Close: pgx's rows close themselves at the end, and the
			// connection must be free for the next statement.
			_, err = q.Exec(ctx, "INSERT INTO t VALUES ($1)", n)
			return err
		},
		"QueryRow with no row": func(ctx context.Context, q postgres.Querier, n int) error {
			var x int
			if err := q.QueryRow(ctx, "SELECT n FROM t WHERE n = -1").Scan(&x); !errors.Is(err, pgx.ErrNoRows) {
				return errors.Join(err, errors.New("want ErrNoRows"))
			}
			_, err := q.Exec(ctx, "INSERT INTO t VALUES ($1)", n)
			return err
		},
		"SendBatch": func(ctx context.Context, q postgres.Querier, n int) error {
			b := &pgx.Batch{}
			b.Queue("SELECT 1")
			b.Queue("INSERT INTO t VALUES ($1)", n)
			br := q.SendBatch(ctx, b)
			var one int
			if err := br.QueryRow().Scan(&one); err != nil || one != 1 {
				br.Close()
				return errors.Join(err, errors.New("the caller's first result is not its own"))
			}
			if _, err := br.Exec(); err != nil {
				br.Close()
				return err
			}
			return br.Close()
		},
		"CopyFrom": func(ctx context.Context, q postgres.Querier, n int) error {
			_, err := q.CopyFrom(ctx, pgx.Identifier{"t"}, []string{"n"}, pgx.CopyFromRows([][]any{{n}}))
			return err
		},
	}
	n := 0
	for name, fn := range first {
		n++
		before := count()
		err := db.Write(ctx, func(ctx context.Context) error { return fn(ctx, postgres.Q(ctx, db), n) })
		if err != nil {
			t.Fatalf("%s first: %v", name, err)
		}
		if got := count(); got != before+1 {
			t.Fatalf("%s first: %d rows after the commit, want %d", name, got, before+1)
		}
		// A deferred write (a revision bump) goes with the same kinds of
		// statement, ahead of them, first in the transaction or later.
		for _, later := range []bool{false, true} {
			n++
			before := count()
			err := db.Write(ctx, func(ctx context.Context) error {
				if later {
					if _, err := postgres.Q(ctx, db).Exec(ctx, "SELECT 1"); err != nil {
						return err
					}
				}
				postgres.Defer(ctx, "INSERT INTO t VALUES ($1)", -n)
				return fn(ctx, postgres.Q(ctx, db), n)
			})
			if err != nil {
				t.Fatalf("%s after a deferred write: %v", name, err)
			}
			if got := count(); got != before+2 {
				t.Fatalf("%s after a deferred write: %d rows after the commit, want %d", name, got, before+2)
			}
		}
	}
	// A deferred write last goes with the COMMIT; alone, BEGIN, it and
	// COMMIT are one round trip.
	for _, alone := range []bool{true, false} {
		n++
		before := count()
		err := db.Write(ctx, func(ctx context.Context) error {
			if !alone {
				if _, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO t VALUES ($1)", n); err != nil {
					return err
				}
			}
			postgres.Defer(ctx, "INSERT INTO t VALUES ($1)", -n)
			return nil
		})
		if err != nil {
			t.Fatalf("a deferred write last (alone %v): %v", alone, err)
		}
		want := before + 2
		if alone {
			want = before + 1
		}
		if got := count(); got != want {
			t.Fatalf("a deferred write last (alone %v): %d rows, want %d", alone, got, want)
		}
	}
	// A transaction that runs nothing commits nothing and fails nothing.
	if err := db.Write(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := db.Read(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// A first statement that fails rolls the whole transaction back, and the
// pool's connection is good for the next one; a statement that fails after
// others rolls back those others too.
func TestAFailedStatementRollsBack(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, "CREATE TABLE t (n int PRIMARY KEY); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		err := db.Write(ctx, func(ctx context.Context) error {
			_, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO t VALUES (1)")
			return err
		})
		if err == nil {
			t.Fatal("a duplicate key committed")
		}
		err = db.Write(ctx, func(ctx context.Context) error {
			if _, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
				return err
			}
			_, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO t VALUES (1)")
			return err
		})
		if err == nil {
			t.Fatal("a duplicate key committed")
		}
	}
	// A deferred write that fails fails the statement it went with, or
	// the COMMIT, and nothing of the transaction stays.
	for _, then := range []string{"INSERT INTO t VALUES (3)", ""} {
		err := db.Write(ctx, func(ctx context.Context) error {
			if _, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO t VALUES (4)"); err != nil {
				return err
			}
			postgres.Defer(ctx, "INSERT INTO t VALUES (1)")
			if then == "" {
				return nil
			}
			_, err := postgres.Q(ctx, db).Exec(ctx, then)
			return err
		})
		if err == nil {
			t.Fatalf("a deferred duplicate key committed (then %q)", then)
		}
	}
	var n int
	err := db.Read(ctx, func(ctx context.Context) error {
		return postgres.Q(ctx, db).QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n)
	})
	if err != nil || n != 1 {
		t.Fatalf("rows = %d, %v; want the one from before", n, err)
	}
}
