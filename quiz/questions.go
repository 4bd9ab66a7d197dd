package quiz

import (
	"context"

	"pacer/errs"
	"pacer/modules"
)

// QuestionInput is the body that writes a question; on a patch only the
// fields given change (choices and answer are replaced whole).
type QuestionInput struct {
	Kind        *string  `json:"kind"`
	Prompt      *string  `json:"prompt"`
	Points      *float64 `json:"points"`
	Choices     []Choice `json:"choices"`
	Answer      *Key     `json:"answer"`
	Explanation *string  `json:"explanation"`
	// Position moves the question (0 first); absent on a create, it goes
	// last.
	Position *int `json:"position"`
}

// ChoiceView is a choice as staff see it, with its key and feedback.
type ChoiceView struct {
	ID           int    `json:"id"`
	Text         string `json:"text"`
	TextHTML     string `json:"text_html"`
	Correct      bool   `json:"correct"`
	Feedback     string `json:"feedback,omitempty"`
	FeedbackHTML string `json:"feedback_html,omitempty"`
}

// QuestionView is a question as staff see it: the key included.
type QuestionView struct {
	ID              uint64       `json:"id"`
	ItemID          uint64       `json:"item_id"`
	Position        int          `json:"position"`
	Kind            string       `json:"kind"`
	Prompt          string       `json:"prompt"`
	PromptHTML      string       `json:"prompt_html"`
	Points          float64      `json:"points"`
	Choices         []ChoiceView `json:"choices,omitempty"`
	Answer          *Key         `json:"answer,omitempty"`
	Explanation     string       `json:"explanation,omitempty"`
	ExplanationHTML string       `json:"explanation_html,omitempty"`
}

func staffView(q QuestionRecord) QuestionView {
	v := QuestionView{ID: q.ID, ItemID: q.ItemID, Position: q.Position, Kind: q.Kind, Prompt: q.Prompt,
		PromptHTML: q.HTML.Prompt, Points: q.Points, Answer: q.Answer, Explanation: q.Explanation,
		ExplanationHTML: q.HTML.Explanation}
	for i, c := range q.Choices {
		cv := ChoiceView{ID: c.ID, Text: c.Text, Correct: c.Correct, Feedback: c.Feedback}
		if i < len(q.HTML.Choices) {
			cv.TextHTML = q.HTML.Choices[i]
		}
		if i < len(q.HTML.Feedback) {
			cv.FeedbackHTML = q.HTML.Feedback[i]
		}
		v.Choices = append(v.Choices, cv)
	}
	return v
}

// render fills q's HTML from its Markdown.
func (s *Service) render(q *QuestionRecord) {
	q.HTML = QuestionHTML{Prompt: s.md.HTML(q.Prompt)}
	if q.Explanation != "" {
		q.HTML.Explanation = s.md.HTML(q.Explanation)
	}
	for _, c := range q.Choices {
		q.HTML.Choices = append(q.HTML.Choices, s.md.HTML(c.Text))
		fb := ""
		if c.Feedback != "" {
			fb = s.md.HTML(c.Feedback)
		}
		q.HTML.Feedback = append(q.HTML.Feedback, fb)
	}
}

// instructorQuiz is a quiz item the caller may edit: 403 to anyone but
// its course's instructors, 409 in an archived course.
func (s *Service) instructorQuiz(ctx context.Context, caller, course, item uint64) (modules.ItemAccess, error) {
	ia, err := s.quizItem(ctx, caller, course, item)
	if err != nil {
		return ia, err
	}
	return ia, ia.RequireInstructor()
}

// AddQuestion adds a question to a quiz (instructors).
func (s *Service) AddQuestion(ctx context.Context, caller, course, item uint64, in QuestionInput) (QuestionView, error) {
	var q QuestionRecord
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		if _, err := s.instructorQuiz(ctx, caller, course, item); err != nil {
			return err
		}
		existing, err := s.store.Questions(ctx, course, item)
		if err != nil {
			return err
		}
		if len(existing) >= MaxQuestions {
			return errs.ConflictCode("conflict", "a quiz holds at most 200 questions")
		}
		now := s.clock()
		q = QuestionRecord{CourseID: course, ItemID: item, CreatedAt: now, UpdatedAt: now}
		in.apply(&q.Question)
		q.Normalize(in.Points != nil)
		if err := q.Validate(); err != nil {
			return err
		}
		s.render(&q)
		q.Position = len(existing)
		if in.Position != nil {
			q.Position = max(0, *in.Position)
		}
		q, err = s.store.PutQuestion(ctx, q)
		if err != nil {
			return err
		}
		return s.reorder(ctx, existing, q)
	})
	if err != nil {
		return QuestionView{}, errs.Wrap(err, "add question")
	}
	return staffView(q), nil
}

