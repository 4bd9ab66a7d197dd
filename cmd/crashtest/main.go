// Command crashtest runs the kill -9 durability check for longer than the
// CI suite: N concurrent writers post replies, resubmit an assignment and
// report watch spans against the real pacer server; after a random number
// of acknowledgements the server is killed with SIGKILL, the database file
// is checked with bbolt, the server restarts on the same data and every
// acknowledged write is verified — round after round. It prints a summary
// and exits 1 if any acknowledged write was lost or duplicated, or anything
// else went wrong.
//
//	go run ./cmd/crashtest -rounds 20 -writers 16
//
// It builds the pacer command with `go build` (so run it inside the module),
// unless -bin names one. The seed is printed; -seed replays a run's kill
// moments and operations (timing still varies).
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"pacer/durability"
)

func main() {
	rounds := flag.Int("rounds", 20, "kill and restart this many times")
	writers := flag.Int("writers", 16, "concurrent writers (each is one student: argon2 makes each ~0.1 s to create)")
	minAcks := flag.Int("min-acks", 50, "fewest new acknowledgements before a kill")
	maxAcks := flag.Int("max-acks", 1500, "most new acknowledgements before a kill")
	seed := flag.Uint64("seed", 0, "seed for the kill moments and the writers (0: random)")
	bin := flag.String("bin", "", "pacer binary (default: go build one)")
	data := flag.String("data", "", "data directory (default: a temporary one, removed after a clean run)")
	flag.Parse()
	if *rounds < 1 || *writers < 1 || *minAcks < 1 || *maxAcks < *minAcks {
		fmt.Fprintln(os.Stderr, "crashtest: -rounds, -writers and -min-acks must be positive, and -max-acks at least -min-acks")
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = rand.Uint64()
	}
	ok, err := run(*rounds, *writers, *minAcks, *maxAcks, *seed, *bin, *data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(rounds, writers, minAcks, maxAcks int, seed uint64, bin, data string) (bool, error) {
	tmp, err := os.MkdirTemp("", "pacer-crashtest-*")
	if err != nil {
		return false, err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	if bin == "" {
		fmt.Println("building pacer ...")
		if bin, err = durability.Build(tmp); err != nil {
			return false, err
		}
	}
	if data == "" {
		data = tmp + "/data"
	}
	fmt.Printf("crashtest: %d rounds, %d writers, kill after %d..%d acknowledgements, seed %d, data %s\n",
		rounds, writers, minAcks, maxAcks, seed, data)
	start := time.Now()
	rep, err := durability.RunCrash(durability.CrashConfig{
		Bin: bin, Data: data, Writers: writers, Rounds: rounds, MinAcks: minAcks, MaxAcks: maxAcks, Seed: seed,
		Logf: func(format string, args ...any) {
			fmt.Printf("%7.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
		},
	})
	if err != nil {
		keep = true
		return false, fmt.Errorf("%w (data kept in %s)", err, data)
	}
	f := rep.Final
	unanswered := 0
	for _, r := range rep.Rounds {
		unanswered += r.Unanswered
	}
	fmt.Printf("\nsummary after %d rounds in %s (seed %d):\n", len(rep.Rounds), time.Since(start).Round(time.Second), seed)
	fmt.Printf("  acks        %d  (acknowledged writes: replies, submissions, watch spans)\n", f.Acks)
	fmt.Printf("  verified    %d  (present after the last restart)\n", f.Verified)
	fmt.Printf("  superseded  %d  (submissions replaced by a later acknowledged resubmission, by design)\n", f.Superseded)
	fmt.Printf("  lost        %d  (must be 0; worst round)\n", rep.Lost())
	fmt.Printf("  duplicates  %d  (must be 0; worst round)\n", rep.Duplicates())
	fmt.Printf("  in flight at a kill: %d unanswered requests, of which %d landed anyway\n", unanswered, f.Landed)
	fmt.Printf("  problems    %d\n", len(rep.Problems))
	for i, p := range rep.Problems {
		if i == 50 {
			fmt.Printf("    ... and %d more\n", len(rep.Problems)-50)
			break
		}
		fmt.Println("   ", p)
	}
	if len(rep.Problems) > 0 || rep.Lost() > 0 || rep.Duplicates() > 0 {
		keep = true
		fmt.Printf("FAIL (data kept in %s)\n", data)
		return false, nil
	}
	fmt.Println("PASS")
	return true, nil
}
