// Package quiz holds the rules of quizzes: what a quiz's settings and
// questions may be, how an answer is judged and scored, how an attempt
// draws and orders its questions, and when a learner may see a judgement.
// It is pure: no store, no clock of its own, no HTTP. The service that
// keeps quizzes and attempts builds on it, and so do the pages.
package quiz

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"pacer/errs"
)

// Feedback modes: when a learner learns whether an answer was right.
const (
	// Immediate judges each answer as it is saved.
	Immediate = "immediate"
	// OnSubmit judges the answers when the attempt is submitted.
	OnSubmit = "on_submit"
	// AfterDue gives the score at once, and which answers were right only
	// once the learner's own due time has passed, so that those still
	// working cannot be handed the key by those done.
	AfterDue = "after_due"
)

// Scoring rules: which submitted attempt is the item's grade.
const (
	Best = "best"
	Last = "last"
)

// Question kinds.
const (
	Single   = "single"   // one right choice
	Multiple = "multiple" // one or more right choices, partial credit
	Numeric  = "numeric"  // a number within a tolerance
	Text     = "text"     // one of the accepted answers
)

// Bounds that keep one quiz a page, not a database.
const (
	MaxQuestions       = 200
	MaxChoices         = 20
	MaxPromptBytes     = 20_000
	MaxChoiceBytes     = 2_000
	MaxAccepted        = 50
	MaxAnswerBytes     = 1_000
	MaxTimeLimit       = 7 * 24 * 3600
	MaxAttemptsPerQuiz = 100
	MaxPoints          = 1_000
)

// Settings are a quiz item's settings (the contract's `quiz` object).
type Settings struct {
	Attempts         int    `json:"attempts"`
	TimeLimitSeconds int    `json:"time_limit_seconds"`
	PassPercent      int    `json:"pass_percent"`
	Feedback         string `json:"feedback"`
	Score            string `json:"score"`
	Shuffle          bool   `json:"shuffle"`
	Draw             int    `json:"draw"`
}

// DefaultSettings are what a quiz has until its instructor says otherwise.
func DefaultSettings() Settings {
	return Settings{PassPercent: 60, Feedback: Immediate, Score: Best}
}

// SettingsPatch is a partial settings object: only the fields given change.
type SettingsPatch struct {
	Attempts         *int    `json:"attempts"`
	TimeLimitSeconds *int    `json:"time_limit_seconds"`
	PassPercent      *int    `json:"pass_percent"`
	Feedback         *string `json:"feedback"`
	Score            *string `json:"score"`
	Shuffle          *bool   `json:"shuffle"`
	Draw             *int    `json:"draw"`
}

// Apply returns s with p's fields, checked; field names in errors are the
// contract's, under "quiz.".
func (p SettingsPatch) Apply(s Settings) (Settings, error) {
	if p.Attempts != nil {
		s.Attempts = *p.Attempts
	}
	if p.TimeLimitSeconds != nil {
		s.TimeLimitSeconds = *p.TimeLimitSeconds
	}
	if p.PassPercent != nil {
		s.PassPercent = *p.PassPercent
	}
	if p.Feedback != nil {
		s.Feedback = *p.Feedback
	}
	if p.Score != nil {
		s.Score = *p.Score
	}
	if p.Shuffle != nil {
		s.Shuffle = *p.Shuffle
	}
	if p.Draw != nil {
		s.Draw = *p.Draw
	}
	return s, s.Validate()
}

// Validate checks every field and reports all that are wrong at once.
func (s Settings) Validate() error {
	bad := map[string]string{}
	if s.Attempts < 0 || s.Attempts > MaxAttemptsPerQuiz {
		bad["quiz.attempts"] = fmt.Sprintf("must be 0 (unlimited) to %d", MaxAttemptsPerQuiz)
	}
	if s.TimeLimitSeconds < 0 || s.TimeLimitSeconds > MaxTimeLimit {
		bad["quiz.time_limit_seconds"] = fmt.Sprintf("must be 0 (untimed) to %d", MaxTimeLimit)
	}
	if s.PassPercent < 0 || s.PassPercent > 100 {
		bad["quiz.pass_percent"] = "must be 0 to 100"
	}
	switch s.Feedback {
	case Immediate, OnSubmit, AfterDue:
	default:
		bad["quiz.feedback"] = "must be immediate, on_submit or after_due"
	}
	switch s.Score {
	case Best, Last:
	default:
		bad["quiz.score"] = "must be best or last"
	}
	if s.Draw < 0 || s.Draw > MaxQuestions {
		bad["quiz.draw"] = fmt.Sprintf("must be 0 (every question) to %d", MaxQuestions)
	}
	if len(bad) > 0 {
		return errs.Validation(bad)
	}
	return nil
}

// Choice is one choice of a single or multiple question. ID is its number
// within the question (1, 2, …), which answers name.
type Choice struct {
	ID       int    `json:"id"`
	Text     string `json:"text"`
	Correct  bool   `json:"correct"`
	Feedback string `json:"feedback,omitempty"`
}

