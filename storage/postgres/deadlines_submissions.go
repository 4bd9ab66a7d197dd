package postgres

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"pacer/deadlines"
)

// submissionColumns are read by scanSubmission, in its order.
const submissionColumns = `id, course_id, item_id, module_id, user_id, attempt, is_current, status, body, body_html,
	media_id, penalty_percent, submitted_at, due_at, score, final_score, feedback, feedback_html,
	graded_at, graded_by, adjustment, rubric`

func scanSubmission(row pgx.Row) (deadlines.Submission, error) {
	var sub deadlines.Submission
	var id, course, item, module, user, media, by int64
	var rubric []byte
	err := row.Scan(&id, &course, &item, &module, &user, &sub.Attempt, &sub.Current, &sub.Status, &sub.Body, &sub.BodyHTML,
		&media, &sub.PenaltyPercent, &sub.SubmittedAt, &sub.DueAt, &sub.Score, &sub.FinalScore, &sub.Feedback, &sub.FeedbackHTML,
		&sub.GradedAt, &by, &sub.Adjustment, &rubric)
	if err != nil {
		return sub, err
	}
	sub.ID, sub.CourseID, sub.ItemID, sub.ModuleID, sub.UserID = uint64(id), uint64(course), uint64(item), uint64(module), uint64(user)
	sub.MediaID, sub.GradedBy = uint64(media), uint64(by)
	sub.SubmittedAt = sub.SubmittedAt.UTC()
	sub.DueAt, sub.GradedAt = deadlinesUTC(sub.DueAt), deadlinesUTC(sub.GradedAt)
	if len(rubric) > 0 {
		if err := json.Unmarshal(rubric, &sub.Rubric); err != nil {
			return sub, err
		}
	}
	return sub, nil
}

func collectSubmissions(rows pgx.Rows, err error) ([]deadlines.Submission, error) {
	if err != nil {
		return nil, err
	}
	return deadlinesCollect(rows, func(row pgx.CollectableRow) (deadlines.Submission, error) { return scanSubmission(row) })
}

// deadlinesUTC is t in UTC (nil stays nil).
func deadlinesUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// deadlinesInstant is t as a timestamptz column keeps it and gives it
// back: whole microseconds, in UTC. A write returns its record with its
// instants so, so that what a caller got from the write equals what any
// later read gives (time.Now() carries nanoseconds).
func deadlinesInstant(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// deadlinesInstantPtr is deadlinesInstant of *t (nil stays nil).
func deadlinesInstantPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := deadlinesInstant(*t)
	return &u
}

// rubricJSON is a filled rubric as stored: NULL for none.
func rubricJSON(marks []deadlines.RubricMark) ([]byte, error) {
	if marks == nil {
		return nil, nil
	}
	return json.Marshal(marks)
}

// AddAttempt implements deadlines.Store: the learner's current attempt
// steps down to the history (its number gives the next one), and the new
// one is inserted as current, in one statement, sent with the
// transaction's next statement or its COMMIT (pgTx.deferQueryRow): a
// submission's insert, progress and queue entry all go with its COMMIT.
func (s *Deadlines) AddAttempt(ctx context.Context, sub *deadlines.Submission) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		sub.SubmittedAt, sub.DueAt, sub.GradedAt = deadlinesInstant(sub.SubmittedAt), deadlinesInstantPtr(sub.DueAt), deadlinesInstantPtr(sub.GradedAt)
		rubric, err := rubricJSON(sub.Rubric)
		if err != nil {
			return err
		}
		// The UPDATE runs to completion before the INSERT reads its
		// attempt (a scalar subquery over it), and a row the statement
		// itself updated no longer counts against the partial unique
		// index of current attempts.
		txFrom(ctx).deferQueryRow(`WITH prev AS (
				UPDATE submissions SET is_current = false
				WHERE course_id = $1 AND item_id = $2 AND user_id = $4 AND is_current
				RETURNING attempt)
			INSERT INTO submissions (course_id, item_id, module_id, user_id, attempt, is_current, status,
				body, body_html, media_id, penalty_percent, submitted_at, due_at, score, final_score, feedback, feedback_html,
				graded_at, graded_by, adjustment, rubric)
			SELECT $1, $2, $3, $4, coalesce((SELECT attempt FROM prev), 0) + 1, true, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
			RETURNING id, attempt`,
			[]any{int64(sub.CourseID), int64(sub.ItemID), int64(sub.ModuleID), int64(sub.UserID), sub.Status,
				sub.Body, sub.BodyHTML, int64(sub.MediaID), sub.PenaltyPercent, sub.SubmittedAt, sub.DueAt, sub.Score, sub.FinalScore,
				sub.Feedback, sub.FeedbackHTML, sub.GradedAt, int64(sub.GradedBy), sub.Adjustment, rubric},
			func(row pgx.Row) error {
				var id int64
				var attempt int
				err := row.Scan(&id, &attempt)
				if isUnique(err, "submissions_learner_attempt") || isUnique(err, "submissions_current") {
					// A concurrent AddAttempt of the same learner
					// committed, after this transaction's snapshot was
					// taken, the attempt this one found absent.
					// PostgreSQL reports the unique violation, not a
					// serialization failure, but that is what it is:
					// answered as one, the transaction runs again from
					// the start and numbers its attempt after that one.
					return &pgconn.PgError{Code: codeSerializationFailure, Message: "concurrent attempt at the same item: " + err.Error()}
				}
				if err != nil {
					return err
				}
				sub.ID, sub.Attempt, sub.Current = uint64(id), attempt, true
				return nil
			})
		return nil
	})
}

