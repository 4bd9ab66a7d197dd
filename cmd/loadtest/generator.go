package main

// The fixed-rate phases' requests go out from a process of their own (this
// binary, run with -generate). Sent from the server's process, they came
// from a goroutine that woke on a timer and then waited for one of the two
// Ps behind whatever server goroutines were runnable: whenever the server
// was busy for a few milliseconds, every request due meanwhile left late,
// all at once, and counted that wait as the server's latency. A process of
// its own is scheduled by the kernel beside the server's, as any client
// would be.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// plannedReq is one request of a plan, in the order it is sent.
type plannedReq struct {
	Method, Path, Token string
	Body                json.RawMessage `json:",omitempty"`
	Want                int
}

// plan is what a generator process sends: Warm requests first, then Count
// measured ones, at Rate a second, to Base, taking turns among the parts
// (Parts[i] for request i % len(Parts), in order).
type plan struct {
	Base        string
	Rate        int
	Warm, Count int
	Parts       [][]plannedReq
}

// sentLog is what the generator reports of the measured requests.
type sentLog struct {
	N, Errors int
	FirstErr  string
	Elapsed   time.Duration
	Lat       []time.Duration
	Parts     [][]time.Duration
}

// openLoopApart is openLoop from a generator process: a warm-up of warm,
// then d measured.
func openLoopApart(c *client, ps []phase, rate int, warm, d time.Duration, dir string) (result, []result, error) {
	interval := time.Second / time.Duration(rate)
	p := plan{Base: c.bases[0], Rate: rate, Parts: make([][]plannedReq, len(ps))}
	p.Warm, p.Count = planCounts(interval, warm, d, len(ps))
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < p.Warm+p.Count; i++ {
		which := i % len(ps)
		method, path, tok, body, want := ps[which].req(r)
		var raw json.RawMessage
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				return result{}, nil, err
			}
			raw = b
		}
		p.Parts[which] = append(p.Parts[which], plannedReq{method, path, tok, raw, want})
	}
	file := filepath.Join(dir, "plan.json")
	raw, err := json.Marshal(p)
	if err != nil {
		return result{}, nil, err
	}
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		return result{}, nil, err
	}
	defer os.Remove(file)
	self, err := os.Executable()
	if err != nil {
		return result{}, nil, err
	}
	var out bytes.Buffer
	cmd := exec.Command(self, "-generate", file)
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return result{}, nil, fmt.Errorf("generator: %w", err)
	}
	var log sentLog
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		return result{}, nil, fmt.Errorf("generator's report: %w", err)
	}
	res := result{name: "fixed rate", n: log.N, errors: log.Errors, firstErr: log.FirstErr, elapsed: log.Elapsed, lat: log.Lat}
	parts := make([]result, len(log.Parts))
	for i, l := range log.Parts {
		parts[i].lat = l
	}
	return res, parts, nil
}

// planCounts is how many requests a plan warms up with and measures, one
// every interval for warm and for d, taking turns among parts. The
// generator's warm-up and measured loops each start their turns at part
// 0, so the warm-up is whole turns: each part's requests are then sent in
// the planned order, and none past the plan.
func planCounts(interval, warm, d time.Duration, parts int) (nWarm, nCount int) {
	nWarm, nCount = int(warm/interval), int(d/interval)
	return nWarm - nWarm%parts, nCount
}

// generate is the generator process: it sends the plan in file and writes
// what it measured to stdout.
func generate(file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var p plan
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	c := &client{bases: []string{p.Base}, http: newHTTPClient()}
	next := make([]int, len(p.Parts))
	ps := make([]phase, len(p.Parts))
	for i := range ps {
		ps[i].req = func(*rand.Rand) (string, string, string, any, int) {
			q := p.Parts[i][next[i]]
			next[i]++
			var body any
			if q.Body != nil {
				body = q.Body
			}
			return q.Method, q.Path, q.Token, body, q.Want
		}
	}
	interval := time.Second / time.Duration(p.Rate)
	openLoop(c, ps, p.Rate, time.Duration(p.Warm)*interval)
	res, parts := openLoop(c, ps, p.Rate, time.Duration(p.Count)*interval)
	log := sentLog{N: res.n, Errors: res.errors, FirstErr: res.firstErr, Elapsed: res.elapsed, Lat: res.lat}
	for _, part := range parts {
		log.Parts = append(log.Parts, part.lat)
	}
	return json.NewEncoder(os.Stdout).Encode(log)
}
