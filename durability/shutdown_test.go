package durability_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pacer/durability"
)

// TestSIGTERMUnderLoadAnswersEveryRequestAndExitsZero sends SIGTERM while
// sixteen writers post, sixteen readers list modules on kept-alive
// connections, an administrator runs scheduler jobs one after another (POST /api/v1/admin/jobs/:job/run) on a server whose scheduler
// also ticks every second, and four replies are provably in flight (the
// server has read their headers and answered 100 Continue; half the body is
// sent). Then:
//
//   - each held reply, finished after the signal, gets a complete 201;
//   - every request written before the signal on a kept-alive connection
//     gets a complete answer, and every answer is complete and expected
//     (no 5xx);
//   - the process exits with status 0, within 10 s (steady traffic must not
//     hold the drain open), having logged "stopped cleanly" and no error;
//   - after a restart every acknowledged write is there, once, and the file
//     checks clean.
//
// A request written after the signal may find the listener closed
// (connection refused) or its idle keep-alive connection closed, and one
// on a new connection just before it may still sit in the accept queue
// when the listener closes; such requests never reached the server, and
// are only counted.
func TestSIGTERMUnderLoadAnswersEveryRequestAndExitsZero(t *testing.T) {
	bin := pacerBinary(t)
	s := durability.Seed(t)
	rng := rand.New(rand.NewPCG(s, 0x7e53))
	dir := t.TempDir()
	const admin = "admin@durability.test"
	if err := durability.AddUser(bin, dir, admin, "Admin", durability.Password, true); err != nil {
		t.Fatal(err)
	}
	p, err := durability.Start(bin, dir, "--tick", "1s")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !p.Exited() {
			p.Kill()
		}
	})
	c := durability.NewClient(p.Base)
	co, err := durability.Setup(c, 16)
	if err != nil {
		t.Fatal(err)
	}
	adminToken, err := c.Login(admin)
	if err != nil {
		t.Fatal(err)
	}
	var jobs struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := c.JSON(200, "GET", "/api/v1/admin/jobs", adminToken, nil, &jobs); err != nil || len(jobs.Items) == 0 {
		t.Fatalf("jobs: %v %+v", err, jobs)
	}

	ledger := durability.NewLedger(len(co.Students))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		(&durability.Writers{Client: c, Course: co, Ledger: ledger, Round: 1, Seed: s}).Run(ctx)
	}()
	// The administrator runs the jobs one after another, so that a job is
	// running (inside a request) at nearly every instant, the signal's too.
	var jobRuns, jobsStopping int
	var jobProblems []string
	var jobErrors []*durability.TransportError
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			name := jobs.Items[i%len(jobs.Items)].Name
			res, err := c.Send("POST", "/api/v1/admin/jobs/"+name+"/run", adminToken, nil)
			switch {
			case err != nil:
				jobErrors = append(jobErrors, err)
				if err.Refused {
					return // the server stopped listening
				}
			case res.Status == 200:
				jobRuns++
			case res.Status == 409 && strings.Contains(string(res.Body), "stopping"):
				jobsStopping++
			default:
				jobProblems = append(jobProblems, fmt.Sprintf("run %s: %d %.200s", name, res.Status, res.Body))
			}
		}
	}()

	// Readers keep their own kept-alive connections busy (answers to
	// requests with a body close their connection, reads do not), so the
	// drain meets steady traffic on connections it did not accept anew.
	var readMu sync.Mutex
	var reads int
	var readProblems []string
	var readErrors []durability.TransportError
	for i := range co.Students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := c.Own()
			defer rc.Close()
			path := fmt.Sprintf("/api/v1/courses/%d/modules", co.ID)
			for ctx.Err() == nil {
				res, err := rc.Send("GET", path, co.Students[i].Token, nil)
				readMu.Lock()
				switch {
				case err != nil:
					readErrors = append(readErrors, *err)
				case res.Status == 200:
					reads++
				default:
					readProblems = append(readProblems, fmt.Sprintf("GET %s: %d %.200s", path, res.Status, res.Body))
				}
				readMu.Unlock()
				if err != nil && err.Refused {
					return
				}
			}
		}()
	}

	target := 100 + rng.IntN(200)
	select {
	case <-ledger.AfterAcks(target):
	case <-time.After(time.Minute):
		t.Fatalf("only %d of %d acknowledgements in a minute: %s", ledger.Acks(), target, ledger.Summary())
	}
	var held []*durability.Held
	for k := range 4 {
		h, err := durability.HoldReply(c, co, ledger, durability.Marker(1, 100+k, 0))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, h)
	}
	signalled := time.Now()
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	t.Logf("SIGTERM after %d acknowledged writes, with %d replies held in flight", ledger.Acks(), len(held))
	for _, h := range held {
		res, err := h.Finish()
		if err != nil || res.Status != 201 {
			t.Errorf("held reply %s: %d %v %.200s", h.Marker, res.Status, err, res.Body)
		}
	}
	exit := p.Wait(45 * time.Second)
	stoppedIn := time.Since(signalled)
	cancel()
	wg.Wait()
	if exit != nil {
		t.Errorf("exit after SIGTERM: %v", exit)
	}
	// Steady traffic on kept-alive connections must not hold the drain
	// open: it once took 21 s (of its 30 s allowance) with 16 writers.
	if stoppedIn > 10*time.Second {
		t.Errorf("the server took %s to stop after SIGTERM", stoppedIn.Round(time.Millisecond))
	}
	t.Logf("exited %v in %s; writers: %s; job runs: %d answered, %d refused as stopping, %d unanswered; reads: %d answered, %d unanswered",
		exit, stoppedIn.Round(time.Millisecond), ledger.Summary(), jobRuns, jobsStopping, len(jobErrors), reads, len(readErrors))
	if !strings.Contains(p.Log(), "stopped cleanly") {
		t.Error(`the log lacks "stopped cleanly"`)
	}
	reportProblems(t, prefix("server error: ", serverErrors(t, p)))
	reportProblems(t, prefix("unexpected answer: ", ledger.Unexpected()))
	reportProblems(t, jobProblems)
	reportProblems(t, readProblems)
	// A request written before the signal on a connection the server had
	// already served must be answered: the server has it. One written
	// before the signal on a new connection may still have been in the
	// listener's accept queue when the listener closed (the kernel resets
	// those), and one written after the signal may find its idle
	// connection closed; neither ever reached the server, and both are
	// only counted.
	var queued, late int
	for _, e := range append(append(ledger.TransportErrors(), deref(jobErrors)...), readErrors...) {
		switch {
		case e.Refused:
		case e.Wrote.IsZero() || !e.Wrote.Before(signalled):
			late++
		case !e.Reused:
			queued++
		default:
			t.Errorf("%s, written %s before SIGTERM on a kept-alive connection, got no answer: %s",
				e.Op, signalled.Sub(e.Wrote), e.Err)
		}
	}
	if queued+late > 0 {
		t.Logf("never reached the server: %d requests on new connections written just before SIGTERM, %d written after it", queued, late)
	}
	if t.Failed() {
		t.Logf("server output:\n%s", p.Log())
		return
	}

	p, err = durability.Start(bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	c = durability.NewClient(p.Base)
	res, err := durability.Verify(c, co, ledger, ledger)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after restart: %s", res)
	reportProblems(t, res.Problems)
	// Every job ran, and none failed other than by being stopped.
	var status struct {
		Items []struct {
			Name      string `json:"name"`
			Runs      int    `json:"runs"`
			LastError string `json:"last_error"`
		} `json:"items"`
	}
	if adminToken, err = c.Login(admin); err != nil {
		t.Fatal(err)
	}
	if err := c.JSON(200, "GET", "/api/v1/admin/jobs", adminToken, nil, &status); err != nil {
		t.Fatal(err)
	}
	for _, j := range status.Items {
		t.Logf("job %s: %d runs, last error %q", j.Name, j.Runs, j.LastError)
		if j.Runs == 0 || (j.LastError != "" && !strings.Contains(j.LastError, "context canceled")) {
			t.Errorf("job %s: %d runs, last error %q", j.Name, j.Runs, j.LastError)
		}
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	reportProblems(t, prefix("restarted server error: ", serverErrors(t, p)))
	if err := durability.CheckFile(dir); err != nil {
		t.Fatal(err)
	}
}

func deref(es []*durability.TransportError) []durability.TransportError {
	out := make([]durability.TransportError, len(es))
	for i, e := range es {
		out[i] = *e
	}
	return out
}

// serverErrors are the process's error lines, less a job cut short by the
// scheduler's stop ("context canceled"): by design (each job is idempotent
// and catches up at its next run), though logged at level ERROR.
func serverErrors(t *testing.T, p *durability.Proc) []string {
	var out []string
	for _, l := range p.ErrorLines() {
		if strings.Contains(l, "scheduler: job failed") && strings.Contains(l, "context canceled") {
			t.Logf("a job was stopped mid-run: %s", l)
			continue
		}
		out = append(out, l)
	}
	return out
}
