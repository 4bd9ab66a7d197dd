package engagement_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pacer/api"
	"pacer/notify"
	"pacer/pacertest"
)

// course is a test course: an instructor, a TA, and one page item per
// module.
type course struct {
	env     *pacertest.Env
	teacher pacertest.User
	ta      pacertest.User
	id      uint64
	modules []uint64
	items   []uint64
}

// weekModule names a module and its week (0: no week).
type weekModule struct {
	title string
	week  int
}

func newCourse(t *testing.T, env *pacertest.Env, fields map[string]any, mods ...weekModule) *course {
	t.Helper()
	c := &course{env: env, teacher: env.Register("Teacher"), ta: env.Register("Tara TA")}
	c.id = env.Course(c.teacher, fields)
	env.SetRole(c.teacher, c.id, c.ta, "ta")
	for i, m := range mods {
		f := map[string]any{"title": m.title}
		if m.week > 0 {
			f["week"] = m.week
		}
		mid := env.Module(c.teacher, c.id, f)
		c.modules = append(c.modules, mid)
		c.items = append(c.items, env.Item(c.teacher, c.id, mid, map[string]any{"title": fmt.Sprintf("Reading %d", i+1)}))
	}
	return c
}

// scheduledCourse starts on Monday 2027-01-04 00:00 UTC.
func scheduledCourse(inactive, cooldown time.Duration) map[string]any {
	return map[string]any{"pacing": "scheduled", "starts_at": "2027-01-04T00:00:00Z", "timezone": "UTC",
		"policy": map[string]any{"inactive_after_seconds": int64(inactive / time.Second),
			"nudge_cooldown_seconds": int64(cooldown / time.Second), "grace_seconds": 0, "late_seconds": 172800}}
}

func selfPacedCourse(inactive, cooldown time.Duration) map[string]any {
	return map[string]any{"pacing": "self_paced", "timezone": "UTC",
		"policy": map[string]any{"inactive_after_seconds": int64(inactive / time.Second),
			"nudge_cooldown_seconds": int64(cooldown / time.Second), "grace_seconds": 0, "late_seconds": 172800}}
}

// student registers and enrols a learner now.
func (c *course) student(name string) pacertest.User {
	u := c.env.Register(name)
	c.env.Enroll(u, c.id)
	return u
}

// open makes the learner open (and so complete) item i now.
func (c *course) open(t *testing.T, u pacertest.User, i int) {
	t.Helper()
	u = c.env.Login(u)
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", c.id, c.items[i]), u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("open item %d: %d %s", i, r.Status, r.Body)
	}
}

type row struct {
	UserID         uint64     `json:"user_id"`
	Name           string     `json:"name"`
	Flags          []string   `json:"flags"`
	Reasons        []string   `json:"reasons"`
	LastActiveAt   *time.Time `json:"last_active_at"`
	Progress       float64    `json:"progress"`
	Risk           float64    `json:"risk"`
	Pace           string     `json:"pace"`
	WeeklyActivity []int      `json:"weekly_activity"`
}

// atRisk reads the at-risk view as the instructor.
func (c *course) atRisk(t *testing.T, query string) []row {
	t.Helper()
	teacher := c.env.Login(c.teacher)
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk%s", c.id, query), teacher.Token, nil)
	if r.Status != 200 {
		t.Fatalf("at-risk: %d %s", r.Status, r.Body)
	}
	var out struct {
		Items []row `json:"items"`
	}
	r.Decode(&out)
	return out.Items
}

func (c *course) flagsOf(t *testing.T, u pacertest.User) row {
	t.Helper()
	for _, r := range c.atRisk(t, "") {
		if r.UserID == u.ID {
			return r
		}
	}
	t.Fatalf("%s is not on the at-risk view", u.Name)
	return row{}
}

// run runs flag_inactive at the clock's instant.
func run(t *testing.T, env *pacertest.Env) int {
	t.Helper()
	n, err := env.Server.Engagement.FlagInactive(context.Background(), env.Clock.Now())
	if err != nil {
		t.Fatalf("flag_inactive: %v", err)
	}
	return n
}

// notes lists a user's notifications of some kinds, oldest first.
func notes(t *testing.T, env *pacertest.Env, u pacertest.User, kinds ...string) []notify.Notification {
	t.Helper()
	p, err := env.Server.Notify.List(context.Background(), u.ID, api.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range slices.Backward(p.Items) {
		if len(kinds) == 0 || slices.Contains(kinds, n.Kind) {
			out = append(out, n)
		}
	}
	return out
}

func kindsOf(ns []notify.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

func contains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q does not contain %q", what, s, sub)
		}
	}
}
