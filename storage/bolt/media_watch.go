package bolt

import (
	"context"
	"errors"

	"pacer/media"
	"pacer/storage"
)

// Watch implements media.Store. Watch states live in storage.Watch under
// course|user|item.
func (s *Media) Watch(ctx context.Context, k media.WatchKey) (media.WatchState, error) {
	var st media.WatchState
	err := s.db.Read(ctx, func(ctx context.Context) error {
		st = media.WatchState{}
		err := storage.TxFrom(ctx).Get(storage.Watch, watchKey(k), &st)
		if errors.Is(err, storage.ErrNotFound) {
			return media.ErrNotFound
		}
		return err
	})
	return st, err
}

// HasWatch implements media.Store.
func (s *Media) HasWatch(ctx context.Context, k media.WatchKey) (bool, error) {
	has := false
	err := s.db.Read(ctx, func(ctx context.Context) error {
		has = storage.TxFrom(ctx).Has(storage.Watch, watchKey(k))
		return nil
	})
	return has, err
}

// PutWatch implements media.Store.
func (s *Media) PutWatch(ctx context.Context, k media.WatchKey, st media.WatchState) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Put(storage.Watch, watchKey(k), st)
	})
}

// DeleteItemWatches implements media.Store: one walk of the course's
// watch states, since the item is the key's last part.
func (s *Media) DeleteItemWatches(ctx context.Context, course, item uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var keys [][]byte
		err := tx.Each(storage.Watch, storage.Key(course), func(k, _ []byte) error {
			if storage.Part(k, 2) == item {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(storage.Watch, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// Batch implements media.Store with storage.DB.Batch: concurrent callers
// share one commit. Inside a caller's transaction it joins that one.
func (s *Media) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	if storage.TxFrom(ctx) != nil {
		return s.db.Write(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.BatchTx(func(tx *storage.Tx) error { return fn(storage.WithTx(ctx, tx)) })
}
