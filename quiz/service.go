package quiz

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"pacer/cache"
	"pacer/calendar"
	"pacer/errs"
	"pacer/markdown"
	"pacer/modules"
	"pacer/txn"
)

// KindQuiz is the item kind this package owns.
const KindQuiz = modules.KindQuiz

// JobSubmitExpired is the scheduler job that submits attempts whose time
// ran out.
const JobSubmitExpired = "submit_expired_attempts"

// Config is what the service is built from.
type Config struct {
	// Tx runs the service's transactions; Store keeps questions and
	// attempts (the engine's implementation, joining Tx's transactions).
	Tx      txn.Runner
	Store   Store
	Courses *modules.Service
	MD      *markdown.Renderer
	// Now is the clock of every rule (nil: time.Now).
	Now func() time.Time
}

// Service keeps quizzes: questions (staff), attempts (learners), and the
// judgement each may see.
type Service struct {
	tx      txn.Runner
	store   Store
	courses *modules.Service
	md      *markdown.Renderer
	now     func() time.Time
}

// New builds the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{tx: cfg.Tx, store: cfg.Store, courses: cfg.Courses, md: cfg.MD, now: cfg.Now}
}

// clock is the service's now in UTC.
func (s *Service) clock() time.Time { return s.now().UTC() }

// Install makes quiz items known to the course service: their questions
// and attempts go with the item, the course and into a course's copy.
func (s *Service) Install(ctx context.Context) {
	s.courses.RegisterKind(ctx, KindQuiz, modules.KindHook{
		Validate: s.validateItem,
		Settings: applySettings,
		Copied:   s.copyQuestions,
		Deleted: func(ctx context.Context, it modules.Item) error {
			return s.store.DeleteItem(ctx, it.CourseID, it.ID)
		},
	})
	s.courses.OnCourseDeleted = append(s.courses.OnCourseDeleted, func(ctx context.Context, c modules.Course) error {
		return s.store.DeleteCourse(ctx, c.ID)
	})
}

// applySettings applies the `quiz` object of an item's create or patch
// body to the item's settings: only the fields given change.
func applySettings(it *modules.Item, raw json.RawMessage) error {
	var p SettingsPatch
	if err := json.Unmarshal(raw, &p); err != nil {
		return errs.Field("quiz", "must be an object of quiz settings")
	}
	st, err := p.Apply(settings(*it))
	if err != nil {
		return err
	}
	q := modules.QuizSettings(st)
	it.Quiz = &q
	return nil
}

// validateItem checks a quiz item's kind-specific fields, and gives a new
// quiz its default settings.
func (s *Service) validateItem(_ context.Context, _ modules.Course, it *modules.Item) error {
	if it.MediaID != 0 {
		return errs.Field("media_id", "not used by quiz items")
	}
	if it.Quiz == nil {
		q := modules.QuizSettings(DefaultSettings())
		it.Quiz = &q
	}
	return nil
}

// settings is a quiz item's settings.
func settings(it modules.Item) Settings {
	if it.Quiz == nil {
		return DefaultSettings()
	}
	return Settings(*it.Quiz)
}

// copyQuestions gives a copied quiz item the original's questions.
func (s *Service) copyQuestions(ctx context.Context, from, to modules.Item) error {
	if from.Kind != KindQuiz {
		return nil
	}
	qs, err := s.store.Questions(ctx, from.CourseID, from.ID)
	if err != nil {
		return err
	}
	now := s.clock()
	for _, q := range qs {
		q.ID, q.CourseID, q.ItemID, q.CreatedAt, q.UpdatedAt = 0, to.CourseID, to.ID, now, now
		if _, err := s.store.PutQuestion(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// quizItem loads a quiz item for the caller, through the course service's
// rules (404 to non-members and for hidden items, 403 while locked).
func (s *Service) quizItem(ctx context.Context, caller, course, item uint64) (modules.ItemAccess, error) {
	ia, err := s.courses.ItemAccess(ctx, caller, course, item)
	if err != nil {
		return ia, err
	}
	if ia.Item.Kind != KindQuiz {
		return ia, errs.NotFoundf("quiz")
	}
	return ia, nil
}

// notFound maps a store's missing record to the 404 of its kind.
func notFound(err error, what string) error {
	if errors.Is(err, txn.ErrNotFound) {
		return errs.NotFoundf(what)
	}
	return err
}

// window is the learner's schedule of the item's module (extensions
// applied); staff have none.
func window(ia modules.ItemAccess) calendar.Window {
	if ia.Module == nil {
		return calendar.Window{}
	}
	return calendar.Window{OpensAt: ia.Module.OpensAt, DueAt: ia.Module.DueAt, Extended: ia.Module.Extended}
}

// newSeed draws an attempt's seed: random, so that learners do not share
// an order, and stored with what it drew.
func newSeed() uint64 { return cache.NewRevision() }
