package replicas_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"pacer/durability"
	"pacer/replicas"
)

// TestAcknowledgedWritesSurviveKill9OfAReplica runs durability's writers
// (replies, resubmissions, watch spans) spread over three replicas, kills
// one replica with SIGKILL after a random number of acknowledgements, lets
// the other two take more, restarts the killed one and verifies every
// acknowledged write of every round so far through two replicas: each is
// present exactly once, nothing is duplicated, nothing refused is there.
// Each round kills another replica. It has a cluster and database of its
// own, since durability.Setup builds its course under fixed addresses.
func TestAcknowledgedWritesSurviveKill9OfAReplica(t *testing.T) {
	c := ownCluster(t, replicas.Options{})
	const (
		writers = 6 // two per replica
		rounds  = 3
		// A round kills after [minAcks, maxAcks] new acknowledgements, and
		// the survivors must then acknowledge afterKill more.
		minAcks, maxAcks, afterKill = 30, 200, 30
	)
	seed := durability.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 0x7265706c))
	co, err := durability.Setup(c.Replicas[0].Client, writers)
	if err != nil {
		t.Fatalf("set up the course: %v", err)
	}
	ledger := durability.NewLedger(writers)
	var problems []string
	for round := 1; round <= rounds; round++ {
		victim := (round - 1) % len(c.Replicas)
		clients := make([]*durability.Client, len(c.Replicas))
		marks := make([]int, len(c.Replicas))
		for i, r := range c.Replicas {
			clients[i], marks[i] = r.Client, r.Mark()
		}
		killAfter := ledger.Acks() + minAcks + rng.IntN(maxAcks-minAcks+1)
		ctx, cancel := context.WithCancel(context.Background())
		w := &durability.Writers{Client: clients[0], Clients: clients, Course: co, Ledger: ledger, Round: round, Seed: seed + uint64(round)}
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		stop := func() { cancel(); <-done }
		if !within(ledger.AfterAcks(killAfter), 2*time.Minute) {
			stop()
			t.Fatalf("round %d: only %d of %d acknowledgements in two minutes (%s)", round, ledger.Acks(), killAfter, ledger.Summary())
		}
		// As in durability.RunCrash, the kill lands at a random point of a
		// commit, not always just after an answer went out.
		time.Sleep(time.Duration(rng.IntN(5000)) * time.Microsecond)
		c.Kill(victim)
		acksAtKill := ledger.Acks()
		// The writers of the other two replicas go on being answered.
		if !within(ledger.AfterAcks(acksAtKill+afterKill), time.Minute) {
			stop()
			t.Fatalf("round %d: the replicas left acknowledged %d writes in a minute after replica %d was killed, want %d (%s)",
				round, ledger.Acks()-acksAtKill, victim+1, afterKill, ledger.Summary())
		}
		stop()
		for i, r := range c.Replicas {
			if i != victim {
				problems = append(problems, prefixed(fmt.Sprintf("round %d: %s logged: ", round, r), r.ErrorLinesSince(marks[i]))...)
			}
		}
		if err := c.Restart(victim); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		// Verified through the restarted replica and the next one: every
		// write of every round so far, whichever replica took it.
		for _, i := range []int{victim, (victim + 1) % len(c.Replicas)} {
			res, err := durability.Verify(c.Replicas[i].Client, co, ledger, ledger)
			if err != nil {
				t.Fatalf("round %d: verify through %s: %v", round, c.Replicas[i], err)
			}
			problems = append(problems, prefixed(fmt.Sprintf("round %d, through %s: ", round, c.Replicas[i]), res.Problems)...)
			t.Logf("round %d: replica %d killed after %d acknowledgements, %d acknowledged after; through %s: %s",
				round, victim+1, killAfter, ledger.Acks()-acksAtKill, c.Replicas[i], res)
			if res.Acks == 0 || res.Verified == 0 {
				t.Fatalf("round %d: nothing was checked: %s", round, res)
			}
		}
	}
	problems = append(problems, prefixed("unexpected answer: ", ledger.Unexpected())...)
	t.Logf("writers: %s", ledger.Summary())
	for i, p := range problems {
		if i == 20 {
			t.Errorf("... and %d more", len(problems)-20)
			break
		}
		t.Error(p)
	}
}

// within reports whether ch is closed within limit.
func within(ch <-chan struct{}, limit time.Duration) bool {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
		return false
	}
}

func prefixed(prefix string, lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, prefix+l)
	}
	return out
}
