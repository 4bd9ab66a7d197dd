package bolt_test

import (
	"testing"

	"pacer/deadlines"
	deadlinestore "pacer/deadlines/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestDeadlinesStore(t *testing.T) {
	deadlinestore.Run(t, func(t *testing.T) (deadlines.Store, txn.Runner) {
		db := open(t)
		return bolt.NewDeadlines(db), db
	})
}
