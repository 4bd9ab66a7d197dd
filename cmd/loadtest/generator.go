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
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
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

// openLoopApart runs an open loop (sendAt) from a generator process: requests
// at a fixed rate whatever the answers' speed, each timed from the moment
// it was due, so that a stall shows in the percentiles instead of silently
// lowering the rate; a warm-up of warm,
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
	u, err := url.Parse(p.Base)
	if err != nil {
		return err
	}
	hc := &fasthttp.HostClient{Addr: u.Host, MaxConns: maxInFlight, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	next := make([]int, len(p.Parts))
	take := func(which int) plannedReq {
		q := p.Parts[which][next[which]]
		next[which]++
		return q
	}
	interval := time.Second / time.Duration(p.Rate)
	sendAt(hc, len(p.Parts), take, interval, p.Warm)
	res, parts := sendAt(hc, len(p.Parts), take, interval, p.Count)
	log := sentLog{N: res.n, Errors: res.errors, FirstErr: res.firstErr, Elapsed: res.elapsed, Lat: res.lat}
	for _, part := range parts {
		log.Parts = append(log.Parts, part.lat)
	}
	return json.NewEncoder(os.Stdout).Encode(log)
}

// sendAt is the generator's open loop: n requests, one due every
// interval, taking turns among parts, each timed from the moment it was
// due. It is built to cost the machine little, since every cycle it takes
// is one the server it measures does not get (on two cores, the
// generator's share showed in the server's tail): fasthttp's client,
// which reads the answer in the goroutine that sent the request (net/http
// hands each request to two goroutines of its connection), and a sender
// that wakes once for every request due since it last woke instead of
// sleeping before each (a wake-up every 110 µs at 9,000 requests/s).
func sendAt(hc *fasthttp.HostClient, parts int, take func(which int) plannedReq, interval time.Duration, n int) (result, []result) {
	res := result{name: "fixed rate"}
	part := make([]result, parts)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxInFlight)
	start := time.Now()
	for i := 0; i < n; {
		now := time.Since(start)
		if due := time.Duration(i) * interval; due > now {
			time.Sleep(max(due-now, minSenderSleep))
			continue
		}
		for ; i < n && time.Duration(i)*interval <= now; i++ {
			which := i % parts
			q := take(which)
			due := start.Add(time.Duration(i) * interval)
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				code, err := sendPlanned(hc, q)
				l := time.Since(due)
				mu.Lock()
				defer mu.Unlock()
				if err != nil || code != q.Want {
					res.errors++
					if res.firstErr == "" {
						res.firstErr = fmt.Sprintf("%s %s: %d %v", q.Method, q.Path, code, err)
					}
				}
				res.lat = append(res.lat, l)
				part[which].lat = append(part[which].lat, l)
			}()
		}
	}
	wg.Wait()
	res.n, res.elapsed = n, time.Since(start)
	slices.Sort(res.lat)
	for i := range part {
		slices.Sort(part[i].lat)
	}
	return res, part
}

// minSenderSleep is the shortest sleep of sendAt's sender: requests due
// meanwhile leave together when it wakes, late by at most this much, and
// that lateness counts in their latency.
const minSenderSleep = 50 * time.Microsecond

// sendPlanned sends one planned request and reads its answer whole.
func sendPlanned(hc *fasthttp.HostClient, q plannedReq) (int, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(q.Method)
	req.SetRequestURI(q.Path)
	req.Header.SetHost(hc.Addr)
	if q.Token != "" {
		req.Header.Set("Authorization", "Bearer "+q.Token)
	}
	if q.Body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(q.Body)
	}
	if err := hc.Do(req, resp); err != nil {
		return 0, err
	}
	return resp.StatusCode(), nil
}
