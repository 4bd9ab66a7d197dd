package postgres

import (
	"context"
	"fmt"

	"pacer/engagement"
	"pacer/storage/records"
)

// Import implements migrate.Importer: one exported record, stored as it is,
// in ctx's transaction.
func (s *Engagement) Import(ctx context.Context, kind string, rec any) error {
	switch kind {
	case "activity_days":
		d, ok := rec.(engagement.DayCount)
		if !ok {
			return fmt.Errorf("engagement import: %s record is a %T", kind, rec)
		}
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO activity_days (course_id, user_id, day, count) VALUES ($1, $2, $3, $4)`,
			int64(d.Course), int64(d.User), d.Day, int64(d.Count))
		return err
	case "engagement_states":
		st, ok := rec.(records.EngagementState)
		if !ok {
			return fmt.Errorf("engagement import: %s record is a %T", kind, rec)
		}
		raw := st.State
		if raw == nil {
			raw = []byte{} // an empty state is still a state, as on bbolt
		}
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO engagement_states (course_id, user_id, state) VALUES ($1, $2, $3)`,
			int64(st.Course), int64(st.User), raw)
		return err
	}
	return fmt.Errorf("engagement import: unknown kind %q", kind)
}

// Counts implements migrate.Importer: records of each kind held.
func (s *Engagement) Counts(ctx context.Context) (map[string]int64, error) {
	var days, states int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT (SELECT count(*) FROM activity_days), (SELECT count(*) FROM engagement_states)`).
		Scan(&days, &states)
	return map[string]int64{"activity_days": days, "engagement_states": states}, err
}
