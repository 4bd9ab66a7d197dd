package postgres

import (
	"context"
	"fmt"
	"math"

	"pacer/notify"
	"pacer/storage/records"
)

// Import implements migrate.Importer: one exported record, stored as it
// is with its id, in ctx's transaction.
func (s *Notify) Import(ctx context.Context, kind string, rec any) error {
	switch kind {
	case "notifications":
		n, ok := rec.(notify.Notification)
		if !ok {
			return notifyImportType(kind, rec)
		}
		// Read as it was: Add would store every notification unread.
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO notifications (`+notificationCols+`, cause)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULLIF($10, ''))`,
			int64(n.ID), int64(n.UserID), int64(n.CourseID), n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.Read, n.Cause)
		return err
	case "mail_outbox":
		m, ok := rec.(notify.Email)
		if !ok {
			return notifyImportType(kind, rec)
		}
		// The outbox always gives a pending mail its next attempt; the
		// table's check refuses one without, so the copy stops here
		// naming the mail rather than at the check.
		if m.State == notify.MailPending && m.NextAttemptAt.IsZero() {
			return fmt.Errorf("notify: mail %d is pending with no next attempt", m.ID)
		}
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO mail_outbox (`+mailInsertCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULLIF($17, ''))`,
			int64(m.ID), int64(m.UserID), m.To, m.Kind, m.Subject, m.Text, m.HTML, m.Unsubscribe, m.State, m.Attempts,
			notifyTime(m.NextAttemptAt), m.ClaimedAt, m.SentAt, m.LastError, m.Logged, m.CreatedAt, m.Cause)
		return err
	case "mail_batches":
		b, ok := rec.(notify.Batch)
		if !ok {
			return notifyImportType(kind, rec)
		}
		return s.SaveBatches(ctx, []notify.BatchSave{{Head: b}})
	case "mail_batch_entries":
		e, ok := rec.(records.MailBatchEntry)
		if !ok {
			return notifyImportType(kind, rec)
		}
		if e.Seq > math.MaxInt32 {
			return fmt.Errorf("notify: entry %d of the mail batch of user %d is past the largest seq the table holds", e.Seq, e.User)
		}
		n := e.Entry
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO mail_batch_entries
				(user_id, seq, notification_id, course_id, kind, title, body, link, created_at, read)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			int64(e.User), int32(e.Seq), int64(n.ID), int64(n.CourseID), n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.Read)
		return err
	case "email_prefs":
		p, ok := rec.(records.EmailPrefs)
		if !ok {
			return notifyImportType(kind, rec)
		}
		return s.SetPrefs(ctx, p.User, p.Prefs)
	}
	return fmt.Errorf("notify: no records of kind %q", kind)
}

func notifyImportType(kind string, rec any) error {
	return fmt.Errorf("notify: a %s record cannot be a %T", kind, rec)
}

// Counts implements migrate.Importer: one row per exported record in each
// kind's table.
func (s *Notify) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, kind := range []string{"notifications", "mail_outbox", "mail_batches", "mail_batch_entries", "email_prefs"} {
		var n int64
		// The kinds are the tables' names, written here, never input.
		if err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM `+kind).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", kind, err)
		}
		out[kind] = n
	}
	return out, nil
}
