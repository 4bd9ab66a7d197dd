package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	"pacer/quiz"
	"pacer/storage"
)

// Export implements migrate.Exporter: every question, then every attempt.
// QuestionsByItem, AttemptsByItem and AttemptsClosing follow from the
// records (an attempt's closing entry from its status and ClosesAt).
func (s *Quiz) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.QuizQuestions, nil, func(k, v []byte) error {
			var q quiz.QuestionRecord
			if err := json.Unmarshal(v, &q); err != nil {
				return fmt.Errorf("decode question %d: %w", storage.Part(k, 0), err)
			}
			return put("quiz_questions", q)
		})
		if err != nil {
			return err
		}
		return tx.Each(storage.QuizAttempts, nil, func(k, v []byte) error {
			var a quiz.Attempt
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("decode attempt %d: %w", storage.Part(k, 0), err)
			}
			return put("quiz_attempts", a)
		})
	})
}
