package quiz

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"pacer/errs"
)

// Response is a learner's answer to one question, as saved: the choices
// picked, a number, or a text (only the one the question's kind takes).
type Response struct {
	ChoiceIDs []int    `json:"choice_ids,omitempty"`
	Value     *float64 `json:"value,omitempty"`
	Text      *string  `json:"text,omitempty"`
}

// Judgement is how a response fared: whether it was right, its score, and
// the feedback of the choices picked, in the question's order.
type Judgement struct {
	Correct  bool
	Score    float64
	Feedback []string
}

// Check refuses a response that does not fit the question: a kind's wrong
// field, a choice the question does not have, two picks of a single.
func (q Question) Check(r Response) error {
	switch q.Kind {
	case Single, Multiple:
		if r.Value != nil || r.Text != nil {
			return errs.Field("choice_ids", "this question takes choices")
		}
		if q.Kind == Single && len(r.ChoiceIDs) > 1 {
			return errs.Field("choice_ids", "pick one choice")
		}
		seen := map[int]bool{}
		for _, id := range r.ChoiceIDs {
			if id < 1 || id > len(q.Choices) || seen[id] {
				return errs.Field("choice_ids", fmt.Sprintf("no choice %d, or picked twice", id))
			}
			seen[id] = true
		}
	case Numeric:
		if len(r.ChoiceIDs) > 0 || r.Text != nil {
			return errs.Field("value", "this question takes a number")
		}
		if r.Value != nil && (math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0)) {
			return errs.Field("value", "must be a number")
		}
	case Text:
		if len(r.ChoiceIDs) > 0 || r.Value != nil {
			return errs.Field("text", "this question takes a text")
		}
		if r.Text != nil && (len(*r.Text) > MaxAnswerBytes || !utf8.ValidString(*r.Text)) {
			return errs.Field("text", fmt.Sprintf("must be valid text of at most %d bytes", MaxAnswerBytes))
		}
	}
	return nil
}

// Judge scores a response (nil: not answered, which scores 0). A multiple
// question gives partial credit: points × max(0, (right picked − wrong
// picked) ÷ right), and is correct only with every right choice and no
// wrong one.
func (q Question) Judge(r *Response) Judgement {
	var j Judgement
	if r == nil {
		return j
	}
	switch q.Kind {
	case Single, Multiple:
		right, rightPicked, wrongPicked := 0, 0, 0
		for _, c := range q.Choices {
			picked := slices.Contains(r.ChoiceIDs, c.ID)
			switch {
			case c.Correct:
				right++
				if picked {
					rightPicked++
				}
			case picked:
				wrongPicked++
			}
			if picked && c.Feedback != "" {
				j.Feedback = append(j.Feedback, c.Feedback)
			}
		}
		if right == 0 {
			return j
		}
		j.Correct = rightPicked == right && wrongPicked == 0
		if q.Kind == Single {
			if j.Correct {
				j.Score = q.Points
			}
			return j
		}
		j.Score = q.Points * max(0, float64(rightPicked-wrongPicked)/float64(right))
	case Numeric:
		if r.Value != nil && q.Answer != nil && q.Answer.Value != nil {
			// A hair of slack so that 0.1 + 0.2 is 0.3 within a
			// tolerance of 0.
			diff := math.Abs(*r.Value - *q.Answer.Value)
			j.Correct = diff <= q.Answer.Tolerance+1e-9*max(1, math.Abs(*q.Answer.Value))
		}
	case Text:
		if r.Text != nil && q.Answer != nil {
			given := Fold(*r.Text)
			j.Correct = given != "" && slices.ContainsFunc(q.Answer.Accepted, func(a string) bool { return Fold(a) == given })
		}
	}
	if q.Kind == Numeric || q.Kind == Text {
		if j.Correct {
			j.Score = q.Points
		}
	}
	return j
}

// Fold is a text answer as it is compared: trimmed, runs of white space
// made one space, without regard to case.
func Fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
