package bolt

import (
	"context"

	"pacer/audit"
	"pacer/storage"
)

// Audit implements audit.Store: entries in storage.Audit under their id,
// which grows, so id order is the order they were written.
type Audit struct{ db *storage.DB }

// NewAudit returns the store over db.
func NewAudit(db *storage.DB) *Audit { return &Audit{db: db} }

// Append implements audit.Store.
func (s *Audit) Append(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id, err := tx.NextID(storage.Audit)
		if err != nil {
			return err
		}
		e.ID = id
		return tx.Put(storage.Audit, storage.ID(id), e)
	})
	return e, err
}

// Newest implements audit.Store: one reverse walk, filtering as it goes.
func (s *Audit) Newest(ctx context.Context, f audit.Filter, before uint64, limit int) ([]audit.Entry, bool, error) {
	var out []audit.Entry
	var more bool
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var err error
		more, err = newest(tx, storage.Audit, nil, before, limit, func(id uint64, room bool) (bool, error) {
			var e audit.Entry
			if err := tx.Get(storage.Audit, storage.ID(id), &e); err != nil || !f.Match(e) {
				return false, err
			}
			if room {
				out = append(out, e)
			}
			return true, nil
		})
		return err
	})
	return out, more, err
}
