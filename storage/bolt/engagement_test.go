package bolt_test

import (
	"testing"

	"pacer/engagement"
	engagementstore "pacer/engagement/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestEngagementStore(t *testing.T) {
	engagementstore.Run(t, func(t *testing.T) (engagement.Store, txn.Runner) {
		db := open(t)
		return bolt.NewEngagement(db), db
	})
}
