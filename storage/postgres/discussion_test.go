package postgres_test

import (
	"testing"

	"pacer/discussion"
	discussionstore "pacer/discussion/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestDiscussionStore(t *testing.T) {
	discussionstore.Run(t, func(t *testing.T) (discussion.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewDiscussion(db), db
	})
}
