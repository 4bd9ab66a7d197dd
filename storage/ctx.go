package storage

import (
	"context"
	"errors"
)

// The engine side of package txn: bbolt's transaction carried in a
// context. Stores of the bbolt engine (storage/bolt) take it back out with
// TxFrom; code not yet moved behind a store bridges the same way, and code
// that holds a *Tx hands it to a store with WithTx.

type txKey struct{}

// WithTx returns ctx carrying tx.
func WithTx(ctx context.Context, tx *Tx) context.Context { return context.WithValue(ctx, txKey{}, tx) }

// TxFrom is the transaction ctx carries, or nil.
func TxFrom(ctx context.Context) *Tx {
	tx, _ := ctx.Value(txKey{}).(*Tx)
	return tx
}

// ErrReadOnly is a write asked of a read-only transaction: a programming
// error (a Write nested in a Read), reported rather than deadlocking on
// bbolt's single writer.
var ErrReadOnly = errors.New("storage: write inside a read-only transaction")

// Write implements txn.Runner: fn runs in a read-write transaction that
// commits (durably) when it returns nil, or in the one ctx carries.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if tx := TxFrom(ctx); tx != nil {
		if !tx.Writable() {
			return ErrReadOnly
		}
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.Update(func(tx *Tx) error { return fn(WithTx(ctx, tx)) })
}

// Read implements txn.Runner: fn runs in a read-only transaction, or in
// the one ctx carries.
func (db *DB) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	if TxFrom(ctx) != nil {
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.View(func(tx *Tx) error { return fn(WithTx(ctx, tx)) })
}

// Batch implements txn.Runner: fn shares a commit with concurrent Batch
// calls (see DB.Batch), or joins the read-write transaction ctx carries.
func (db *DB) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	if tx := TxFrom(ctx); tx != nil {
		if !tx.Writable() {
			return ErrReadOnly
		}
		return fn(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.BatchTx(func(tx *Tx) error { return fn(WithTx(ctx, tx)) })
}
