package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/notify"
)

// The outbox lives in mail_outbox, one row per mail with its state and
// times in columns. The pending queue is the partial index on
// (next_attempt_at, id) of pending mails, the sending queue the one on
// (claimed_at, id) of sending mails: rewriting a mail moves it between
// them.

// mailCols are what a read selects (a mail with no cause reads as ""),
// mailInsertCols what an import writes.
const (
	mailCols = `id, user_id, to_addr, kind, subject, text_body, html_body, unsubscribe, state, attempts,
	next_attempt_at, claimed_at, sent_at, last_error, logged, created_at, coalesce(cause, '')`
	mailInsertCols = `id, user_id, to_addr, kind, subject, text_body, html_body, unsubscribe, state, attempts,
	next_attempt_at, claimed_at, sent_at, last_error, logged, created_at, cause`
)

func scanMail(row pgx.Row) (notify.Email, error) {
	var (
		m                   notify.Email
		id, user            int64
		next, claimed, sent *time.Time
	)
	err := row.Scan(&id, &user, &m.To, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.Unsubscribe, &m.State, &m.Attempts,
		&next, &claimed, &sent, &m.LastError, &m.Logged, &m.CreatedAt, &m.Cause)
	if err != nil {
		return notify.Email{}, err
	}
	m.ID, m.UserID = uint64(id), uint64(user)
	m.NextAttemptAt = notifyUTC(next)
	m.ClaimedAt, m.SentAt = notifyUTCPtr(claimed), notifyUTCPtr(sent)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}

func collectMails(rows pgx.Rows, err error) ([]notify.Email, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Email, error) { return scanMail(r) })
}

// Queue implements notify.Store. A cause already queued is a conflict on
// the unique index mail_outbox_cause (migration 0014), which inserts
// nothing.
func (s *Notify) Queue(ctx context.Context, m notify.Email) (notify.Email, error) {
	var id int64
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO mail_outbox (user_id, to_addr, kind, subject, text_body, html_body,
			unsubscribe, state, attempts, next_attempt_at, claimed_at, sent_at, last_error, logged, created_at, cause)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULLIF($16, ''))
		ON CONFLICT (cause) WHERE cause IS NOT NULL DO NOTHING RETURNING id`,
		int64(m.UserID), m.To, m.Kind, m.Subject, m.Text, m.HTML, m.Unsubscribe, m.State, m.Attempts,
		notifyTime(m.NextAttemptAt), m.ClaimedAt, m.SentAt, m.LastError, m.Logged, m.CreatedAt, m.Cause).Scan(&id)
	if noRows(err) {
		return m, notify.ErrAlreadyTold
	}
	if err != nil {
		return m, err
	}
	m.ID = uint64(id)
	return m, nil
}

// QueueAll implements notify.Store in one statement, as AddAll does for
// notifications: every mail draws its id in the order of ms, the insert
// skips those whose cause was told, and the answer is each one's id, or
// NULL for one skipped. An announcement to a course mailed its members one
// statement each.
func (s *Notify) QueueAll(ctx context.Context, ms []notify.Email) ([]notify.Email, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	n := len(ms)
	var (
		users                                                       = make([]int64, n)
		to, kinds, subjects, texts, htmls, unsubs, states, lastErrs = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		causes                                                      = make([]string, n)
		attempts                                                    = make([]int32, n)
		next, claimed, sent                                         = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
		logged                                                      = make([]bool, n)
		created                                                     = make([]time.Time, n)
	)
	for i, m := range ms {
		if m.Attempts > math.MaxInt32 {
			return nil, fmt.Errorf("notify: mail to %d has more attempts than the table holds", m.UserID)
		}
		users[i], to[i], kinds[i], subjects[i], texts[i], htmls[i] = int64(m.UserID), m.To, m.Kind, m.Subject, m.Text, m.HTML
		unsubs[i], states[i], attempts[i], next[i], claimed[i], sent[i] = m.Unsubscribe, m.State, int32(m.Attempts), notifyTime(m.NextAttemptAt), m.ClaimedAt, m.SentAt
		lastErrs[i], logged[i], created[i], causes[i] = m.LastError, m.Logged, m.CreatedAt, m.Cause
	}
	out := make([]notify.Email, n)
	err := s.db.Write(ctx, func(ctx context.Context) error {
		ids, err := insertedIDs(s.db.q(ctx).Query(ctx, queueMailsSQL, users, to, kinds, subjects, texts, htmls, unsubs, states,
			attempts, next, claimed, sent, lastErrs, logged, created, causes))
		if err != nil {
			return err
		}
		if len(ids) != n {
			return fmt.Errorf("notify: %d mails queued, %d answered", n, len(ids))
		}
		for i, m := range ms {
			m.ID = ids[i]
			out[i] = m
		}
		return nil
	})
	return out, err
}

const queueMailsSQL = `WITH v AS MATERIALIZED (
		SELECT nextval(pg_get_serial_sequence('mail_outbox', 'id')) AS id, u.*
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::integer[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::boolean[],
				$15::timestamptz[], $16::text[])
			WITH ORDINALITY AS u (user_id, to_addr, kind, subject, text_body, html_body, unsubscribe, state,
				attempts, next_attempt_at, claimed_at, sent_at, last_error, logged, created_at, cause, ord)
	), ins AS (
		INSERT INTO mail_outbox (` + mailInsertCols + `)
		SELECT id, user_id, to_addr, kind, subject, text_body, html_body, unsubscribe, state, attempts,
			next_attempt_at, claimed_at, sent_at, last_error, logged, created_at, NULLIF(cause, '')
		FROM v ORDER BY ord
		ON CONFLICT (cause) WHERE cause IS NOT NULL DO NOTHING
		RETURNING id
	)
	SELECT ins.id FROM v LEFT JOIN ins ON ins.id = v.id ORDER BY v.ord`

// Put implements notify.Store.
func (s *Notify) Put(ctx context.Context, m notify.Email) error {
	tag, err := s.db.q(ctx).Exec(ctx, `UPDATE mail_outbox SET user_id = $2, to_addr = $3, kind = $4, subject = $5,
			text_body = $6, html_body = $7, unsubscribe = $8, state = $9, attempts = $10, next_attempt_at = $11,
			claimed_at = $12, sent_at = $13, last_error = $14, logged = $15, created_at = $16
		WHERE id = $1`,
		int64(m.ID), int64(m.UserID), m.To, m.Kind, m.Subject, m.Text, m.HTML, m.Unsubscribe, m.State, m.Attempts,
		notifyTime(m.NextAttemptAt), m.ClaimedAt, m.SentAt, m.LastError, m.Logged, m.CreatedAt)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notify.ErrNoMail
	}
	return nil
}

// Mail implements notify.Store.
func (s *Notify) Mail(ctx context.Context, id uint64) (notify.Email, error) {
	m, err := scanMail(s.db.q(ctx).QueryRow(ctx, `SELECT `+mailCols+` FROM mail_outbox WHERE id = $1`, int64(id)))
	if noRows(err) {
		return m, notify.ErrNoMail
	}
	return m, err
}

// Mails implements notify.Store.
func (s *Notify) Mails(ctx context.Context, user uint64) ([]notify.Email, error) {
	if user == 0 {
		return collectMails(s.db.q(ctx).Query(ctx, `SELECT `+mailCols+` FROM mail_outbox ORDER BY id`))
	}
	return collectMails(s.db.q(ctx).Query(ctx, `SELECT `+mailCols+` FROM mail_outbox WHERE user_id = $1 ORDER BY id`,
		int64(user)))
}

// NewestMails implements notify.Store: a backward keyset page, of the
// primary key or, for one state, of mail_outbox_state.
func (s *Notify) NewestMails(ctx context.Context, state string, before uint64, limit int) ([]notify.Email, bool, error) {
	limit = max(limit, 0)
	var (
		out []notify.Email
		err error
	)
	if state == "" {
		out, err = collectMails(s.db.q(ctx).Query(ctx, `SELECT `+mailCols+` FROM mail_outbox
			WHERE id < $1 ORDER BY id DESC LIMIT $2`, notifyBefore(before), limit+1))
	} else {
		out, err = collectMails(s.db.q(ctx).Query(ctx, `SELECT `+mailCols+` FROM mail_outbox
			WHERE state = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, state, notifyBefore(before), limit+1))
	}
	if err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}

