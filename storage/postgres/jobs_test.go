package postgres_test

import (
	"testing"

	"pacer/jobs"
	jobsstore "pacer/jobs/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestJobsStore(t *testing.T) {
	jobsstore.Run(t, func(t *testing.T) (jobs.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewJobs(db), db
	})
}
