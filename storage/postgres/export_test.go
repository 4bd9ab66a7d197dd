package postgres

import "context"

// Q is db.q for the package's external tests: the transaction ctx carries,
// or the pool.
func Q(ctx context.Context, db *DB) Querier { return db.q(ctx) }
