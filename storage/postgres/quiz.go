package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/quiz"
	"pacer/txn"
)

// Quiz implements quiz.Store on the tables of migration 0005_quiz:
// quiz_questions and quiz_attempts.
type Quiz struct{ db *DB }

// NewQuiz returns the store over db.
func NewQuiz(db *DB) *Quiz { return &Quiz{db: db} }

var _ quiz.Store = (*Quiz)(nil)

const questionColumns = `id, course_id, item_id, position, created_at, updated_at, question, html`

func scanQuestion(row pgx.Row) (quiz.QuestionRecord, error) {
	var q quiz.QuestionRecord
	var id, course, item int64
	var question, html []byte
	if err := row.Scan(&id, &course, &item, &q.Position, &q.CreatedAt, &q.UpdatedAt, &question, &html); err != nil {
		return q, err
	}
	q.ID, q.CourseID, q.ItemID = uint64(id), uint64(course), uint64(item)
	q.CreatedAt, q.UpdatedAt = q.CreatedAt.UTC(), q.UpdatedAt.UTC()
	if err := json.Unmarshal(question, &q.Question); err != nil {
		return q, err
	}
	return q, json.Unmarshal(html, &q.HTML)
}

// PutQuestion implements quiz.Store: an insert under a new id, or an
// upsert of the id given.
func (s *Quiz) PutQuestion(ctx context.Context, q quiz.QuestionRecord) (quiz.QuestionRecord, error) {
	q.CreatedAt, q.UpdatedAt = deadlinesInstant(q.CreatedAt), deadlinesInstant(q.UpdatedAt)
	question, err := json.Marshal(q.Question)
	if err != nil {
		return q, err
	}
	html, err := json.Marshal(q.HTML)
	if err != nil {
		return q, err
	}
	args := []any{int64(q.CourseID), int64(q.ItemID), q.Position, q.CreatedAt, q.UpdatedAt, question, html}
	var id int64
	if q.ID == 0 {
		err = s.db.q(ctx).QueryRow(ctx, `INSERT INTO quiz_questions (course_id, item_id, position, created_at, updated_at, question, html)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, args...).Scan(&id)
	} else {
		err = s.db.q(ctx).QueryRow(ctx, `INSERT INTO quiz_questions (id, course_id, item_id, position, created_at, updated_at, question, html)
			VALUES ($8, $1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET course_id = excluded.course_id, item_id = excluded.item_id,
				position = excluded.position, created_at = excluded.created_at, updated_at = excluded.updated_at,
				question = excluded.question, html = excluded.html
			RETURNING id`, append(args, int64(q.ID))...).Scan(&id)
	}
	if err != nil {
		return q, err
	}
	q.ID = uint64(id)
	return q, nil
}

// Question implements quiz.Store.
func (s *Quiz) Question(ctx context.Context, id uint64) (quiz.QuestionRecord, error) {
	q, err := scanQuestion(s.db.q(ctx).QueryRow(ctx, `SELECT `+questionColumns+` FROM quiz_questions WHERE id = $1`, int64(id)))
	if noRows(err) {
		return quiz.QuestionRecord{}, txn.ErrNotFound
	}
	return q, err
}

// Questions implements quiz.Store (index quiz_questions_item).
func (s *Quiz) Questions(ctx context.Context, course, item uint64) ([]quiz.QuestionRecord, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT `+questionColumns+` FROM quiz_questions
		WHERE course_id = $1 AND item_id = $2 ORDER BY position, id`, int64(course), int64(item))
	if err != nil {
		return nil, err
	}
	return deadlinesCollect(rows, func(row pgx.CollectableRow) (quiz.QuestionRecord, error) { return scanQuestion(row) })
}

// DeleteQuestion implements quiz.Store.
func (s *Quiz) DeleteQuestion(ctx context.Context, id uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM quiz_questions WHERE id = $1`, int64(id))
	return err
}

const attemptColumns = `id, course_id, item_id, user_id, number, status, preview, started_at, closes_at, submitted_at,
	score, max_score, percent, passed, late, penalty_percent, final_score, expired, drawn, answers, marks`

func scanAttempt(row pgx.Row) (quiz.Attempt, error) {
	var a quiz.Attempt
	var id, course, item, user int64
	var drawn, answers, marks []byte
	err := row.Scan(&id, &course, &item, &user, &a.Number, &a.Status, &a.Preview, &a.StartedAt, &a.ClosesAt, &a.SubmittedAt,
		&a.Score, &a.MaxScore, &a.Percent, &a.Passed, &a.Late, &a.PenaltyPercent, &a.FinalScore, &a.Expired, &drawn, &answers, &marks)
	if err != nil {
		return a, err
	}
	a.ID, a.CourseID, a.ItemID, a.UserID = uint64(id), uint64(course), uint64(item), uint64(user)
	a.StartedAt, a.ClosesAt, a.SubmittedAt = a.StartedAt.UTC(), deadlinesUTC(a.ClosesAt), deadlinesUTC(a.SubmittedAt)
	for _, f := range []struct {
		raw []byte
		v   any
	}{{drawn, &a.Drawn}, {answers, &a.Answers}, {marks, &a.Marks}} {
		if len(f.raw) > 0 {
			if err := json.Unmarshal(f.raw, f.v); err != nil {
				return a, err
			}
		}
	}
	return a, nil
}

func collectAttempts(rows pgx.Rows, err error) ([]quiz.Attempt, error) {
	if err != nil {
		return nil, err
	}
	return deadlinesCollect(rows, func(row pgx.CollectableRow) (quiz.Attempt, error) { return scanAttempt(row) })
}

// quizJSON is v as jsonb, NULL for a nil map.
func quizJSON[M ~map[uint64]V, V any](m M) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	return json.Marshal(m)
}

// PutAttempt implements quiz.Store: an insert under a new id, or an
// upsert of the id given. Whether it is listed by Expired follows from its
// status and closing time (the partial index quiz_attempts_closing).
func (s *Quiz) PutAttempt(ctx context.Context, a quiz.Attempt) (quiz.Attempt, error) {
	// Returned as a later read gives it back (see deadlinesInstant).
	a.StartedAt, a.ClosesAt, a.SubmittedAt = deadlinesInstant(a.StartedAt), deadlinesInstantPtr(a.ClosesAt), deadlinesInstantPtr(a.SubmittedAt)
	drawn, err := json.Marshal(a.Drawn)
	if err != nil {
		return a, err
	}
	answers, err := quizJSON(a.Answers)
	if err != nil {
		return a, err
	}
	marks, err := quizJSON(a.Marks)
	if err != nil {
		return a, err
	}
	args := []any{int64(a.CourseID), int64(a.ItemID), int64(a.UserID), a.Number, a.Status, a.Preview, a.StartedAt, a.ClosesAt,
		a.SubmittedAt, a.Score, a.MaxScore, a.Percent, a.Passed, a.Late, a.PenaltyPercent, a.FinalScore, a.Expired,
		drawn, answers, marks}
	const columns = `course_id, item_id, user_id, number, status, preview, started_at, closes_at, submitted_at,
		score, max_score, percent, passed, late, penalty_percent, final_score, expired, drawn, answers, marks`
	const values = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20`
	var id int64
	if a.ID == 0 {
		err = s.db.q(ctx).QueryRow(ctx, `INSERT INTO quiz_attempts (`+columns+`) VALUES (`+values+`) RETURNING id`, args...).Scan(&id)
	} else {
		err = s.db.q(ctx).QueryRow(ctx, `INSERT INTO quiz_attempts (id, `+columns+`) VALUES ($21, `+values+`)
			ON CONFLICT (id) DO UPDATE SET course_id = excluded.course_id, item_id = excluded.item_id, user_id = excluded.user_id,
				number = excluded.number, status = excluded.status, preview = excluded.preview, started_at = excluded.started_at,
				closes_at = excluded.closes_at, submitted_at = excluded.submitted_at, score = excluded.score,
				max_score = excluded.max_score, percent = excluded.percent, passed = excluded.passed, late = excluded.late,
				penalty_percent = excluded.penalty_percent, final_score = excluded.final_score, expired = excluded.expired,
				drawn = excluded.drawn, answers = excluded.answers, marks = excluded.marks
			RETURNING id`, append(args, int64(a.ID))...).Scan(&id)
	}
	if err != nil {
		return a, err
	}
	a.ID = uint64(id)
	return a, nil
}

// Attempt implements quiz.Store.
func (s *Quiz) Attempt(ctx context.Context, id uint64) (quiz.Attempt, error) {
	a, err := scanAttempt(s.db.q(ctx).QueryRow(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts WHERE id = $1`, int64(id)))
	if noRows(err) {
		return quiz.Attempt{}, txn.ErrNotFound
	}
	return a, err
}

// LearnerAttempts implements quiz.Store (index quiz_attempts_item).
func (s *Quiz) LearnerAttempts(ctx context.Context, course, item, user uint64) ([]quiz.Attempt, error) {
	return collectAttempts(s.db.q(ctx).Query(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts
		WHERE course_id = $1 AND item_id = $2 AND user_id = $3 ORDER BY id`, int64(course), int64(item), int64(user)))
}

// ItemAttempts implements quiz.Store (index quiz_attempts_item).
func (s *Quiz) ItemAttempts(ctx context.Context, course, item uint64) ([]quiz.Attempt, error) {
	return collectAttempts(s.db.q(ctx).Query(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts
		WHERE course_id = $1 AND item_id = $2 ORDER BY user_id, id`, int64(course), int64(item)))
}

// CourseAttempts implements quiz.Store (index quiz_attempts_item).
func (s *Quiz) CourseAttempts(ctx context.Context, course uint64) ([]quiz.Attempt, error) {
	return collectAttempts(s.db.q(ctx).Query(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts
		WHERE course_id = $1 AND status = $2 AND NOT preview ORDER BY item_id, user_id, id`, int64(course), quiz.StatusSubmitted))
}

// Expired implements quiz.Store: the head of the partial index
// quiz_attempts_closing up to t.
func (s *Quiz) Expired(ctx context.Context, t time.Time, limit int) ([]quiz.Attempt, error) {
	if limit <= 0 {
		return nil, nil
	}
	return collectAttempts(s.db.q(ctx).Query(ctx, `SELECT `+attemptColumns+` FROM quiz_attempts
		WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= $1
		ORDER BY closes_at, id LIMIT $2`, t, limit))
}

// DeleteItem implements quiz.Store: one statement for both tables.
func (s *Quiz) DeleteItem(ctx context.Context, course, item uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `WITH q AS (DELETE FROM quiz_questions WHERE course_id = $1 AND item_id = $2)
		DELETE FROM quiz_attempts WHERE course_id = $1 AND item_id = $2`, int64(course), int64(item))
	return err
}

// DeleteCourse implements quiz.Store: one statement for both tables.
func (s *Quiz) DeleteCourse(ctx context.Context, course uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, `WITH q AS (DELETE FROM quiz_questions WHERE course_id = $1)
		DELETE FROM quiz_attempts WHERE course_id = $1`, int64(course))
	return err
}
