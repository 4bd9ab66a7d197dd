package postgres_test

import (
	"testing"

	"pacer/modules"
	modulestore "pacer/modules/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestModulesStore(t *testing.T) {
	modulestore.Run(t, func(t *testing.T) (modules.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewModules(db), db
	})
}
