package durability_test

import (
	"testing"

	"pacer/durability"
)

// TestAcknowledgedWritesSurviveKill9 runs eight writers (replies,
// resubmissions, watch spans) against the real server, kills it with
// SIGKILL after a random number of acknowledgements, checks the file with
// bbolt, restarts on the same data and verifies every acknowledged write,
// three times over.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	bin := pacerBinary(t)
	rep, err := durability.RunCrash(durability.CrashConfig{
		Bin: bin, Data: t.TempDir(), Writers: 8, Rounds: 3, MinAcks: 30, MaxAcks: 300,
		Seed: seed(t), Logf: t.Logf,
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
