package api_test

import (
	"testing"

	"pacer/api"
	"pacer/errs"
)

func TestAFullGateRefusesWith429AndAFreedSlotLetsTheNextIn(t *testing.T) {
	g := api.NewGate(2, 0)
	var leave []func()
	for i := 0; i < 2; i++ {
		l, err := g.Enter()
		if err != nil {
			t.Fatalf("slot %d: %v", i+1, err)
		}
		leave = append(leave, l)
	}
	_, err := g.Enter()
	if !errs.Is(err, errs.RateLimited) {
		t.Fatalf("third at once: %v, want rate_limited", err)
	}
	if e := api.Classify(err); e.RetryAfter <= 0 {
		t.Fatalf("no Retry-After in %+v", e)
	}
	leave[0]()
	l, err := g.Enter()
	if err != nil {
		t.Fatalf("after a slot was freed: %v", err)
	}
	l()
	leave[1]()
}
