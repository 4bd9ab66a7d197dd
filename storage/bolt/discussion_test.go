package bolt_test

import (
	"testing"

	"pacer/discussion"
	discussionstore "pacer/discussion/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestDiscussionStore(t *testing.T) {
	discussionstore.Run(t, func(t *testing.T) (discussion.Store, txn.Runner) {
		db := open(t)
		return bolt.NewDiscussion(db), db
	})
}
