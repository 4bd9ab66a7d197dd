package engagement_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"pacer/auth"
	"pacer/engagement"
	"pacer/modules"
	"pacer/pacertest"
	"pacer/storage"
)

// cohortCourse is a scheduled course (UTC, from Monday 2027-01-04, no
// grace) of three weekly modules, Week 1 with one reading and Weeks 2 and
// 3 with two, and five students who got as far as their names say, seen
// on Tuesday of week 3 (2027-01-19 09:00):
//
//	Ann  all three weeks done            → ahead (this week's work done early)
//	Bob  weeks 1–2 done, week 3 untouched → on schedule
//	Cal  weeks 1–2 done, week 3 begun     → on schedule, working on week 3
//	Dan  week 1 done, week 2 begun        → one week behind (week 2 overdue)
//	Eve  nothing                          → two weeks behind
type cohortCourse struct {
	*course
	ann, bob, cal, dan, eve pacertest.User
}

var cohortNow = date(19, 9, 0, 0)

func newCohortCourse(t *testing.T) *cohortCourse {
	t.Helper()
	env := pacertest.New(t)
	c := &cohortCourse{course: newCourse(t, env, scheduledCourse(30*days, 3*days),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2}, weekModule{"Week 3", 3})}
	// A second reading in weeks 2 and 3: items 3 and 4.
	c.items = append(c.items, env.Item(c.teacher, c.id, c.modules[1], map[string]any{"title": "Reading 2b"}),
		env.Item(c.teacher, c.id, c.modules[2], map[string]any{"title": "Reading 3b"}))
	c.ann, c.bob, c.cal, c.dan, c.eve = c.student("Ann"), c.student("Bob"), c.student("Cal"), c.student("Dan"), c.student("Eve")
	env.Clock.Set(date(5, 10, 0, 0))
	for _, u := range []pacertest.User{c.ann, c.bob, c.cal, c.dan} {
		c.open(t, u, 0)
	}
	env.Clock.Set(date(12, 10, 0, 0))
	for _, u := range []pacertest.User{c.ann, c.bob, c.cal} {
		c.open(t, u, 1)
		c.open(t, u, 3)
	}
	c.open(t, c.dan, 1)
	env.Clock.Set(date(18, 10, 0, 0))
	c.open(t, c.ann, 2)
	c.open(t, c.ann, 4)
	c.open(t, c.cal, 2)
	env.Clock.Set(cohortNow)
	return c
}

func (c *cohortCourse) cohort(t *testing.T, who pacertest.User) (int, engagement.Cohort) {
	t.Helper()
	who = c.env.Login(who)
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/cohort", c.id), who.Token, nil)
	var out engagement.Cohort
	if r.Status == 200 {
		r.Decode(&out)
	}
	return r.Status, out
}

func names(rows []row) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}

func TestCohortCountsModulesAndPace(t *testing.T) {
	c := newCohortCourse(t)
	status, got := c.cohort(t, c.ta)
	if status != 200 {
		t.Fatalf("cohort as TA: %d", status)
	}
	if got.Students != 5 || !got.ComputedAt.Equal(cohortNow) {
		t.Fatalf("students %d at %s, want 5 at %s", got.Students, got.ComputedAt, cohortNow)
	}
	want := []engagement.CohortModule{
		{ModuleID: c.modules[0], Title: "Week 1", Week: 1, Items: 1, Completed: 4, Overdue: 1},
		// Dan began week 2 but it is past due: overdue wins over working.
		{ModuleID: c.modules[1], Title: "Week 2", Week: 2, Items: 2, Completed: 3, Overdue: 2},
		{ModuleID: c.modules[2], Title: "Week 3", Week: 3, Items: 2, Completed: 1, Working: 1, NotStarted: 3},
	}
	if !reflect.DeepEqual(got.Modules, want) {
		t.Errorf("modules\n got %+v\nwant %+v", got.Modules, want)
	}
	if p := (engagement.PaceCounts{Ahead: 1, OnSchedule: 2, Behind1: 1, BehindMore: 1}); got.Pace != p {
		t.Errorf("pace %+v, want %+v", got.Pace, p)
	}
}

