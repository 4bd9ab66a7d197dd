package postgres

import (
	"context"
	"fmt"

	"pacer/announcements"
)

// Import implements migrate.Importer: one exported record, stored as it is
// with its id, in ctx's transaction.
func (s *Announcements) Import(ctx context.Context, kind string, rec any) error {
	if kind != "announcements" {
		return fmt.Errorf("announcements import: unknown kind %q", kind)
	}
	r, ok := rec.(announcements.Record)
	if !ok {
		return fmt.Errorf("announcements import: %s record is a %T", kind, rec)
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO announcements (id, course_id, title, body, body_html, author_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		int64(r.ID), int64(r.CourseID), r.Title, r.Body, r.BodyHTML, int64(r.AuthorID), r.CreatedAt)
	return err
}

// Counts implements migrate.Importer: records of each kind held.
func (s *Announcements) Counts(ctx context.Context) (map[string]int64, error) {
	var n int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM announcements`).Scan(&n)
	return map[string]int64{"announcements": n}, err
}
