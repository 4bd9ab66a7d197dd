package postgres

import "context"

// Q is db.q for the package's external tests: the transaction ctx carries,
// or the pool.
func Q(ctx context.Context, db *DB) Querier { return db.q(ctx) }

// Defer queues a write in ctx's transaction to go with its next round
// trip, as a revision bump does.
func Defer(ctx context.Context, sql string, args ...any) { txFrom(ctx).deferExec(sql, args...) }

// TxStatus is the transaction status of the connection ctx's transaction
// runs on, as the server last reported it: 'I' idle (no transaction open),
// 'T' in a transaction, 'E' in a failed one; '-' when it holds no
// connection (a cached read answered without one).
func TxStatus(ctx context.Context) byte {
	t := txFrom(ctx)
	if t.conn == nil {
		return '-'
	}
	return t.conn.Conn().PgConn().TxStatus()
}

// AsyncCommit is the FROM item a rate-limit count commits asynchronously
// with.
const AsyncCommit = asyncCommit
