package durability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// CrashConfig is one kill -9 run.
type CrashConfig struct {
	// Bin is the pacer binary, Data an empty (or absent) data directory.
	Bin, Data string
	// Store is the server's --store: "" for bbolt in Data, or a
	// postgres:// URL (PostgreSQL keeps running through the kills; only
	// the pacer process dies).
	Store string
	// Writers is how many concurrent writers (and students) there are.
	Writers int
	// Rounds is how many times the server is killed and restarted.
	Rounds int
	// Each round kills the server after a random number of new
	// acknowledgements in [MinAcks, MaxAcks].
	MinAcks, MaxAcks int
	// Seed picks the kill moments and the writers' operations.
	Seed uint64
	// Logf receives progress lines (nil: none).
	Logf func(format string, args ...any)
}

// RoundReport is one round of a crash run.
type RoundReport struct {
	Round int
	// KilledAfter is the number of acknowledgements (over all rounds) the
	// kill was sent after; AcksAtKill how many there were once the writers
	// stopped (answers already on their way still count).
	KilledAfter, AcksAtKill int
	// Unanswered is how many requests of this round got no answer.
	Unanswered int
	// Result is the verification after the restart, over every write of
	// every round so far.
	Result Result
}

// CrashReport is a whole crash run.
type CrashReport struct {
	Rounds []RoundReport
	// Final is the last verification (cumulative over all rounds).
	Final Result
	// Problems are every round's problems, plus unexpected answers, bbolt
	// check failures, server errors and a non-zero exit at the end.
	Problems []string
}

// Lost is the largest number of lost writes any round found (verification
// is cumulative, so a write lost in one round stays lost in the later ones).
func (r CrashReport) Lost() (n int) {
	for _, rr := range r.Rounds {
		n = max(n, rr.Result.Lost)
	}
	return n
}

// Duplicates is the largest number of duplicates any round saw.
func (r CrashReport) Duplicates() (n int) {
	for _, rr := range r.Rounds {
		n = max(n, rr.Result.Duplicates)
	}
	return n
}

// RunCrash starts the server on cfg.Data, builds the course, and then, for
// each round, runs the writers, kills the server with SIGKILL after a random
// number of acknowledgements, checks the database file with bbolt, restarts
// the server on it and verifies every acknowledged write. At the end the
// server is stopped with SIGTERM (exit 0 wanted) and the file checked again.
// An error means the run could not proceed; what it found is in the report.
func RunCrash(cfg CrashConfig) (CrashReport, error) {
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var rep CrashReport
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6b696c6c))
	var storeArgs []string
	if cfg.Store != "" {
		storeArgs = []string{"--store", cfg.Store}
	}
	// checkFile checks the bbolt file; PostgreSQL checks its own.
	checkFile := func() error {
		if cfg.Store != "" {
			return nil
		}
		return CheckFile(cfg.Data)
	}
	p, err := Start(cfg.Bin, cfg.Data, storeArgs...)
	if err != nil {
		return rep, err
	}
	defer func() {
		if !p.Exited() {
			p.Kill()
		}
	}()
	c := NewClient(p.Base)
	start := time.Now()
	co, err := Setup(c, cfg.Writers)
	if err != nil {
		return rep, fmt.Errorf("set up the course: %w", err)
	}
	logf("course %d with %d students set up in %s", co.ID, len(co.Students), time.Since(start).Round(time.Millisecond))
	ledger := NewLedger(cfg.Writers)
	for round := 1; round <= cfg.Rounds; round++ {
		rr := RoundReport{Round: round}
		unansweredBefore := len(ledger.TransportErrors())
		rr.KilledAfter = ledger.Acks() + cfg.MinAcks + rng.IntN(cfg.MaxAcks-cfg.MinAcks+1)
		ctx, cancel := context.WithCancel(context.Background())
		w := &Writers{Client: c, Course: co, Ledger: ledger, Round: round, Seed: cfg.Seed + uint64(round)}
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		select {
		case <-ledger.AfterAcks(rr.KilledAfter):
		case <-time.After(2 * time.Minute):
			cancel()
			<-done
			return rep, fmt.Errorf("round %d: only %d of %d acknowledgements in two minutes (%s)",
				round, ledger.Acks(), rr.KilledAfter, ledger.Summary())
		}
		// The kill lands at a random point of the commit cycle (a commit
		// with its fsyncs takes a few milliseconds here), not always just
		// after an answer went out: this wait is part of the random kill
		// moment, not a wait for anything.
		time.Sleep(time.Duration(rng.IntN(5000)) * time.Microsecond)
		p.Kill()
		cancel()
		<-done
		c.Close()
		rr.AcksAtKill = ledger.Acks()
		rr.Unanswered = len(ledger.TransportErrors()) - unansweredBefore
		rep.Problems = append(rep.Problems, prefixed(fmt.Sprintf("round %d, before the kill: server error: ", round), p.ErrorLines())...)
		if err := checkFile(); err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("round %d, after the kill: %v", round, err))
		}
		if p, err = Start(cfg.Bin, cfg.Data, storeArgs...); err != nil {
			return rep, fmt.Errorf("round %d: restart after the kill: %w", round, err)
		}
		c = NewClient(p.Base)
		if rr.Result, err = Verify(c, co, ledger, ledger); err != nil {
			return rep, fmt.Errorf("round %d: verify: %w", round, err)
		}
		rep.Problems = append(rep.Problems, prefixed(fmt.Sprintf("round %d: ", round), rr.Result.Problems)...)
		rep.Rounds = append(rep.Rounds, rr)
		rep.Final = rr.Result
		logf("round %d: killed after %d acks (%d when the writers stopped, %d unanswered); after restart: %s",
			round, rr.KilledAfter, rr.AcksAtKill, rr.Unanswered, rr.Result)
	}
	rep.Problems = append(rep.Problems, prefixed("unexpected answer: ", ledger.Unexpected())...)
	if err := p.Stop(); err != nil {
		rep.Problems = append(rep.Problems, err.Error())
	}
	rep.Problems = append(rep.Problems, prefixed("last run: server error: ", p.ErrorLines())...)
	if err := checkFile(); err != nil {
		rep.Problems = append(rep.Problems, "at the end: "+err.Error())
	}
	logf("writers: %s", ledger.Summary())
	return rep, nil
}

func prefixed(prefix string, lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, prefix+l)
	}
	return out
}
