package quiz

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Drawn is one question of an attempt: which question, and the order its
// choices are shown in (choice ids; nil for the question's own order).
type Drawn struct {
	QuestionID uint64 `json:"question_id"`
	Choices    []int  `json:"choices,omitempty"`
}

// Draw picks an attempt's questions from the quiz's (ids in the quiz's
// order, with each question's number of choices): `draw` of them when
// set, shuffled with their choices when `shuffle` is. The seed makes it
// repeatable: the attempt stores what was drawn, and a retried start with
// the same seed draws the same. Drawn questions keep the quiz's order
// unless shuffled.
func Draw(s Settings, ids []uint64, choices []int, seed uint64) []Drawn {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	if s.Draw > 0 && s.Draw < len(ids) {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		order = order[:s.Draw]
		if !s.Shuffle {
			slices.Sort(order)
		}
	} else if s.Shuffle {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	out := make([]Drawn, len(order))
	for k, i := range order {
		out[k].QuestionID = ids[i]
		if s.Shuffle && choices[i] > 1 {
			cs := make([]int, choices[i])
			for c := range cs {
				cs[c] = c + 1
			}
			r.Shuffle(len(cs), func(a, b int) { cs[a], cs[b] = cs[b], cs[a] })
			out[k].Choices = cs
		}
	}
	return out
}

// Result is a submitted attempt's outcome.
type Result struct {
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	Percent  float64 `json:"percent"`
	Passed   bool    `json:"passed"`
}

// Total sums judgements against the points of the questions drawn. With
// no points at stake (every question worth 0), an attempt passes.
func Total(s Settings, scores, points []float64) Result {
	var res Result
	for i := range points {
		res.MaxScore += points[i]
		res.Score += scores[i]
	}
	res.Score, res.MaxScore = round2(res.Score), round2(res.MaxScore)
	if res.MaxScore > 0 {
		res.Percent = round2(100 * res.Score / res.MaxScore)
	} else {
		res.Percent = 100
	}
	res.Passed = res.Percent >= float64(s.PassPercent)
	return res
}

// Grade is an attempt's score scaled to the item's points (when it has
// any) and reduced by the late penalty, in percent: the contract's
// final_score.
func Grade(r Result, itemPoints, penaltyPercent float64) float64 {
	score := r.Score
	if itemPoints > 0 && r.MaxScore > 0 {
		score = r.Score * itemPoints / r.MaxScore
	}
	return round2(score * (1 - penaltyPercent/100))
}

// Counted picks the attempt that is the item's grade among submitted ones
// (in the order they were submitted; their final scores): the best, or
// the last. It returns -1 when there is none.
func Counted(s Settings, finals []float64) int {
	if len(finals) == 0 {
		return -1
	}
	if s.Score == Last {
		return len(finals) - 1
	}
	best := 0
	for i, f := range finals {
		if f > finals[best] {
			best = i
		}
	}
	return best
}

// Reveal says what a learner may see of a submitted (or, in immediate
// mode, an open) attempt's judgement: per-question correctness, scores,
// feedback and explanations. due is the learner's own due time
// (extensions applied, grace not counted); a quiz with no due time has
// nothing to wait for, so after_due reveals on submit.
func Reveal(s Settings, submitted bool, due *time.Time, now time.Time) bool {
	switch s.Feedback {
	case Immediate:
		return true
	case OnSubmit:
		return submitted
	case AfterDue:
		return submitted && (due == nil || !now.Before(*due))
	}
	return false
}

// Closes is when an attempt started at start closes: nil when untimed.
func Closes(s Settings, start time.Time) *time.Time {
	if s.TimeLimitSeconds == 0 {
		return nil
	}
	t := start.Add(time.Duration(s.TimeLimitSeconds) * time.Second)
	return &t
}

// Outcome is one finished attempt as the apathy rules see it.
type Outcome struct {
	Passed bool
	// Timed and Answered/Questions: a timed attempt that closed with fewer
	// than half its questions answered was abandoned, not failed.
	Timed               bool
	Answered, Questions int
}

// Struggle reasons, in the words the at-risk list shows.
const (
	FailedTwice = "failed the quiz twice"
	Abandoned   = "stopped halfway through a timed quiz"
)

// Struggling says whether a learner's attempts at one quiz (oldest first)
// show them stuck: two failed attempts in a row with no pass since, or a
// timed attempt that closed with under half its questions answered and no
// pass since. It returns the reason, or "".
func Struggling(attempts []Outcome) string {
	failedRun := 0
	reason := ""
	for _, a := range attempts {
		switch {
		case a.Passed:
			failedRun, reason = 0, ""
		case a.Timed && a.Questions > 0 && 2*a.Answered < a.Questions:
			failedRun++
			reason = Abandoned
		default:
			failedRun++
			if failedRun >= 2 {
				reason = FailedTwice
			}
		}
	}
	return reason
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