// Queued implements notify.Store: the front of one queue's partial index.
// The states are literals in the SQL so that the planner can match the
// partial indexes' predicates.
func (s *Notify) Queued(ctx context.Context, state string, until time.Time, limit int) ([]notify.Email, error) {
	var sql string
	switch state {
	case notify.MailPending:
		sql = `SELECT ` + mailCols + ` FROM mail_outbox
			WHERE state = 'pending' AND ($1::timestamptz IS NULL OR next_attempt_at <= $1)
			ORDER BY next_attempt_at, id LIMIT $2`
	case notify.MailSending:
		sql = `SELECT ` + mailCols + ` FROM mail_outbox
			WHERE state = 'sending' AND claimed_at IS NOT NULL AND ($1::timestamptz IS NULL OR claimed_at <= $1)
			ORDER BY claimed_at, id LIMIT $2`
	default:
		return nil, nil // no other state waits in a queue
	}
	// LIMIT NULL is no limit.
	var bound *int
	if limit > 0 {
		bound = &limit
	}
	return collectMails(s.db.q(ctx).Query(ctx, sql, notifyTime(until), bound))
}

// Prunable implements notify.Store: a walk of mail_outbox_created from the
// oldest mail, which ends at the cutoff.
func (s *Notify) Prunable(ctx context.Context, cutoff time.Time, logged bool, limit int) ([]notify.Email, error) {
	return collectMails(s.db.q(ctx).Query(ctx, `SELECT `+mailCols+` FROM mail_outbox
		WHERE created_at < $1 AND (state IN ('sent', 'failed', 'unknown') OR $2 AND state = 'pending' AND logged)
		ORDER BY created_at, id LIMIT $3`, cutoff, logged, max(limit, 0)))
}

// Delete implements notify.Store.
func (s *Notify) Delete(ctx context.Context, ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	list := make([]int64, len(ids))
	for i, id := range ids {
		list[i] = int64(id)
	}
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM mail_outbox WHERE id = ANY($1)`, list)
	return err
}
