// Command loadtest measures Pacer under learner traffic on this machine. It
// starts the real server in this process on a loopback port, seeds a
// realistic course through the HTTP API, then drives each route in turn at a
// fixed concurrency and prints throughput, latency percentiles, and each
// route's throughput as a ratio to /healthz measured in slices alternating
// with the route's own. Fixed-rate phases then measure latency at a steady
// arrival rate (open loop): reads alone, and reads mixed half and half with
// first item views (each one a progress write). Their rate is half the
// closed-loop read capacity measured in the same run, so that the figure
// means the same on any machine. A baseline measures one fsync'd commit per
// write on the same disk.
//
//	go run ./cmd/loadtest -students 1000 -c 64 -d 5s
//
// Accounts are created with cheap password hashing: sign-in is not what this
// tool measures, and OWASP-cost hashing of 1,000 accounts would take minutes.
//
// With -replicas (and -store naming an empty PostgreSQL database) it
// measures instead what being distributed costs: it builds the pacer
// binary, starts that many replica processes on the one database, drives
// the same routes round-robin over them for each count given, and checks
// that a scheduler job run at once on every replica under load tells each
// learner exactly once (replicas.go).
//
//	go run ./cmd/loadtest -store 'postgres:///load?host=/tmp/pg' -replicas 1,2 -students 200 -d 5s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/valyala/fasthttp"

	"pacer/auth"
	"pacer/demo"
	"pacer/server"
	"pacer/storage"
)

type config struct {
	students, weeks, items, threads, replies int
	conc, slices                             int
	dur, warmup                              time.Duration
	rate                                     rateFlag
	data, store                              string
	only, cpuprofile, trace                  string
	blockprofile, mutexprofile               string
	light                                    bool
	// replicas, when set, selects the replicas mode: each count is
	// measured in turn (replicas.go). pacer is the binary it starts
	// (default: built from this module); jobRuns is how many times the
	// exactly-once check runs its job on every replica.
	replicas replicasFlag
	pacer    string
	jobRuns  int
	// meter, when set, reads the CPU used so far by the replicas and by
	// PostgreSQL: the replicas mode measures each route's slices with it.
	meter func() cpuUse
}

// rateFlag is the -rate flag: a number of requests per second, or auto
// (half the closed-loop read capacity measured in the run).
type rateFlag struct {
	n    int
	auto bool
}

func (f *rateFlag) String() string {
	if f.auto {
		return "auto"
	}
	return strconv.Itoa(f.n)
}

func (f *rateFlag) Set(s string) error {
	if s == "auto" {
		f.auto = true
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want auto or a number of requests per second")
	}
	f.n, f.auto = n, false
	return nil
}

