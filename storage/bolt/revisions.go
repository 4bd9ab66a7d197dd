package bolt

import (
	"context"
	"encoding/binary"

	"pacer/cache"
	"pacer/storage"
)

// Revisions implements cache.Revisions in storage.Revisions.
type Revisions struct{ db *storage.DB }

// NewRevisions returns the revision store over db.
func NewRevisions(db *storage.DB) *Revisions { return &Revisions{db: db} }

func revisionKey(k cache.Key) []byte {
	b := make([]byte, 0, len(k.Kind)+17)
	b = append(b, k.Kind...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, k.ID)
	return binary.BigEndian.AppendUint64(b, k.Sub)
}

// Revision implements cache.Revisions.
func (s *Revisions) Revision(ctx context.Context, k cache.Key) (rev uint64, fill bool, err error) {
	err = s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		fill = !tx.Writable()
		if v := tx.GetRaw(storage.Revisions, revisionKey(k)); len(v) == 8 {
			rev = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return rev, fill, err
}

// Bump implements cache.Revisions.
func (s *Revisions) Bump(ctx context.Context, k cache.Key) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).PutRaw(storage.Revisions, revisionKey(k), binary.BigEndian.AppendUint64(nil, cache.NewRevision()))
	})
}
