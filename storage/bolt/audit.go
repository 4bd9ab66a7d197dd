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
	more := false
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.EachReverse(storage.Audit, nil, func(k, _ []byte) error {
			if id := storage.Part(k, 0); before != 0 && id >= before {
				return nil
			}
			var e audit.Entry
			if err := tx.Get(storage.Audit, k, &e); err != nil {
				return err
			}
			if !f.Match(e) {
				return nil
			}
			if len(out) == limit {
				more = true
				return storage.Stop
			}
			out = append(out, e)
			return nil
		})
	})
	return out, more, err
}
