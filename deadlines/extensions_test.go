package deadlines_test

import (
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
)

func TestExtensionsMoveTheDueTimeEverywhere(t *testing.T) {
	f := newFixture(t)
	env := f.env
	bob := env.Register("Bob")
	env.Enroll(bob, f.course)
	extended := week1Due.Add(72 * time.Hour) // Thursday 21 January

	r := env.Do("POST", f.path("/extensions"), f.inst.Token, map[string]any{
		"user_id": f.ann.ID, "module_id": f.week1, "due_at": extended.Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	ext := r.ID()

	t.Run("the modules list shows the learner's own due time and marks it extended", func(t *testing.T) {
		m := f.modules(t, f.ann)[f.week1]
		if m.DueAt == nil || !m.DueAt.Equal(extended) || !m.Extended {
			t.Fatalf("ann's week 1 = %+v", m)
		}
		if m := f.modules(t, bob)[f.week1]; !m.DueAt.Equal(week1Due) || m.Extended {
			t.Fatalf("bob's week 1 = %+v", m)
		}
	})
	t.Run("the deadlines list applies it, cut-off included", func(t *testing.T) {
		env.Clock.Set(courseStart)
		d := statusOf(t, myDeadlines(t, env, f.ann), f.week1)
		if !d.DueAt.Equal(extended) || !d.CutoffAt.Equal(extended.Add(48*time.Hour)) || !d.Extended {
			t.Fatalf("ann's deadline = %+v", d)
		}
	})
	t.Run("work after the original cut-off but before the extended due time is on time", func(t *testing.T) {
		env.Clock.Set(week1Cutoff.Add(time.Hour))
		r := f.submit(f.ann, f.essay, "thanks for the extra days")
		if r.Status != 201 || !strings.Contains(string(r.Body), `"status":"on_time"`) {
			t.Fatalf("ann: %d %s", r.Status, r.Body)
		}
		if r := f.submit(bob, f.essay, "me too?"); r.Status != 409 || r.ErrCode() != "deadline_passed" {
			t.Fatalf("bob: %d %s", r.Status, r.Body)
		}
	})
	t.Run("the learner is told", func(t *testing.T) {
		ns := notifications(t, env, f.ann)
		if countKind(ns, "extension_granted") != 1 {
			t.Fatalf("ann's notifications = %+v", ns)
		}
	})
	t.Run("staff list the course's extensions with names", func(t *testing.T) {
		r := env.Do("GET", f.path("/extensions"), f.inst.Token, nil)
		var l struct {
			Items []struct {
				ID          uint64    `json:"id"`
				UserID      uint64    `json:"user_id"`
				ModuleID    uint64    `json:"module_id"`
				DueAt       time.Time `json:"due_at"`
				UserName    string    `json:"user_name"`
				ModuleTitle string    `json:"module_title"`
			} `json:"items"`
		}
		r.Decode(&l)
		if r.Status != 200 || len(l.Items) != 1 || l.Items[0].ID != ext || l.Items[0].UserName != "Ann" ||
			l.Items[0].ModuleTitle != "Week 1" || !l.Items[0].DueAt.Equal(extended) {
			t.Fatalf("list = %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", f.path("/extensions?user=%d", bob.ID), f.inst.Token, nil); !strings.Contains(string(r.Body), `"items":[]`) {
			t.Fatalf("filtered by bob = %s", r.Body)
		}
		if r := env.Do("GET", f.path("/extensions"), bob.Token, nil); !strings.Contains(string(r.Body), `"items":[]`) {
			t.Fatalf("bob sees others' extensions: %s", r.Body)
		}
	})
	t.Run("granting again replaces the extension", func(t *testing.T) {
		later := extended.Add(24 * time.Hour)
		r := env.Do("POST", f.path("/extensions"), f.inst.Token, map[string]any{
			"user_id": f.ann.ID, "module_id": f.week1, "due_at": later.Format(time.RFC3339)})
		if r.Status != 201 || r.ID() != ext {
			t.Fatalf("replace: %d %s", r.Status, r.Body)
		}
		if m := f.modules(t, f.ann)[f.week1]; !m.DueAt.Equal(later) {
			t.Fatalf("after replacing: %+v", m)
		}
	})
	t.Run("deleting it restores the module's due time", func(t *testing.T) {
		if r := env.Do("DELETE", f.path("/extensions/%d", ext), f.inst.Token, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if m := f.modules(t, f.ann)[f.week1]; !m.DueAt.Equal(week1Due) || m.Extended {
			t.Fatalf("after delete: %+v", m)
		}
		if r := env.Do("DELETE", f.path("/extensions/%d", ext), f.inst.Token, nil); r.Status != 404 {
			t.Fatalf("delete twice: %d %s", r.Status, r.Body)
		}
	})
}

func TestExtensionErrors(t *testing.T) {
	f := newFixture(t)
	env := f.env
	ta := env.Register("Tara")
	env.SetRole(f.inst, f.course, ta, "ta")
	stranger := env.Register("Sam")
	other := env.Course(stranger, map[string]any{"title": "Other"})
	otherMod := env.Module(stranger, other, map[string]any{"title": "O1"})
	due := week1Due.Add(time.Hour).Format(time.RFC3339)
	ok := map[string]any{"user_id": f.ann.ID, "module_id": f.week1, "due_at": due}

	cases := []struct {
		name   string
		user   pacertest.User
		body   map[string]any
		status int
	}{
		{"a student may not grant extensions", f.ann, ok, 403},
		{"a non-member gets 404", stranger, ok, 404},
		{"a staff member is not a learner", f.inst, map[string]any{"user_id": ta.ID, "module_id": f.week1, "due_at": due}, 400},
		{"a stranger is not a learner of the course", f.inst, map[string]any{"user_id": stranger.ID, "module_id": f.week1, "due_at": due}, 400},
		{"a module of another course is refused", f.inst, map[string]any{"user_id": f.ann.ID, "module_id": otherMod, "due_at": due}, 400},
		{"the due time is required", f.inst, map[string]any{"user_id": f.ann.ID, "module_id": f.week1}, 400},
		{"an absurd due time is refused", f.inst, map[string]any{"user_id": f.ann.ID, "module_id": f.week1, "due_at": "1970-01-01T00:00:00Z"}, 400},
		{"a malformed due time is refused", f.inst, map[string]any{"user_id": f.ann.ID, "module_id": f.week1, "due_at": "tomorrow"}, 400},
		{"an unknown field is refused", f.inst, map[string]any{"user_id": f.ann.ID, "module_id": f.week1, "due_at": due, "extended": true}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Do("POST", f.path("/extensions"), tc.user.Token, tc.body)
			if r.Status != tc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
			}
		})
	}
	t.Run("a TA may grant an extension", func(t *testing.T) {
		if r := env.Do("POST", f.path("/extensions"), ta.Token, ok); r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("an extension cannot be deleted through another course or by a student", func(t *testing.T) {
		var l struct {
			Items []struct {
				ID uint64 `json:"id"`
			} `json:"items"`
		}
		env.Do("GET", f.path("/extensions"), f.inst.Token, nil).Decode(&l)
		id := l.Items[0].ID
		if r := env.Do("DELETE", "/api/v1/courses/"+itoa(other)+"/extensions/"+itoa(id), stranger.Token, nil); r.Status != 404 {
			t.Fatalf("through another course: %d %s", r.Status, r.Body)
		}
		if r := env.Do("DELETE", f.path("/extensions/%d", id), f.ann.Token, nil); r.Status != 403 {
			t.Fatalf("by a student: %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", f.path("/extensions"), stranger.Token, nil); r.Status != 404 {
			t.Fatalf("list by a stranger: %d %s", r.Status, r.Body)
		}
	})
}

func TestDeadlineStatuses(t *testing.T) {
	f := newFixture(t)
	env := f.env
	third := env.Module(f.inst, f.course, map[string]any{"title": "Week 3", "week": 3})
	env.Item(f.inst, f.course, third, map[string]any{"kind": "page", "title": "Three"})
	staffOnly := env.Register("Tara")
	env.SetRole(f.inst, f.course, staffOnly, "ta")

	t.Run("far away due times are upcoming", func(t *testing.T) {
		env.Clock.Set(courseStart)
		for _, d := range myDeadlines(t, env, f.ann) {
			if d.Status != "upcoming" || d.CourseID != f.course {
				t.Fatalf("%+v", d)
			}
		}
	})
	t.Run("a due time 48 hours away is due soon and the list is in due order", func(t *testing.T) {
		env.Clock.Set(week1Due.Add(-48 * time.Hour))
		list := myDeadlines(t, env, f.ann)
		if len(list) != 3 || list[0].ModuleID != f.week1 || list[1].ModuleID != f.week2 || list[2].ModuleID != third {
			t.Fatalf("list = %+v", list)
		}
		if list[0].Status != "due_soon" || list[1].Status != "upcoming" {
			t.Fatalf("list = %+v", list)
		}
	})
	t.Run("past due but before the cut-off is overdue; after it, missed", func(t *testing.T) {
		env.Clock.Set(week1Due.Add(time.Second))
		if d := statusOf(t, myDeadlines(t, env, f.ann), f.week1); d.Status != "overdue" {
			t.Fatalf("%+v", d)
		}
		env.Clock.Set(week1Cutoff.Add(time.Second))
		if d := statusOf(t, myDeadlines(t, env, f.ann), f.week1); d.Status != "missed" {
			t.Fatalf("%+v", d)
		}
	})
	t.Run("finished work is done", func(t *testing.T) {
		env.Clock.Set(courseStart.Add(time.Hour))
		bob := env.Register("Bob")
		env.Enroll(bob, f.course)
		f.submit(bob, f.essay, "essay")
		env.Do("GET", f.path("/items/%d", f.page), bob.Token, nil)
		env.Clock.Set(week1Cutoff.Add(time.Hour))
		if d := statusOf(t, myDeadlines(t, env, bob), f.week1); d.Status != "done" {
			t.Fatalf("%+v", d)
		}
	})
	t.Run("staff have no deadlines of their own", func(t *testing.T) {
		if list := myDeadlines(t, env, staffOnly); len(list) != 0 {
			t.Fatalf("%+v", list)
		}
	})
	t.Run("an anonymous caller gets 401", func(t *testing.T) {
		if r := env.Do("GET", "/api/v1/me/deadlines", "", nil); r.Status != 401 {
			t.Fatalf("%d", r.Status)
		}
	})
}

func TestSelfPacedWeeksCountFromEnrolment(t *testing.T) {
	env := newEnv(t)
	inst := env.Register("Ines")
	ann := env.Register("Ann")
	course := env.Course(inst, map[string]any{"title": "At your pace", "pacing": "self_paced", "timezone": "Europe/Berlin"})
	w1 := env.Module(inst, course, map[string]any{"title": "Week 1", "week": 1})
	env.Item(inst, course, w1, map[string]any{"kind": "assignment", "title": "Task"})
	enrolled := time.Date(2027, 3, 24, 10, 0, 0, 0, time.UTC) // 11:00 in Berlin, before the spring change
	env.Clock.Set(enrolled)
	env.Enroll(ann, course)
	list := myDeadlines(t, env, ann)
	// Seven calendar days in Berlin: 11:00 CEST on the 31st is 09:00 UTC.
	want := time.Date(2027, 3, 31, 9, 0, 0, 0, time.UTC)
	if len(list) != 1 || !list[0].DueAt.Equal(want) {
		t.Fatalf("deadlines = %+v, want due %s", list, want)
	}
}
