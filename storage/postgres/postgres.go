// Package postgres is Pacer's PostgreSQL engine: it implements every
// domain package's store on a relational schema (one table per record
// type, real columns for what is filtered, joined or ordered), and
// txn.Runner with serializable transactions retried on conflict. The bbolt
// engine (storage/bolt) is its twin; both pass the same contract suites
// (<package>/storetest).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune the connection pool.
type Options struct {
	// MaxConns caps the pool; 0 is pgxpool's default (4 × CPUs, at least 4).
	MaxConns int32
	// StatementTimeout bounds each statement on the server; 0 is none.
	StatementTimeout time.Duration
}

// DB is one PostgreSQL database holding Pacer's records.
type DB struct {
	pool  *pgxpool.Pool
	loose *looseReads
}

// Open connects to url, brings the schema up to the version this binary
// knows (refusing a newer one) and returns the database.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	if opt.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opt.StatementTimeout.Milliseconds())
	}
	// Every instant is stored as timestamptz and read back in UTC, the
	// zone the domain computes in.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{pool: pool, loose: &looseReads{pool: pool}}, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping reports whether the database answers (readiness). A failed ping
// may have been an idle connection that died with an outage now over, so
// the pool drops its idle connections and asks once more on a new one.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err == nil {
		return nil
	}
	db.pool.Reset()
	return db.pool.Ping(ctx)
}

// Pool is the connection pool, for the engine's own tools (migrate, tests).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Querier is what a store method runs its SQL on: the transaction ctx
// carries, or the pool for a single statement outside one.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// q is ctx's transaction, or the pool. A store method that runs more than
// one statement wraps them in db.Write or db.Read first, so that they are
// one transaction either way.
func (db *DB) q(ctx context.Context) Querier {
	if t := txFrom(ctx); t != nil {
		return t
	}
	return poolQuerier{db}
}

// Errors of PostgreSQL that stores turn into the domain's.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeInFailedTransaction  = "25P02"
	codeDivisionByZero       = "22012"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isUnique reports a unique-constraint violation; constraint, when not
// empty, must be the violated constraint's (or index's) name.
func isUnique(err error, constraint string) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != codeUniqueViolation {
		return false
	}
	return constraint == "" || pe.ConstraintName == constraint
}

// noRows reports a query that found nothing.
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// pageOf is a page of at most limit items out of a query that asked for
// limit+1, and whether more followed: the extra row says so without a
// count.
func pageOf[T any](out []T, limit int) ([]T, bool) {
	if len(out) > limit {
		return out[:limit], true
	}
	return out, false
}
