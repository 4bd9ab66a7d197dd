package quiz

import (
	"context"
	"time"
)

// QuestionRecord is a question as it is kept: the question in its item,
// at a position (questions are listed by Position, then id).
type QuestionRecord struct {
	Question
	// HTML is the question's Markdown rendered at write time, so that no
	// read renders again.
	HTML      QuestionHTML `json:"html"`
	ID        uint64       `json:"id"`
	CourseID  uint64       `json:"course_id"`
	ItemID    uint64       `json:"item_id"`
	Position  int          `json:"position"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// QuestionHTML holds a question's rendered Markdown: the prompt, the
// explanation, and each choice's text and feedback in choice order.
type QuestionHTML struct {
	Prompt      string   `json:"prompt"`
	Explanation string   `json:"explanation,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	Feedback    []string `json:"feedback,omitempty"`
}

// Attempt statuses.
const (
	StatusOpen      = "open"
	StatusSubmitted = "submitted"
)

// Mark is the judgement of one question of a submitted attempt, frozen
// when it was submitted: editing the question later does not regrade.
type Mark struct {
	Correct bool    `json:"correct"`
	Score   float64 `json:"score"`
}

// Attempt is one learner's attempt at a quiz, open or submitted.
type Attempt struct {
	ID       uint64 `json:"id"`
	CourseID uint64 `json:"course_id"`
	ItemID   uint64 `json:"item_id"`
	UserID   uint64 `json:"user_id"`
	// Number counts the learner's attempts at the item (1, 2, …).
	Number int    `json:"number"`
	Status string `json:"status"`
	// Preview is a staff member's attempt: judged like any other, never
	// graded, never counted.
	Preview   bool       `json:"preview,omitempty"`
	StartedAt time.Time  `json:"started_at"`
	ClosesAt  *time.Time `json:"closes_at"`
	// Drawn is what the attempt shows, in its order.
	Drawn   []Drawn             `json:"drawn"`
	Answers map[uint64]Response `json:"answers,omitempty"`
	// Set on submission.
	SubmittedAt *time.Time      `json:"submitted_at,omitempty"`
	Marks       map[uint64]Mark `json:"marks,omitempty"`
	Result
	// Late and PenaltyPercent follow the schedule rules of assignments.
	Late           bool    `json:"late,omitempty"`
	PenaltyPercent float64 `json:"penalty_percent"`
	FinalScore     float64 `json:"final_score"`
	// Expired says the attempt was submitted because its time ran out.
	Expired bool `json:"expired,omitempty"`
}

// Store keeps questions and attempts. An engine implements it (the bbolt
// one is storage/bolt.Quiz); storetest.Run is the contract. Each method
// joins the transaction ctx carries (txn.Runner), or runs in its own.
type Store interface {
	// PutQuestion stores q, under a new id when q.ID is 0, and returns it.
	PutQuestion(ctx context.Context, q QuestionRecord) (QuestionRecord, error)
	// Question is one question, or txn.ErrNotFound.
	Question(ctx context.Context, id uint64) (QuestionRecord, error)
	// Questions lists an item's questions by position, then id.
	Questions(ctx context.Context, course, item uint64) ([]QuestionRecord, error)
	// DeleteQuestion removes a question (absent: no error).
	DeleteQuestion(ctx context.Context, id uint64) error

	// PutAttempt stores a, under a new id when a.ID is 0, and returns it.
	PutAttempt(ctx context.Context, a Attempt) (Attempt, error)
	// Attempt is one attempt, or txn.ErrNotFound.
	Attempt(ctx context.Context, id uint64) (Attempt, error)
	// LearnerAttempts lists a learner's attempts at an item, oldest first.
	LearnerAttempts(ctx context.Context, course, item, user uint64) ([]Attempt, error)
	// ItemAttempts lists every attempt at an item, by learner then oldest
	// first.
	ItemAttempts(ctx context.Context, course, item uint64) ([]Attempt, error)
	// CourseAttempts lists every submitted, non-preview attempt in a
	// course (the gradebook's quiz cells), by item, learner, then oldest
	// first.
	CourseAttempts(ctx context.Context, course uint64) ([]Attempt, error)
	// Expired lists open attempts whose ClosesAt is at or before t, at
	// most limit of them, soonest first.
	Expired(ctx context.Context, t time.Time, limit int) ([]Attempt, error)

	// DeleteItem removes an item's questions and attempts.
	DeleteItem(ctx context.Context, course, item uint64) error
	// DeleteCourse removes every question and attempt of a course.
	DeleteCourse(ctx context.Context, course uint64) error
}
