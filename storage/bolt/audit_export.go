package bolt

import (
	"context"

	"pacer/audit"
	"pacer/storage"
)

// Export implements migrate.Exporter: every entry ("audit_entries"), in
// id order.
func (s *Audit) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.Audit, nil, func(k, _ []byte) error {
			var e audit.Entry
			if err := tx.Get(storage.Audit, k, &e); err != nil {
				return err
			}
			return put("audit_entries", e)
		})
	})
}