func main() {
	var cfg config
	flag.IntVar(&cfg.students, "students", 1000, "students enrolled")
	flag.IntVar(&cfg.weeks, "weeks", 12, "weekly modules")
	flag.IntVar(&cfg.items, "items", 8, "items per module")
	flag.IntVar(&cfg.threads, "threads", 50, "discussion threads")
	flag.IntVar(&cfg.replies, "replies", 40, "replies per thread")
	flag.IntVar(&cfg.conc, "c", 64, "concurrent clients per phase")
	flag.DurationVar(&cfg.dur, "d", 5*time.Second, "duration of each phase")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured run before each phase")
	flag.IntVar(&cfg.slices, "slices", 5, "slices of each phase, alternating with /healthz slices")
	cfg.rate.auto = true
	flag.Var(&cfg.rate, "rate", "requests per second of the fixed-rate phases: auto = half the closed-loop read capacity measured in this run; 0 = skip")
	flag.StringVar(&cfg.data, "data", "", "data directory (default: a temporary one, removed after)")
	flag.StringVar(&cfg.store, "store", "bolt", "the engine: bolt, or a postgres:// URL of an empty database")
	flag.BoolVar(&cfg.light, "light-client", false, "send the closed-loop requests with fasthttp's client, which leaves the server more of the CPU (higher rates, lower ratios to /healthz: the ratios' targets are set with the default client)")
	flag.StringVar(&cfg.only, "only", "", "run only the phases whose name contains this (healthz always runs)")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured phases to this file")
	flag.StringVar(&cfg.trace, "trace", "", "write an execution trace of the fixed-rate phases to this file")
	flag.StringVar(&cfg.blockprofile, "blockprofile", "", "write a blocking profile of the fixed-rate phases to this file")
	flag.StringVar(&cfg.mutexprofile, "mutexprofile", "", "write a mutex contention profile of the fixed-rate phases to this file")
	flag.Var(&cfg.replicas, "replicas", "replica counts to measure, e.g. 1,2: starts that many pacer processes on the -store PostgreSQL database and compares each route's throughput (no fixed-rate phases)")
	flag.StringVar(&cfg.pacer, "pacer", "", "with -replicas: the pacer binary to start (default: go build of this module)")
	flag.IntVar(&cfg.jobRuns, "job-runs", 3, "with -replicas: rounds of the exactly-once check, each running open_windows on every replica at once")
	generateFile := flag.String("generate", "", "internal: send the fixed-rate plan in this file and report (the generator process)")
	flag.Parse()
	if *generateFile != "" {
		if err := generate(*generateFile); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest generator:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	if len(cfg.replicas) > 0 {
		return runReplicas(cfg)
	}
	cleanup, err := tempData(&cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	commitRate, err := fsyncBaseline(cfg.data+"/baseline", 2*time.Second)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{DataDir: cfg.data + "/pacer", Store: cfg.store, Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1},
		Tick: time.Hour, JWTSecret: strings.Repeat("k", 48),
		// The tool's clients stand for many learners but share one
		// address: the per-address cap would refuse the open loop's
		// connections once more than 256 requests are in flight.
		MaxConnsPerIP: -1,
		// Server errors (a 500 the tool counts) are logged with their cause.
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()

	c := &client{bases: []string{"http://" + ln.Addr().String()}, http: newTransport(cfg.light)}
	start := time.Now()
	w, err := seed(c, srv, cfg)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("seeded %d students, %d modules x %d items, %d threads x %d replies in %s\n",
		cfg.students, cfg.weeks, cfg.items, cfg.threads, cfg.replies, time.Since(start).Round(time.Millisecond))
	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d), %s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())

	phases := w.phases()
	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	seeds := uint64(1)
	next := func() uint64 { seeds += uint64(cfg.conc); return seeds }
	if cfg.only == "" || strings.Contains("GET item (page)", cfg.only) || cfg.rate.auto || cfg.rate.n > 0 {
		// The item views measured are of pages seen before (reads);
		// first views have a phase of their own.
		if err := w.viewAll(c, cfg.conc); err != nil {
			return err
		}
	}
	report(measure(c, phases, cfg, next), commitRate)
	if !cfg.rate.auto && cfg.rate.n == 0 {
		return nil
	}
	return fixedRate(c, w, phases, cfg, next)
}

// transport sends the closed-loop requests: net/http's client by default,
// or fasthttp's (-light-client). The ratios to /healthz, and the targets
// set in them, are measured with net/http's, which keeps two goroutines per
// connection and takes about as much of the machine's CPU as the server
// it measures (readLoop, writeLoop and Client.Do: 35-38 % of this
// process's samples in a reply run). fasthttp's leaves the server most of
// that CPU: every route's absolute rate rises, and /healthz's, mostly
// client, rises most, so the ratios fall; it answers "how much can the
// server do" rather than the ratio's question.
type transport struct {
	std  *http.Client
	fast *fasthttp.Client
}

