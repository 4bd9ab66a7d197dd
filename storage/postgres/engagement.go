package postgres

import (
	"cmp"
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"pacer/engagement"
)

// Engagement implements engagement.Store in tables activity_days and
// engagement_states (migrations/0009_engagement.sql).
type Engagement struct{ db *DB }

// NewEngagement returns the store over db.
func NewEngagement(db *DB) *Engagement { return &Engagement{db: db} }

var _ engagement.Store = (*Engagement)(nil)

// AddActivity implements engagement.Store: one upsert of the whole set,
// passed as arrays. Counts of the same day are summed first (an upsert may
// not touch a row twice), and rows are written in key order, so that two
// flushes that share days take their row locks in the same order.
func (s *Engagement) AddActivity(ctx context.Context, counts []engagement.DayCount) error {
	if len(counts) == 0 {
		return nil
	}
	sorted := slices.Clone(counts)
	slices.SortFunc(sorted, func(a, b engagement.DayCount) int {
		return cmp.Or(cmp.Compare(a.Course, b.Course), cmp.Compare(a.User, b.User), cmp.Compare(a.Day, b.Day))
	})
	courses, users, days, ns := make([]int64, len(sorted)), make([]int64, len(sorted)), make([]int64, len(sorted)), make([]int64, len(sorted))
	for i, d := range sorted {
		courses[i], users[i], days[i], ns[i] = int64(d.Course), int64(d.User), d.Day, int64(d.Count)
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO activity_days (course_id, user_id, day, count)
		SELECT c, u, d, sum(n) FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS t (c, u, d, n)
		GROUP BY c, u, d ORDER BY c, u, d
		ON CONFLICT (course_id, user_id, day) DO UPDATE SET count = activity_days.count + excluded.count`,
		courses, users, days, ns)
	return err
}

// Activity implements engagement.Store: one range read of the primary key.
func (s *Engagement) Activity(ctx context.Context, course, user uint64, today int64, out []uint32) error {
	clear(out)
	if len(out) == 0 {
		return nil
	}
	n := int64(len(out))
	rows, err := s.db.q(ctx).Query(ctx, `SELECT day, count FROM activity_days
		WHERE course_id = $1 AND user_id = $2 AND day BETWEEN $3 AND $4`,
		int64(course), int64(user), max(today-n+1, 0), today)
	if err != nil {
		return err
	}
	defer rows.Close()
	var day, count int64
	_, err = pgx.ForEachRow(rows, []any{&day, &count}, func() error {
		if ago := today - day; ago >= 0 && ago < n {
			out[ago] = uint32(count)
		}
		return nil
	})
	return err
}

// activityDay is one row of a course's window, read before the callback
// runs.
type activityDay struct {
	user  uint64
	day   int64
	count uint32
}

// CourseActivity implements engagement.Store: one range read of
// activity_days_course (the window's days of every learner, whatever
// their history before it), sorted into user then day order. The rows are
// all read before fn is called, so that fn may use the connection.
func (s *Engagement) CourseActivity(ctx context.Context, course uint64, first, today int64, fn func(user uint64, day int64, count uint32)) error {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT user_id, day, count FROM activity_days
		WHERE course_id = $1 AND day BETWEEN $2 AND $3 ORDER BY user_id, day`,
		int64(course), max(first, 0), today)
	if err != nil {
		return err
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (activityDay, error) {
		var user, day, count int64
		err := row.Scan(&user, &day, &count)
		return activityDay{uint64(user), day, uint32(count)}, err
	})
	if err != nil {
		return err
	}
	for _, d := range days {
		fn(d.user, d.day, d.count)
	}
	return nil
}

// State implements engagement.Store.
func (s *Engagement) State(ctx context.Context, course, user uint64) ([]byte, bool, error) {
	var raw []byte
	err := s.db.q(ctx).QueryRow(ctx, `SELECT state FROM engagement_states WHERE course_id = $1 AND user_id = $2`,
		int64(course), int64(user)).Scan(&raw)
	if noRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return raw, true, nil
}

// engagementState is one learner's state, read before the callback runs.
type engagementState struct {
	user uint64
	raw  []byte
}

// States implements engagement.Store: one range read of the primary key.
// The rows are all read before fn is called, so that fn may call other
// stores in the same transaction; the first error fn returns ends the
// walk.
func (s *Engagement) States(ctx context.Context, course uint64, fn func(user uint64, raw []byte) error) error {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT user_id, state FROM engagement_states WHERE course_id = $1 ORDER BY user_id`,
		int64(course))
	if err != nil {
		return err
	}
	states, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (engagementState, error) {
		var user int64
		var raw []byte
		err := row.Scan(&user, &raw)
		return engagementState{uint64(user), raw}, err
	})
	if err != nil {
		return err
	}
	for _, st := range states {
		if err := fn(st.user, st.raw); err != nil {
			return err
		}
	}
	return nil
}

// PutState implements engagement.Store.
func (s *Engagement) PutState(ctx context.Context, course, user uint64, raw []byte) error {
	if raw == nil {
		raw = []byte{} // a state is stored even when empty, as on bbolt
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO engagement_states (course_id, user_id, state) VALUES ($1, $2, $3)
		ON CONFLICT (course_id, user_id) DO UPDATE SET state = excluded.state`, int64(course), int64(user), raw)
	return err
}

// DeleteState implements engagement.Store.
func (s *Engagement) DeleteState(ctx context.Context, course, user uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM engagement_states WHERE course_id = $1 AND user_id = $2`,
		int64(course), int64(user))
	return err
}

// DeleteCourse implements engagement.Store: one DELETE per table (each a
// range of its primary key), sent as one batch in one transaction.
func (s *Engagement) DeleteCourse(ctx context.Context, course uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM activity_days WHERE course_id = $1`, int64(course))
		b.Queue(`DELETE FROM engagement_states WHERE course_id = $1`, int64(course))
		return s.db.q(ctx).SendBatch(ctx, b).Close()
	})
}
