package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"pacer/announcements"
)

// Announcements implements announcements.Store in table announcements
// (migrations/0012_announcements.sql).
type Announcements struct{ db *DB }

// NewAnnouncements returns the store over db.
func NewAnnouncements(db *DB) *Announcements { return &Announcements{db: db} }

var _ announcements.Store = (*Announcements)(nil)

// Add implements announcements.Store.
func (s *Announcements) Add(ctx context.Context, r announcements.Record) (announcements.Record, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO announcements (course_id, title, body, body_html, author_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		int64(r.CourseID), r.Title, r.Body, r.BodyHTML, int64(r.AuthorID), r.CreatedAt).Scan(&id)
	if err != nil {
		return r, err
	}
	r.ID = uint64(id)
	return r, nil
}

// Newest implements announcements.Store: one backward range read of
// announcements_course, limit+1 rows (the one past the page says whether
// more remain). A before of 0 starts past every id (ids are positive).
func (s *Announcements) Newest(ctx context.Context, course, before uint64, limit int) ([]announcements.Record, bool, error) {
	limit = max(limit, 0)
	upper := int64(before)
	if before == 0 {
		upper = int64(^uint64(0) >> 1)
	}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT id, course_id, title, body, body_html, author_id, created_at
		FROM announcements WHERE course_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
		int64(course), upper, limit+1)
	if err != nil {
		return nil, false, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (announcements.Record, error) {
		var r announcements.Record
		var id, c, author int64
		err := row.Scan(&id, &c, &r.Title, &r.Body, &r.BodyHTML, &author, &r.CreatedAt)
		r.ID, r.CourseID, r.AuthorID, r.CreatedAt = uint64(id), uint64(c), uint64(author), r.CreatedAt.UTC()
		return r, err
	})
	if err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}

// DeleteCourse implements announcements.Store.
func (s *Announcements) DeleteCourse(ctx context.Context, course uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM announcements WHERE course_id = $1`, int64(course))
	return err
}
