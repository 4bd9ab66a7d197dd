package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"pacer/audit"
)

// Audit implements audit.Store in table audit_entries
// (migrations/0010_audit.sql).
type Audit struct{ db *DB }

// NewAudit returns the store over db.
func NewAudit(db *DB) *Audit { return &Audit{db: db} }

var _ audit.Store = (*Audit)(nil)

// Append implements audit.Store.
func (s *Audit) Append(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO audit_entries (at, actor_id, action, course_id, target_id, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.At, int64(e.ActorID), e.Action, int64(e.CourseID), int64(e.TargetID), e.Detail, e.IP).Scan(&id)
	if err != nil {
		return e, err
	}
	e.ID = uint64(id)
	return e, nil
}

// Newest implements audit.Store: one query of limit+1 rows (the one past
// the page says whether more remain). The WHERE clause names only the
// filter's set fields, so that the plan is the index range of the filter:
// a statement is prepared once per text, and one text with a condition
// such as "field matches or the filter is empty" would be planned for no
// index at all.
func (s *Audit) Newest(ctx context.Context, f audit.Filter, before uint64, limit int) ([]audit.Entry, bool, error) {
	limit = max(limit, 0)
	var where []string
	var args []any
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Action != "" {
		arg("action = $%d", f.Action)
	}
	if f.ActorID != 0 {
		arg("actor_id = $%d", int64(f.ActorID))
	}
	if f.CourseID != 0 {
		arg("course_id = $%d", int64(f.CourseID))
	}
	if before != 0 {
		arg("id < $%d", int64(before))
	}
	sql := `SELECT id, at, actor_id, action, course_id, target_id, detail, ip FROM audit_entries`
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	sql += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	rows, err := s.db.q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, false, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (audit.Entry, error) {
		var e audit.Entry
		var id, actor, course, target int64
		err := row.Scan(&id, &e.At, &actor, &e.Action, &course, &target, &e.Detail, &e.IP)
		e.ID, e.ActorID, e.CourseID, e.TargetID, e.At = uint64(id), uint64(actor), uint64(course), uint64(target), e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}
