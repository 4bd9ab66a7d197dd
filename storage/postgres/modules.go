package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"pacer/modules"
)

// Modules implements modules.Store on tables courses, modules, items,
// members, invitations and progress (migrations/0003_modules.sql).
// Invitations are here; members, courses, content and progress are in
// modules_members.go, modules_courses.go, modules_content.go and
// modules_progress.go.
type Modules struct{ db *DB }

// NewModules returns the store over db.
func NewModules(db *DB) *Modules { return &Modules{db: db} }

var _ modules.Store = (*Modules)(nil)

const invitationColumns = "id, course_id, email, role, invited_by, created_at"

func scanInvitation(row pgx.Row) (modules.Invitation, error) {
	var inv modules.Invitation
	var id, course, by int64
	err := row.Scan(&id, &course, &inv.Email, &inv.Role, &by, &inv.CreatedAt)
	inv.ID, inv.CourseID, inv.InvitedBy = uint64(id), uint64(course), uint64(by)
	inv.CreatedAt = inv.CreatedAt.UTC()
	return inv, err
}

func (s *Modules) invitations(ctx context.Context, sql string, args ...any) ([]modules.Invitation, error) {
	rows, err := s.db.q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []modules.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// AddInvitation implements modules.Store.
func (s *Modules) AddInvitation(ctx context.Context, inv modules.Invitation) (modules.Invitation, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO invitations (course_id, email, role, invited_by, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		int64(inv.CourseID), inv.Email, inv.Role, int64(inv.InvitedBy), inv.CreatedAt).Scan(&id)
	if err != nil {
		return inv, err
	}
	inv.ID = uint64(id)
	return inv, nil
}

// UpdateInvitation implements modules.Store. The course and address do
// not change (the contract), but the record is replaced as given.
func (s *Modules) UpdateInvitation(ctx context.Context, inv modules.Invitation) error {
	tag, err := s.db.q(ctx).Exec(ctx, `UPDATE invitations SET course_id = $2, email = $3, role = $4, invited_by = $5,
		created_at = $6 WHERE id = $1`,
		int64(inv.ID), int64(inv.CourseID), inv.Email, inv.Role, int64(inv.InvitedBy), inv.CreatedAt)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return modules.ErrNoRecord
	}
	return nil
}

// Invitation implements modules.Store.
func (s *Modules) Invitation(ctx context.Context, id uint64) (modules.Invitation, error) {
	inv, err := scanInvitation(s.db.q(ctx).QueryRow(ctx,
		"SELECT "+invitationColumns+" FROM invitations WHERE id = $1", int64(id)))
	if noRows(err) {
		return modules.Invitation{}, modules.ErrNoRecord
	}
	return inv, err
}

// InvitationsTo implements modules.Store: the address is matched whole
// (bbolt's zero byte after it kept one address's keys from another's that
// it prefixes; here equality does).
func (s *Modules) InvitationsTo(ctx context.Context, email string) ([]modules.Invitation, error) {
	return s.invitations(ctx, "SELECT "+invitationColumns+" FROM invitations WHERE email = $1 ORDER BY id", email)
}

// CourseInvitations implements modules.Store.
func (s *Modules) CourseInvitations(ctx context.Context, course uint64) ([]modules.Invitation, error) {
	return s.invitations(ctx, "SELECT "+invitationColumns+" FROM invitations WHERE course_id = $1 ORDER BY id", int64(course))
}

// DeleteInvitation implements modules.Store.
func (s *Modules) DeleteInvitation(ctx context.Context, id uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM invitations WHERE id = $1", int64(id))
	return err
}

// DeleteCourseInvitations implements modules.Store.
func (s *Modules) DeleteCourseInvitations(ctx context.Context, course uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM invitations WHERE course_id = $1", int64(course))
	return err
}