func TestCohortCountsFollowTheClock(t *testing.T) {
	c := newCohortCourse(t)
	// At Week 2's due instant itself work is still on time (the calendar's
	// boundaries are inclusive), so Dan is working on it, on schedule, and
	// Eve is one week behind; one second later both have fallen further.
	// (The clock goes back; the work done since stays done, so Ann is
	// ahead, and Bob and Cal have Week 3, open since midnight, to do.)
	c.env.Clock.Set(date(18, 0, 0, 0))
	_, at := c.cohort(t, c.teacher)
	if m := at.Modules[1]; m.Working != 1 || m.Overdue != 0 || m.NotStarted != 1 {
		t.Errorf("at the due instant, Week 2 %+v: want 1 working, 1 not started, none overdue", m)
	}
	if p := (engagement.PaceCounts{Ahead: 1, OnSchedule: 3, Behind1: 1}); at.Pace != p {
		t.Errorf("at the due instant, pace %+v, want %+v", at.Pace, p)
	}
	c.env.Clock.Set(date(18, 0, 0, 1))
	_, after := c.cohort(t, c.teacher)
	if m := after.Modules[1]; m.Working != 0 || m.Overdue != 2 {
		t.Errorf("a second later, Week 2 %+v: want 2 overdue", m)
	}
	if p := (engagement.PaceCounts{Ahead: 1, OnSchedule: 2, Behind1: 1, BehindMore: 1}); after.Pace != p {
		t.Errorf("a second later, pace %+v, want %+v", after.Pace, p)
	}
}

func TestCohortIsForStaffOnly(t *testing.T) {
	c := newCohortCourse(t)
	if status, _ := c.cohort(t, c.ann); status != 403 {
		t.Errorf("a student: %d, want 403", status)
	}
	if status, _ := c.cohort(t, c.env.Register("Stranger")); status != 404 {
		t.Errorf("a non-member: %d, want 404", status)
	}
}

