package migrate_test

import (
	"testing"

	"pacer/storage/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
