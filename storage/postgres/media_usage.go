package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"pacer/media"
)

// The quota totals live in media_usage, one row per account.

// usageArgs splits accounts and amounts into the arrays unnest takes.
func usageArgs(m map[media.Account]int64) (users []bool, ids, amounts []int64) {
	for a, n := range m {
		users = append(users, a.User)
		ids = append(ids, int64(a.ID))
		amounts = append(amounts, n)
	}
	return users, ids, amounts
}

// Usage implements media.Store.
func (s *Media) Usage(ctx context.Context, a media.Account) (int64, error) {
	var n int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT bytes FROM media_usage WHERE is_user = $1 AND id = $2`,
		a.User, int64(a.ID)).Scan(&n)
	if noRows(err) {
		return 0, nil
	}
	return n, err
}

// AddUsage implements media.Store in one statement: the accounts with a
// total are updated, the others inserted, each clamped at 0. (INSERT … ON
// CONFLICT cannot do it alone: the row it would insert is checked against
// bytes >= 0 before the conflict is found, and excluded holds only the
// clamped amount.)
func (s *Media) AddUsage(ctx context.Context, deltas map[media.Account]int64) error {
	if len(deltas) == 0 {
		return nil
	}
	users, ids, amounts := usageArgs(deltas)
	_, err := s.db.q(ctx).Exec(ctx, `WITH d AS (
			SELECT * FROM unnest($1::boolean[], $2::bigint[], $3::bigint[]) AS d(is_user, id, delta)
		), up AS (
			UPDATE media_usage u SET bytes = greatest(0, u.bytes + d.delta)
			FROM d WHERE u.is_user = d.is_user AND u.id = d.id
			RETURNING u.is_user, u.id
		)
		INSERT INTO media_usage (is_user, id, bytes)
		SELECT d.is_user, d.id, greatest(0, d.delta) FROM d
		WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.is_user = d.is_user AND up.id = d.id)`,
		users, ids, amounts)
	return err
}

// ClearUsage implements media.Store.
func (s *Media) ClearUsage(ctx context.Context, a media.Account) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM media_usage WHERE is_user = $1 AND id = $2`, a.User, int64(a.ID))
	return err
}

// UsageCounted implements media.Store.
func (s *Media) UsageCounted(ctx context.Context) (bool, error) {
	var done bool
	err := s.db.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM media_usage_counted)`).Scan(&done)
	return done, err
}

// CountedUsage implements media.Store: the totals replace those stored,
// and the mark is set, in one transaction.
func (s *Media) CountedUsage(ctx context.Context, totals map[media.Account]int64) error {
	users, ids, amounts := usageArgs(totals)
	return s.db.Write(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		if len(totals) > 0 {
			b.Queue(`INSERT INTO media_usage (is_user, id, bytes)
				SELECT is_user, id, greatest(0, bytes)
				FROM unnest($1::boolean[], $2::bigint[], $3::bigint[]) AS t(is_user, id, bytes)
				ON CONFLICT (is_user, id) DO UPDATE SET bytes = excluded.bytes`, users, ids, amounts)
		}
		b.Queue(`INSERT INTO media_usage_counted DEFAULT VALUES ON CONFLICT DO NOTHING`)
		return s.db.q(ctx).SendBatch(ctx, b).Close()
	})
}