// newTransport keeps as many connections as the open loop may have
// requests in flight: with fewer, a burst left the tool closing and
// dialling connections, which its latencies then counted.
func newTransport(light bool) transport {
	if light {
		return transport{fast: &fasthttp.Client{MaxConnsPerHost: maxInFlight, MaxIdleConnDuration: 30 * time.Second,
			ReadTimeout: time.Minute, WriteTimeout: time.Minute,
			// Pacer's answers carry a long Content-Security-Policy
			// among their headers; the default 4 KiB is close to that.
			ReadBufferSize: 16 << 10}}
	}
	return transport{std: &http.Client{Transport: &http.Transport{
		MaxIdleConns: maxInFlight, MaxIdleConnsPerHost: maxInFlight, IdleConnTimeout: 30 * time.Second}}}
}

// measure runs the closed-loop phases (all but phases[0], /healthz) that
// -only selects. Each route runs in slices alternating with /healthz
// slices, and its ratio is to the /healthz throughput of its own slices:
// this machine's speed drifts by tens of percent within a minute, and a
// yardstick measured once at the start made the ratios swing with it.
func measure(c *client, phases []phase, cfg config, next func() uint64) []result {
	var results []result
	health := phases[0]
	for _, p := range phases[1:] {
		if cfg.only != "" && !strings.Contains(p.name, cfg.only) {
			continue
		}
		if p.prepare != nil {
			if err := p.prepare(results); err != nil {
				results = append(results, result{name: p.name, errors: 1, firstErr: "prepare: " + err.Error()})
				continue
			}
		}
		// A short unmeasured run first: connections, caches and the heap
		// settle, so that no phase pays for the one before.
		closedLoop(c, health, cfg.conc, cfg.warmup/2, next())
		closedLoop(c, p, cfg.conc, cfg.warmup, next())
		var h, r result
		for k := 0; k < cfg.slices; k++ {
			h = h.add(closedLoop(c, health, cfg.conc, cfg.dur/time.Duration(cfg.slices), next()))
			var before cpuUse
			if cfg.meter != nil {
				before = cfg.meter()
			}
			r = r.add(closedLoop(c, p, cfg.conc, cfg.dur/time.Duration(cfg.slices), next()))
			if cfg.meter != nil {
				r.cpu = r.cpu.add(cfg.meter().sub(before))
			}
		}
		slices.Sort(r.lat)
		r.name, r.base = p.name, h.rps()
		results = append(results, r)
	}
	return results
}

// fixedRate runs the open-loop phases: reads (modules list + item view), then
// modules lists mixed half and half with first item views, each of which
// records progress (a durable write) before it is answered. With -rate auto
// their rate is half the closed-loop throughput of the same reads, measured
// just before: a fixed number meant a light load on one machine and an
// overload on another.
func fixedRate(c *client, w *world, phases []phase, cfg config, next func() uint64) error {
	list, item := phases[1], phases[2]
	// Every student views every open page once, unmeasured, so that the
	// item views below are reads: the closed-loop phases viewed only some.
	if err := w.viewAll(c, cfg.conc); err != nil {
		return err
	}
	rate := cfg.rate.n
	mix := phase{name: "reads", req: func(r *rand.Rand) (string, string, string, any, int) {
		if r.IntN(2) == 0 {
			return list.req(r)
		}
		return item.req(r)
	}}
	if cfg.rate.auto {
		closedLoop(c, mix, cfg.conc, cfg.warmup, next())
		capacity := closedLoop(c, mix, cfg.conc, cfg.dur, next())
		rate = int(capacity.rps() / 2)
		fmt.Printf("\nclosed-loop read capacity (modules list + item view, %d clients, %s): %.0f req/s; fixed rate = half: %d req/s\n",
			cfg.conc, cfg.dur, capacity.rps(), rate)
	}
	// Enough fresh students that every item view of the write mix (and of
	// its warm-up) is a first one, with a tenth to spare.
	need := rate*int((cfg.dur+cfg.warmup)/time.Millisecond)/2000*11/10/len(w.pages) + 1
	if err := w.addFresh(need, cfg.conc); err != nil {
		return err
	}
	stop, err := startProfiles(cfg)
	if err != nil {
		return err
	}
	defer stop()
	for _, m := range []struct {
		name string
		ps   []phase
	}{
		{"reads (modules list + item view)", []phase{list, item}},
		{"modules list + first item view (a write)", []phase{list, w.firstView()}},
	} {
		// An unmeasured run at the same rate first, as before every
		// closed-loop phase: without it the first half second of each
		// phase, spent growing the connection pool and the heap to the
		// new load, made most of the tail (requests due in that half
		// second waited up to 0.3 s, later ones under 2 ms).
		r, parts, err := openLoopApart(c, m.ps, rate, cfg.warmup, cfg.dur, cfg.data)
		if err != nil {
			return err
		}
		fmt.Printf("fixed rate %d req/s for %s, %s: sent %d, errors %d, p50 %s, p95 %s, p99 %s, max %s\n",
			rate, cfg.dur, m.name, r.n, r.errors, r.p(50), r.p(95), r.p(99), r.p(100))
		for i, p := range parts {
			fmt.Printf("    %-22s p50 %s, p99 %s, max %s\n", m.ps[i].name+":", p.p(50), p.p(99), p.p(100))
		}
		if r.firstErr != "" {
			fmt.Printf("    first error: %s\n", r.firstErr)
		}
	}
	if cfg.rate.auto {
		// Measured again, so that a drift of the machine's speed during
		// the fixed-rate phases shows (other work on a shared machine).
		after := closedLoop(c, mix, cfg.conc, cfg.dur, next())
		fmt.Printf("closed-loop read capacity again, after the fixed-rate phases: %.0f req/s\n", after.rps())
	}
	return nil
}

