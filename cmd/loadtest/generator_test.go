package main

import (
	"testing"
	"time"
)

// The generator takes each part's requests in turn, starting at part 0 in
// its warm-up and again in its measured loop: whatever the rate, no part
// may be asked for more requests than the plan holds for it (an odd
// warm-up and an odd measured count once asked part 0 for one more).
func TestAPlanHoldsEveryRequestTheGeneratorSends(t *testing.T) {
	for _, rate := range []int{1, 3, 999, 7553, 8692, 10001} {
		for _, parts := range []int{1, 2, 3} {
			interval := time.Second / time.Duration(rate)
			warm, count := planCounts(interval, time.Second, 5*time.Second, parts)
			planned := make([]int, parts)
			for i := range warm + count {
				planned[i%parts]++
			}
			sent := make([]int, parts)
			for i := range warm {
				sent[i%parts]++
			}
			for i := range count {
				sent[i%parts]++
			}
			for p := range parts {
				if sent[p] != planned[p] {
					t.Errorf("rate %d, %d parts: part %d sends %d requests, the plan holds %d", rate, parts, p, sent[p], planned[p])
				}
			}
		}
	}
}
