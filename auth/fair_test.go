package auth_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"pacer/auth"
)

// A flood of sign-ins from one client used to queue every other client's
// hash behind all of it: the semaphore serves waiters in arrival order.
func TestOneClientsFloodOfHashesWaitsOnItselfNotOnOthers(t *testing.T) {
	// Heavier than the tests' usual parameters: the flood must still be
	// queued when the victim arrives.
	h := auth.NewHasher(auth.Argon2Params{MemoryKiB: 4096, Time: 1, Threads: 1}, 1)
	enc, err := h.Hash("the password")
	if err != nil {
		t.Fatal(err)
	}
	const flood = 24
	var done atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < flood; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.VerifyFor("ip:attacker", enc, "a guess")
			done.Add(1)
		}()
	}
	// Every request of the flood is in (waiting or already answered).
	for h.Waiting("ip:attacker")+int(done.Load()) < flood {
		runtime.Gosched()
	}
	before := done.Load()
	if flood-before < 8 {
		t.Skipf("only %d of the flood still queued; the machine is too slow to tell", flood-before)
	}
	if !h.VerifyFor("ip:victim", enc, "the password") {
		t.Fatal("the victim's password did not verify")
	}
	behind := done.Load() - before
	wg.Wait()
	// The victim waits for the flood's one running hash and its one
	// queued request at most (plus one finishing as we look).
	if behind > 3 {
		t.Fatalf("the victim's hash waited for %d of the %d queued hashes of one other client", behind, flood-before)
	}
	if n := h.Waiting("ip:attacker"); n != 0 {
		t.Fatalf("%d turns left behind", n)
	}
}

// OWASPParams is a value each caller gets its own copy of: changing one
// changes neither the next nor a service's default.
func TestOWASPParamsCannotBeLoweredByACaller(t *testing.T) {
	p := auth.OWASPParams()
	p.MemoryKiB, p.Time = 1, 1
	if got := auth.OWASPParams(); got != (auth.Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}) {
		t.Fatalf("auth.OWASPParams() = %+v after a caller changed its copy", got)
	}
}
