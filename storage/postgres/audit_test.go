package postgres_test

import (
	"testing"

	"pacer/audit"
	auditstore "pacer/audit/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestAuditStore(t *testing.T) {
	auditstore.Run(t, func(t *testing.T) (audit.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewAudit(db), db
	})
}
