package postgres

import (
	"context"
	"fmt"

	"pacer/quiz"
)

// Import implements migrate.Importer: one exported record, stored as it
// is with its id, in ctx's transaction. PutQuestion and PutAttempt store a
// record under the id it carries, which is what a copy needs.
func (s *Quiz) Import(ctx context.Context, kind string, rec any) error {
	switch kind {
	case "quiz_questions":
		q, ok := rec.(quiz.QuestionRecord)
		if !ok || q.ID == 0 {
			return fmt.Errorf("quiz import: %s given as %T (id %d)", kind, rec, q.ID)
		}
		_, err := s.PutQuestion(ctx, q)
		return err
	case "quiz_attempts":
		a, ok := rec.(quiz.Attempt)
		if !ok || a.ID == 0 {
			return fmt.Errorf("quiz import: %s given as %T (id %d)", kind, rec, a.ID)
		}
		_, err := s.PutAttempt(ctx, a)
		return err
	}
	return fmt.Errorf("quiz import: unknown kind %q", kind)
}

// Counts implements migrate.Importer: one row per exported record in each
// table.
func (s *Quiz) Counts(ctx context.Context) (map[string]int64, error) {
	var questions, attempts int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT (SELECT count(*) FROM quiz_questions), (SELECT count(*) FROM quiz_attempts)`).
		Scan(&questions, &attempts)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"quiz_questions": questions, "quiz_attempts": attempts}, nil
}
