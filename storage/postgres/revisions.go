package postgres

import (
	"context"

	"pacer/cache"
)

// Revisions implements cache.Revisions in table revisions: a revision
// check is one primary-key read in the caller's transaction.
type Revisions struct{ db *DB }

// NewRevisions returns the revision store over db.
func NewRevisions(db *DB) *Revisions { return &Revisions{db: db} }

// Revision implements cache.Revisions: one primary-key read in ctx's
// transaction (or a read-only one of its own, as on bbolt).
func (s *Revisions) Revision(ctx context.Context, k cache.Key) (rev uint64, fill bool, err error) {
	if t := txFrom(ctx); t != nil {
		rev, err = s.revision(ctx, k)
		return rev, !t.writable, err
	}
	err = s.db.Read(ctx, func(ctx context.Context) error {
		rev, err = s.revision(ctx, k)
		return err
	})
	return rev, true, err
}

func (s *Revisions) revision(ctx context.Context, k cache.Key) (uint64, error) {
	var r int64
	err := s.db.q(ctx).QueryRow(ctx, "SELECT rev FROM revisions WHERE kind = $1 AND id = $2 AND sub = $3",
		k.Kind, int64(k.ID), int64(k.Sub)).Scan(&r)
	if noRows(err) {
		return 0, nil
	}
	return uint64(r), err
}

// Bump implements cache.Revisions.
func (s *Revisions) Bump(ctx context.Context, k cache.Key) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO revisions (kind, id, sub, rev) VALUES ($1, $2, $3, $4)
			ON CONFLICT (kind, id, sub) DO UPDATE SET rev = excluded.rev`,
			k.Kind, int64(k.ID), int64(k.Sub), int64(cache.NewRevision()))
		return err
	})
}
