package quiz

import (
	"cmp"
	"context"
	"time"

	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
)

// ErrClosed is an answer or a submission for an attempt that is over.
var ErrClosed = errs.ConflictCode("attempt_closed", "this attempt is closed: it was submitted or its time ran out")

// AttemptChoice is a choice as a learner sees it: no key.
type AttemptChoice struct {
	ID       int    `json:"id"`
	TextHTML string `json:"text_html"`
}

// AttemptQuestion is one question of an attempt: what the learner sees,
// their saved answer, and the judgement when the feedback mode allows.
type AttemptQuestion struct {
	ID              uint64          `json:"id"`
	Kind            string          `json:"kind"`
	PromptHTML      string          `json:"prompt_html"`
	Points          float64         `json:"points"`
	Choices         []AttemptChoice `json:"choices"`
	Answer          *Response       `json:"answer,omitempty"`
	Correct         *bool           `json:"correct,omitempty"`
	Score           *float64        `json:"score,omitempty"`
	FeedbackHTML    string          `json:"feedback_html,omitempty"`
	ExplanationHTML string          `json:"explanation_html,omitempty"`
}

// AttemptView is an attempt as the contract answers it. The result fields
// are set once it is submitted; per-question judgements only when the
// feedback mode allows (Revealed).
type AttemptView struct {
	ID          uint64            `json:"id"`
	ItemID      uint64            `json:"item_id"`
	UserID      uint64            `json:"user_id"`
	Number      int               `json:"number"`
	Status      string            `json:"status"`
	Preview     bool              `json:"preview"`
	StartedAt   time.Time         `json:"started_at"`
	ClosesAt    *time.Time        `json:"closes_at"`
	SubmittedAt *time.Time        `json:"submitted_at,omitempty"`
	Questions   []AttemptQuestion `json:"questions"`
	Feedback    string            `json:"feedback"`
	Revealed    bool              `json:"revealed"`

	Score          *float64 `json:"score,omitempty"`
	MaxScore       *float64 `json:"max_score,omitempty"`
	Percent        *float64 `json:"percent,omitempty"`
	Passed         *bool    `json:"passed,omitempty"`
	Late           bool     `json:"late,omitempty"`
	PenaltyPercent *float64 `json:"penalty_percent,omitempty"`
	FinalScore     *float64 `json:"final_score,omitempty"`
	Expired        bool     `json:"expired,omitempty"`
}

// SaveResult answers a saved answer: the judgement only in immediate
// mode.
type SaveResult struct {
	QuestionID      uint64   `json:"question_id"`
	Saved           bool     `json:"saved"`
	Correct         *bool    `json:"correct,omitempty"`
	Score           *float64 `json:"score,omitempty"`
	FeedbackHTML    *string  `json:"feedback_html,omitempty"`
	ExplanationHTML *string  `json:"explanation_html,omitempty"`
}

// byID indexes questions.
func byID(qs []QuestionRecord) map[uint64]QuestionRecord {
	m := make(map[uint64]QuestionRecord, len(qs))
	for _, q := range qs {
		m[q.ID] = q
	}
	return m
}

// feedbackHTML joins the rendered feedback of the choices picked.
func feedbackHTML(q QuestionRecord, r *Response) string {
	if r == nil {
		return ""
	}
	out := ""
	for i, c := range q.Choices {
		for _, id := range r.ChoiceIDs {
			if id == c.ID && i < len(q.HTML.Feedback) {
				out += q.HTML.Feedback[i]
			}
		}
	}
	return out
}

