package durability

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// Seed is a run's seed: DURABILITY_SEED when set (to replay a failure),
// otherwise random, and logged either way.
func Seed(t testing.TB) uint64 {
	t.Helper()
	var s uint64
	if v := os.Getenv("DURABILITY_SEED"); v != "" {
		if _, err := fmt.Sscan(v, &s); err != nil {
			t.Fatalf("DURABILITY_SEED=%q: %v", v, err)
		}
	} else {
		s = rand.Uint64()
	}
	t.Logf("seed %d (replay with DURABILITY_SEED=%d)", s, s)
	return s
}
