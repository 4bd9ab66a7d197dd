package postgres

import (
	"context"

	"pacer/modules"
)

// Courses are rows of table courses; the policy is a jsonb column (read and
// written whole, never queried).

const courseColumns = `id, title, description, description_html, published, pacing, starts_at, timezone,
	enrollment, enroll_key, archived, policy, created_by, created_at, updated_at`

func scanCourse(row interface{ Scan(...any) error }) (modules.Course, error) {
	var c modules.Course
	var id, by int64
	err := row.Scan(&id, &c.Title, &c.Description, &c.DescriptionHTML, &c.Published, &c.Pacing, &c.StartsAt,
		&c.Timezone, &c.Enrollment, &c.EnrollKey, &c.Archived, &c.Policy, &by, &c.CreatedAt, &c.UpdatedAt)
	c.ID, c.CreatedBy = uint64(id), uint64(by)
	c.StartsAt, c.CreatedAt, c.UpdatedAt = utcPtr(c.StartsAt), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

func courseArgs(c modules.Course) []any {
	return []any{int64(c.ID), c.Title, c.Description, c.DescriptionHTML, c.Published, c.Pacing, c.StartsAt,
		c.Timezone, c.Enrollment, c.EnrollKey, c.Archived, c.Policy, int64(c.CreatedBy), c.CreatedAt, c.UpdatedAt}
}

// Course implements modules.Store.
func (s *Modules) Course(ctx context.Context, id uint64) (modules.Course, error) {
	c, err := scanCourse(s.db.q(ctx).QueryRow(ctx, "SELECT "+courseColumns+" FROM courses WHERE id = $1", int64(id)))
	if noRows(err) {
		return modules.Course{}, modules.ErrNoRecord
	}
	return c, err
}

// AddCourse implements modules.Store: the id is the identity's next value.
func (s *Modules) AddCourse(ctx context.Context, c modules.Course) (modules.Course, error) {
	args := courseArgs(c)[1:]
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO courses (title, description, description_html, published, pacing,
		starts_at, timezone, enrollment, enroll_key, archived, policy, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`, args...).Scan(&id)
	if err != nil {
		return c, err
	}
	c.ID = uint64(id)
	return c, nil
}

// PutCourse implements modules.Store: a replace, or an insert under c.ID
// as bbolt's put would do.
func (s *Modules) PutCourse(ctx context.Context, c modules.Course) error {
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO courses (`+courseColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description,
			description_html = excluded.description_html, published = excluded.published, pacing = excluded.pacing,
			starts_at = excluded.starts_at, timezone = excluded.timezone, enrollment = excluded.enrollment,
			enroll_key = excluded.enroll_key, archived = excluded.archived, policy = excluded.policy,
			created_by = excluded.created_by, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		courseArgs(c)...)
	return err
}

// DeleteCourse implements modules.Store. The domain removes the content
// first (DeleteCourseContent); the foreign key's cascade would take any
// module left.
func (s *Modules) DeleteCourse(ctx context.Context, id uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM courses WHERE id = $1", int64(id))
	return err
}

// EachCourse implements modules.Store: every course in one query, then fn
// for each (fn may use the connection, even write in the caller's
// transaction).
func (s *Modules) EachCourse(ctx context.Context, fn func(modules.Course) error) error {
	rows, err := s.db.q(ctx).Query(ctx, "SELECT "+courseColumns+" FROM courses ORDER BY id")
	if err != nil {
		return err
	}
	var all []modules.Course
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			rows.Close()
			return err
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range all {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}