// view builds what the caller sees of an attempt; reveal says whether the
// judgements may be shown.
func view(a Attempt, st Settings, qs map[uint64]QuestionRecord, reveal bool) AttemptView {
	v := AttemptView{ID: a.ID, ItemID: a.ItemID, UserID: a.UserID, Number: a.Number, Status: a.Status,
		Preview: a.Preview, StartedAt: a.StartedAt, ClosesAt: a.ClosesAt, SubmittedAt: a.SubmittedAt,
		Feedback: st.Feedback, Revealed: reveal, Questions: make([]AttemptQuestion, 0, len(a.Drawn))}
	for _, d := range a.Drawn {
		q, ok := qs[d.QuestionID]
		if !ok {
			continue // deleted since
		}
		aq := AttemptQuestion{ID: q.ID, Kind: q.Kind, PromptHTML: q.HTML.Prompt, Points: q.Points, Choices: []AttemptChoice{}}
		order := d.Choices
		if order == nil {
			for _, c := range q.Choices {
				order = append(order, c.ID)
			}
		}
		for _, id := range order {
			if id >= 1 && id <= len(q.Choices) && id-1 < len(q.HTML.Choices) {
				aq.Choices = append(aq.Choices, AttemptChoice{ID: id, TextHTML: q.HTML.Choices[id-1]})
			}
		}
		if r, ok := a.Answers[q.ID]; ok {
			aq.Answer = &r
		}
		if reveal {
			var j Judgement
			if m, ok := a.Marks[q.ID]; ok {
				j = Judgement{Correct: m.Correct, Score: m.Score}
			} else if aq.Answer != nil {
				j = q.Judge(aq.Answer)
			}
			if a.Status == StatusSubmitted || aq.Answer != nil {
				aq.Correct, aq.Score = &j.Correct, &j.Score
				aq.FeedbackHTML = feedbackHTML(q, aq.Answer)
				aq.ExplanationHTML = q.HTML.Explanation
			}
		}
		v.Questions = append(v.Questions, aq)
	}
	if a.Status == StatusSubmitted {
		r := a.Result
		v.Score, v.MaxScore, v.Percent, v.Passed = &r.Score, &r.MaxScore, &r.Percent, &r.Passed
		pen, fin := a.PenaltyPercent, a.FinalScore
		v.PenaltyPercent, v.FinalScore, v.Late, v.Expired = &pen, &fin, a.Late, a.Expired
	}
	return v
}

// dueOf is the learner's own due time (extensions applied, grace not
// counted), which after_due waits for.
func dueOf(ia modules.ItemAccess) *time.Time {
	if ia.Module == nil {
		return nil
	}
	return ia.Module.DueAt
}

// Start starts an attempt, or answers the learner's open one again
// (created false). Staff may start one too, as a preview that is never
// graded. The schedule rules of assignments apply to learners: after the
// cut-off no attempt starts, and an attempt closes at the cut-off at the
// latest.
func (s *Service) Start(ctx context.Context, caller, course, item uint64) (v AttemptView, created bool, err error) {
	now := s.clock() // before the work, which may run again
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		created = false
		ia, err := s.quizItem(ctx, caller, course, item)
		if err != nil {
			return err
		}
		if err := ia.RequireMember(); err != nil {
			return err
		}
		st := settings(ia.Item)
		mine, err := s.store.LearnerAttempts(ctx, course, item, caller)
		if err != nil {
			return err
		}
		questions, err := s.store.Questions(ctx, course, item)
		if err != nil {
			return err
		}
		qs := byID(questions)
		used := 0
		for i, a := range mine {
			if a.Status == StatusOpen {
				if !closed(a, now) {
					// The contract's start answer carries no correctness,
					// whatever the mode: marks come with saves and reads.
					v = view(a, st, qs, false)
					return nil
				}
				if mine[i], err = s.finish(ctx, ia, a, qs, now); err != nil {
					return err
				}
			}
			if !mine[i].Preview {
				used++
			}
		}
		staff := ia.Staff()
		if !staff && st.Attempts > 0 && used >= st.Attempts {
			return errs.ConflictCode("no_attempts_left", "no attempts left at this quiz")
		}
		w := window(ia)
		times := ia.Course.Times()
		if !staff {
			if _, _, ok := calendar.Judge(times, w, now); !ok {
				return errs.ConflictCode("deadline_passed", "the deadline has passed: attempts were accepted until "+
					w.Cutoff(times).Format(time.RFC3339))
			}
		}
		if len(questions) == 0 {
			return errs.ConflictCode("conflict", "this quiz has no questions yet")
		}
		ids := make([]uint64, len(questions))
		choices := make([]int, len(questions))
		for i, q := range questions {
			ids[i], choices[i] = q.ID, len(q.Choices)
		}
		a := Attempt{CourseID: course, ItemID: item, UserID: caller, Number: len(mine) + 1, Status: StatusOpen,
			Preview: staff, StartedAt: now, ClosesAt: Closes(st, now), Drawn: Draw(st, ids, choices, newSeed())}
		if cut := w.Cutoff(times); !staff && cut != nil && (a.ClosesAt == nil || cut.Before(*a.ClosesAt)) {
			c := *cut
			a.ClosesAt = &c
		}
		if a, err = s.store.PutAttempt(ctx, a); err != nil {
			return err
		}
		created = true
		v = view(a, st, qs, false)
		return nil
	})
	if err != nil {
		return v, false, errs.Wrap(err, "start attempt")
	}
	return v, created, nil
}

