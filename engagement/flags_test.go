package engagement_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"pacer/pacertest"
)

// step is one line of a timeline: at an instant, maybe do something, then
// expect the learner's flags on the at-risk view.
type step struct {
	at    time.Time
	do    func(t *testing.T)
	flags []string
	// reason, when set, must be among the reasons.
	reason string
}

func playTimeline(t *testing.T, env *pacertest.Env, c *course, who pacertest.User, steps []step) {
	t.Helper()
	for _, s := range steps {
		env.Clock.Set(s.at)
		if s.do != nil {
			s.do(t)
		}
		r := c.flagsOf(t, who)
		want := s.flags
		if want == nil {
			want = []string{}
		}
		if !reflect.DeepEqual(r.Flags, want) {
			t.Fatalf("at %s: flags %q (reasons %q), want %q", s.at.Format(time.RFC3339), r.Flags, r.Reasons, want)
		}
		if s.reason != "" {
			found := false
			for _, x := range r.Reasons {
				found = found || x == s.reason
			}
			if !found {
				t.Fatalf("at %s: reasons %q, want %q among them", s.at.Format(time.RFC3339), r.Reasons, s.reason)
			}
		}
		// The job judges exactly as the view does.
		run(t, env)
	}
}

func date(d, h, m, s int) time.Time { return time.Date(2027, 1, d, h, m, s, 0, time.UTC) }

func TestFlagsInAScheduledCourse(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*24*time.Hour, 3*24*time.Hour),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2}, weekModule{"Week 3", 3})
	ann := c.student("Ann")
	playTimeline(t, env, c, ann, []step{
		{at: date(4, 9, 0, 0), do: func(t *testing.T) { c.open(t, ann, 0) }, flags: nil},
		{at: date(11, 0, 0, 0), flags: nil}, // Week 1 due, and done
		{at: date(11, 8, 59, 59), flags: nil},
		{at: date(11, 9, 0, 0), flags: []string{"inactive"}, reason: "no activity for 7 days"},
		{at: date(18, 0, 0, 0), flags: []string{"inactive"}}, // Week 2 is due right now: not late yet
		{at: date(18, 0, 0, 1), flags: []string{"inactive", "behind"}, reason: "1 module behind: Week 2"},
		{at: date(20, 0, 0, 0), flags: []string{"inactive", "behind"}}, // the last instant of the late window
		{at: date(20, 0, 0, 1), flags: []string{"inactive", "behind", "missed_deadline"}, reason: "1 missed deadline: Week 2"},
		{at: date(20, 1, 0, 0), do: func(t *testing.T) {
			teacher := env.Login(c.teacher)
			r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/extensions", c.id), teacher.Token,
				map[string]any{"user_id": ann.ID, "module_id": c.modules[1], "due_at": "2027-01-27T00:00:00Z"})
			if r.Status != 201 {
				t.Fatalf("extension: %d %s", r.Status, r.Body)
			}
		}, flags: []string{"inactive"}},
		{at: date(20, 2, 0, 0), do: func(t *testing.T) { c.open(t, ann, 1) }, flags: nil},
		{at: date(25, 0, 0, 1), flags: []string{"behind"}, reason: "1 module behind: Week 3"},
		{at: date(25, 1, 0, 0), do: func(t *testing.T) { c.open(t, ann, 2) }, flags: nil},
	})
}

func TestFlagsInASelfPacedCourse(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, selfPacedCourse(7*24*time.Hour, 3*24*time.Hour),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2})
	ann := c.student("Ann") // enrols Monday 09:00, so her Week 1 is due the next Monday 09:00
	env.Clock.Set(date(6, 9, 0, 0))
	bob := c.student("Bob") // two days later: his weeks are his own

	playTimeline(t, env, c, ann, []step{
		{at: date(11, 8, 59, 59), flags: nil},
		{at: date(11, 9, 0, 0), flags: []string{"inactive"}, reason: "no activity for 7 days (none since enrolling)"},
		{at: date(11, 9, 0, 1), flags: []string{"inactive", "behind"}, reason: "1 module behind: Week 1"},
		{at: date(11, 10, 0, 0), do: func(t *testing.T) { c.open(t, ann, 0) }, flags: nil},
	})
	if r := c.flagsOf(t, bob); len(r.Flags) != 0 {
		t.Fatalf("Bob enrolled later and is flagged %q at %s", r.Flags, env.Clock.Now())
	}
	env.Clock.Set(date(13, 9, 0, 1))
	if r := c.flagsOf(t, bob); !reflect.DeepEqual(r.Flags, []string{"inactive", "behind"}) {
		t.Fatalf("Bob at his own due time + 1 s: %q", r.Flags)
	}
}