// startProfiles starts the execution trace and the blocking and mutex
// profiles asked for; the returned function writes them.
func startProfiles(cfg config) (func(), error) {
	var stops []func()
	stop := func() {
		for _, f := range stops {
			f()
		}
	}
	if cfg.trace != "" {
		f, err := os.Create(cfg.trace)
		if err != nil {
			return stop, err
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return stop, err
		}
		stops = append(stops, func() { trace.Stop(); f.Close() })
	}
	write := func(name, file string) func() {
		return func() {
			f, err := os.Create(file)
			if err != nil {
				fmt.Fprintln(os.Stderr, "loadtest:", err)
				return
			}
			defer f.Close()
			if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
				fmt.Fprintln(os.Stderr, "loadtest:", err)
			}
		}
	}
	if cfg.blockprofile != "" {
		runtime.SetBlockProfileRate(10_000) // one sample per 10 µs blocked
		stops = append(stops, write("block", cfg.blockprofile))
	}
	if cfg.mutexprofile != "" {
		runtime.SetMutexProfileFraction(5)
		stops = append(stops, write("mutex", cfg.mutexprofile))
	}
	return stop, nil
}

// fsyncBaseline measures one committed, fsync'd transaction per write, the
// rate group commit is compared with.
func fsyncBaseline(dir string, d time.Duration) (float64, error) {
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		err := db.Update(func(tx *storage.Tx) error {
			id, err := tx.NextID(storage.Settings)
			if err != nil {
				return err
			}
			return tx.PutRaw(storage.Settings, storage.ID(id), bytes.Repeat([]byte("x"), 200))
		})
		if err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// client is a tiny JSON client. With several bases (replicas) its requests
// take turns among them.
type client struct {
	bases []string
	turn  atomic.Uint64
	http  transport
}

func (c *client) url(path string) string {
	if len(c.bases) == 1 {
		return c.bases[0] + path
	}
	return c.bases[(c.turn.Add(1)-1)%uint64(len(c.bases))] + path
}

func (c *client) do(method, path, token string, body any, out any) (int, error) {
	ctype, raw := "application/json", []byte(nil)
	switch b := body.(type) {
	case nil:
	case []byte:
		ctype, raw = "video/mp4", b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return 0, err
		}
	}
	if c.http.fast != nil {
		return c.doFast(method, path, token, ctype, raw, out)
	}
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.url(path), rd)
	if err != nil {
		return 0, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.std.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		return res.StatusCode, json.NewDecoder(res.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

func (c *client) doFast(method, path, token, ctype string, body []byte, out any) (int, error) {
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	req.Header.SetMethod(method)
	req.SetRequestURI(c.url(path))
	if body != nil {
		req.Header.SetContentType(ctype)
		req.SetBodyRaw(body)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if err := c.http.fast.Do(req, res); err != nil {
		return 0, err
	}
	if out != nil && res.StatusCode() < 300 {
		return res.StatusCode(), json.Unmarshal(res.Body(), out)
	}
	return res.StatusCode(), nil
}

func (c *client) must(want int, method, path, token string, body, out any) error {
	code, err := c.do(method, path, token, body, out)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if code != want {
		return fmt.Errorf("%s %s: status %d, want %d", method, path, code, want)
	}
	return nil
}

type idOnly struct {
	ID uint64 `json:"id"`
}

// world is the seeded course.
type world struct {
	instructor            string
	course                uint64
	students              []string
	pages, lectures, asgn []uint64
	threads               []uint64
	replyThreads          []uint64
	// fresh are students who have viewed nothing: each of their item
	// views is a first one, which records progress (addFresh).
	fresh  []string
	viewed atomic.Int64 // first views handed out (see firstView)
	// added counts the students enrolled after the seed, so that each
	// addFresh numbers its own.
	added int
	// seenAll is set once every student has viewed every open page.
	seenAll bool
	cfg     config
	// deliver delivers queued replies (notifications, search postings);
	// deliverSubmitted, queued submissions (staff notifications).
	deliver, deliverSubmitted func() error
	// enroll creates student number i, enrolls them and signs them in.
	enroll func(i int) (string, error)
}

func seed(c *client, srv *server.Server, cfg config) (*world, error) {
	w := &world{cfg: cfg, deliver: func() error { return srv.Discussion.DeliverReplies(context.Background()) },
		deliverSubmitted: func() error { return srv.Deadlines.DeliverSubmitted(context.Background()) }}
	const pw = "load test password"
	token := func(email, name string) (string, error) {
		if _, err := srv.Auth.CreateUser(context.Background(), auth.NewUser{Email: email, Password: pw, Name: name}, false); err != nil {
			return "", err
		}
		t, _, err := srv.Auth.Login(context.Background(), email, pw)
		return t.AccessToken, err
	}
	ins, err := token("instructor@load.test", "Instructor")
	if err != nil {
		return nil, err
	}
	w.instructor = ins
	// The course started three weeks ago, so weeks 1-3 are open and due
	// times are spread before and after now.
	starts := time.Now().UTC().AddDate(0, 0, -21).Truncate(24 * time.Hour)
	var course idOnly
	if err := c.must(201, "POST", "/api/v1/courses", ins, map[string]any{"title": "Load", "published": true,
		"starts_at": starts.Format(time.RFC3339)}, &course); err != nil {
		return nil, err
	}
	w.course = course.ID
	video, vtt := demo.Lecture()
	var media idOnly
	if err := c.must(201, "POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=lecture.mp4", w.course), ins, video, &media); err != nil {
		return nil, err
	}
	_ = vtt
	for wk := 1; wk <= cfg.weeks; wk++ {
		var m idOnly
		if err := c.must(201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules", w.course), ins,
			map[string]any{"title": fmt.Sprintf("Week %d", wk), "week": wk}, &m); err != nil {
			return nil, err
		}
		for i := 0; i < cfg.items; i++ {
			body := map[string]any{"kind": "page", "title": fmt.Sprintf("Reading %d.%d", wk, i),
				"body": strings.Repeat("Some *Markdown* text of a realistic length. ", 40)}
			switch i {
			case 0:
				body = map[string]any{"kind": "lecture", "title": fmt.Sprintf("Lecture %d", wk), "media_id": media.ID}
			case 1:
				body = map[string]any{"kind": "assignment", "title": fmt.Sprintf("Exercise %d", wk), "body": "Answer the questions.", "points": 10}
			case 2:
				body = map[string]any{"kind": "discussion", "title": fmt.Sprintf("Discuss week %d", wk), "body": "What surprised you?"}
			}
			var it idOnly
			if err := c.must(201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", w.course, m.ID), ins, body, &it); err != nil {
				return nil, err
			}
			// Weeks 1-3 are open; only this week's assignment is still
			// accepted, so submissions go to week 3's.
			if wk <= 3 {
				switch body["kind"] {
				case "page":
					w.pages = append(w.pages, it.ID)
				case "lecture":
					w.lectures = append(w.lectures, it.ID)
				case "assignment":
					if wk == 3 {
						w.asgn = append(w.asgn, it.ID)
					}
				}
			}
		}
	}
	w.enroll = func(i int) (string, error) {
		t, err := token(fmt.Sprintf("student%d@load.test", i), fmt.Sprintf("Student %d", i))
		if err != nil {
			return "", err
		}
		return t, c.must(201, "POST", fmt.Sprintf("/api/v1/courses/%d/enroll", w.course), t, map[string]any{}, nil)
	}
	for i := 0; i < cfg.students; i++ {
		t, err := w.enroll(i)
		if err != nil {
			return nil, err
		}
		w.students = append(w.students, t)
	}
	var boards struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	if err := c.must(200, "GET", fmt.Sprintf("/api/v1/courses/%d/boards", w.course), ins, nil, &boards); err != nil {
		return nil, err
	}
	if len(boards.Items) == 0 {
		return nil, fmt.Errorf("the course has no board")
	}
	for i := 0; i < cfg.threads; i++ {
		var th idOnly
		author := w.students[i%len(w.students)]
		if err := c.must(201, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", boards.Items[0].ID), author,
			map[string]any{"title": fmt.Sprintf("Question %d about week %d", i, i%3+1), "body": "I am stuck on the standard error."}, &th); err != nil {
			return nil, err
		}
		w.threads = append(w.threads, th.ID)
		for j := 0; j < cfg.replies; j++ {
			who := w.students[(i*cfg.replies+j)%len(w.students)]
			if err := c.must(201, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", th.ID), who,
				map[string]any{"body": "Divide the standard deviation by the square root of n."}, nil); err != nil {
				return nil, err
			}
		}
	}
	// Replies under load spread over threads of their own, so that the
	// thread pages read above keep their size and each reply reaches the
	// few dozen subscribers a real thread has.
	for i := 0; i < cfg.threads; i++ {
		var th idOnly
		if err := c.must(201, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", boards.Items[0].ID), w.students[(i*7)%len(w.students)],
			map[string]any{"title": fmt.Sprintf("Study group %d", i), "body": "Who wants to meet?"}, &th); err != nil {
			return nil, err
		}
		w.replyThreads = append(w.replyThreads, th.ID)
	}
	return w, nil
}

// phase is one kind of request.
type phase struct {
	name string
	req  func(r *rand.Rand) (method, path, token string, body any, want int)
	// settle, when set, runs at the end of each measured slice and counts
	// in its time: work the route leaves to be done in batches (the
	// delivery of replies), which would otherwise fall in the next slice.
	settle func() error
	// prepare, when set, runs before the phase, unmeasured, given the
	// results measured so far.
	prepare func(before []result) error
}

func (w *world) student(r *rand.Rand) string { return w.students[r.IntN(len(w.students))] }

// firstView is a page view that is each time the first of its learner and
// page: a progress write. Learners take turns, so that consecutive views are
// of different learners, as when a class works through a week.
func (w *world) firstView() phase {
	return phase{name: "GET item (first view)", req: func(*rand.Rand) (string, string, string, any, int) {
		k := int(w.viewed.Add(1) - 1)
		if k >= len(w.fresh)*len(w.pages) {
			// Out of first views: the caller checked there were enough.
			return "GET", "/healthz", "", nil, 0
		}
		learner, page := k%len(w.fresh), k/len(w.fresh)
		return "GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, w.pages[page]), w.fresh[learner], nil, 200
	}}
}

// firstViews is the closed-loop phase of first views (firstView), with
// enough fresh learners enrolled before it for the rate the item views
// reached, and a tenth to spare; running out shows as errors.
func (w *world) firstViews() phase {
	p := w.firstView()
	p.prepare = func(before []result) error {
		rate := 2000.0 // when the item views did not run
		for _, r := range before {
			if r.name == "GET item (page)" {
				rate = r.rps()
			}
		}
		need := int(rate*(w.cfg.dur+w.cfg.warmup).Seconds()*1.1)/len(w.pages) + 1
		return w.addFresh(need, w.cfg.conc)
	}
	return p
}

// viewAll has every student (not the fresh ones) view every open page.
func (w *world) viewAll(c *client, conc int) error {
	if w.seenAll {
		return nil
	}
	w.seenAll = true
	return each(len(w.students)*len(w.pages), conc, func(k int) error {
		path := fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, w.pages[k/len(w.students)])
		return c.must(200, "GET", path, w.students[k%len(w.students)], nil, nil)
	})
}

// addFresh enrolls n students who have viewed nothing.
func (w *world) addFresh(n, conc int) error {
	base := len(w.students) + w.added
	w.added += n
	toks := make([]string, n)
	err := each(n, conc, func(k int) error {
		t, err := w.enroll(base + k)
		toks[k] = t
		return err
	})
	w.fresh = toks
	w.viewed.Store(0)
	return err
}

// each runs fn for every k in [0, n) on conc goroutines and returns the
// first error; after one, the others take no new k.
func each(n, conc int, fn func(k int) error) error {
	var next atomic.Int64
	errs := make(chan error, conc)
	for g := 0; g < conc; g++ {
		go func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= n {
					errs <- nil
					return
				}
				if err := fn(k); err != nil {
					next.Store(int64(n)) // stop the others
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for g := 0; g < conc; g++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (w *world) phases() []phase {
	return []phase{
		{name: "GET /healthz", req: func(r *rand.Rand) (string, string, string, any, int) { return "GET", "/healthz", "", nil, 200 }},
		{name: "GET modules (student)", req: func(r *rand.Rand) (string, string, string, any, int) {
			return "GET", fmt.Sprintf("/api/v1/courses/%d/modules", w.course), w.student(r), nil, 200
		}},
		// A page the learner has seen before (see run): a read.
		{name: "GET item (page)", req: func(r *rand.Rand) (string, string, string, any, int) {
			return "GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, w.pages[r.IntN(len(w.pages))]), w.student(r), nil, 200
		}},
		w.firstViews(),
		{name: "GET thread (50 posts)", req: func(r *rand.Rand) (string, string, string, any, int) {
			return "GET", fmt.Sprintf("/api/v1/threads/%d?limit=50", w.threads[r.IntN(len(w.threads))]), w.student(r), nil, 200
		}},
		{name: "POST watch heartbeat", req: func(r *rand.Rand) (string, string, string, any, int) {
			from := float64(r.IntN(20))
			return "POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, w.lectures[r.IntN(len(w.lectures))]), w.student(r),
				map[string]any{"from_seconds": from, "to_seconds": from + 5, "position_seconds": from + 5}, 200
		}},
		{name: "POST reply", req: func(r *rand.Rand) (string, string, string, any, int) {
			return "POST", fmt.Sprintf("/api/v1/threads/%d/replies", w.replyThreads[r.IntN(len(w.replyThreads))]), w.student(r),
				map[string]any{"body": "Hello from a load test, with a few words of text."}, 201
		}, settle: w.deliver},
		{name: "POST submission", req: func(r *rand.Rand) (string, string, string, any, int) {
			return "POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", w.course, w.asgn[r.IntN(len(w.asgn))]), w.student(r),
				map[string]any{"body": "My answer is 42."}, 201
		}, settle: w.deliverSubmitted},
	}
}

type result struct {
	name     string
	base     float64 // /healthz req/s in the slices alternating with this route's
	n        int
	errors   int
	limited  int
	elapsed  time.Duration
	lat      []time.Duration
	firstErr string
	// cpu is what the route's slices cost the replicas and PostgreSQL
	// (with -replicas: config.meter).
	cpu cpuUse
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

// add sums two slices of one phase (latencies are sorted by the caller).
func (r result) add(o result) result {
	r.n += o.n
	r.errors += o.errors
	r.limited += o.limited
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
	if r.firstErr == "" {
		r.firstErr = o.firstErr
	}
	return r
}

func (r result) p(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat)-1) * q / 100)
	return r.lat[i].Round(10 * time.Microsecond)
}

// closedLoop runs conc clients, each sending its next request when the last
// is answered, for d.
// Each call draws other requests: seeds start at seed.
func closedLoop(c *client, p phase, conc int, d time.Duration, seed uint64) result {
	deadline := time.Now().Add(d)
	return loadWhile(c, p, conc, func() bool { return time.Now().Before(deadline) }, seed)
}

// loadWhile is closedLoop for as long as more says so.
func loadWhile(c *client, p phase, conc int, more func() bool, seed uint64) result {
	var mu sync.Mutex
	res := result{name: p.name}
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			var lat []time.Duration
			n, errs, limited := 0, 0, 0
			first := ""
			for more() {
				method, path, tok, body, want := p.req(r)
				t0 := time.Now()
				code, err := c.do(method, path, tok, body, nil)
				lat = append(lat, time.Since(t0))
				n++
				switch {
				case code == 429:
					limited++
				case err != nil || code != want:
					errs++
					if first == "" {
						first = fmt.Sprintf("%s %s: %d %v", method, path, code, err)
					}
				}
			}
			mu.Lock()
			res.n += n
			res.errors += errs
			res.limited += limited
			res.lat = append(res.lat, lat...)
			if res.firstErr == "" {
				res.firstErr = first
			}
			mu.Unlock()
		}(seed + uint64(i))
	}
	wg.Wait()
	if p.settle != nil {
		if err := p.settle(); err != nil {
			res.errors++
			if res.firstErr == "" {
				res.firstErr = fmt.Sprintf("%s: settle: %v", p.name, err)
			}
		}
	}
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	return res
}

// maxInFlight bounds the open loop's requests in flight (and connections).
const maxInFlight = 2048

func report(rs []result, commitRate float64) {
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\treq/s\t/healthz req/s alongside\tratio to healthz\tp50\tp95\tp99\terrors\t429s\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%s\t%s\t%s\t%d\t%d\t\n", r.name, r.rps(), r.base, r.rps()/r.base, r.p(50), r.p(95), r.p(99), r.errors, r.limited)
	}
	tw.Flush()
	for _, r := range rs {
		if r.firstErr != "" {
			fmt.Printf("first error in %s: %s\n", r.name, r.firstErr)
		}
	}
	for _, r := range rs {
		if r.name == "POST reply" {
			fmt.Printf("\none fsync'd commit per write: %.0f writes/s; concurrent replies: %.0f/s = %.1fx\n", commitRate, r.rps(), r.rps()/commitRate)
		}
	}
}

// tempData gives cfg a temporary data directory when it names none, and
// returns what removes it.
func tempData(cfg *config) (cleanup func(), err error) {
	if cfg.data != "" {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "pacer-load-*")
	if err != nil {
		return nil, err
	}
	cfg.data = dir
	return func() { os.RemoveAll(dir) }, nil
}