// Submission implements deadlines.Store.
func (s *Deadlines) Submission(ctx context.Context, id uint64) (deadlines.Submission, error) {
	sub, err := scanSubmission(s.db.q(ctx).QueryRow(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE id = $1`, int64(id)))
	if noRows(err) {
		return deadlines.Submission{}, deadlines.ErrNotFound
	}
	return sub, err
}

// SaveSubmission implements deadlines.Store: every field but the place,
// the attempt number and whether it is current, which only AddAttempt
// decides.
func (s *Deadlines) SaveSubmission(ctx context.Context, sub deadlines.Submission) error {
	rubric, err := rubricJSON(sub.Rubric)
	if err != nil {
		return err
	}
	_, err = s.db.q(ctx).Exec(ctx, `UPDATE submissions SET module_id = $2, status = $3, body = $4, body_html = $5,
			media_id = $6, penalty_percent = $7, submitted_at = $8, due_at = $9, score = $10, final_score = $11,
			feedback = $12, feedback_html = $13, graded_at = $14, graded_by = $15, adjustment = $16, rubric = $17
		WHERE id = $1`,
		int64(sub.ID), int64(sub.ModuleID), sub.Status, sub.Body, sub.BodyHTML, int64(sub.MediaID), sub.PenaltyPercent,
		sub.SubmittedAt, sub.DueAt, sub.Score, sub.FinalScore, sub.Feedback, sub.FeedbackHTML, sub.GradedAt,
		int64(sub.GradedBy), sub.Adjustment, rubric)
	return err
}

// Attempts implements deadlines.Store: the current attempt has the
// highest number, so newest first is the current one first.
func (s *Deadlines) Attempts(ctx context.Context, course, item, user uint64) ([]deadlines.Submission, error) {
	return collectSubmissions(s.db.q(ctx).Query(ctx, `SELECT `+submissionColumns+` FROM submissions
		WHERE course_id = $1 AND item_id = $2 AND user_id = $3
		ORDER BY attempt DESC`, int64(course), int64(item), int64(user)))
}

// ItemAttempts implements deadlines.Store: one batch of two statements on
// the same snapshot, the page (the first limit submitters from from, with
// all their attempts) and the submitter after it (the next page's start).
func (s *Deadlines) ItemAttempts(ctx context.Context, course, item, from uint64, limit int) ([]deadlines.Submission, uint64, error) {
	if limit < 0 {
		limit = math.MaxInt32 // no bound, as on bbolt
	}
	var subs []deadlines.Submission
	var next int64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue(`WITH page AS (
				SELECT user_id FROM submissions
				WHERE course_id = $1 AND item_id = $2 AND is_current AND user_id >= $3
				ORDER BY user_id LIMIT $4)
			SELECT `+deadlinesPrefixed("s.", submissionColumns)+` FROM submissions s JOIN page p ON s.user_id = p.user_id
			WHERE s.course_id = $1 AND s.item_id = $2
			ORDER BY s.user_id, s.attempt DESC`, int64(course), int64(item), int64(from), limit)
		b.Queue(`SELECT user_id FROM submissions
			WHERE course_id = $1 AND item_id = $2 AND is_current AND user_id >= $3
			ORDER BY user_id OFFSET $4 LIMIT 1`, int64(course), int64(item), int64(from), limit)
		br := s.db.q(ctx).SendBatch(ctx, b)
		defer br.Close()
		var err error
		if subs, err = collectSubmissions(br.Query()); err != nil {
			return err
		}
		if err := br.QueryRow().Scan(&next); err != nil && !noRows(err) {
			return err
		}
		return br.Close()
	})
	return subs, uint64(next), err
}

// Submitters implements deadlines.Store (index submissions_current).
func (s *Deadlines) Submitters(ctx context.Context, course, item uint64) ([]uint64, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT user_id FROM submissions
		WHERE course_id = $1 AND item_id = $2 AND is_current ORDER BY user_id`, int64(course), int64(item))
	if err != nil {
		return nil, err
	}
	return deadlinesCollect(rows, func(row pgx.CollectableRow) (uint64, error) {
		var u int64
		err := row.Scan(&u)
		return uint64(u), err
	})
}

// Ungraded implements deadlines.Store (index submissions_ungraded).
func (s *Deadlines) Ungraded(ctx context.Context, course uint64) ([]deadlines.Submission, error) {
	return collectSubmissions(s.db.q(ctx).Query(ctx, `SELECT `+submissionColumns+` FROM submissions
		WHERE course_id = $1 AND is_current AND score IS NULL
		ORDER BY item_id, user_id`, int64(course)))
}

// CourseSubmissions implements deadlines.Store: one range of
// submissions_learner_attempt.
func (s *Deadlines) CourseSubmissions(ctx context.Context, course uint64) ([]deadlines.Submission, error) {
	return collectSubmissions(s.db.q(ctx).Query(ctx, `SELECT `+submissionColumns+` FROM submissions
		WHERE course_id = $1 ORDER BY item_id, user_id, attempt DESC`, int64(course)))
}

// DeleteItem implements deadlines.Store.
func (s *Deadlines) DeleteItem(ctx context.Context, course, item uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM submissions WHERE course_id = $1 AND item_id = $2`, int64(course), int64(item))
	return err
}

// SubmittedNotes implements deadlines.Store: one primary-key lookup of
// every staff member asked about.
func (s *Deadlines) SubmittedNotes(ctx context.Context, course, item uint64, staff []uint64) (map[uint64]deadlines.SubmittedNote, error) {
	out := map[uint64]deadlines.SubmittedNote{}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT staff_id, notification_id, count FROM submitted_notes
		WHERE course_id = $1 AND item_id = $2 AND staff_id = ANY($3)`, int64(course), int64(item), deadlinesIDs(staff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var staff, note, count int64
		if err := rows.Scan(&staff, &note, &count); err != nil {
			return nil, err
		}
		out[uint64(staff)] = deadlines.SubmittedNote{Notification: uint64(note), Count: uint64(count)}
	}
	return out, rows.Err()
}

// PutSubmittedNotes implements deadlines.Store: one upsert of them all.
func (s *Deadlines) PutSubmittedNotes(ctx context.Context, course, item uint64, notes map[uint64]deadlines.SubmittedNote) error {
	if len(notes) == 0 {
		return nil
	}
	var staff, ids, counts []int64
	for user, n := range notes {
		staff, ids, counts = append(staff, int64(user)), append(ids, int64(n.Notification)), append(counts, int64(n.Count))
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO submitted_notes (course_id, item_id, staff_id, notification_id, count)
		SELECT $1, $2, n.staff, n.note, n.count FROM unnest($3::bigint[], $4::bigint[], $5::bigint[]) AS n(staff, note, count)
		ON CONFLICT (course_id, item_id, staff_id) DO UPDATE
			SET notification_id = excluded.notification_id, count = excluded.count`,
		int64(course), int64(item), staff, ids, counts)
	return err
}

// deadlinesIDs is ids as PostgreSQL's bigint.
func deadlinesIDs(ids []uint64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// deadlinesPrefixed qualifies each of a comma-separated column list with
// a table alias (alias ends with its dot).
func deadlinesPrefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// deadlinesCollect is pgx.CollectRows, but nil rather than an empty slice
// when there are no rows, as the bbolt engine answers (a list the service
// encodes as is stays JSON null, not []).
func deadlinesCollect[T any](rows pgx.Rows, fn pgx.RowToFunc[T]) ([]T, error) {
	out, err := pgx.CollectRows(rows, fn)
	if len(out) == 0 {
		out = nil
	}
	return out, err
}
