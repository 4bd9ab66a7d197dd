package postgres_test

import (
	"testing"

	"pacer/engagement"
	engagementstore "pacer/engagement/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestEngagementStore(t *testing.T) {
	engagementstore.Run(t, func(t *testing.T) (engagement.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewEngagement(db), db
	})
}
