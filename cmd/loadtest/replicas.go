package main

// The replicas mode: what being distributed costs on PostgreSQL. The same
// routes as the single-process mode are measured against one replica, then
// against two (or whatever counts -replicas lists), each a real pacer
// process on the one database, with requests taking turns among them; the
// report puts each route's throughput side by side with the ratio of the
// last count to the first. Then a scheduler job runs at once on every
// replica, several times, while the routes keep the replicas busy, and each
// learner's notifications must show its effect exactly once.
//
// All the processes run on this machine, so two replicas share the CPUs
// one had: the ratio shows what replicas add in coordination (revision
// reads, retried serializable transactions, the pool per process), not
// what a second machine would add in capacity.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"pacer/auth"
	"pacer/deadlines"
	"pacer/notify"
	"pacer/server"
)

// replicasFlag is the -replicas flag: replica counts, ascending.
type replicasFlag []int

func (f *replicasFlag) String() string {
	parts := make([]string, len(*f))
	for i, n := range *f {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (f *replicasFlag) Set(s string) error {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 16 {
			return errors.New("want replica counts from 1 to 16, separated by commas (1,2)")
		}
		out = append(out, n)
	}
	slices.Sort(out)
	*f = slices.Compact(out)
	return nil
}

// jwtSecret signs every token: the seeding process's and every replica's,
// so a token issued once is valid on all of them.
const jwtSecret = "the load test's signing key, shared by every replica"

func runReplicas(cfg config) error {
	if !server.IsPostgres(cfg.store) {
		return errors.New("-replicas needs -store postgres://… naming an empty database: the replicas share it")
	}
	if cfg.jobRuns < 1 {
		return errors.New("-job-runs must be at least 1")
	}
	cleanup, err := tempData(&cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	bin := cfg.pacer
	if bin == "" {
		var err error
		if bin, err = buildPacer(cfg.data); err != nil {
			return err
		}
	}
	// One data directory for all: media files stay under --data on this
	// engine, so the replicas share it as replicas on several machines
	// would share a volume (or, later, a bucket). The lecture uploaded
	// through one is then there for all.
	data := filepath.Join(cfg.data, "data")

	// The accounts are made in this process, with cheap hashing, through
	// a server on the same database that never serves: the replicas hash
	// at OWASP cost, which for a thousand accounts would take minutes.
	// It migrates the empty database before any replica starts, and is
	// closed before anything is measured.
	seeder, err := server.New(server.Config{DataDir: data, Store: cfg.store, Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1},
		Tick: time.Hour, JWTSecret: jwtSecret, AccessTTL: 24 * time.Hour,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		return err
	}
	seederOpen := true
	defer func() {
		if seederOpen {
			seeder.Close(context.Background())
		}
	}()

	var reps []*replica
	defer func() {
		for i := len(reps) - 1; i >= 0; i-- {
			if err := reps[i].stop(); err != nil {
				fmt.Fprintf(os.Stderr, "loadtest: replica %d: %v\n", reps[i].n, err)
			}
		}
	}()
	grow := func(n int) error {
		for len(reps) < n {
			r, err := startReplica(bin, len(reps)+1, cfg.store, data)
			if err != nil {
				return err
			}
			reps = append(reps, r)
		}
		return nil
	}
	if err := grow(1); err != nil {
		return err
	}
	h := newTransport(cfg.light)
	start := time.Now()
	w, err := seed(&client{bases: []string{reps[0].base}, http: h}, seeder, cfg)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	admin, err := adminToken(seeder)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	// Each replica delivers the replies and submissions it acknowledged
	// every 200 ms of its own; the seeder, which served none, has nothing
	// to deliver.
	w.deliver, w.deliverSubmitted = nil, nil
	seederOpen = false
	if err := seeder.Close(context.Background()); err != nil {
		return err
	}
	fmt.Printf("seeded %d students, %d modules x %d items, %d threads x %d replies through replica 1 in %s\n",
		cfg.students, cfg.weeks, cfg.items, cfg.threads, cfg.replies, time.Since(start).Round(time.Millisecond))
	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d), %s; replicas: %s processes of %s on one PostgreSQL database, on this machine\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), cfg.replicas.String(), bin)

	// First views enrol learners through the seeder, closed by now.
	phases := slices.DeleteFunc(w.phases(), func(p phase) bool { return p.prepare != nil })
	seeds := uint64(1)
	next := func() uint64 { seeds += uint64(cfg.conc); return seeds }
	byCount := make([][]result, len(cfg.replicas))
	for i, n := range cfg.replicas {
		if err := grow(n); err != nil {
			return err
		}
		if i == 0 && (cfg.only == "" || strings.Contains("GET item (page)", cfg.only)) {
			// The item views are of pages seen before: reads.
			if err := w.viewAll(&client{bases: bases(reps[:n]), http: h}, cfg.conc); err != nil {
				return err
			}
		}
		fmt.Printf("measuring with %d replica(s)…\n", n)
		cfg.meter = meterOf(func() []int {
			pids := make([]int, n)
			for k, r := range reps[:n] {
				pids[k] = r.cmd.Process.Pid
			}
			return pids
		})
		byCount[i] = measure(&client{bases: bases(reps[:n]), http: h}, phases, cfg, next)
	}
	reportReplicas(cfg.replicas, byCount)

	ok, err := checkOnce(h, reps, w, admin, phases, cfg, next)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("the exactly-once check failed")
	}
	return nil
}

