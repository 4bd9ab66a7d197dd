package postgres_test

import (
	"testing"

	"pacer/deadlines"
	deadlinestore "pacer/deadlines/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestDeadlinesStore(t *testing.T) {
	deadlinestore.Run(t, func(t *testing.T) (deadlines.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewDeadlines(db), db
	})
}
