package deadlines_test

import (
	"fmt"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
)

// The fixture's course is scheduled, in UTC, starting on Monday 11 January
// 2027 (a week after the test clock starts): Week 1 opens then and is due on
// the 18th at midnight; late work is accepted for two days with 10 % per
// started day; Week 2 opens on the 18th and needs Week 1 first.
var (
	courseStart = time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)
	week1Due    = time.Date(2027, 1, 18, 0, 0, 0, 0, time.UTC)
	week1Cutoff = week1Due.Add(48 * time.Hour)
	week2Due    = time.Date(2027, 1, 25, 0, 0, 0, 0, time.UTC)
)

type fixture struct {
	env    *pacertest.Env
	inst   pacertest.User
	ann    pacertest.User
	course uint64
	week1  uint64
	week2  uint64
	essay  uint64 // assignment in Week 1, 10 points
	page   uint64 // page in Week 1
	notes  uint64 // page in Week 2
}

// newEnv starts the application with access tokens that outlive the weeks
// the tests move the clock through, and a tick so long that the real cron
// never runs a job behind a test's back: tests call the jobs themselves.
func newEnv(t testing.TB) *pacertest.Env {
	t.Helper()
	return pacertest.New(t, func(c *server.Config) {
		c.AccessTTL = 5 * 365 * 24 * time.Hour
		c.Tick = 1000 * time.Hour
	})
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	env := newEnv(t)
	f := &fixture{env: env, inst: env.Register("Ines"), ann: env.Register("Ann")}
	f.course = env.Course(f.inst, map[string]any{"title": "Statistics", "pacing": "scheduled",
		"starts_at": courseStart.Format(time.RFC3339), "timezone": "UTC",
		"policy": map[string]any{"grace_seconds": 0, "late_seconds": 172800, "late_penalty_percent_per_day": 10}})
	f.week1 = env.Module(f.inst, f.course, map[string]any{"title": "Week 1", "week": 1})
	f.week2 = env.Module(f.inst, f.course, map[string]any{"title": "Week 2", "week": 2, "prerequisites": []uint64{f.week1}})
	f.essay = env.Item(f.inst, f.course, f.week1, map[string]any{"kind": "assignment", "title": "Essay",
		"body": "Write **one** page.", "points": 10})
	f.page = env.Item(f.inst, f.course, f.week1, map[string]any{"kind": "page", "title": "Reading"})
	f.notes = env.Item(f.inst, f.course, f.week2, map[string]any{"kind": "page", "title": "Notes"})
	env.Enroll(f.ann, f.course)
	return f
}

func (f *fixture) path(format string, args ...any) string {
	return fmt.Sprintf("/api/v1/courses/%d"+format, append([]any{f.course}, args...)...)
}

// submit posts a text submission as u.
func (f *fixture) submit(u pacertest.User, item uint64, body string) pacertest.Resp {
	return f.env.Do("POST", f.path("/items/%d/submissions", item), u.Token, map[string]any{"body": body})
}

// moduleView is the part of a modules list entry the tests read.
type moduleView struct {
	ID           uint64     `json:"id"`
	Title        string     `json:"title"`
	State        string     `json:"state"`
	LockedReason string     `json:"locked_reason"`
	OpensAt      *time.Time `json:"opens_at"`
	DueAt        *time.Time `json:"due_at"`
	Extended     bool       `json:"extended"`
}

func (f *fixture) modules(t testing.TB, u pacertest.User) map[uint64]moduleView {
	t.Helper()
	r := f.env.Do("GET", f.path("/modules"), u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("modules: %d %s", r.Status, r.Body)
	}
	var l struct {
		Items []moduleView `json:"items"`
	}
	r.Decode(&l)
	out := map[uint64]moduleView{}
	for _, m := range l.Items {
		out[m.ID] = m
	}
	return out
}

type deadline struct {
	CourseID uint64    `json:"course_id"`
	ModuleID uint64    `json:"module_id"`
	Title    string    `json:"title"`
	DueAt    time.Time `json:"due_at"`
	CutoffAt time.Time `json:"cutoff_at"`
	Extended bool      `json:"extended"`
	Status   string    `json:"status"`
}

func myDeadlines(t testing.TB, env *pacertest.Env, u pacertest.User) []deadline {
	t.Helper()
	r := env.Do("GET", "/api/v1/me/deadlines", u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("deadlines: %d %s", r.Status, r.Body)
	}
	var l struct {
		Items []deadline `json:"items"`
	}
	r.Decode(&l)
	return l.Items
}

func statusOf(t testing.TB, list []deadline, module uint64) deadline {
	t.Helper()
	for _, d := range list {
		if d.ModuleID == module {
			return d
		}
	}
	t.Fatalf("no deadline for module %d in %+v", module, list)
	return deadline{}
}

type notification struct {
	ID    uint64 `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Link  string `json:"link"`
}

func notifications(t testing.TB, env *pacertest.Env, u pacertest.User) []notification {
	t.Helper()
	r := env.Do("GET", "/api/v1/notifications?limit=200", u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("notifications: %d %s", r.Status, r.Body)
	}
	var l struct {
		Items []notification `json:"items"`
	}
	r.Decode(&l)
	return l.Items
}

func countKind(ns []notification, kind string) int {
	n := 0
	for _, x := range ns {
		if x.Kind == kind {
			n++
		}
	}
	return n
}
