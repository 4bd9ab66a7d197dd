package bolt

import (
	"context"

	"pacer/announcements"
	"pacer/storage"
)

// Export implements migrate.Exporter: every announcement
// ("announcements"), in id order. The by-course index is not exported:
// PostgreSQL derives it from the records.
func (s *Announcements) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.Announcements, nil, func(k, _ []byte) error {
			var r announcements.Record
			if err := tx.Get(storage.Announcements, k, &r); err != nil {
				return err
			}
			return put("announcements", r)
		})
	})
}
