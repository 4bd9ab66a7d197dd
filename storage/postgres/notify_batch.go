package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
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

// SaveBatches implements notify.Store: the heads in one statement, then
// the entries (whose rows need their heads') in another, each an upsert of
// arrays. Both are writes nobody reads the outcome of (DB.execLater): they
// go with the transaction's next statement, so a delivery telling many
// users pays neither a round trip nor a statement per user's batch. A
// statement may not upsert one row twice, so only the last head of a user
// (and the last entry of a number) is sent: the one that stands once the
// saves are applied in order.
func (s *Notify) SaveBatches(ctx context.Context, saves []notify.BatchSave) error {
	if len(saves) == 0 {
		return nil
	}
	var (
		users, entryUsers, notes, courses []int64
		counts, dropped, seqs             []int32
		firsts, lasts                     []*time.Time
		created                           []time.Time
		legacy                            []*string
		kinds, titles, bodies, links      []string
		read                              []bool
	)
	lastHead := make(map[uint64]int, len(saves))
	lastEntry := make(map[[2]uint64]int, len(saves))
	for i, sv := range saves {
		lastHead[sv.Head.User] = i
		if sv.Entry != nil {
			lastEntry[[2]uint64{sv.Head.User, uint64(sv.Head.Count)}] = i
		}
	}
	for i, sv := range saves {
		b := sv.Head
		if b.Count > math.MaxInt32 || b.Dropped > math.MaxInt32 {
			return fmt.Errorf("notify: the mail batch of user %d counts past what the table holds", b.User)
		}
		if lastHead[b.User] == i {
			var entries *string
			if len(b.Entries) > 0 {
				js, err := json.Marshal(b.Entries)
				if err != nil {
					return err
				}
				v := string(js)
				entries = &v
			}
			users, counts, dropped = append(users, int64(b.User)), append(counts, int32(b.Count)), append(dropped, int32(b.Dropped))
			firsts, lasts, legacy = append(firsts, notifyTime(b.FirstAt)), append(lasts, notifyTime(b.LastMailAt)), append(legacy, entries)
		}
		if e := sv.Entry; e != nil && lastEntry[[2]uint64{b.User, uint64(b.Count)}] == i {
			entryUsers, seqs, notes, courses = append(entryUsers, int64(b.User)), append(seqs, int32(b.Count)), append(notes, int64(e.ID)), append(courses, int64(e.CourseID))
			kinds, titles, bodies, links = append(kinds, e.Kind), append(titles, e.Title), append(bodies, e.Body), append(links, e.Link)
			created, read = append(created, e.CreatedAt), append(read, e.Read)
		}
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		err := s.db.execLater(ctx, `INSERT INTO mail_batches (user_id, count, dropped, first_at, last_mail_at, legacy_entries)
			SELECT u, c, d, f, l, j::jsonb
			FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::timestamptz[], $5::timestamptz[], $6::text[]) AS h (u, c, d, f, l, j)
			ON CONFLICT (user_id) DO UPDATE SET count = excluded.count, dropped = excluded.dropped,
				first_at = excluded.first_at, last_mail_at = excluded.last_mail_at,
				legacy_entries = excluded.legacy_entries`,
			users, counts, dropped, firsts, lasts, legacy)
		if err != nil || len(entryUsers) == 0 {
			return err
		}
		return s.db.execLater(ctx, `INSERT INTO mail_batch_entries
				(user_id, seq, notification_id, course_id, kind, title, body, link, created_at, read)
			SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
				$7::text[], $8::text[], $9::timestamptz[], $10::boolean[])
			ON CONFLICT (user_id, seq) DO UPDATE SET notification_id = excluded.notification_id,
				course_id = excluded.course_id, kind = excluded.kind, title = excluded.title,
				body = excluded.body, link = excluded.link, created_at = excluded.created_at,
				read = excluded.read`,
			entryUsers, seqs, notes, courses, kinds, titles, bodies, links, created, read)
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
