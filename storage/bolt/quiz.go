package bolt

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"pacer/quiz"
	"pacer/storage"
)

// Quiz implements quiz.Store. Questions live in storage.QuizQuestions and
// are listed through storage.QuestionsByItem (course|item|question);
// attempts live in storage.QuizAttempts, listed through
// storage.AttemptsByItem (course|item|user|attempt, so a learner's are in
// id order, which is the order they started), and an open timed attempt
// is also in storage.AttemptsClosing under its closing time.
type Quiz struct{ db *storage.DB }

// NewQuiz returns the store over db.
func NewQuiz(db *storage.DB) *Quiz { return &Quiz{db: db} }

// PutQuestion implements quiz.Store.
func (s *Quiz) PutQuestion(ctx context.Context, q quiz.QuestionRecord) (quiz.QuestionRecord, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if q.ID == 0 {
			id, err := tx.NextID(storage.QuizQuestions)
			if err != nil {
				return err
			}
			q.ID = id
		}
		if err := tx.Put(storage.QuizQuestions, storage.ID(q.ID), q); err != nil {
			return err
		}
		return tx.PutRaw(storage.QuestionsByItem, storage.Key(q.CourseID, q.ItemID, q.ID), nil)
	})
	return q, err
}

// Question implements quiz.Store.
func (s *Quiz) Question(ctx context.Context, id uint64) (quiz.QuestionRecord, error) {
	var q quiz.QuestionRecord
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Get(storage.QuizQuestions, storage.ID(id), &q)
	})
	return q, err
}

// Questions implements quiz.Store.
func (s *Quiz) Questions(ctx context.Context, course, item uint64) ([]quiz.QuestionRecord, error) {
	var out []quiz.QuestionRecord
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.QuestionsByItem, storage.Key(course, item), func(k, _ []byte) error {
			var q quiz.QuestionRecord
			if err := tx.Get(storage.QuizQuestions, storage.ID(storage.Part(k, 2)), &q); err != nil {
				return err
			}
			out = append(out, q)
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b quiz.QuestionRecord) int { return cmp.Compare(a.Position, b.Position) })
	return out, err
}

// DeleteQuestion implements quiz.Store.
func (s *Quiz) DeleteQuestion(ctx context.Context, id uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var q quiz.QuestionRecord
		if err := tx.Get(storage.QuizQuestions, storage.ID(id), &q); err != nil {
			return absentOK(err)
		}
		if err := tx.Delete(storage.QuestionsByItem, storage.Key(q.CourseID, q.ItemID, q.ID)); err != nil {
			return err
		}
		return tx.Delete(storage.QuizQuestions, storage.ID(id))
	})
}

func closingKey(t time.Time, id uint64) []byte {
	return storage.Key(storage.Int(t.UnixNano()), id)
}

// PutAttempt implements quiz.Store.
func (s *Quiz) PutAttempt(ctx context.Context, a quiz.Attempt) (quiz.Attempt, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if a.ID == 0 {
			id, err := tx.NextID(storage.QuizAttempts)
			if err != nil {
				return err
			}
			a.ID = id
		} else {
			var old quiz.Attempt
			switch err := tx.Get(storage.QuizAttempts, storage.ID(a.ID), &old); {
			case err == nil && old.ClosesAt != nil:
				if err := tx.Delete(storage.AttemptsClosing, closingKey(*old.ClosesAt, old.ID)); err != nil {
					return err
				}
			case absentOK(err) != nil:
				return err
			}
		}
		if a.Status == quiz.StatusOpen && a.ClosesAt != nil {
			if err := tx.PutRaw(storage.AttemptsClosing, closingKey(*a.ClosesAt, a.ID), nil); err != nil {
				return err
			}
		}
		if err := tx.Put(storage.QuizAttempts, storage.ID(a.ID), a); err != nil {
			return err
		}
		return tx.PutRaw(storage.AttemptsByItem, storage.Key(a.CourseID, a.ItemID, a.UserID, a.ID), nil)
	})
	return a, err
}

