package deadlines_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"pacer/deadlines"
	"pacer/jobs"
	"pacer/pacertest"
	"pacer/server"
)

// run calls a job directly at a chosen instant and returns what it changed.
func run(t *testing.T, env *pacertest.Env, job string, at time.Time) int {
	t.Helper()
	res, err := env.Server.Scheduler.RunAt(job, at)
	if err != nil || res.Error != "" {
		t.Fatalf("%s at %s: %v %s", job, at, err, res.Error)
	}
	return res.Changed
}

// finishWeek1 completes Week 1 for u (the essay and the reading).
func (f *fixture) finishWeek1(t *testing.T, u pacertest.User) {
	t.Helper()
	saved := f.env.Clock.Now()
	f.env.Clock.Set(courseStart.Add(time.Hour))
	if r := f.submit(u, f.essay, "done"); r.Status != 201 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	if r := f.env.Do("GET", f.path("/items/%d", f.page), u.Token, nil); r.Status != 200 {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	f.env.Clock.Set(saved)
}

func TestOpenWindowsTellsEachLearnerOnce(t *testing.T) {
	f := newFixture(t)
	env := f.env
	if n := run(t, env, "open_windows", courseStart.Add(-time.Second)); n != 0 {
		t.Fatalf("before the start: %d", n)
	}
	if n := run(t, env, "open_windows", courseStart); n != 1 {
		t.Fatalf("at the start: %d, want Week 1 for Ann", n)
	}
	if n := run(t, env, "open_windows", courseStart.Add(time.Minute)); n != 0 {
		t.Fatalf("a second run changed %d", n)
	}
	// Carl joins after Week 1 opened: that opening is no news to him.
	carl := env.Register("Carl")
	env.Clock.Set(courseStart.Add(time.Hour))
	env.Enroll(carl, f.course)
	if n := run(t, env, "open_windows", week1Due); n != 2 {
		t.Fatalf("when Week 2 opens: %d, want Ann and Carl", n)
	}
	ns := notifications(t, env, f.ann)
	if countKind(ns, "module_opened") != 2 || !strings.Contains(ns[0].Title, "Week 2") || ns[0].Link != f.path("")[len("/api/v1"):]+"/modules/"+itoa(f.week2) {
		t.Fatalf("ann's notifications = %+v", ns)
	}
	if cs := notifications(t, env, carl); countKind(cs, "module_opened") != 1 || !strings.Contains(cs[0].Title, "Week 2") {
		t.Fatalf("carl's notifications = %+v", cs)
	}
	if countKind(notifications(t, env, f.inst), "module_opened") != 0 {
		t.Fatal("staff were told of openings")
	}
}

func TestDeadlineRemindersOnceAndNotForDoneWork(t *testing.T) {
	f := newFixture(t)
	env := f.env
	bob := env.Register("Bob")
	env.Enroll(bob, f.course)
	f.finishWeek1(t, bob)

	if n := run(t, env, "deadline_reminders", week1Due.Add(-ReminderBefore-time.Second)); n != 0 {
		t.Fatalf("a second before the reminder window: %d", n)
	}
	if n := run(t, env, "deadline_reminders", week1Due.Add(-ReminderBefore)); n != 1 {
		t.Fatalf("24 h before: %d, want Ann only", n)
	}
	if n := run(t, env, "deadline_reminders", week1Due.Add(-time.Second)); n != 0 {
		t.Fatalf("a second run: %d", n)
	}
	if n := run(t, env, "deadline_reminders", week1Due); n != 0 {
		t.Fatalf("at the due time nobody is reminded: %d", n)
	}
	if c := countKind(notifications(t, env, f.ann), "deadline_soon"); c != 1 {
		t.Fatalf("ann got %d reminders", c)
	}
	if c := countKind(notifications(t, env, bob), "deadline_soon"); c != 0 {
		t.Fatalf("bob, who is done, got %d reminders", c)
	}

	t.Run("an extension is a new due time with its own reminder", func(t *testing.T) {
		extended := week1Due.Add(72 * time.Hour)
		env.Clock.Set(week1Due.Add(-time.Hour))
		r := env.Do("POST", f.path("/extensions"), f.inst.Token, map[string]any{
			"user_id": f.ann.ID, "module_id": f.week1, "due_at": extended.Format(time.RFC3339)})
		if r.Status != 201 {
			t.Fatalf("extension: %d %s", r.Status, r.Body)
		}
		if n := run(t, env, "deadline_reminders", week1Due.Add(time.Hour)); n != 0 {
			t.Fatalf("before the new window: %d", n)
		}
		if n := run(t, env, "deadline_reminders", extended.Add(-time.Hour)); n != 1 {
			t.Fatalf("in the new window: %d", n)
		}
		if n := run(t, env, "deadline_reminders", extended.Add(-time.Minute)); n != 0 {
			t.Fatalf("again: %d", n)
		}
	})
}

// ReminderBefore mirrors the package's constant for readability.
const ReminderBefore = deadlines.ReminderBefore

func TestEnforceDeadlinesRecordsMissedWorkOnce(t *testing.T) {
	f := newFixture(t)
	env := f.env
	bob := env.Register("Bob")
	env.Enroll(bob, f.course)
	f.finishWeek1(t, bob)

	if n := run(t, env, "enforce_deadlines", week1Cutoff); n != 0 {
		t.Fatalf("at the exact cut-off work is still accepted: %d", n)
	}
	if n := run(t, env, "enforce_deadlines", week1Cutoff.Add(time.Second)); n != 1 {
		t.Fatalf("a second after the cut-off: %d, want Ann", n)
	}
	if n := run(t, env, "enforce_deadlines", week1Cutoff.Add(time.Hour)); n != 0 {
		t.Fatalf("a second run: %d", n)
	}
	ns := notifications(t, env, f.ann)
	if countKind(ns, "deadline_missed") != 1 || !strings.Contains(ns[0].Body, "Week 1") {
		t.Fatalf("ann's notifications = %+v", ns)
	}
	// The notice says what closed (submissions) and what did not (the
	// module's other items), as the deadlines page does.
	if b := ns[0].Body; !strings.Contains(b, "no longer take submissions") || !strings.Contains(b, "can still be completed") ||
		strings.Contains(b, "work is no longer accepted") {
		t.Errorf("the missed notice does not say what is closed and what is open: %q", b)
	}
	if countKind(notifications(t, env, bob), "deadline_missed") != 0 {
		t.Fatal("bob, who was done, was told he missed it")
	}
	missed, err := env.Server.Deadlines.Missed(context.Background(), f.course, f.ann.ID)
	if err != nil || len(missed) != 1 || missed[0] != f.week1 {
		t.Fatalf("missed = %v, %v", missed, err)
	}
}

func TestJobsCatchUpAfterDowntime(t *testing.T) {
	f := newFixture(t)
	env := f.env
	// The server was off from before the course started until after Week
	// 2's cut-off: the first runs find everything that became true.
	back := week2Due.Add(72 * time.Hour)
	if n := run(t, env, "open_windows", back); n != 2 {
		t.Fatalf("open_windows caught up %d openings, want 2", n)
	}
	if n := run(t, env, "deadline_reminders", back); n != 0 {
		t.Fatalf("reminders for past due times: %d", n)
	}
	if n := run(t, env, "enforce_deadlines", back); n != 2 {
		t.Fatalf("enforce_deadlines caught up %d, want 2", n)
	}
	for _, job := range []string{"open_windows", "deadline_reminders", "enforce_deadlines"} {
		if n := run(t, env, job, back.Add(time.Minute)); n != 0 {
			t.Fatalf("%s changed %d on its second run", job, n)
		}
	}
	ns := notifications(t, env, f.ann)
	if countKind(ns, "deadline_missed") != 2 || countKind(ns, "module_opened") != 2 || len(ns) != 4 {
		t.Fatalf("ann's notifications = %+v", ns)
	}
}

func TestEnforceDeadlinesDoesNotTellLateJoinersOfThePast(t *testing.T) {
	f := newFixture(t)
	env := f.env
	carl := env.Register("Carl")
	env.Clock.Set(week1Cutoff.Add(time.Hour))
	env.Enroll(carl, f.course)
	if n := run(t, env, "enforce_deadlines", week1Cutoff.Add(2*time.Hour)); n != 2 {
		t.Fatalf("changed %d, want Ann told and Carl recorded", n)
	}
	if c := countKind(notifications(t, env, carl), "deadline_missed"); c != 0 {
		t.Fatalf("carl was told %d times of a deadline before he joined", c)
	}
	if c := countKind(notifications(t, env, f.ann), "deadline_missed"); c != 1 {
		t.Fatalf("ann was told %d times", c)
	}
}

func TestConcurrentRunsNeverTellTwice(t *testing.T) {
	f := newFixture(t)
	env := f.env
	for i := 0; i < 5; i++ {
		u := env.Register("Learner")
		env.Enroll(u, f.course)
	}
	at := week1Cutoff.Add(time.Second)
	var wg sync.WaitGroup
	total := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := env.Server.Scheduler.RunAt("enforce_deadlines", at)
			if err != nil {
				t.Error(err)
			}
			total <- res.Changed
		}()
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	if sum != 6 {
		t.Fatalf("four concurrent runs changed %d in all, want 6 (each learner once)", sum)
	}
	if c := countKind(notifications(t, env, f.ann), "deadline_missed"); c != 1 {
		t.Fatalf("ann was told %d times", c)
	}
}

