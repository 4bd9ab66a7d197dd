package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"pacer/txn"
)

// unreachable wraps err in txn.ErrUnavailable when it says the database
// could not be reached or the connection to it broke, so that the request
// is answered 503 (try again) rather than 500 (a bug): a replica whose
// database restarts is not failing its users' requests, only delaying
// them.
func unreachable(err error) error {
	if err == nil || errors.Is(err, txn.ErrUnavailable) || !lostConn(err) {
		return err
	}
	return fmt.Errorf("%w: %w", txn.ErrUnavailable, err)
}

func lostConn(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The request gave up (its client left, its time ran out): not
		// the database's doing.
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		// Whatever the server said while refusing (a pg_hba rule during
		// maintenance, too many clients), there was no connection.
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08 is connection exceptions; 57P01–57P03 are a server
		// shutting down or starting up.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// poolQuerier is the pool as a Querier for statements outside a
// transaction, with unreachable's wrapping.
type poolQuerier struct{ db *DB }

func (p poolQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := p.db.pool.Exec(ctx, sql, args...)
	return tag, unreachable(err)
}

func (p poolQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := p.db.pool.Query(ctx, sql, args...)
	return rows, unreachable(err)
}

func (p poolQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return poolRow{p.db.pool.QueryRow(ctx, sql, args...)}
}

func (p poolQuerier) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return p.db.pool.SendBatch(ctx, b)
}

func (p poolQuerier) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	n, err := p.db.pool.CopyFrom(ctx, table, columns, src)
	return n, unreachable(err)
}

type poolRow struct{ row pgx.Row }

func (r poolRow) Scan(dest ...any) error { return unreachable(r.row.Scan(dest...)) }