// Attempt implements quiz.Store.
func (s *Quiz) Attempt(ctx context.Context, id uint64) (quiz.Attempt, error) {
	var a quiz.Attempt
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Get(storage.QuizAttempts, storage.ID(id), &a)
	})
	return a, err
}

// attempts reads the attempts whose index keys start with prefix, in key
// order, keeping those keep accepts.
func (s *Quiz) attempts(ctx context.Context, prefix []byte, keep func(quiz.Attempt) bool) ([]quiz.Attempt, error) {
	var out []quiz.Attempt
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.AttemptsByItem, prefix, func(k, _ []byte) error {
			var a quiz.Attempt
			if err := tx.Get(storage.QuizAttempts, storage.ID(storage.Part(k, 3)), &a); err != nil {
				return err
			}
			if keep == nil || keep(a) {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// LearnerAttempts implements quiz.Store.
func (s *Quiz) LearnerAttempts(ctx context.Context, course, item, user uint64) ([]quiz.Attempt, error) {
	return s.attempts(ctx, storage.Key(course, item, user), nil)
}

// ItemAttempts implements quiz.Store.
func (s *Quiz) ItemAttempts(ctx context.Context, course, item uint64) ([]quiz.Attempt, error) {
	return s.attempts(ctx, storage.Key(course, item), nil)
}

// CourseAttempts implements quiz.Store.
func (s *Quiz) CourseAttempts(ctx context.Context, course uint64) ([]quiz.Attempt, error) {
	return s.attempts(ctx, storage.Key(course), func(a quiz.Attempt) bool {
		return a.Status == quiz.StatusSubmitted && !a.Preview
	})
}

// Expired implements quiz.Store: one walk of the closing index up to t.
func (s *Quiz) Expired(ctx context.Context, t time.Time, limit int) ([]quiz.Attempt, error) {
	var out []quiz.Attempt
	end := storage.Int(t.UnixNano())
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.AttemptsClosing, nil, func(k, _ []byte) error {
			if storage.Part(k, 0) > end || len(out) >= limit {
				return storage.Stop
			}
			var a quiz.Attempt
			if err := tx.Get(storage.QuizAttempts, storage.ID(storage.Part(k, 1)), &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// DeleteItem implements quiz.Store.
func (s *Quiz) DeleteItem(ctx context.Context, course, item uint64) error {
	return s.deleteUnder(ctx, storage.Key(course, item))
}

// DeleteCourse implements quiz.Store.
func (s *Quiz) DeleteCourse(ctx context.Context, course uint64) error {
	return s.deleteUnder(ctx, storage.Key(course))
}

// deleteUnder removes the questions and attempts whose index keys start
// with prefix (a course, or a course's item), with their index entries.
func (s *Quiz) deleteUnder(ctx context.Context, prefix []byte) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var questions []uint64
		err := tx.Each(storage.QuestionsByItem, prefix, func(k, _ []byte) error {
			questions = append(questions, storage.Part(k, 2))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range questions {
			if err := tx.Delete(storage.QuizQuestions, storage.ID(id)); err != nil {
				return err
			}
		}
		attempts, err := s.attempts(ctx, prefix, nil)
		if err != nil {
			return err
		}
		for _, a := range attempts {
			if a.ClosesAt != nil {
				if err := tx.Delete(storage.AttemptsClosing, closingKey(*a.ClosesAt, a.ID)); err != nil {
					return err
				}
			}
			if err := tx.Delete(storage.QuizAttempts, storage.ID(a.ID)); err != nil {
				return err
			}
		}
		if err := tx.DeletePrefix(storage.QuestionsByItem, prefix); err != nil {
			return err
		}
		return tx.DeletePrefix(storage.AttemptsByItem, prefix)
	})
}

// absentOK treats a missing record as nothing to do.
func absentOK(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}
