package postgres

import (
	"context"

	"pacer/modules"
)

// Progress is table progress keyed (course_id, user_id, item_id): a
// learner's records in a course, and a course's records in user then item
// order, are each one range of the primary key.

// Progress implements modules.Store.
func (s *Modules) Progress(ctx context.Context, course, user uint64) (map[uint64]modules.ItemProgress, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT item_id, status, completed_at, updated_at FROM progress
		WHERE course_id = $1 AND user_id = $2`, int64(course), int64(user))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint64]modules.ItemProgress{}
	for rows.Next() {
		var item int64
		var p modules.ItemProgress
		if err := rows.Scan(&item, &p.Status, &p.CompletedAt, &p.UpdatedAt); err != nil {
			return nil, err
		}
		p.CompletedAt, p.UpdatedAt = utcPtr(p.CompletedAt), p.UpdatedAt.UTC()
		out[uint64(item)] = p
	}
	return out, rows.Err()
}

// ItemProgress implements modules.Store.
func (s *Modules) ItemProgress(ctx context.Context, course, user, item uint64) (modules.ItemProgress, error) {
	var p modules.ItemProgress
	err := s.db.q(ctx).QueryRow(ctx, `SELECT status, completed_at, updated_at FROM progress
		WHERE course_id = $1 AND user_id = $2 AND item_id = $3`, int64(course), int64(user), int64(item)).
		Scan(&p.Status, &p.CompletedAt, &p.UpdatedAt)
	if noRows(err) {
		return modules.ItemProgress{}, modules.ErrNoRecord
	}
	p.CompletedAt, p.UpdatedAt = utcPtr(p.CompletedAt), p.UpdatedAt.UTC()
	return p, err
}

// PutProgress implements modules.Store: an upsert sent with the
// transaction's next statement (DB.execLater).
func (s *Modules) PutProgress(ctx context.Context, course, user, item uint64, p modules.ItemProgress) error {
	return s.db.execLater(ctx, `INSERT INTO progress (course_id, user_id, item_id, status, completed_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (course_id, user_id, item_id) DO UPDATE SET status = excluded.status,
			completed_at = excluded.completed_at, updated_at = excluded.updated_at`,
		int64(course), int64(user), int64(item), p.Status, p.CompletedAt, p.UpdatedAt)
}

// Completed implements modules.Store.
func (s *Modules) Completed(ctx context.Context, course, user, item uint64) (bool, error) {
	var done bool
	err := s.db.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM progress
		WHERE course_id = $1 AND user_id = $2 AND item_id = $3 AND status = $4)`,
		int64(course), int64(user), int64(item), modules.StatusCompleted).Scan(&done)
	return done, err
}

type progressRow struct {
	user, item uint64
	done       bool
}

// progressRows reads (user, item, completed) rows, closing them before
// the caller's fn runs (fn may use the connection).
func (s *Modules) progressRows(ctx context.Context, sql string, args ...any) ([]progressRow, error) {
	rows, err := s.db.q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []progressRow
	for rows.Next() {
		var user, item int64
		var done bool
		if err := rows.Scan(&user, &item, &done); err != nil {
			return nil, err
		}
		out = append(out, progressRow{uint64(user), uint64(item), done})
	}
	return out, rows.Err()
}

// EachProgress implements modules.Store.
func (s *Modules) EachProgress(ctx context.Context, course, user uint64, fn func(item uint64, completed bool)) error {
	all, err := s.progressRows(ctx, `SELECT user_id, item_id, status = $3 FROM progress
		WHERE course_id = $1 AND user_id = $2 ORDER BY item_id`, int64(course), int64(user), modules.StatusCompleted)
	for _, r := range all {
		fn(r.item, r.done)
	}
	return err
}

// EachCourseProgress implements modules.Store.
func (s *Modules) EachCourseProgress(ctx context.Context, course uint64, fn func(user, item uint64, completed bool)) error {
	all, err := s.progressRows(ctx, `SELECT user_id, item_id, status = $2 FROM progress
		WHERE course_id = $1 ORDER BY user_id, item_id`, int64(course), modules.StatusCompleted)
	for _, r := range all {
		fn(r.user, r.item, r.done)
	}
	return err
}

// DeleteCourseProgress implements modules.Store.
func (s *Modules) DeleteCourseProgress(ctx context.Context, course uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM progress WHERE course_id = $1", int64(course))
	return err
}
