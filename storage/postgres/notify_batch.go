package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/notify"
)

// Mail batches: a head in mail_batches, each entry a row of
// mail_batch_entries under (user, seq), so adding an entry to a busy batch
// writes one small row and the head.

// Batch implements notify.Store.
func (s *Notify) Batch(ctx context.Context, user uint64) (notify.Batch, error) {
	b, err := scanBatch(s.db.q(ctx).QueryRow(ctx, `SELECT user_id, count, dropped, first_at, last_mail_at, legacy_entries
		FROM mail_batches WHERE user_id = $1`, int64(user)))
	if noRows(err) {
		return notify.Batch{User: user}, nil
	}
	return b, err
}

func scanBatch(row pgx.Row) (notify.Batch, error) {
	var (
		b           notify.Batch
		user        int64
		first, last *time.Time
	)
	if err := row.Scan(&user, &b.Count, &b.Dropped, &first, &last, &b.Entries); err != nil {
		return notify.Batch{}, err
	}
	b.User = uint64(user)
	b.FirstAt, b.LastMailAt = notifyUTC(first), notifyUTC(last)
	for i := range b.Entries {
		b.Entries[i].CreatedAt = b.Entries[i].CreatedAt.UTC()
	}
	return b, nil
}

// SaveBatch implements notify.Store: the head, then the entry (whose row
// needs the head's), in one transaction. Both are writes nobody reads the
// outcome of (DB.execLater): they go with the transaction's next
// statement, so a delivery telling many users pays no round trip per
// user's batch.
func (s *Notify) SaveBatch(ctx context.Context, b notify.Batch, entry *notify.Notification) error {
	var legacy []notify.Notification
	if len(b.Entries) > 0 {
		legacy = b.Entries
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		err := s.db.execLater(ctx, `INSERT INTO mail_batches (user_id, count, dropped, first_at, last_mail_at, legacy_entries)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (user_id) DO UPDATE SET count = excluded.count, dropped = excluded.dropped,
				first_at = excluded.first_at, last_mail_at = excluded.last_mail_at,
				legacy_entries = excluded.legacy_entries`,
			int64(b.User), b.Count, b.Dropped, notifyTime(b.FirstAt), notifyTime(b.LastMailAt), legacy)
		if err != nil || entry == nil {
			return err
		}
		e := entry
		return s.db.execLater(ctx, `INSERT INTO mail_batch_entries
				(user_id, seq, notification_id, course_id, kind, title, body, link, created_at, read)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (user_id, seq) DO UPDATE SET notification_id = excluded.notification_id,
				course_id = excluded.course_id, kind = excluded.kind, title = excluded.title,
				body = excluded.body, link = excluded.link, created_at = excluded.created_at,
				read = excluded.read`,
			int64(b.User), b.Count, int64(e.ID), int64(e.CourseID), e.Kind, e.Title, e.Body, e.Link, e.CreatedAt, e.Read)
	})
}

// AllBatches implements notify.Store.
func (s *Notify) AllBatches(ctx context.Context) ([]notify.Batch, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT user_id, count, dropped, first_at, last_mail_at, legacy_entries
		FROM mail_batches ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Batch, error) { return scanBatch(r) })
}

// TakeEntries implements notify.Store: one statement deletes the entries
// and answers them in the order they came. Each names the batch's user
// (on bbolt an entry's user is not kept and reads back as 0).
func (s *Notify) TakeEntries(ctx context.Context, user uint64) ([]notify.Notification, error) {
	rows, err := s.db.q(ctx).Query(ctx, `WITH gone AS (
			DELETE FROM mail_batch_entries WHERE user_id = $1
			RETURNING seq, notification_id, user_id, course_id, kind, title, body, link, created_at, read
		)
		SELECT notification_id, user_id, course_id, kind, title, body, link, created_at, read FROM gone ORDER BY seq`,
		int64(user))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Notification, error) { return scanNotification(r) })
}

// DeleteBatch implements notify.Store: the entries go with the head (ON
// DELETE CASCADE).
func (s *Notify) DeleteBatch(ctx context.Context, user uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM mail_batches WHERE user_id = $1`, int64(user))
	return err
}
