package postgres_test

import (
	"testing"

	"pacer/auth"
	authstore "pacer/auth/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestAuthStore(t *testing.T) {
	authstore.Run(t, func(t *testing.T) (auth.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewAuth(db), db
	})
}
