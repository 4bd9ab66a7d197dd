package postgres

import (
	"context"
	"math"
	"time"

	"pacer/modules"

	"github.com/jackc/pgx/v5"
)

// Members are rows of table members keyed (course_id, user_id). CoursesOf
// reads index members_user and StaffOf the partial index members_staff,
// which follows a member's role by itself: no index is kept by hand.

// utcPtr is t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

const memberColumns = "course_id, user_id, role, enrolled_at, last_active_at, joined"

func scanMember(row interface{ Scan(...any) error }) (modules.Member, error) {
	var m modules.Member
	var course, user int64
	err := row.Scan(&course, &user, &m.Role, &m.EnrolledAt, &m.LastActiveAt, &m.Joined)
	m.CourseID, m.UserID = uint64(course), uint64(user)
	m.EnrolledAt, m.LastActiveAt = m.EnrolledAt.UTC(), utcPtr(m.LastActiveAt)
	return m, err
}

// Member implements modules.Store.
func (s *Modules) Member(ctx context.Context, course, user uint64) (modules.Member, error) {
	m, err := scanMember(s.db.q(ctx).QueryRow(ctx,
		"SELECT "+memberColumns+" FROM members WHERE course_id = $1 AND user_id = $2", int64(course), int64(user)))
	if noRows(err) {
		return modules.Member{}, modules.ErrNoRecord
	}
	return m, err
}

// RolesBetween implements modules.Store: one range scan of the primary
// key.
func (s *Modules) RolesBetween(ctx context.Context, course, lo, hi uint64) (map[uint64]string, error) {
	rows, err := s.db.q(ctx).Query(ctx, "SELECT user_id, role FROM members WHERE course_id = $1 AND user_id BETWEEN $2 AND $3",
		int64(course), int64(lo), int64(min(hi, math.MaxInt64)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[uint64]string{}
	for rows.Next() {
		var user int64
		var role string
		if err := rows.Scan(&user, &role); err != nil {
			return nil, err
		}
		out[uint64(user)] = role
	}
	return out, rows.Err()
}

// IsMember implements modules.Store.
func (s *Modules) IsMember(ctx context.Context, course, user uint64) (bool, error) {
	var ok bool
	err := s.db.q(ctx).QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM members WHERE course_id = $1 AND user_id = $2)",
		int64(course), int64(user)).Scan(&ok)
	return ok, err
}

// PutMember implements modules.Store.
func (s *Modules) PutMember(ctx context.Context, m modules.Member) error {
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO members (`+memberColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (course_id, user_id) DO UPDATE SET role = excluded.role, enrolled_at = excluded.enrolled_at,
			last_active_at = excluded.last_active_at, joined = excluded.joined`,
		int64(m.CourseID), int64(m.UserID), m.Role, m.EnrolledAt, m.LastActiveAt, m.Joined)
	return err
}

// MarkActive implements modules.Store in one statement: the update moves
// last_active_at of the rows named (never back), and the select reports
// which are members, as of the statement's snapshot, which the update
// does not change.
func (s *Modules) MarkActive(ctx context.Context, seen []modules.Seen) ([]bool, error) {
	out := make([]bool, len(seen))
	if len(seen) == 0 {
		return out, nil
	}
	courses, users, ats := make([]int64, len(seen)), make([]int64, len(seen)), make([]time.Time, len(seen))
	for i, v := range seen {
		courses[i], users[i], ats[i] = int64(v.Course), int64(v.User), v.At
	}
	rows, err := s.db.q(ctx).Query(ctx, `WITH v AS (
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) WITH ORDINALITY AS v(course_id, user_id, at, i)
		), moved AS (
			UPDATE members m SET last_active_at = v.at FROM v
			WHERE m.course_id = v.course_id AND m.user_id = v.user_id AND (m.last_active_at IS NULL OR m.last_active_at < v.at)
		)
		SELECT v.i FROM v JOIN members m ON m.course_id = v.course_id AND m.user_id = v.user_id`, courses, users, ats)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		out[i-1] = true
	}
	return out, rows.Err()
}

// DeleteMember implements modules.Store.
func (s *Modules) DeleteMember(ctx context.Context, course, user uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM members WHERE course_id = $1 AND user_id = $2", int64(course), int64(user))
	return err
}

// EachMember implements modules.Store: the course's members are read in
// one query, then fn is called for each (fn may use the connection).
func (s *Modules) EachMember(ctx context.Context, course uint64, fn func(modules.Member) error) error {
	rows, err := s.db.q(ctx).Query(ctx, "SELECT "+memberColumns+" FROM members WHERE course_id = $1 ORDER BY user_id", int64(course))
	if err != nil {
		return err
	}
	var all []modules.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			rows.Close()
			return err
		}
		all = append(all, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range all {
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// SweepMembers implements modules.Store: one query over the course's
// rows (the primary key's order), only the columns a sweep reads.
func (s *Modules) SweepMembers(ctx context.Context, course uint64, out []modules.Swept) ([]modules.Swept, error) {
	out = out[:0]
	rows, err := s.db.q(ctx).Query(ctx, `SELECT user_id, role, enrolled_at, last_active_at FROM members
		WHERE course_id = $1 ORDER BY user_id`, int64(course))
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var m modules.Swept
		var user int64
		if err := rows.Scan(&user, &m.Role, &m.EnrolledAt, &m.LastActiveAt); err != nil {
			return out, err
		}
		m.UserID, m.EnrolledAt, m.LastActiveAt = uint64(user), m.EnrolledAt.UTC(), utcPtr(m.LastActiveAt)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Modules) ids(ctx context.Context, sql string, arg uint64) ([]uint64, error) {
	return collectIDs(s.db.q(ctx).Query(ctx, sql, int64(arg)))
}

// collectIDs reads a query's rows of one bigint id each.
func collectIDs(rows pgx.Rows, err error) ([]uint64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uint64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, uint64(id))
	}
	return out, rows.Err()
}

// CoursesOf implements modules.Store.
func (s *Modules) CoursesOf(ctx context.Context, user uint64) ([]uint64, error) {
	return s.ids(ctx, "SELECT course_id FROM members WHERE user_id = $1 ORDER BY course_id", user)
}

// StaffOf implements modules.Store. The role list repeats the predicate
// of index members_staff so that the planner can use it.
func (s *Modules) StaffOf(ctx context.Context, course uint64) ([]uint64, error) {
	return s.ids(ctx, `SELECT user_id FROM members WHERE course_id = $1 AND role IN ('instructor', 'ta')
		ORDER BY user_id`, course)
}

// BuildStaffIndex implements modules.Store: the partial index members_staff
// covers every row from the start, so there is nothing to build.
func (s *Modules) BuildStaffIndex(context.Context) error { return nil }
