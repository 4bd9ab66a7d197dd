package postgres_test

import (
	"testing"

	"pacer/announcements"
	announcementsstore "pacer/announcements/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestAnnouncementsStore(t *testing.T) {
	announcementsstore.Run(t, func(t *testing.T) (announcements.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewAnnouncements(db), db
	})
}