func TestAtRiskFiltersMatchTheCohortCounts(t *testing.T) {
	c := newCohortCourse(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"?pace=ahead", []string{"Ann"}},
		{"?pace=on_schedule", []string{"Bob", "Cal"}},
		{"?pace=behind1", []string{"Dan"}},
		{"?pace=behind_more", []string{"Eve"}},
		{fmt.Sprintf("?module=%d&state=overdue", c.modules[1]), []string{"Dan", "Eve"}},
		{fmt.Sprintf("?module=%d&state=working", c.modules[2]), []string{"Cal"}},
		{fmt.Sprintf("?module=%d&state=not_started", c.modules[2]), []string{"Bob", "Dan", "Eve"}},
		{fmt.Sprintf("?module=%d&state=completed", c.modules[0]), []string{"Ann", "Bob", "Cal", "Dan"}},
		{fmt.Sprintf("?module=%d&state=completed&pace=on_schedule", c.modules[1]), []string{"Bob", "Cal"}},
		{"?flag=behind&pace=behind1", []string{"Dan"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rows := c.atRisk(t, tc.query)
			if got := names(rows); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// Every row says its pace.
	for _, r := range c.atRisk(t, "") {
		if r.Pace == "" {
			t.Errorf("%s has no pace", r.Name)
		}
	}
}

func TestAtRiskFiltersRefuseBadValues(t *testing.T) {
	c := newCohortCourse(t)
	teacher := c.env.Login(c.teacher)
	for _, tc := range []struct{ query, field string }{
		{"?pace=fast", "pace"},
		{"?state=overdue", "module"},
		{fmt.Sprintf("?module=%d", c.modules[0]), "state"},
		{fmt.Sprintf("?module=%d&state=late", c.modules[0]), "state"},
		{"?module=abc&state=overdue", "module"},
		{"?module=999999&state=overdue", "module"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/at-risk%s", c.id, tc.query), teacher.Token, nil)
			if r.Status != 400 {
				t.Fatalf("status %d %s, want 400", r.Status, r.Body)
			}
			var e struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			r.Decode(&e)
			if _, ok := e.Error.Fields[tc.field]; !ok {
				t.Errorf("error %s does not name %q", r.Body, tc.field)
			}
		})
	}
}

// TestClassifyPace checks the pace rule on facts alone.
func TestClassifyPace(t *testing.T) {
	now := time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	mod := func(id uint64, week int, opens, due *time.Time, done int) engagement.ModuleFacts {
		return engagement.ModuleFacts{ID: id, Title: fmt.Sprint("M", id), Week: week, OpensAt: opens, DueAt: due, Required: 2, Completed: done}
	}
	for _, tc := range []struct {
		name   string
		mods   []engagement.ModuleFacts
		pace   string
		states []string
	}{
		{"nothing due and this week's work undone is on schedule",
			[]engagement.ModuleFacts{mod(1, 1, at(-days), at(days), 0)}, engagement.PaceOnSchedule, []string{"not_started"}},
		{"this week's work done before its due time is ahead",
			[]engagement.ModuleFacts{mod(1, 1, at(-days), at(days), 2), mod(2, 2, at(days), at(8*days), 0)}, engagement.PaceAhead, []string{"completed", "not_started"}},
		{"a module without a due time never makes anyone ahead",
			[]engagement.ModuleFacts{mod(1, 0, nil, nil, 2)}, engagement.PaceOnSchedule, []string{"completed"}},
		{"two modules of one week behind are one week behind",
			[]engagement.ModuleFacts{mod(1, 1, nil, at(-days), 1), mod(2, 1, nil, at(-days), 0)}, engagement.PaceBehind1, []string{"overdue", "overdue"}},
		{"two modules without weeks behind are more than one behind",
			[]engagement.ModuleFacts{mod(1, 0, nil, at(-days), 0), mod(2, 0, nil, at(-2*days), 0)}, engagement.PaceBehindMore, []string{"overdue", "overdue"}},
		{"begun work is working",
			[]engagement.ModuleFacts{mod(1, 1, nil, at(days), 1)}, engagement.PaceOnSchedule, []string{"working"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := engagement.Classify(engagement.Facts{EnrolledAt: now.Add(-30 * days), Modules: tc.mods}, now)
			if st.Pace != tc.pace || !slices.Equal(st.Modules, tc.states) {
				t.Errorf("got %s %q, want %s %q", st.Pace, st.Modules, tc.pace, tc.states)
			}
		})
	}
}

// BenchmarkCohort computes the overview of one scheduled course of 1,000
// students and 12 weekly modules of 3 readings each, with the students
// spread over every stage of the course, in week 7.
func BenchmarkCohort(b *testing.B) {
	const students, weeks, perWeek = 1000, 12, 3
	env := pacertest.New(b)
	teacher := env.Register("Teacher")
	course := env.Course(teacher, scheduledCourse(7*days, 3*days))
	var items []uint64
	for w := 1; w <= weeks; w++ {
		mid := env.Module(teacher, course, map[string]any{"title": fmt.Sprintf("Week %d", w), "week": w})
		for i := 0; i < perWeek; i++ {
			items = append(items, env.Item(teacher, course, mid, map[string]any{"title": fmt.Sprintf("Reading %d.%d", w, i)}))
		}
	}
	err := env.Bolt().Update(func(tx *storage.Tx) error {
		for n := 0; n < students; n++ {
			uid, err := tx.NextID(storage.Users)
			if err != nil {
				return err
			}
			u := auth.User{ID: uid, Email: fmt.Sprintf("c%d@example.test", uid), Name: fmt.Sprintf("Learner %d", uid),
				Timezone: "UTC", TokenGen: 1, CreatedAt: pacertest.Start}
			if err := tx.Put(storage.Users, storage.ID(uid), u); err != nil {
				return err
			}
			m := modules.Member{CourseID: course, UserID: uid, Role: modules.RoleStudent, EnrolledAt: pacertest.Start}
			if err := tx.Put(storage.Members, storage.Key(course, uid), m); err != nil {
				return err
			}
			if err := tx.PutRaw(storage.MembersByUser, storage.Key(uid, course), nil); err != nil {
				return err
			}
			for _, it := range items[:(n*7)%(len(items)+1)] {
				p := modules.ItemProgress{Status: modules.StatusCompleted, CompletedAt: &pacertest.Start, UpdatedAt: pacertest.Start}
				if err := tx.Put(storage.Progress, storage.Key(course, uid, it), p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	env.Clock.Set(date(4, 0, 0, 0).AddDate(0, 0, 7*6+2))
	eng := env.Server.Engagement
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := eng.Cohort(context.Background(), teacher.ID, course)
		if err != nil || c.Students != students {
			b.Fatalf("cohort: %v, %d students", err, c.Students)
		}
	}
}