// closed reports whether an open attempt's time has run out.
func closed(a Attempt, now time.Time) bool {
	return a.ClosesAt != nil && !now.Before(*a.ClosesAt)
}

// finish submits an attempt with the answers saved: judged, totalled,
// placed on the schedule at the moment it ended (its closing time when its
// time ran out), and, when it passed and is not a preview, completing the
// item.
func (s *Service) finish(ctx context.Context, ia modules.ItemAccess, a Attempt, qs map[uint64]QuestionRecord, now time.Time) (Attempt, error) {
	st := settings(ia.Item)
	at := now
	if closed(a, now) {
		at, a.Expired = *a.ClosesAt, true
	}
	a.Marks = map[uint64]Mark{}
	scores, points := make([]float64, 0, len(a.Drawn)), make([]float64, 0, len(a.Drawn))
	for _, d := range a.Drawn {
		q, ok := qs[d.QuestionID]
		if !ok {
			continue
		}
		var r *Response
		if saved, ok := a.Answers[q.ID]; ok {
			r = &saved
		}
		j := q.Judge(r)
		a.Marks[q.ID] = Mark{Correct: j.Correct, Score: round2(j.Score)}
		scores, points = append(scores, j.Score), append(points, q.Points)
	}
	a.Result = Total(st, scores, points)
	a.Status, a.SubmittedAt = StatusSubmitted, &at
	if !a.Preview {
		// An attempt closes at the cut-off at the latest (Start), so it
		// is judged there if a changed window left it open longer.
		times, w := ia.Course.Times(), window(ia)
		when := at
		if cut := w.Cutoff(times); cut != nil && when.After(*cut) {
			when = *cut
		}
		status, penalty, _ := calendar.Judge(times, w, when)
		a.Late, a.PenaltyPercent = status == calendar.StatusLate, penalty
	}
	a.FinalScore = Grade(a.Result, ia.Item.Points, a.PenaltyPercent)
	if a.Preview {
		a.FinalScore = 0
	}
	a, err := s.store.PutAttempt(ctx, a)
	if err != nil {
		return a, err
	}
	if a.Passed && !a.Preview {
		if _, err := s.courses.Mark(ctx, a.CourseID, a.UserID, a.ItemID, modules.StatusCompleted); err != nil {
			return a, err
		}
	}
	return a, nil
}

// openAttempt loads the caller's own attempt, still open (409 once
// submitted), with the questions of its quiz.
func (s *Service) openAttempt(ctx context.Context, caller, course, id uint64) (Attempt, modules.ItemAccess, map[uint64]QuestionRecord, error) {
	a, ia, err := s.ownAttempt(ctx, caller, course, id)
	if err != nil {
		return a, ia, nil, err
	}
	if a.Status != StatusOpen {
		return a, ia, nil, ErrClosed
	}
	questions, err := s.store.Questions(ctx, course, a.ItemID)
	return a, ia, byID(questions), err
}

// ownAttempt loads an attempt for its own learner (404 for anyone else:
// another learner's attempt does not exist for them).
func (s *Service) ownAttempt(ctx context.Context, caller, course, id uint64) (Attempt, modules.ItemAccess, error) {
	var ia modules.ItemAccess
	a, err := s.store.Attempt(ctx, id)
	if err != nil {
		return a, ia, notFound(err, "attempt")
	}
	if a.CourseID != course || a.UserID != caller {
		return a, ia, errs.NotFoundf("attempt")
	}
	ia, err = s.courses.ItemAccess(ctx, caller, course, a.ItemID)
	return a, ia, err
}

// SaveAnswer saves the learner's answer to one question of their open
// attempt, replacing an earlier one. In immediate mode it is judged at
// once. An attempt whose time ran out is submitted with what was saved,
// and the answer refused.
func (s *Service) SaveAnswer(ctx context.Context, caller, course, attemptID, questionID uint64, r Response) (SaveResult, error) {
	var out SaveResult
	var expired bool
	var a Attempt
	now := s.clock() // before the work, which may run again
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		expired = false
		var ia modules.ItemAccess
		var qs map[uint64]QuestionRecord
		var err error
		if a, ia, qs, err = s.openAttempt(ctx, caller, course, attemptID); err != nil {
			return err
		}
		if closed(a, now) {
			if a, err = s.finish(ctx, ia, a, qs, now); err != nil {
				return err
			}
			expired = true
			return nil
		}
		drawn := false
		for _, d := range a.Drawn {
			drawn = drawn || d.QuestionID == questionID
		}
		q, ok := qs[questionID]
		if !drawn || !ok {
			return errs.NotFoundf("question")
		}
		if err := q.Check(r); err != nil {
			return err
		}
		if a.Answers == nil {
			a.Answers = map[uint64]Response{}
		}
		a.Answers[questionID] = r
		if _, err := s.store.PutAttempt(ctx, a); err != nil {
			return err
		}
		out = SaveResult{QuestionID: questionID, Saved: true}
		if st := settings(ia.Item); st.Feedback == Immediate {
			j := q.Judge(&r)
			fb, ex := feedbackHTML(q, &r), q.HTML.Explanation
			out.Correct, out.Score, out.FeedbackHTML, out.ExplanationHTML = &j.Correct, &j.Score, &fb, &ex
		}
		return nil
	})
	if err != nil {
		return out, errs.Wrap(err, "save answer")
	}
	if expired {
		// The expiry was stored; the answer came too late.
		return out, ErrClosed
	}
	return out, nil
}

