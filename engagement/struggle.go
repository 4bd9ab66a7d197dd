package engagement

import (
	"context"
	"fmt"

	"pacer/quiz"
)

// Quizzes is what the at-risk rules read of quizzes (quiz.Service): a
// course's graded attempts, and what a learner got wrong in one.
type Quizzes interface {
	CourseAttempts(ctx context.Context, course uint64) ([]quiz.Attempt, error)
	MissedExplanations(ctx context.Context, a quiz.Attempt) ([]string, error)
}

// Struggle is a quiz a learner is stuck on: failed twice with no pass
// since, or a timed attempt whose time ran out with under half of it
// answered (quiz.Struggling).
type Struggle struct {
	ItemID uint64
	Title  string
	Reason string
	// Last is the learner's latest attempt at it, whose missed questions
	// a nudge offers to read again.
	Last quiz.Attempt
}

// readStruggles reads the course's graded quiz attempts once and keeps,
// per learner, the published quizzes they are stuck on, in course order.
func (cv *courseView) readStruggles(ctx context.Context, q Quizzes) error {
	cv.struggles = nil
	if q == nil {
		return nil
	}
	atts, err := q.CourseAttempts(ctx, cv.course.ID)
	if err != nil || len(atts) == 0 {
		return err
	}
	// Attempts come by item, learner, then oldest first: each run of one
	// learner's attempts at one item is judged as it ends.
	cv.struggles = map[uint64][]Struggle{}
	var run []quiz.Outcome
	for i, a := range atts {
		run = append(run, quiz.Outcome{Passed: a.Passed, Timed: a.Expired, Answered: len(a.Answers), Questions: len(a.Drawn)})
		if i+1 < len(atts) && atts[i+1].ItemID == a.ItemID && atts[i+1].UserID == a.UserID {
			continue
		}
		title, published := cv.itemTitle(a.ItemID)
		if reason := quiz.Struggling(run); reason != "" && published {
			cv.struggles[a.UserID] = append(cv.struggles[a.UserID], Struggle{ItemID: a.ItemID, Title: title, Reason: reason, Last: a})
		}
		run = run[:0]
	}
	return nil
}

// itemTitle is the title of a published item of the course.
func (cv *courseView) itemTitle(item uint64) (string, bool) {
	i, ok := cv.itemMod[item]
	if !ok {
		return "", false
	}
	for _, r := range cv.items[i] {
		if r.id == item {
			return r.title, true
		}
	}
	return "", false
}

// struggleReason is "struggling with “Week 2 check”: failed the quiz twice".
func struggleReason(s Struggle) string {
	return fmt.Sprintf("struggling with “%s”: %s", s.Title, s.Reason)
}
