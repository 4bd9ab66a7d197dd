package postgres

import (
	"context"
	"fmt"

	"pacer/audit"
)

// Import implements migrate.Importer: one exported record, stored as it is
// with its id, in ctx's transaction.
func (s *Audit) Import(ctx context.Context, kind string, rec any) error {
	if kind != "audit_entries" {
		return fmt.Errorf("audit import: unknown kind %q", kind)
	}
	e, ok := rec.(audit.Entry)
	if !ok {
		return fmt.Errorf("audit import: %s record is a %T", kind, rec)
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO audit_entries (id, at, actor_id, action, course_id, target_id, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		int64(e.ID), e.At, int64(e.ActorID), e.Action, int64(e.CourseID), int64(e.TargetID), e.Detail, e.IP)
	return err
}

// Counts implements migrate.Importer: records of each kind held.
func (s *Audit) Counts(ctx context.Context) (map[string]int64, error) {
	var n int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM audit_entries`).Scan(&n)
	return map[string]int64{"audit_entries": n}, err
}
