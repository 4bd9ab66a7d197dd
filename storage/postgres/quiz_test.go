package postgres_test

import (
	"testing"

	"pacer/quiz"
	quizstore "pacer/quiz/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestQuizStore(t *testing.T) {
	quizstore.Run(t, func(t *testing.T) (quiz.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewQuiz(db), db
	})
}