// Submit submits the learner's open attempt.
func (s *Service) Submit(ctx context.Context, caller, course, attemptID uint64) (AttemptView, error) {
	var v AttemptView
	var a Attempt
	now := s.clock() // before the work, which may run again
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var ia modules.ItemAccess
		var qs map[uint64]QuestionRecord
		var err error
		if a, ia, qs, err = s.openAttempt(ctx, caller, course, attemptID); err != nil {
			return err
		}
		if a, err = s.finish(ctx, ia, a, qs, now); err != nil {
			return err
		}
		v = view(a, settings(ia.Item), qs, Reveal(settings(ia.Item), true, dueOf(ia), now))
		return nil
	})
	if err != nil {
		return v, errs.Wrap(err, "submit attempt")
	}
	return v, nil
}

// Attempts lists attempts at a quiz, newest first: a learner's own, or
// for staff everyone's (or one learner's, user != 0). Open attempts whose
// time ran out are submitted first.
func (s *Service) Attempts(ctx context.Context, caller, course, item, user uint64) ([]AttemptView, error) {
	out, expired, err := s.listAttempts(ctx, caller, course, item, user)
	if err == nil && len(expired) > 0 {
		if err = s.expire(ctx, expired); err == nil {
			out, _, err = s.listAttempts(ctx, caller, course, item, user)
		}
	}
	return out, err
}

// listAttempts reads the views of Attempts, and the ids of those open
// past their closing time.
func (s *Service) listAttempts(ctx context.Context, caller, course, item, user uint64) ([]AttemptView, []uint64, error) {
	out := []AttemptView{}
	var expired []uint64
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		expired = expired[:0]
		out = out[:0]
		ia, err := s.courses.ItemAccess(ctx, caller, course, item)
		if err != nil && !(errs.Is(err, errs.Forbidden) && ia.Student()) {
			// A learner keeps seeing their own attempts once the
			// module locks again; they are their work.
			return err
		}
		if ia.Item.Kind != KindQuiz {
			return errs.NotFoundf("quiz")
		}
		var list []Attempt
		switch {
		case !ia.Staff():
			list, err = s.store.LearnerAttempts(ctx, course, item, caller)
		case user != 0:
			list, err = s.store.LearnerAttempts(ctx, course, item, user)
		default:
			list, err = s.store.ItemAttempts(ctx, course, item)
		}
		if err != nil {
			return err
		}
		questions, err := s.store.Questions(ctx, course, item)
		if err != nil {
			return err
		}
		qs, st, now := byID(questions), settings(ia.Item), s.clock()
		for i := len(list) - 1; i >= 0; i-- {
			a := list[i]
			if a.Status == StatusOpen && closed(a, now) {
				expired = append(expired, a.ID)
			}
			out = append(out, view(a, st, qs, s.reveal(ia, st, a, now)))
		}
		return nil
	})
	if err != nil {
		return nil, nil, errs.Wrap(err, "list attempts")
	}
	return out, expired, nil
}

// reveal decides whether the caller sees an attempt's judgements: staff
// always; its learner when the feedback mode allows.
func (s *Service) reveal(ia modules.ItemAccess, st Settings, a Attempt, now time.Time) bool {
	if ia.Staff() {
		return true
	}
	return Reveal(st, a.Status == StatusSubmitted, dueOf(ia), now)
}

// Attempt is one attempt, for its learner or the course's staff. An open
// attempt whose time ran out is submitted first: reading it is a request
// that touches it.
func (s *Service) Attempt(ctx context.Context, caller, course, id uint64) (AttemptView, error) {
	v, expired, err := s.readAttempt(ctx, caller, course, id)
	if err == nil && expired {
		if err = s.expire(ctx, []uint64{id}); err == nil {
			v, _, err = s.readAttempt(ctx, caller, course, id)
		}
	}
	return v, err
}

