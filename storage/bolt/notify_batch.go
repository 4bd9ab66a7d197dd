package bolt

import (
	"context"
	"encoding/json"
	"errors"

	"pacer/notify"
	"pacer/storage"
)

// Mail batches: a head lives in storage.MailBatches under the user's id,
// and each entry in storage.MailBatchEntries under user|seq, so adding an
// entry to a busy batch writes one small key and the head.

// Batch implements notify.Store.
func (s *Notify) Batch(ctx context.Context, user uint64) (notify.Batch, error) {
	var b notify.Batch
	err := s.db.Read(ctx, func(ctx context.Context) error {
		b = notify.Batch{}
		err := storage.TxFrom(ctx).Get(storage.MailBatches, storage.ID(user), &b)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		return err
	})
	b.User = user
	return b, err
}

// SaveBatches implements notify.Store: each save's entry, then its head,
// in order, in one transaction.
func (s *Notify) SaveBatches(ctx context.Context, saves []notify.BatchSave) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for _, sv := range saves {
			b := sv.Head
			if sv.Entry != nil {
				if err := tx.Put(storage.MailBatchEntries, storage.Key(b.User, uint64(b.Count)), sv.Entry); err != nil {
					return err
				}
			}
			if err := tx.Put(storage.MailBatches, storage.ID(b.User), b); err != nil {
				return err
			}
		}
		return nil
	})
}

// AllBatches implements notify.Store.
func (s *Notify) AllBatches(ctx context.Context) ([]notify.Batch, error) {
	var out []notify.Batch
	err := s.db.Read(ctx, func(ctx context.Context) error {
		out = nil
		return storage.TxFrom(ctx).Each(storage.MailBatches, nil, func(k, v []byte) error {
			var b notify.Batch
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			b.User = storage.Part(k, 0)
			out = append(out, b)
			return nil
		})
	})
	return out, err
}

// TakeEntries implements notify.Store.
func (s *Notify) TakeEntries(ctx context.Context, user uint64) ([]notify.Notification, error) {
	var out []notify.Notification
	err := s.db.Write(ctx, func(ctx context.Context) error {
		out = nil
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.MailBatchEntries, storage.Key(user), func(_, v []byte) error {
			var n notify.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.DeletePrefix(storage.MailBatchEntries, storage.Key(user))
	})
	return out, err
}

// DeleteBatch implements notify.Store.
func (s *Notify) DeleteBatch(ctx context.Context, user uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.Delete(storage.MailBatches, storage.ID(user)); err != nil {
			return err
		}
		return tx.DeletePrefix(storage.MailBatchEntries, storage.Key(user))
	})
}
