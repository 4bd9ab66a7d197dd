package bolt

import (
	"bytes"
	"context"
	"encoding/binary"

	"pacer/engagement"
	"pacer/storage"
	"pacer/storage/records"
)

// Export implements migrate.Exporter: every learner's day counts
// ("activity_days") and ladder states ("engagement_states"), in key order.
func (s *Engagement) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.ActivityDays, nil, func(k, v []byte) error {
			// A value that is not a count is read as no activity by every
			// method of the store, so it is left behind as nothing.
			if len(v) != 4 {
				return nil
			}
			return put("activity_days", engagement.DayCount{
				Course: storage.Part(k, 0), User: storage.Part(k, 1), Day: int64(storage.Part(k, 2)),
				Count: binary.BigEndian.Uint32(v),
			})
		})
		if err != nil {
			return err
		}
		return tx.Each(storage.Engagement, nil, func(k, v []byte) error {
			// v is bbolt's memory, valid only during this call.
			return put("engagement_states", records.EngagementState{
				Course: storage.Part(k, 0), User: storage.Part(k, 1), State: bytes.Clone(v),
			})
		})
	})
}
