package bolt

import (
	"context"
	"encoding/binary"

	"pacer/deadlines"
	"pacer/storage"
)

// queuedSubmittedValue is the value of a SubmittedQueue entry: the learner
// and when they handed in.
func queuedSubmittedValue(q deadlines.QueuedSubmission) []byte {
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v, q.Learner)
	binary.BigEndian.PutUint64(v[8:], uint64(q.SubmittedAt.UnixNano()))
	return v
}

// parseQueuedSubmitted reads a SubmittedQueue entry; false for one of a
// shape the store does not write.
func parseQueuedSubmitted(k, v []byte) (deadlines.QueuedSubmission, bool) {
	if len(k) != 24 || len(v) != 16 {
		return deadlines.QueuedSubmission{}, false
	}
	return deadlines.QueuedSubmission{ID: storage.Part(k, 2), Course: storage.Part(k, 0), Item: storage.Part(k, 1),
		Learner: binary.BigEndian.Uint64(v), SubmittedAt: nanos(v[8:])}, true
}

// QueueSubmitted implements deadlines.Store: the id is the bucket's
// sequence, so that an item's entries are listed in arrival order.
func (s *Deadlines) QueueSubmitted(ctx context.Context, q deadlines.QueuedSubmission) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id, err := tx.NextID(storage.SubmittedQueue)
		if err != nil {
			return err
		}
		return tx.PutRaw(storage.SubmittedQueue, storage.Key(q.Course, q.Item, id), queuedSubmittedValue(q))
	})
}

// QueuedSubmitted implements deadlines.Store: the bucket's first entries,
// whose keys are in (course, item, id) order. Only this process writes the
// file, so no entry is ever another's to skip.
func (s *Deadlines) QueuedSubmitted(ctx context.Context, limit int) ([]deadlines.QueuedSubmission, bool, error) {
	var out []deadlines.QueuedSubmission
	var more bool
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.SubmittedQueue, nil, func(k, v []byte) error {
			if len(out) >= limit {
				more = true
				return storage.Stop
			}
			if q, ok := parseQueuedSubmitted(k, v); ok {
				out = append(out, q)
			}
			return nil
		})
	})
	return out, more, err
}

// DropQueuedSubmitted implements deadlines.Store.
func (s *Deadlines) DropQueuedSubmitted(ctx context.Context, qs []deadlines.QueuedSubmission) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for _, q := range qs {
			if err := tx.Delete(storage.SubmittedQueue, storage.Key(q.Course, q.Item, q.ID)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountQueuedSubmitted implements deadlines.Store.
func (s *Deadlines) CountQueuedSubmitted(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read(ctx, func(ctx context.Context) error {
		n = storage.TxFrom(ctx).Count(storage.SubmittedQueue, nil)
		return nil
	})
	return n, err
}
