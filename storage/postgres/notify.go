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

// Notify implements notify.Store on tables notifications, mail_outbox,
// mail_batches, mail_batch_entries and email_prefs (migration
// 0008_notify.sql). What bbolt keeps as indexes beside the records are
// indexes of the tables here: a user's notifications (notifications_user),
// the unread ones (the partial index notifications_unread) and the
// outbox's pending and sending queues (partial indexes on the mail's state
// and time), so a mail's place in its queue cannot drift from its state.
type Notify struct{ db *DB }

// NewNotify returns the notify store over db.
func NewNotify(db *DB) *Notify { return &Notify{db: db} }

var _ notify.Store = (*Notify)(nil)

// notifyBefore is a keyset bound "ids below before", with 0 meaning no
// bound.
func notifyBefore(before uint64) int64 {
	if before == 0 {
		return math.MaxInt64
	}
	return int64(before)
}

// notifyTime is an instant as stored in a nullable column: NULL for the
// zero time, which the domain uses for "none".
func notifyTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// notifyUTC reads a nullable instant back: the zero time for NULL.
func notifyUTC(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// notifyUTCPtr reads a nullable instant back as a pointer in UTC.
func notifyUTCPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

const notificationCols = `id, user_id, course_id, kind, title, body, link, created_at, read`

func scanNotification(row pgx.Row) (notify.Notification, error) {
	var (
		n                notify.Notification
		id, user, course int64
	)
	if err := row.Scan(&id, &user, &course, &n.Kind, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &n.Read); err != nil {
		return notify.Notification{}, err
	}
	n.ID, n.UserID, n.CourseID = uint64(id), uint64(user), uint64(course)
	n.CreatedAt = n.CreatedAt.UTC()
	return n, nil
}

// Add implements notify.Store. A cause already told is a conflict on the
// unique index notifications_cause (migration 0014), which inserts
// nothing: the index, not a look first, keeps two transactions that tell
// of one event at once from both storing it.
func (s *Notify) Add(ctx context.Context, n notify.Notification) (notify.Notification, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, addNotificationSQL,
		int64(n.UserID), int64(n.CourseID), n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.Cause).Scan(&id)
	if noRows(err) {
		return n, notify.ErrAlreadyTold
	}
	if err != nil {
		return n, err
	}
	n.ID, n.Read = uint64(id), false
	return n, nil
}

// AddAll implements notify.Store in one statement: every notification
// draws its id in the order of ns (the rows of unnest come in that order,
// and the CTE, which calls nextval, is evaluated once), the insert skips
// those whose cause was told, before or earlier in ns, and the answer is
// each one's id, or NULL for one skipped. A delivery telling 200 people
// paid 200 statements for it.
func (s *Notify) AddAll(ctx context.Context, ns []notify.Notification) ([]notify.Notification, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	users, courses := make([]int64, len(ns)), make([]int64, len(ns))
	kinds, titles, bodies, links, causes := make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns))
	created := make([]time.Time, len(ns))
	for i, n := range ns {
		users[i], courses[i] = int64(n.UserID), int64(n.CourseID)
		kinds[i], titles[i], bodies[i], links[i], causes[i] = n.Kind, n.Title, n.Body, n.Link, n.Cause
		created[i] = n.CreatedAt
	}
	out := make([]notify.Notification, len(ns))
	err := s.db.Write(ctx, func(ctx context.Context) error {
		ids, err := insertedIDs(s.db.q(ctx).Query(ctx, addNotificationsSQL, users, courses, kinds, titles, bodies, links, created, causes))
		if err != nil {
			return err
		}
		if len(ids) != len(ns) {
			return fmt.Errorf("notify: %d notifications added, %d answered", len(ns), len(ids))
		}
		for i, n := range ns {
			n.ID, n.Read = ids[i], false
			out[i] = n
		}
		return nil
	})
	return out, err
}

// insertedIDs reads the answer of an insert of arrays that skips some
// rows (addNotificationsSQL, queueMailsSQL): an id per row given, in
// order, 0 for a row skipped.
func insertedIDs(rows pgx.Rows, err error) ([]uint64, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (uint64, error) {
		var id *int64
		if err := r.Scan(&id); err != nil || id == nil {
			return 0, err
		}
		return uint64(*id), nil
	})
}

const addNotificationsSQL = `WITH v AS MATERIALIZED (
		SELECT nextval(pg_get_serial_sequence('notifications', 'id')) AS id, u.*
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
			WITH ORDINALITY AS u (user_id, course_id, kind, title, body, link, created_at, cause, ord)
	), ins AS (
		INSERT INTO notifications (id, user_id, course_id, kind, title, body, link, created_at, read, cause)
		SELECT id, user_id, course_id, kind, title, body, link, created_at, false, NULLIF(cause, '') FROM v ORDER BY ord
		ON CONFLICT (cause) WHERE cause IS NOT NULL DO NOTHING
		RETURNING id
	)
	SELECT ins.id FROM v LEFT JOIN ins ON ins.id = v.id ORDER BY v.ord`