// buildPacer builds the pacer binary of this module into dir.
func buildPacer(dir string) (string, error) {
	bin := filepath.Join(dir, "pacer")
	cmd := exec.Command("go", "build", "-o", bin, "pacer")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build pacer (run from the module, or give -pacer): %w", err)
	}
	return bin, nil
}

// adminToken makes an administrator, who may run jobs on any replica.
func adminToken(srv *server.Server) (string, error) {
	const email, pw = "admin@load.test", "load test password"
	ctx := context.Background()
	if _, err := srv.Auth.CreateUser(ctx, auth.NewUser{Email: email, Password: pw, Name: "Admin"}, true); err != nil {
		return "", err
	}
	t, _, err := srv.Auth.Login(ctx, email, pw)
	return t.AccessToken, err
}

// replica is one pacer process serving on a loopback port.
type replica struct {
	n    int
	base string
	cmd  *exec.Cmd
	// exited receives the process's end once (Wait's error).
	exited chan error
}

func bases(reps []*replica) []string {
	out := make([]string, len(reps))
	for i, r := range reps {
		out[i] = r.base
	}
	return out
}

// startReplica starts replica n and waits until /readyz answers 200. The
// flags are the ones an operator would give, with the limits meant for
// the public lifted: the tool's clients are thousands of learners on one
// address.
func startReplica(bin string, n int, store, data string) (*replica, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, "serve", "--addr", addr, "--store", store, "--data", data,
		"--base-url", "http://"+addr, "--tick", "1h", "--auth-rate", "0", "--max-conns-per-ip", "-1", "--log-level", "error")
	// PACER_REPLICA_ID names the replica in its logs once the server knows
	// it; an environment variable it does not know is ignored.
	cmd.Env = append(os.Environ(), "PACER_JWT_SECRET="+jwtSecret, fmt.Sprintf("PACER_REPLICA_ID=load-%d", n))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start replica %d: %w", n, err)
	}
	r := &replica{n: n, base: "http://" + addr, cmd: cmd, exited: make(chan error, 1)}
	go func() { r.exited <- cmd.Wait() }()
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := hc.Get(r.base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return r, nil
			}
		}
		select {
		case err := <-r.exited:
			r.exited <- err
			return nil, fmt.Errorf("replica %d exited before it was ready: %v", n, err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.stop()
			return nil, fmt.Errorf("replica %d was not ready within a minute", n)
		}
	}
}

// freePort asks the system for a free loopback port. Another program may
// take it before the replica does; the replica then fails to start, and
// says so.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// stop asks the replica to shut down as an orchestrator would (SIGTERM),
// and kills it if it has not within 40 s (its own shutdown allows 30).
func (r *replica) stop() error {
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		r.cmd.Process.Kill()
	}
	select {
	case err := <-r.exited:
		r.exited <- err
		return err
	case <-time.After(40 * time.Second):
		r.cmd.Process.Kill()
		err := <-r.exited
		r.exited <- err
		return fmt.Errorf("did not stop within 40 s after SIGTERM; killed")
	}
}

// reportReplicas prints each route's throughput at each replica count,
// the ratio of the last count to the first, and the CPU a request cost
// the replicas and PostgreSQL (from /proc: what the capacity model of the
// README is computed from).
func reportReplicas(counts []int, byCount [][]result) {
	first, last := counts[0], counts[len(counts)-1]
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\nroute\t")
	for _, n := range counts {
		fmt.Fprintf(tw, "req/s x%d\t", n)
	}
	if len(counts) > 1 {
		fmt.Fprintf(tw, "%d÷%d\t", last, first)
	}
	for _, n := range counts {
		fmt.Fprintf(tw, "p99 x%d\t", n)
	}
	for _, n := range counts {
		fmt.Fprintf(tw, "CPU/req x%d: pacer+pg\t", n)
	}
	fmt.Fprint(tw, "errors\t429s\t\n")
	for i := range byCount[0] {
		fmt.Fprintf(tw, "%s\t", byCount[0][i].name)
		for k := range counts {
			fmt.Fprintf(tw, "%.0f\t", byCount[k][i].rps())
		}
		if len(counts) > 1 {
			fmt.Fprintf(tw, "%.2f\t", byCount[len(counts)-1][i].rps()/byCount[0][i].rps())
		}
		errs, limited := 0, 0
		for k := range counts {
			fmt.Fprintf(tw, "%s\t", byCount[k][i].p(99))
			errs += byCount[k][i].errors
			limited += byCount[k][i].limited
		}
		for k := range counts {
			r := byCount[k][i]
			per := func(d time.Duration) string {
				return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000/float64(max(r.n, 1)))
			}
			fmt.Fprintf(tw, "%s+%s ms\t", per(r.cpu.replicas), per(r.cpu.postgres))
		}
		fmt.Fprintf(tw, "%d\t%d\t\n", errs, limited)
	}
	tw.Flush()
	for k, n := range counts {
		for _, r := range byCount[k] {
			if r.firstErr != "" {
				fmt.Printf("first error in %s with %d replica(s): %s\n", r.name, n, r.firstErr)
			}
		}
	}
}