// readAttempt reads one attempt's view, and whether it is open past its
// closing time.
func (s *Service) readAttempt(ctx context.Context, caller, course, id uint64) (AttemptView, bool, error) {
	var v AttemptView
	var expired bool
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.store.Attempt(ctx, id)
		if err != nil {
			return notFound(err, "attempt")
		}
		if a.CourseID != course {
			return errs.NotFoundf("attempt")
		}
		ia, err := s.courses.ItemAccess(ctx, caller, course, a.ItemID)
		if err != nil && !(errs.Is(err, errs.Forbidden) && ia.Student()) {
			return err
		}
		if !ia.Staff() && a.UserID != caller {
			return errs.NotFoundf("attempt")
		}
		questions, err := s.store.Questions(ctx, course, a.ItemID)
		if err != nil {
			return err
		}
		st, now := settings(ia.Item), s.clock()
		expired = a.Status == StatusOpen && closed(a, now)
		v = view(a, st, byID(questions), s.reveal(ia, st, a, now))
		return nil
	})
	if err != nil {
		return v, false, errs.Wrap(err, "read attempt")
	}
	return v, expired, nil
}

// SubmitExpired submits the open attempts whose time ran out, at most a
// batch per run (the scheduler's job; a learner's own next request does
// the same for theirs).
func (s *Service) SubmitExpired(ctx context.Context, now time.Time) (int, error) {
	list, err := s.store.Expired(ctx, now, 200)
	if err != nil {
		return 0, err
	}
	ids := make([]uint64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	return len(ids), s.expire(ctx, ids)
}

// expire submits each of the attempts that is still open past its closing
// time, each in its own transaction.
func (s *Service) expire(ctx context.Context, ids []uint64) error {
	var firstErr error
	for _, id := range ids {
		var a Attempt
		now := s.clock()
		err := s.tx.Write(ctx, func(ctx context.Context) error {
			var err error
			if a, err = s.store.Attempt(ctx, id); err != nil || a.Status != StatusOpen || !closed(a, now) {
				return err
			}
			ia, err := s.expiredAccess(ctx, a)
			if err != nil {
				return err
			}
			questions, err := s.store.Questions(ctx, a.CourseID, a.ItemID)
			if err != nil {
				return err
			}
			a, err = s.finish(ctx, ia, a, byID(questions), now)
			return err
		})
		if err != nil {
			// One attempt that cannot be closed must not hold up the
			// others; the next run tries it again.
			firstErr = cmp.Or(firstErr, err)
			continue
		}
	}
	return firstErr
}

// expiredAccess is what finishing an expired attempt needs of its item:
// the learner's own view when they still have one, else the item and
// course alone (a learner removed from the course, a module hidden since),
// which judge the attempt on time.
func (s *Service) expiredAccess(ctx context.Context, a Attempt) (modules.ItemAccess, error) {
	ia, err := s.courses.ItemAccess(ctx, a.UserID, a.CourseID, a.ItemID)
	if err == nil {
		return ia, nil
	}
	ia = modules.ItemAccess{}
	if ia.Item, err = s.courses.Item(ctx, a.CourseID, a.ItemID); err != nil {
		return ia, err
	}
	ia.Course, err = s.courses.CourseRecord(ctx, a.CourseID)
	return ia, err
}

// CourseAttempts lists the submitted, graded (non-preview) attempts of a
// course, by item, learner, then oldest first: what the gradebook reads,
// in the transaction ctx carries. The caller decides who may see them.
func (s *Service) CourseAttempts(ctx context.Context, course uint64) ([]Attempt, error) {
	return s.store.CourseAttempts(ctx, course)
}

// MissedExplanations are the explanations, as plain text, of the questions
// an attempt got wrong (in the attempt's order, those that have one): what
// a nudge to a struggling learner offers to read again.
func (s *Service) MissedExplanations(ctx context.Context, a Attempt) ([]string, error) {
	var out []string
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		qs, err := s.store.Questions(ctx, a.CourseID, a.ItemID)
		if err != nil {
			return err
		}
		byQ := byID(qs)
		out = out[:0]
		for _, d := range a.Drawn {
			q, ok := byQ[d.QuestionID]
			if m, judged := a.Marks[d.QuestionID]; ok && judged && !m.Correct && q.Explanation != "" {
				out = append(out, s.md.Plain(q.Explanation))
			}
		}
		return nil
	})
	return out, err
}
