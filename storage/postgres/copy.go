package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// What `pacer migrate` needs of the engine as a whole; each owner's store
// imports its own records (Import, Counts in <owner>_import.go).

// userTables lists the tables of Pacer's schema (every table but the
// migration ledger).
func (db *DB) userTables(ctx context.Context) ([]string, error) {
	rows, err := db.q(ctx).Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'
		ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// NonEmptyTables names the tables that hold any row: a database to copy
// into must have none.
func (db *DB) NonEmptyTables(ctx context.Context) ([]string, error) {
	tables, err := db.userTables(ctx)
	if err != nil {
		return nil, err
	}
	var full []string
	for _, t := range tables {
		var any bool
		if err := db.q(ctx).QueryRow(ctx, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s)", pgx.Identifier{t}.Sanitize())).Scan(&any); err != nil {
			return nil, err
		}
		if any {
			full = append(full, t)
		}
	}
	return full, nil
}

// ResetSequences moves every identity column's sequence past the largest
// id its table holds, so that ids given after a copy that kept the old ids
// never collide with them.
func (db *DB) ResetSequences(ctx context.Context) error {
	rows, err := db.q(ctx).Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return err
	}
	type col struct{ table, column string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
		var c col
		err := r.Scan(&c.table, &c.column)
		return c, err
	})
	if err != nil {
		return err
	}
	for _, c := range cols {
		t, k := pgx.Identifier{c.table}.Sanitize(), pgx.Identifier{c.column}.Sanitize()
		sql := fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(%s) FROM %s), 0) + 1, false)", k, t)
		if _, err := db.q(ctx).Exec(ctx, sql, c.table, c.column); err != nil {
			return fmt.Errorf("reset the sequence of %s.%s: %w", c.table, c.column, err)
		}
	}
	return nil
}

// AdvanceSequence moves the id sequence of table past last as well (ids
// the source engine gave to records since deleted are not given again).
func (db *DB) AdvanceSequence(ctx context.Context, table string, last uint64) error {
	var col string
	err := db.q(ctx).QueryRow(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`, table).Scan(&col)
	if noRows(err) {
		return fmt.Errorf("table %s has no identity column", table)
	}
	if err != nil {
		return err
	}
	t, k := pgx.Identifier{table}.Sanitize(), pgx.Identifier{col}.Sanitize()
	sql := fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), greatest(coalesce((SELECT max(%s) FROM %s), 0), $3) + 1, false)", k, t)
	_, err = db.q(ctx).Exec(ctx, sql, table, col, int64(last))
	return err
}