// openingTitle names the module the exactly-once check opens.
const openingTitle = "Opens under load"

// checkOnce is the exactly-once check. A module that opens now is added;
// then, while every route but /healthz keeps all the replicas busy,
// open_windows runs jobRuns times on every replica at once (through the
// admin route, which runs it whether or not the replica leads, so the runs
// really overlap); afterwards every learner must have exactly one
// module_opened notification for it, and the runs together must have told
// as many learners as there are.
func checkOnce(h transport, reps []*replica, w *world, admin string, phases []phase, cfg config, next func() uint64) (bool, error) {
	all := &client{bases: bases(reps), http: h}
	// The opening is after every learner enrolled (in the seeding), so it
	// is news to each of them.
	var mod idOnly
	if err := all.must(201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules", w.course), w.instructor,
		map[string]any{"title": openingTitle, "opens_at": time.Now().UTC(), "published": true}, &mod); err != nil {
		return false, err
	}
	routes := phases[1:]
	mix := phase{name: "all routes", req: func(r *rand.Rand) (string, string, string, any, int) {
		return routes[r.IntN(len(routes))].req(r)
	}}
	var jobsDone atomic.Bool
	started := time.Now()
	loaded := make(chan result, 1)
	go func() {
		loaded <- loadWhile(all, mix, cfg.conc, func() bool {
			return !jobsDone.Load() || time.Since(started) < cfg.dur
		}, next())
	}()
	// A moment of load before the first round, so the runs meet a busy
	// database rather than an idle one.
	time.Sleep(min(cfg.dur/4, 500*time.Millisecond))
	var (
		mu      sync.Mutex
		changed int
		runErrs []string
	)
	for round := 0; round < cfg.jobRuns; round++ {
		var wg sync.WaitGroup
		for _, r := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var res struct {
					Changed int    `json:"changed"`
					Error   string `json:"error"`
				}
				one := &client{bases: []string{r.base}, http: h}
				err := one.must(200, "POST", "/api/v1/admin/jobs/"+deadlines.JobOpenWindows+"/run", admin, nil, &res)
				mu.Lock()
				defer mu.Unlock()
				changed += res.Changed
				switch {
				case err != nil:
					runErrs = append(runErrs, fmt.Sprintf("replica %d: %v", r.n, err))
				case res.Error != "":
					runErrs = append(runErrs, fmt.Sprintf("replica %d: the run failed: %s", r.n, res.Error))
				}
			}()
		}
		wg.Wait()
	}
	jobsDone.Store(true)
	load := <-loaded

	told, err := countOpened(all, w.students, cfg.conc)
	if err != nil {
		return false, err
	}
	once, never, more := 0, 0, 0
	for _, n := range told {
		switch {
		case n == 1:
			once++
		case n == 0:
			never++
		default:
			more++
		}
	}
	ok := once == len(w.students) && changed == len(w.students) && len(runErrs) == 0
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
	}
	fmt.Printf("\nexactly once: %s run %d times on each of %d replicas at once, under load (%d requests, %d errors, %d 429s):\n",
		deadlines.JobOpenWindows, cfg.jobRuns, len(reps), load.n, load.errors, load.limited)
	fmt.Printf("    %d learners: told once %d, never %d, more than once %d; the runs reported %d told in all: %s\n",
		len(w.students), once, never, more, changed, verdict)
	for _, e := range runErrs {
		fmt.Printf("    %s\n", e)
	}
	if load.firstErr != "" {
		fmt.Printf("    first error of the load: %s\n", load.firstErr)
	}
	return ok, nil
}

// countOpened counts each learner's module_opened notifications for the
// check's module, as the learner's own notification list shows them.
func countOpened(c *client, students []string, conc int) ([]int, error) {
	counts := make([]int, len(students))
	err := each(len(students), conc, func(k int) error {
		n, err := countFor(c, students[k])
		counts[k] = n
		return err
	})
	return counts, err
}

func countFor(c *client, token string) (int, error) {
	n, cursor := 0, ""
	for {
		var p notify.Page
		path := "/api/v1/notifications?limit=200"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.must(200, "GET", path, token, nil, &p); err != nil {
			return 0, err
		}
		for _, it := range p.Items {
			if it.Kind == notify.KindModuleOpened && it.Title == openingTitle+" is open" {
				n++
			}
		}
		if p.NextCursor == "" {
			return n, nil
		}
		cursor = p.NextCursor
	}
}
