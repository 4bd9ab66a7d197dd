package postgres

import (
	"context"
	"time"

	"pacer/media"
)

// Watch states live in media_watches under (course, item, user).

// Watch implements media.Store.
func (s *Media) Watch(ctx context.Context, k media.WatchKey) (media.WatchState, error) {
	var (
		st    media.WatchState
		clock *time.Time
	)
	err := s.db.q(ctx).QueryRow(ctx, `SELECT spans, position, completed, updated_at, clock_at
		FROM media_watches WHERE course_id = $1 AND item_id = $2 AND user_id = $3`,
		int64(k.Course), int64(k.Item), int64(k.User)).Scan(&st.Spans, &st.Position, &st.Completed, &st.UpdatedAt, &clock)
	if noRows(err) {
		return media.WatchState{}, media.ErrNotFound
	}
	if err != nil {
		return media.WatchState{}, err
	}
	st.UpdatedAt = st.UpdatedAt.UTC()
	if clock != nil {
		st.ClockAt = clock.UTC()
	}
	return st, nil
}

// HasWatch implements media.Store: a primary-key probe, reading no
// columns.
func (s *Media) HasWatch(ctx context.Context, k media.WatchKey) (bool, error) {
	var has bool
	err := s.db.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM media_watches
		WHERE course_id = $1 AND item_id = $2 AND user_id = $3)`,
		int64(k.Course), int64(k.Item), int64(k.User)).Scan(&has)
	return has, err
}

// PutWatch implements media.Store: an upsert sent with the transaction's
// next statement (DB.execLater).
func (s *Media) PutWatch(ctx context.Context, k media.WatchKey, st media.WatchState) error {
	spans := st.Spans
	if spans == nil {
		spans = [][2]float64{}
	}
	var clock *time.Time
	if !st.ClockAt.IsZero() {
		clock = &st.ClockAt
	}
	return s.db.execLater(ctx, `INSERT INTO media_watches
		(course_id, item_id, user_id, spans, position, completed, updated_at, clock_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (course_id, item_id, user_id) DO UPDATE SET spans = excluded.spans,
			position = excluded.position, completed = excluded.completed,
			updated_at = excluded.updated_at, clock_at = excluded.clock_at`,
		int64(k.Course), int64(k.Item), int64(k.User), spans, st.Position, st.Completed, st.UpdatedAt, clock)
}

// DeleteItemWatches implements media.Store: one range of the primary key.
func (s *Media) DeleteItemWatches(ctx context.Context, course, item uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM media_watches WHERE course_id = $1 AND item_id = $2`,
		int64(course), int64(item))
	return err
}

// Batch implements media.Store with db.Batch: PostgreSQL already lets
// concurrent heartbeats commit together (each its own transaction, their
// WAL flushes shared), so a batch is a write, joining ctx's transaction
// when there is one.
func (s *Media) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Batch(ctx, fn)
}