func TestAtRiskView(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*24*time.Hour, 3*24*time.Hour),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2})
	ann, bob, cid := c.student("Ann"), c.student("Bob"), c.student("Cid")
	outsider := env.Register("Outsider")
	env.Clock.Set(date(12, 9, 0, 0))
	c.open(t, bob, 0)
	c.open(t, cid, 0)
	c.open(t, cid, 1)
	env.Clock.Set(date(18, 0, 0, 1)) // Week 2 is due; Ann never came, Bob did Week 1 only

	rows := c.atRisk(t, "")
	if len(rows) != 3 || rows[0].UserID != ann.ID || rows[1].UserID != bob.ID || rows[2].UserID != cid.ID {
		t.Fatalf("rows not highest risk first: %+v", rows)
	}
	// Cid is on track; only the days since his last visit count (0.35 ×
	// 5.6 days / 14 days).
	if rows[0].Risk <= rows[1].Risk || rows[1].Risk <= rows[2].Risk || rows[2].Risk != 0.14 || len(rows[2].Flags) != 0 {
		t.Fatalf("risks %v %v %v", rows[0].Risk, rows[1].Risk, rows[2].Risk)
	}
	a := rows[0]
	if a.Name != "Ann" || a.LastActiveAt != nil || a.Progress != 0 || len(a.WeeklyActivity) != 8 ||
		!reflect.DeepEqual(a.Flags, []string{"inactive", "behind", "missed_deadline"}) {
		t.Fatalf("Ann's row: %+v", a)
	}
	contains(t, "Ann's reasons", fmt.Sprint(a.Reasons), "no activity for 13 days", "2 modules behind: Week 1, Week 2",
		"1 missed deadline: Week 1")
	if b := rows[1]; b.Progress != 0.5 || b.LastActiveAt == nil || !b.LastActiveAt.Equal(date(12, 9, 0, 0)) ||
		!reflect.DeepEqual(b.Flags, []string{"behind"}) ||
		b.WeeklyActivity[7] != 1 {
		t.Fatalf("Bob's row: %+v", b)
	}

	t.Run("a flag filter keeps only learners carrying it", func(t *testing.T) {
		rows := c.atRisk(t, "?flag=inactive")
		if len(rows) != 1 || rows[0].UserID != ann.ID {
			t.Fatalf("inactive: %+v", rows)
		}
		teacher := env.Login(c.teacher)
		if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk?flag=sleepy", c.id), teacher.Token, nil); r.Status != 400 {
			t.Fatalf("unknown flag: %d", r.Status)
		}
	})
	t.Run("students get 403 and non-members 404", func(t *testing.T) {
		if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk", c.id), env.Login(ann).Token, nil); r.Status != 403 {
			t.Fatalf("student: %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk", c.id), env.Login(outsider).Token, nil); r.Status != 404 {
			t.Fatalf("outsider: %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", "/api/v1/courses/999/at-risk", env.Login(c.teacher).Token, nil); r.Status != 404 {
			t.Fatalf("unknown course: %d", r.Status)
		}
		if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk", c.id), "", nil); r.Status != 401 {
			t.Fatalf("anonymous: %d", r.Status)
		}
	})
	t.Run("a TA sees the view too", func(t *testing.T) {
		if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk", c.id), env.Login(c.ta).Token, nil); r.Status != 200 {
			t.Fatalf("TA: %d", r.Status)
		}
	})
}

func TestLearnerPace(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*24*time.Hour, 3*24*time.Hour),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2}, weekModule{"Week 3", 3})
	ann := c.student("Ann")
	env.Clock.Set(date(11, 0, 0, 1))
	ann = env.Login(ann)
	r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/pace", c.id), ann.Token, nil)
	if r.Status != 200 {
		t.Fatalf("pace: %d %s", r.Status, r.Body)
	}
	m := r.Map()
	if m["summary"] != "You are 1 week behind; next: “Reading 1” in Week 1, due Mon 11 Jan 2027, 00:00 UTC" {
		t.Fatalf("summary %q", m["summary"])
	}
	if _, ok := m["risk"]; ok || m["on_track"] != false {
		t.Fatalf("a learner's own pace: %v", m)
	}
	c.open(t, ann, 0)
	c.open(t, ann, 1)
	ann = env.Login(ann)
	var mine struct {
		Items []struct {
			CourseID uint64 `json:"course_id"`
			Summary  string `json:"summary"`
			OnTrack  bool   `json:"on_track"`
		} `json:"items"`
	}
	env.Do("GET", "/api/v1/me/pace", ann.Token, nil).Decode(&mine)
	if len(mine.Items) != 1 || !mine.Items[0].OnTrack ||
		mine.Items[0].Summary != "You are on track; next: Week 3 opens Mon 18 Jan 2027, 00:00 UTC" {
		t.Fatalf("my pace: %+v", mine)
	}
	teacher := env.Login(c.teacher)
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/pace?user=%d", c.id, ann.ID), teacher.Token, nil); r.Status != 200 || r.Map()["risk"] == nil {
		t.Fatalf("staff view of a learner's pace: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/pace", c.id), teacher.Token, nil); r.Status != 403 {
		t.Fatalf("staff's own pace: %d", r.Status)
	}
}

func TestAtRiskIsPaginated(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*24*time.Hour, 3*24*time.Hour), weekModule{"Week 1", 1})
	want := map[uint64]bool{}
	for i := 0; i < 5; i++ {
		want[c.student(fmt.Sprintf("L%d", i)).ID] = true
	}
	teacher := env.Login(c.teacher)
	cursor, seen := "", map[uint64]bool{}
	for page := 0; page < 5; page++ {
		var out struct {
			Items      []row  `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk?limit=2&cursor=%s", c.id, cursor), teacher.Token, nil)
		r.Decode(&out)
		if len(out.Items) > 2 {
			t.Fatalf("page of %d", len(out.Items))
		}
		for _, it := range out.Items {
			seen[it.UserID] = true
		}
		if cursor = out.NextCursor; cursor == "" {
			break
		}
	}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("pages held %v, want %v", seen, want)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk?cursor=x", c.id), teacher.Token, nil); r.Status != 400 {
		t.Fatalf("bad cursor: %d", r.Status)
	}
}
