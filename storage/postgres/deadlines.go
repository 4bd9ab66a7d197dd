package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/deadlines"
)

// Deadlines implements deadlines.Store on the tables of migration
// 0004_deadlines: extensions, submissions and submitted_notes,
// calendar_tokens and calendar_events, job_marks; and of 0017:
// submitted_queue. (deadlines_*.go hold the submissions, the queue,
// calendar and marks.)
type Deadlines struct{ db *DB }

// NewDeadlines returns the store over db.
func NewDeadlines(db *DB) *Deadlines { return &Deadlines{db: db} }

var _ deadlines.Store = (*Deadlines)(nil)

const extensionColumns = `id, course_id, user_id, module_id, due_at, created_by, created_at`

func scanExtension(row pgx.Row) (deadlines.Extension, error) {
	var e deadlines.Extension
	var id, course, user, module, by int64
	err := row.Scan(&id, &course, &user, &module, &e.DueAt, &by, &e.CreatedAt)
	e.ID, e.CourseID, e.UserID, e.ModuleID, e.CreatedBy = uint64(id), uint64(course), uint64(user), uint64(module), uint64(by)
	e.DueAt, e.CreatedAt = e.DueAt.UTC(), e.CreatedAt.UTC()
	return e, err
}

// PutExtension implements deadlines.Store: one upsert on the learner's
// module, which keeps the row (and so its id) of an extension replaced.
func (s *Deadlines) PutExtension(ctx context.Context, e deadlines.Extension) (deadlines.Extension, error) {
	e.DueAt, e.CreatedAt = deadlinesInstant(e.DueAt), deadlinesInstant(e.CreatedAt)
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO extensions (course_id, user_id, module_id, due_at, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT ON CONSTRAINT extensions_learner_module DO UPDATE
			SET due_at = excluded.due_at, created_by = excluded.created_by, created_at = excluded.created_at
		RETURNING id`,
		int64(e.CourseID), int64(e.UserID), int64(e.ModuleID), e.DueAt, int64(e.CreatedBy), e.CreatedAt).Scan(&id)
	if err != nil {
		return e, err
	}
	e.ID = uint64(id)
	return e, nil
}

// Extension implements deadlines.Store.
func (s *Deadlines) Extension(ctx context.Context, id uint64) (deadlines.Extension, error) {
	e, err := scanExtension(s.db.q(ctx).QueryRow(ctx, `SELECT `+extensionColumns+` FROM extensions WHERE id = $1`, int64(id)))
	if noRows(err) {
		return deadlines.Extension{}, deadlines.ErrNotFound
	}
	return e, err
}

// DeleteExtension implements deadlines.Store.
func (s *Deadlines) DeleteExtension(ctx context.Context, id uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM extensions WHERE id = $1`, int64(id))
	return err
}

// Extensions implements deadlines.Store: one range of
// extensions_learner_module. A user of 0 means every learner.
func (s *Deadlines) Extensions(ctx context.Context, course, user uint64) ([]deadlines.Extension, error) {
	// Two statements rather than "$2 = 0 OR user_id = $2", so that each
	// has its own plan on the index.
	sql, args := `SELECT `+extensionColumns+` FROM extensions WHERE course_id = $1 ORDER BY user_id, module_id`, []any{int64(course)}
	if user != 0 {
		sql = `SELECT ` + extensionColumns + ` FROM extensions WHERE course_id = $1 AND user_id = $2 ORDER BY module_id`
		args = append(args, int64(user))
	}
	rows, err := s.db.q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return deadlinesCollect(rows, func(row pgx.CollectableRow) (deadlines.Extension, error) { return scanExtension(row) })
}

// Overrides implements deadlines.Store: two columns of the learner's
// range, no record decoded.
func (s *Deadlines) Overrides(ctx context.Context, course, user uint64) (map[uint64]time.Time, error) {
	return s.dueTimes(ctx, `SELECT module_id, due_at FROM extensions WHERE course_id = $1 AND user_id = $2`, course, user)
}

// ModuleOverrides implements deadlines.Store (index extensions_module).
func (s *Deadlines) ModuleOverrides(ctx context.Context, course, module uint64) (map[uint64]time.Time, error) {
	return s.dueTimes(ctx, `SELECT user_id, due_at FROM extensions WHERE course_id = $1 AND module_id = $2`, course, module)
}

// dueTimes reads (id, due) rows into a map, nil when there are none.
func (s *Deadlines) dueTimes(ctx context.Context, sql string, a, b uint64) (map[uint64]time.Time, error) {
	rows, err := s.db.q(ctx).Query(ctx, sql, int64(a), int64(b))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out map[uint64]time.Time
	for rows.Next() {
		var id int64
		var due time.Time
		if err := rows.Scan(&id, &due); err != nil {
			return nil, err
		}
		if out == nil {
			out = map[uint64]time.Time{}
		}
		out[uint64(id)] = due.UTC()
	}
	return out, rows.Err()
}

// DeleteCourse implements deadlines.Store: one DELETE per table, sent as
// one batch in one transaction. calendar_events is keyed by user first,
// so its DELETE scans the table: a course is deleted rarely (only one
// that never started), which does not pay for an index by course on
// every feed's writes.
func (s *Deadlines) DeleteCourse(ctx context.Context, course uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		for _, table := range []string{"extensions", "submissions", "submitted_notes", "submitted_queue", "calendar_events", "job_marks"} {
			b.Queue(`DELETE FROM `+table+` WHERE course_id = $1`, int64(course))
		}
		return s.db.q(ctx).SendBatch(ctx, b).Close()
	})
}
