package bolt

import (
	"context"
	"encoding/binary"

	"pacer/media"
	"pacer/storage"
)

// Usage implements media.Store. Totals live in storage.MediaUsage as 8
// big-endian bytes under usageKey.
func (s *Media) Usage(ctx context.Context, a media.Account) (int64, error) {
	var n int64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		n = usage(storage.TxFrom(ctx), usageKey(a))
		return nil
	})
	return n, err
}

func usage(tx *storage.Tx, key []byte) int64 {
	v := tx.GetRaw(storage.MediaUsage, key)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

// AddUsage implements media.Store.
func (s *Media) AddUsage(ctx context.Context, deltas map[media.Account]int64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for a, delta := range deltas {
			key := usageKey(a)
			n := max(0, usage(tx, key)+delta)
			if err := tx.PutRaw(storage.MediaUsage, key, storage.ID(uint64(n))); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearUsage implements media.Store.
func (s *Media) ClearUsage(ctx context.Context, a media.Account) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Delete(storage.MediaUsage, usageKey(a))
	})
}

// UsageCounted implements media.Store.
func (s *Media) UsageCounted(ctx context.Context) (bool, error) {
	done := false
	err := s.db.Read(ctx, func(ctx context.Context) error {
		done = storage.TxFrom(ctx).Has(storage.MediaUsage, []byte(usageCounted))
		return nil
	})
	return done, err
}

// CountedUsage implements media.Store.
func (s *Media) CountedUsage(ctx context.Context, totals map[media.Account]int64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for a, n := range totals {
			if err := tx.PutRaw(storage.MediaUsage, usageKey(a), storage.ID(uint64(n))); err != nil {
				return err
			}
		}
		return tx.PutRaw(storage.MediaUsage, []byte(usageCounted), storage.ID(1))
	})
}
