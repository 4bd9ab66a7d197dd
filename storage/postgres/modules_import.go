package postgres

import (
	"context"
	"fmt"

	"pacer/modules"
	"pacer/storage/records"
)

// Import implements migrate.Importer: one exported record, stored as it
// is with its id, in ctx's transaction. A module's or item's Position is
// its place in its course's (module's) order, 0 for one no longer listed
// (a NULL position, as SetModules and SetItems leave such a row).
func (s *Modules) Import(ctx context.Context, kind string, rec any) error {
	q := s.db.q(ctx)
	var err error
	switch kind {
	case "courses":
		c, ok := rec.(modules.Course)
		if !ok {
			return modulesWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO courses (`+courseColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, courseArgs(c)...)
	case "modules":
		m, ok := rec.(modules.Module)
		if !ok {
			return modulesWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO modules (`+moduleColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			int64(m.ID), int64(m.CourseID), modulesPlace(m.Position), m.Title, m.Summary, m.SummaryHTML, int32(m.Week),
			m.OpensAt, m.DueAt, int64s(m.Prerequisites), m.Published, m.CreatedAt)
	case "items":
		it, ok := rec.(modules.Item)
		if !ok {
			return modulesWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO items (`+itemColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			int64(it.ID), int64(it.CourseID), int64(it.ModuleID), modulesPlace(it.Position), it.Kind, it.Title, it.Body,
			it.BodyHTML, int64(it.MediaID), it.Points, it.Published, int64(it.ThreadID), it.Quiz, it.Rubric,
			it.CreatedAt, it.UpdatedAt)
	case "members":
		m, ok := rec.(modules.Member)
		if !ok {
			return modulesWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO members (`+memberColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			int64(m.CourseID), int64(m.UserID), m.Role, m.EnrolledAt, m.LastActiveAt, m.Joined)
	case "invitations":
		inv, ok := rec.(modules.Invitation)
		if !ok {
			return modulesWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO invitations (`+invitationColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			int64(inv.ID), int64(inv.CourseID), inv.Email, inv.Role, int64(inv.InvitedBy), inv.CreatedAt)
	case "progress":
		p, ok := rec.(records.Progress)
		if !ok {
			return modulesWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO progress (course_id, user_id, item_id, status, completed_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			int64(p.CourseID), int64(p.UserID), int64(p.ItemID), p.Progress.Status, p.Progress.CompletedAt, p.Progress.UpdatedAt)
	default:
		return fmt.Errorf("modules: no records of kind %q", kind)
	}
	return err
}

// modulesPlace is a position column's value: NULL for a record not listed.
func modulesPlace(pos int) *int32 {
	if pos == 0 {
		return nil
	}
	p := int32(pos)
	return &p
}

func modulesWrongRecord(kind string, rec any) error {
	return fmt.Errorf("modules: a %T is not a record of kind %q", rec, kind)
}

// Counts implements migrate.Importer: one row per record of each kind.
func (s *Modules) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, table := range []string{"courses", "modules", "items", "members", "invitations", "progress"} {
		var n int64
		if err := s.db.q(ctx).QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			return nil, err
		}
		out[table] = n
	}
	return out, nil
}
