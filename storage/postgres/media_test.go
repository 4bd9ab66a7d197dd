package postgres_test

import (
	"testing"

	"pacer/media"
	mediastore "pacer/media/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestMediaStore(t *testing.T) {
	mediastore.Run(t, func(t *testing.T) (media.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewMedia(db), db
	})
}
