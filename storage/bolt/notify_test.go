package bolt_test

import (
	"testing"

	"pacer/notify"
	notifystore "pacer/notify/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestNotifyStore(t *testing.T) {
	notifystore.Run(t, func(t *testing.T) (notify.Store, txn.Runner) {
		db := open(t)
		return bolt.NewNotify(db), db
	})
}
