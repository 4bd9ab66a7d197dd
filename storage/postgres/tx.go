package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
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
}

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
const maxAttempts = 12

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
	if err = fn(withTx(ctx, &pgTx{tx: tx, writable: writable})); err != nil {
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
