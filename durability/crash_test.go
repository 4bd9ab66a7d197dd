package durability_test

import (
	"testing"

	"pacer/durability"
	"pacer/storage/postgres/pgtest"
)

// TestAcknowledgedWritesSurviveKill9 runs eight writers (replies,
// resubmissions, watch spans) against the real server, kills it with
// SIGKILL after a random number of acknowledgements, checks the file with
// bbolt, restarts on the same data and verifies every acknowledged write,
// three times over.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	crash(t, "")
}

// The same rounds on the PostgreSQL engine: the pacer process is killed,
// PostgreSQL keeps running, and every acknowledged write must be there
// once after the restart.
func TestAcknowledgedWritesSurviveKill9OnPostgres(t *testing.T) {
	crash(t, pgtest.URL(t))
}

func crash(t *testing.T, store string) {
	bin := pacerBinary(t)
	rep, err := durability.RunCrash(durability.CrashConfig{
		Bin: bin, Data: t.TempDir(), Store: store, Writers: 8, Rounds: 3, MinAcks: 30, MaxAcks: 300,
		Seed: durability.Seed(t), Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	reportProblems(t, rep.Problems)
	t.Logf("final: %s", rep.Final)
	if rep.Final.Acks == 0 || rep.Final.Verified == 0 {
		t.Fatalf("nothing was checked: %s", rep.Final)
	}
}
