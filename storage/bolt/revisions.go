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

// revisionKey appends k's key to b (a caller's stack buffer, so that a
// revision read allocates nothing for its key).
func revisionKey(b []byte, k cache.Key) []byte {
	b = append(b, k.Kind...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint64(b, k.ID)
	return binary.BigEndian.AppendUint64(b, k.Sub)
}

// Revision implements cache.Revisions. A cached read always runs inside
// its caller's transaction, so that case is served without the closure
// Read needs.
func (s *Revisions) Revision(ctx context.Context, k cache.Key) (rev uint64, fill bool, err error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		rev, fill = revision(tx, k)
		return rev, fill, nil
	}
	err = s.db.Read(ctx, func(ctx context.Context) error {
		rev, fill = revision(storage.TxFrom(ctx), k)
		return nil
	})
	return rev, fill, err
}

func revision(tx *storage.Tx, k cache.Key) (rev uint64, fill bool) {
	var buf [64]byte
	rev, _ = tx.Uint64(storage.Revisions, revisionKey(buf[:0], k))
	return rev, !tx.Writable()
}

// Bump implements cache.Revisions.
func (s *Revisions) Bump(ctx context.Context, k cache.Key) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).PutRaw(storage.Revisions, revisionKey(nil, k), binary.BigEndian.AppendUint64(nil, cache.NewRevision()))
	})
}