const addNotificationSQL = `INSERT INTO notifications (user_id, course_id, kind, title, body, link, created_at, read, cause)
		VALUES ($1, $2, $3, $4, $5, $6, $7, false, NULLIF($8, ''))
		ON CONFLICT (cause) WHERE cause IS NOT NULL DO NOTHING RETURNING id`

// Newest implements notify.Store: a backward keyset page of
// notifications_user, one row past the limit telling whether more remain.
func (s *Notify) Newest(ctx context.Context, user, before uint64, limit int) ([]notify.Notification, bool, error) {
	limit = max(limit, 0)
	rows, err := s.db.q(ctx).Query(ctx, `SELECT `+notificationCols+` FROM notifications
		WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, int64(user), notifyBefore(before), limit+1)
	if err != nil {
		return nil, false, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Notification, error) { return scanNotification(r) })
	if err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}

// UnreadCount implements notify.Store: a count of the user's range of the
// partial index of unread notifications.
func (s *Notify) UnreadCount(ctx context.Context, user uint64) (int, error) {
	var n int
	err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND NOT read`,
		int64(user)).Scan(&n)
	return n, err
}

// IsUnread implements notify.Store.
func (s *Notify) IsUnread(ctx context.Context, user, id uint64) (bool, error) {
	var ok bool
	err := s.db.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM notifications
		WHERE id = $1 AND user_id = $2 AND NOT read)`, int64(id), int64(user)).Scan(&ok)
	return ok, err
}

// UnreadAmong implements notify.Store: one query over the refs' pairs.
func (s *Notify) UnreadAmong(ctx context.Context, refs []notify.Ref) ([]uint64, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	users, ids := make([]int64, len(refs)), make([]int64, len(refs))
	for i, r := range refs {
		users[i], ids[i] = int64(r.User), int64(r.ID)
	}
	return collectIDs(s.db.q(ctx).Query(ctx, `SELECT id FROM notifications
		WHERE (user_id, id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[])) AND NOT read ORDER BY id`, users, ids))
}

// UpdateUnread implements notify.Store: the condition is the update's, so
// a notification read meanwhile is left alone.
func (s *Notify) UpdateUnread(ctx context.Context, user, id uint64, title, body string) (bool, error) {
	tag, err := s.db.q(ctx).Exec(ctx, `UPDATE notifications SET title = $3, body = $4
		WHERE id = $1 AND user_id = $2 AND NOT read`, int64(id), int64(user), title, body)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// MarkRead implements notify.Store: one update, which skips other users'
// ids, unknown ids and read ones by its condition.
func (s *Notify) MarkRead(ctx context.Context, user uint64, ids []uint64, all bool) error {
	if all {
		_, err := s.db.q(ctx).Exec(ctx, `UPDATE notifications SET read = true WHERE user_id = $1 AND NOT read`, int64(user))
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	list := make([]int64, len(ids))
	for i, id := range ids {
		list[i] = int64(id)
	}
	_, err := s.db.q(ctx).Exec(ctx, `UPDATE notifications SET read = true
		WHERE user_id = $1 AND id = ANY($2) AND NOT read`, int64(user), list)
	return err
}

// BatchesOf implements notify.Store: one query.
func (s *Notify) BatchesOf(ctx context.Context, users []uint64) (map[uint64]notify.Batch, error) {
	out := make(map[uint64]notify.Batch, len(users))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT user_id, count, dropped, first_at, last_mail_at, legacy_entries
		FROM mail_batches WHERE user_id = ANY($1)`, int64s(users))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, err
		}
		out[b.User] = b
	}
	return out, rows.Err()
}

// PrefsOf implements notify.Store: one query.
func (s *Notify) PrefsOf(ctx context.Context, users []uint64) (map[uint64]notify.Prefs, error) {
	out := make(map[uint64]notify.Prefs, len(users))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT user_id, chosen, updated_at FROM email_prefs WHERE user_id = ANY($1)`, int64s(users))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			user    int64
			p       notify.Prefs
			chosen  []byte
			updated *time.Time
		)
		if err := rows.Scan(&user, &chosen, &updated); err != nil {
			return nil, err
		}
		// As in Prefs: a NULL (a nil Chosen was stored) reads back as a nil
		// map.
		if chosen != nil {
			if err := json.Unmarshal(chosen, &p.Chosen); err != nil {
				return nil, err
			}
		}
		p.UpdatedAt = notifyUTC(updated)
		out[uint64(user)] = p
	}
	return out, rows.Err()
}
