package postgres

import (
	"context"
	"time"

	"pacer/deadlines"
)

// CalendarGeneration implements deadlines.Store.
func (s *Deadlines) CalendarGeneration(ctx context.Context, user uint64) (uint64, error) {
	var gen int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT generation FROM calendar_tokens WHERE user_id = $1`, int64(user)).Scan(&gen)
	if noRows(err) {
		return 0, nil
	}
	return uint64(gen), err
}

// RotateCalendar implements deadlines.Store: one upsert, a first rotation
// giving 1.
func (s *Deadlines) RotateCalendar(ctx context.Context, user uint64) (uint64, error) {
	var gen int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO calendar_tokens AS t (user_id, generation) VALUES ($1, 1)
		ON CONFLICT (user_id) DO UPDATE SET generation = t.generation + 1
		RETURNING generation`, int64(user)).Scan(&gen)
	return uint64(gen), err
}

// EventStates implements deadlines.Store: one range of the primary key.
func (s *Deadlines) EventStates(ctx context.Context, user uint64) (map[deadlines.EventKey]deadlines.EventState, error) {
	out := map[deadlines.EventKey]deadlines.EventState{}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT course_id, module_id, kind, at_ns, sequence, modified_at
		FROM calendar_events WHERE user_id = $1`, int64(user))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var course, module, at, seq int64
		var kind int16
		var modified time.Time
		if err := rows.Scan(&course, &module, &kind, &at, &seq, &modified); err != nil {
			return nil, err
		}
		out[deadlines.EventKey{Course: uint64(course), Module: uint64(module), Kind: uint8(kind)}] = deadlines.EventState{
			At: time.Unix(0, at).UTC(), Sequence: uint64(seq), Modified: modified.UTC()}
	}
	return out, rows.Err()
}

// PutEventStates implements deadlines.Store: one upsert of them all.
func (s *Deadlines) PutEventStates(ctx context.Context, user uint64, states map[deadlines.EventKey]deadlines.EventState) error {
	if len(states) == 0 {
		return nil
	}
	var courses, modules, ats, seqs []int64
	var kinds []int16
	var modified []time.Time
	for k, st := range states {
		courses, modules, kinds = append(courses, int64(k.Course)), append(modules, int64(k.Module)), append(kinds, int16(k.Kind))
		ats, seqs, modified = append(ats, st.At.UnixNano()), append(seqs, int64(st.Sequence)), append(modified, st.Modified)
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO calendar_events (user_id, course_id, module_id, kind, at_ns, sequence, modified_at)
		SELECT $1, e.* FROM unnest($2::bigint[], $3::bigint[], $4::smallint[], $5::bigint[], $6::bigint[], $7::timestamptz[])
			AS e(course_id, module_id, kind, at_ns, sequence, modified_at)
		ON CONFLICT (user_id, course_id, module_id, kind) DO UPDATE
			SET at_ns = excluded.at_ns, sequence = excluded.sequence, modified_at = excluded.modified_at`,
		int64(user), courses, modules, kinds, ats, seqs, modified)
	return err
}
