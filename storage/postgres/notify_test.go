package postgres_test

import (
	"testing"

	"pacer/notify"
	notifystore "pacer/notify/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestNotifyStore(t *testing.T) {
	notifystore.Run(t, func(t *testing.T) (notify.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewNotify(db), db
	})
}