// apply copies the fields given into q.
func (in QuestionInput) apply(q *Question) {
	if in.Kind != nil {
		q.Kind = *in.Kind
	}
	if in.Prompt != nil {
		q.Prompt = *in.Prompt
	}
	if in.Points != nil {
		q.Points = *in.Points
	}
	if in.Choices != nil {
		q.Choices = in.Choices
	}
	if in.Answer != nil {
		q.Answer = in.Answer
	}
	if in.Explanation != nil {
		q.Explanation = *in.Explanation
	}
}

// reorder places moved among the others at its Position, and renumbers
// every question 0, 1, … in that order.
func (s *Service) reorder(ctx context.Context, others []QuestionRecord, moved QuestionRecord) error {
	list := make([]QuestionRecord, 0, len(others)+1)
	for _, o := range others {
		if o.ID != moved.ID {
			list = append(list, o)
		}
	}
	at := min(max(0, moved.Position), len(list))
	list = append(list[:at], append([]QuestionRecord{moved}, list[at:]...)...)
	return s.renumber(ctx, list)
}

// renumber stores the positions 0, 1, … of list, writing only the
// questions whose position changes.
func (s *Service) renumber(ctx context.Context, list []QuestionRecord) error {
	for i, q := range list {
		if q.Position == i {
			continue
		}
		q.Position = i
		if _, err := s.store.PutQuestion(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// Questions lists a quiz's questions with their keys (staff).
func (s *Service) Questions(ctx context.Context, caller, course, item uint64) ([]QuestionView, error) {
	out := []QuestionView{}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		ia, err := s.quizItem(ctx, caller, course, item)
		if err != nil {
			return err
		}
		if err := ia.RequireStaff(); err != nil {
			return err
		}
		qs, err := s.store.Questions(ctx, course, item)
		for _, q := range qs {
			out = append(out, staffView(q))
		}
		return err
	})
	if err != nil {
		return nil, errs.Wrap(err, "list questions")
	}
	return out, nil
}

// question loads a question of the course for an instructor.
func (s *Service) question(ctx context.Context, caller, course, id uint64) (QuestionRecord, error) {
	q, err := s.store.Question(ctx, id)
	if err != nil {
		return q, notFound(err, "question")
	}
	if q.CourseID != course {
		return q, errs.NotFoundf("question")
	}
	_, err = s.instructorQuiz(ctx, caller, course, q.ItemID)
	return q, err
}

// UpdateQuestion changes a question (instructors). Attempts already
// submitted keep the judgement they were given.
func (s *Service) UpdateQuestion(ctx context.Context, caller, course, id uint64, in QuestionInput) (QuestionView, error) {
	var q QuestionRecord
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		if q, err = s.question(ctx, caller, course, id); err != nil {
			return err
		}
		in.apply(&q.Question)
		q.Normalize(true)
		if err := q.Validate(); err != nil {
			return err
		}
		s.render(&q)
		q.UpdatedAt = s.clock()
		if in.Position == nil {
			q, err = s.store.PutQuestion(ctx, q)
			return err
		}
		q.Position = *in.Position
		others, err := s.store.Questions(ctx, course, q.ItemID)
		if err != nil {
			return err
		}
		if q, err = s.store.PutQuestion(ctx, q); err != nil {
			return err
		}
		if err := s.reorder(ctx, others, q); err != nil {
			return err
		}
		q, err = s.store.Question(ctx, q.ID)
		return err
	})
	if err != nil {
		return QuestionView{}, errs.Wrap(err, "update question")
	}
	return staffView(q), nil
}

// DeleteQuestion removes a question (instructors). Submitted attempts
// keep their scores; an open attempt that drew it scores it 0 of 0.
func (s *Service) DeleteQuestion(ctx context.Context, caller, course, id uint64) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		q, err := s.question(ctx, caller, course, id)
		if err != nil {
			return err
		}
		if err := s.store.DeleteQuestion(ctx, q.ID); err != nil {
			return err
		}
		rest, err := s.store.Questions(ctx, course, q.ItemID)
		if err != nil {
			return err
		}
		return s.renumber(ctx, rest)
	})
	return errs.Wrap(err, "delete question")
}

// QuestionItem is the quiz item a question belongs to, for its course's
// instructors (the pages find a question's quiz from its id).
func (s *Service) QuestionItem(ctx context.Context, caller, course, id uint64) (modules.Item, error) {
	var it modules.Item
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		q, err := s.store.Question(ctx, id)
		if err != nil {
			return notFound(err, "question")
		}
		if q.CourseID != course {
			return errs.NotFoundf("question")
		}
		ia, err := s.instructorQuiz(ctx, caller, course, q.ItemID)
		it = ia.Item
		return err
	})
	return it, errs.Wrap(err, "read question")
}
