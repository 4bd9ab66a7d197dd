package migrate_test

import (
	"testing"

	"pacer/storage"
	"pacer/storage/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openBolt is a fresh bbolt database, closed when t ends.
func openBolt(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
