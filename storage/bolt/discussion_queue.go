package bolt

import (
	"context"

	"pacer/discussion"
	"pacer/storage"
)

// QueueReply implements discussion.Store.
func (s *Discussion) QueueReply(ctx context.Context, thread, post uint64) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		return tx.PutRaw(storage.ReplyQueue, storage.Key(thread, post), nil)
	})
}

// QueuedReplies implements discussion.Store.
func (s *Discussion) QueuedReplies(ctx context.Context, limit int) ([]discussion.QueuedReply, bool, error) {
	var out []discussion.QueuedReply
	var more bool
	err := s.read(ctx, func(tx *storage.Tx) error {
		return tx.Each(storage.ReplyQueue, nil, func(k, _ []byte) error {
			if len(out) == limit {
				more = true
				return storage.Stop
			}
			out = append(out, discussion.QueuedReply{Thread: storage.Part(k, 0), Post: storage.Part(k, 1)})
			return nil
		})
	})
	return out, more, err
}

// DropQueued implements discussion.Store.
func (s *Discussion) DropQueued(ctx context.Context, rs []discussion.QueuedReply) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		for _, r := range rs {
			if err := tx.Delete(storage.ReplyQueue, storage.Key(r.Thread, r.Post)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountQueued implements discussion.Store.
func (s *Discussion) CountQueued(ctx context.Context) (int, error) {
	var n int
	err := s.read(ctx, func(tx *storage.Tx) error {
		n = tx.Count(storage.ReplyQueue, nil)
		return nil
	})
	return n, err
}

var _ discussion.Store = (*Discussion)(nil)
