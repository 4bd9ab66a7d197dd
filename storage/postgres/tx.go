package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The transaction a context carries, and txn.Runner over it.
//
// Writes run SERIALIZABLE: every write function was written against
// bbolt's single writer, and serializable isolation is the level at which
// PostgreSQL promises the same outcome as some one-at-a-time order, so no
// invariant needs restating per write (an id that must be unique, a seat
// that must not be taken twice, a counter that must add up). The price is
// that a transaction may abort with 40001 (or 40P01 on a deadlock); it is
// then run again from the start, which the write functions allow (package
// txn). Reads run REPEATABLE READ, READ ONLY: one snapshot for the whole
// read, which is what a page needs, and such a transaction never aborts.

type txKey struct{}

type pgTx struct {
	tx       pgx.Tx
	writable bool
	// failed is the first statement error of the transaction. After it
	// PostgreSQL refuses every statement (25P02) until the end; when the
	// code that saw it went on regardless (a read whose error a caller
	// treats as "absent"), the work function returns 25P02, and the
	// transaction is judged by this first error instead: a serialization
	// failure there is retried like any other.
	failed error
}

func (t *pgTx) note(err error) error {
	if err != nil && t.failed == nil && pgCode(err) != "" {
		t.failed = err
	}
	return err
}

// The Querier of a transaction: pgx's, noting the first error.

func (t *pgTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.tx.Exec(ctx, sql, args...)
	return tag, t.note(err)
}

func (t *pgTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return rows, t.note(err)
	}
	return notingRows{Rows: rows, t: t}, nil
}

func (t *pgTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return notingRow{row: t.tx.QueryRow(ctx, sql, args...), t: t}
}

func (t *pgTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return notingBatch{BatchResults: t.tx.SendBatch(ctx, b), t: t}
}

func (t *pgTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	n, err := t.tx.CopyFrom(ctx, table, columns, src)
	return n, t.note(err)
}

type notingRows struct {
	pgx.Rows
	t *pgTx
}

func (r notingRows) Err() error { return r.t.note(r.Rows.Err()) }

type notingRow struct {
	row pgx.Row
	t   *pgTx
}

func (r notingRow) Scan(dest ...any) error { return r.t.note(r.row.Scan(dest...)) }

type notingBatch struct {
	pgx.BatchResults
	t *pgTx
}

func (b notingBatch) Exec() (pgconn.CommandTag, error) {
	tag, err := b.BatchResults.Exec()
	return tag, b.t.note(err)
}

func (b notingBatch) Query() (pgx.Rows, error) {
	rows, err := b.BatchResults.Query()
	if err != nil {
		return rows, b.t.note(err)
	}
	return notingRows{Rows: rows, t: b.t}, nil
}

func (b notingBatch) QueryRow() pgx.Row { return notingRow{row: b.BatchResults.QueryRow(), t: b.t} }

func (b notingBatch) Close() error { return b.t.note(b.BatchResults.Close()) }

func withTx(ctx context.Context, t *pgTx) context.Context { return context.WithValue(ctx, txKey{}, t) }

func txFrom(ctx context.Context) *pgTx {
	t, _ := ctx.Value(txKey{}).(*pgTx)
	return t
}

// ErrReadOnly is a write asked of a read-only transaction: a programming
// error (a Write nested in a Read).
var ErrReadOnly = errors.New("postgres: write inside a read-only transaction")

// maxAttempts bounds the runs of one write under contention; past it the
// last serialization error is returned (and answered as 500: the database
// is overloaded, not the request wrong).
const maxAttempts = 30

var (
	writeOpts = pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadWrite}
	readOpts  = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
)

// Write implements txn.Runner.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if t := txFrom(ctx); t != nil {
		if !t.writable {
			return ErrReadOnly
		}
		return fn(ctx)
	}
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			if werr := backoff(ctx, attempt); werr != nil {
				return werr
			}
		}
		err = db.run(ctx, writeOpts, true, fn)
		if !retryable(err) {
			return err
		}
	}
	return err
}

// Batch implements txn.Runner. PostgreSQL already shares one WAL flush
// among transactions that commit together, so a batch is a Write.
func (db *DB) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return db.Write(ctx, fn)
}

// Read implements txn.Runner.
func (db *DB) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	if txFrom(ctx) != nil {
		return fn(ctx)
	}
	return db.run(ctx, readOpts, false, fn)
}

func (db *DB) run(ctx context.Context, opts pgx.TxOptions, writable bool, fn func(ctx context.Context) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// The rollback's own error adds nothing to fn's; a context
			// that fn saw cancelled must not keep the rollback from
			// being sent.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	t := &pgTx{tx: tx, writable: writable}
	if err = fn(withTx(ctx, t)); err != nil {
		if pgCode(err) == codeInFailedTransaction && t.failed != nil {
			err = t.failed
		}
		return err
	}
	if t.failed != nil {
		// fn went on past a failed statement and returned nil: PostgreSQL
		// would roll the commit back; say why.
		err = t.failed
		return err
	}
	return tx.Commit(ctx)
}

// retryable is an abort that running the transaction again may cure.
func retryable(err error) bool {
	switch pgCode(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}

// backoff waits a random time that grows with each attempt (1 ms, 2 ms, …
// capped at 100 ms), so that transactions that conflicted do not meet
// again at once.
func backoff(ctx context.Context, attempt int) error {
	d := time.Millisecond << min(attempt-1, 7)
	d = min(d, 100*time.Millisecond)
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Exec runs one statement in ctx's transaction (or on its own): for the
// engine's tools and tests.
func Exec(ctx context.Context, db *DB, sql string, args ...any) error {
	_, err := db.q(ctx).Exec(ctx, sql, args...)
	return err
}