// Key is the answer of a numeric or text question.
type Key struct {
	Value     *float64 `json:"value,omitempty"`
	Tolerance float64  `json:"tolerance,omitempty"`
	Accepted  []string `json:"accepted,omitempty"`
}

// Question is what an instructor writes: the prompt, the points, and the
// key (the correct choices, or Answer), which learners never receive
// before the feedback mode allows.
type Question struct {
	Kind        string   `json:"kind"`
	Prompt      string   `json:"prompt"`
	Points      float64  `json:"points"`
	Choices     []Choice `json:"choices,omitempty"`
	Answer      *Key     `json:"answer,omitempty"`
	Explanation string   `json:"explanation,omitempty"`
}

// Normalize fills defaults and numbers the choices; call it before
// Validate on what a client sent.
func (q *Question) Normalize(pointsGiven bool) {
	q.Kind = strings.TrimSpace(q.Kind)
	q.Prompt = strings.TrimSpace(q.Prompt)
	q.Explanation = strings.TrimSpace(q.Explanation)
	if !pointsGiven {
		q.Points = 1
	}
	for i := range q.Choices {
		q.Choices[i].ID = i + 1
		q.Choices[i].Text = strings.TrimSpace(q.Choices[i].Text)
		q.Choices[i].Feedback = strings.TrimSpace(q.Choices[i].Feedback)
	}
	if q.Kind == Single || q.Kind == Multiple {
		q.Answer = nil
	} else {
		q.Choices = nil
	}
	if q.Answer != nil && q.Kind == Text {
		kept := q.Answer.Accepted[:0]
		for _, a := range q.Answer.Accepted {
			if a = strings.TrimSpace(a); a != "" {
				kept = append(kept, a)
			}
		}
		q.Answer.Accepted = kept
	}
}

// Validate checks a question and reports every field that is wrong.
func (q Question) Validate() error {
	bad := map[string]string{}
	switch q.Kind {
	case Single, Multiple, Numeric, Text:
	default:
		bad["kind"] = "must be single, multiple, numeric or text"
	}
	switch {
	case q.Prompt == "":
		bad["prompt"] = "is required"
	case len(q.Prompt) > MaxPromptBytes || !utf8.ValidString(q.Prompt):
		bad["prompt"] = fmt.Sprintf("must be valid text of at most %d bytes", MaxPromptBytes)
	}
	if len(q.Explanation) > MaxPromptBytes || !utf8.ValidString(q.Explanation) {
		bad["explanation"] = fmt.Sprintf("must be valid text of at most %d bytes", MaxPromptBytes)
	}
	if q.Points < 0 || q.Points > MaxPoints || math.IsNaN(q.Points) {
		bad["points"] = fmt.Sprintf("must be 0 to %d", MaxPoints)
	}
	switch q.Kind {
	case Single, Multiple:
		right := 0
		for i, c := range q.Choices {
			if c.Text == "" || len(c.Text) > MaxChoiceBytes || len(c.Feedback) > MaxChoiceBytes {
				bad[fmt.Sprintf("choices[%d]", i)] = fmt.Sprintf("needs text; text and feedback at most %d bytes", MaxChoiceBytes)
			}
			if c.Correct {
				right++
			}
		}
		switch {
		case len(q.Choices) < 2 || len(q.Choices) > MaxChoices:
			bad["choices"] = fmt.Sprintf("must be 2 to %d choices", MaxChoices)
		case q.Kind == Single && right != 1:
			bad["choices"] = "must have exactly one correct choice"
		case q.Kind == Multiple && right == 0:
			bad["choices"] = "must have at least one correct choice"
		}
	case Numeric:
		switch {
		case q.Answer == nil || q.Answer.Value == nil:
			bad["answer.value"] = "is required"
		case math.IsNaN(*q.Answer.Value) || math.IsInf(*q.Answer.Value, 0):
			bad["answer.value"] = "must be a number"
		}
		if q.Answer != nil && (q.Answer.Tolerance < 0 || math.IsNaN(q.Answer.Tolerance) || math.IsInf(q.Answer.Tolerance, 0)) {
			bad["answer.tolerance"] = "must be 0 or more"
		}
	case Text:
		if q.Answer == nil || len(q.Answer.Accepted) == 0 || len(q.Answer.Accepted) > MaxAccepted {
			bad["answer.accepted"] = fmt.Sprintf("must list 1 to %d accepted answers", MaxAccepted)
		} else {
			for _, a := range q.Answer.Accepted {
				if len(a) > MaxAnswerBytes {
					bad["answer.accepted"] = fmt.Sprintf("each at most %d bytes", MaxAnswerBytes)
				}
			}
		}
	}
	if len(bad) > 0 {
		return errs.Validation(bad)
	}
	return nil
}
