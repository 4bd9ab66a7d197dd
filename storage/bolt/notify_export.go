package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"pacer/notify"
	"pacer/storage"
	"pacer/storage/records"
)

// Export implements migrate.Exporter: the notifications, the outbox, each
// batch head followed by its entries, and the e-mail preferences. The
// indexes (storage.NotificationsByUser, storage.NotificationsUnread,
// storage.OutboxQueue) are made from the records and not exported: the
// PostgreSQL schema derives them, the unread one from each
// notification's Read, the queues from each mail's state and times.
//
// Entries are read under their head, so entries whose head is gone are
// not exported: no store method leaves such entries (DeleteBatch removes
// both), and the PostgreSQL schema cannot hold them (its foreign key).
func (s *Notify) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.Notifications, nil, func(k, v []byte) error {
			var n storedNotification
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("decode notification %d: %w", storage.Part(k, 0), err)
			}
			return put("notifications", n.value())
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Outbox, nil, func(k, v []byte) error {
			var m notify.Email
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode mail %d: %w", storage.Part(k, 0), err)
			}
			return put("mail_outbox", m)
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.MailBatches, nil, func(k, v []byte) error {
			var b notify.Batch
			if err := json.Unmarshal(v, &b); err != nil {
				return fmt.Errorf("decode the mail batch of user %d: %w", storage.Part(k, 0), err)
			}
			b.User = storage.Part(k, 0)
			if err := put("mail_batches", b); err != nil {
				return err
			}
			return tx.Each(storage.MailBatchEntries, storage.Key(b.User), func(k, v []byte) error {
				e := records.MailBatchEntry{User: b.User, Seq: storage.Part(k, 1)}
				if err := json.Unmarshal(v, &e.Entry); err != nil {
					return fmt.Errorf("decode entry %d of the mail batch of user %d: %w", e.Seq, b.User, err)
				}
				return put("mail_batch_entries", e)
			})
		})
		if err != nil {
			return err
		}
		return tx.Each(storage.EmailPrefs, nil, func(k, v []byte) error {
			p := records.EmailPrefs{User: storage.Part(k, 0)}
			if err := json.Unmarshal(v, &p.Prefs); err != nil {
				return fmt.Errorf("decode the e-mail preferences of user %d: %w", p.User, err)
			}
			return put("email_prefs", p)
		})
	})
}