func TestAdminJobRoutes(t *testing.T) {
	f := newFixture(t)
	env := f.env
	admin := env.Admin()

	t.Run("only administrators see the jobs", func(t *testing.T) {
		if r := env.Do("GET", "/api/v1/admin/jobs", "", nil); r.Status != 401 {
			t.Fatalf("anonymous: %d", r.Status)
		}
		if r := env.Do("GET", "/api/v1/admin/jobs", f.inst.Token, nil); r.Status != 403 {
			t.Fatalf("instructor: %d", r.Status)
		}
		if r := env.Do("POST", "/api/v1/admin/jobs/enforce_deadlines/run", f.inst.Token, nil); r.Status != 403 {
			t.Fatalf("instructor run: %d", r.Status)
		}
	})
	t.Run("the list names every job with its schedule and no runs yet", func(t *testing.T) {
		r := env.Do("GET", "/api/v1/admin/jobs", admin.Token, nil)
		var l struct {
			Items []jobs.Status `json:"items"`
		}
		r.Decode(&l)
		names := map[string]jobs.Status{}
		for _, j := range l.Items {
			names[j.Name] = j
		}
		for _, n := range []string{"open_windows", "deadline_reminders", "enforce_deadlines"} {
			j, ok := names[n]
			if !ok || j.Schedule != "@every 1000h0m0s" || j.LastRunAt != nil {
				t.Fatalf("%s = %+v (list %s)", n, j, r.Body)
			}
		}
	})
	t.Run("an unknown job is 404", func(t *testing.T) {
		if r := env.Do("POST", "/api/v1/admin/jobs/make_coffee/run", admin.Token, nil); r.Status != 404 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("running a job waits and reports what it changed; a second run changes nothing", func(t *testing.T) {
		env.Clock.Set(week1Cutoff.Add(time.Minute))
		r := env.Do("POST", "/api/v1/admin/jobs/enforce_deadlines/run", admin.Token, nil)
		var res jobs.RunResult
		r.Decode(&res)
		if r.Status != 200 || res.Job != "enforce_deadlines" || res.Changed != 1 || res.StartedAt.IsZero() || res.FinishedAt.Before(res.StartedAt) {
			t.Fatalf("run = %d %s", r.Status, r.Body)
		}
		r = env.Do("POST", "/api/v1/admin/jobs/enforce_deadlines/run", admin.Token, nil)
		r.Decode(&res)
		if res.Changed != 0 {
			t.Fatalf("second run = %s", r.Body)
		}
		r = env.Do("GET", "/api/v1/admin/jobs", admin.Token, nil)
		if !strings.Contains(string(r.Body), `"name":"enforce_deadlines","schedule":"@every 1000h0m0s","last_run_at":"2027-01-20T00:01:00Z"`) ||
			!strings.Contains(string(r.Body), `"last_changed":0,"last_error":"","runs":2`) {
			t.Fatalf("status = %s", r.Body)
		}
	})
}

func TestJobStatusSurvivesARestart(t *testing.T) {
	clock := &pacertest.Clock{}
	clock.Set(week1Cutoff.Add(time.Minute))
	dir := t.TempDir()
	cfg := server.Config{DataDir: dir, Argon2: pacertest.Cheap, Now: clock.Now,
		JWTSecret: "test-secret-test-secret-test-secret-0123456789"}
	s1, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Scheduler.Run("open_windows"); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(context.Background())
	list, err := s2.Scheduler.Jobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range list {
		if j.Name == "open_windows" && (j.LastRunAt == nil || !j.LastRunAt.Equal(week1Cutoff.Add(time.Minute)) || j.Runs != 1) {
			t.Fatalf("after restart: %+v", j)
		}
	}
}

func TestAJobThatPanicsOnceRunsAtTheNextTick(t *testing.T) {
	env := newEnv(t)
	sched := env.Server.Scheduler
	calls := 0
	err := sched.Register("flaky", func(ctx context.Context, now time.Time) (int, error) {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return 3, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sched.Register("flaky", func(context.Context, time.Time) (int, error) { return 0, nil }); err == nil {
		t.Fatal("a second job with the same name was accepted")
	}
	if err := sched.Tick("flaky"); err != nil {
		t.Fatal(err)
	}
	status := func() jobs.Status {
		list, err := sched.Jobs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range list {
			if j.Name == "flaky" {
				return j
			}
		}
		t.Fatal("flaky is not listed")
		return jobs.Status{}
	}
	if st := status(); !strings.Contains(st.LastError, "panicked: boom") || st.Runs != 1 {
		t.Fatalf("after the panic: %+v", st)
	}
	if err := sched.Tick("flaky"); err != nil {
		t.Fatal(err)
	}
	if st := status(); calls != 2 || st.LastError != "" || st.LastChanged != 3 || st.Runs != 2 {
		t.Fatalf("after the next tick: calls %d, %+v", calls, st)
	}
	if err := sched.Tick("nope"); err == nil {
		t.Fatal("ticking an unknown job worked")
	}
}

// quietLogger discards cron's logs.
type quietLogger struct{}

func (quietLogger) Info(string, ...any)         {}
func (quietLogger) Error(error, string, ...any) {}

func TestJobChainSkipsOutsideRecover(t *testing.T) {
	// A job panicking through the chain itself (not through the
	// scheduler's own recovery) must not leave SkipIfStillRunning's token
	// taken: the next run still happens.
	calls := 0
	job := jobs.Chain(quietLogger{}).Then(cron.FuncJob(func() {
		calls++
		if calls == 1 {
			panic(errors.New("boom"))
		}
	}))
	job.Run()
	job.Run()
	job.Run()
	if calls != 3 {
		t.Fatalf("the job ran %d times after a panic, want 3", calls)
	}
}

func TestStopWaitsForRunningJobsAndEndsReadiness(t *testing.T) {
	env := newEnv(t)
	sched := env.Server.Scheduler
	if r := env.Do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz before stop: %d %s", r.Status, r.Body)
	}
	started := make(chan struct{})
	var sawCancel bool
	err := sched.Register("slow", func(ctx context.Context, now time.Time) (int, error) {
		close(started)
		<-ctx.Done() // a sweep stops between batches when told to
		sawCancel = true
		return 0, ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = sched.Run("slow")
	}()
	<-started
	if err := sched.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if !sawCancel {
		t.Fatal("Stop returned before the running job finished")
	}
	<-done
	if sched.Running() {
		t.Fatal("still running after Stop")
	}
	// 503 is not an error of the API contract, so it is read around Do.
	res, err := env.Server.App.Test(httptest.NewRequest("GET", "/readyz", nil), -1)
	if err != nil || res.StatusCode != 503 {
		t.Fatalf("readyz after stop: %v %v", res, err)
	}
	res.Body.Close()
	if _, err := sched.Run("open_windows"); err == nil {
		t.Fatal("a run after Stop was accepted")
	}
}
