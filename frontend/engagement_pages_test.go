package frontend_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"pacer/api"
	"pacer/notify"
	"pacer/pacertest"
)

// atRiskCourse is a course in its second week with two students: Ann never
// came, Bob did week 1.
func atRiskCourse(t *testing.T) (env *pacertest.Env, teacher, ann, bob pacertest.User, courseID uint64) {
	t.Helper()
	env = pacertest.New(t)
	teacher, ann, bob = env.Register("Teacher"), env.Register("Ann"), env.Register("Bob")
	courseID = env.Course(teacher, map[string]any{"title": "Statistics", "pacing": "scheduled",
		"starts_at": "2027-01-04T00:00:00Z", "timezone": "UTC"})
	m1 := env.Module(teacher, courseID, map[string]any{"title": "Week 1", "week": 1})
	it := env.Item(teacher, courseID, m1, map[string]any{"title": "Variables"})
	m2 := env.Module(teacher, courseID, map[string]any{"title": "Week 2", "week": 2})
	env.Item(teacher, courseID, m2, map[string]any{"title": "Spread"})
	env.Enroll(ann, courseID)
	env.Enroll(bob, courseID)
	env.Clock.Set(time.Date(2027, 1, 8, 9, 0, 0, 0, time.UTC))
	bob = env.Login(bob)
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", courseID, it), bob.Token, nil)
	env.Clock.Set(time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC))
	return env, env.Login(teacher), env.Login(ann), env.Login(bob), courseID
}

func TestAtRiskPage(t *testing.T) {
	env, teacher, ann, bob, courseID := atRiskCourse(t)
	path := fmt.Sprintf("/courses/%d/at-risk", courseID)
	tc := signedIn(t, env, teacher)

	p := tc.get(path)
	wantStatus(t, "at-risk page", p, 200)
	checkSafeHTML(t, path, p.Body)
	for _, s := range []string{"Learners at risk", "1 of 2 students flagged", "Ann", "Bob", "badge--draft\">Inactive",
		"badge--due\">Behind", "no activity for 8 days (none since enrolling)", "1 module behind: Week 1",
		`<svg class="risk-chart"`, "Active days per week over the last 8 weeks", "<meter", "Message everyone flagged behind (1)",
		`href="/courses/` + fmt.Sprint(courseID) + `/at-risk"`} {
		if !p.has(s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if strings.Index(p.Body, ">Ann<") > strings.Index(p.Body, ">Bob<") {
		t.Errorf("Ann, at higher risk, is not listed first")
	}
	if p := tc.get(path + "?flag=inactive"); !p.has(">Ann<") || p.has(">Bob<") {
		t.Errorf("the inactive filter shows the wrong learners")
	}

	t.Run("students get 403 and outsiders 404", func(t *testing.T) {
		wantStatus(t, "student", signedIn(t, env, ann).get(path), 403)
		wantStatus(t, "outsider", signedIn(t, env, env.Register("Outsider")).get(path), 404)
	})
	t.Run("messaging the ticked learners", func(t *testing.T) {
		tok := tc.token(path)
		r := tc.post(path+"/message", form("_csrf", tok, "to", "selected", "user", fmt.Sprint(ann.ID), "message", "Come back <soon>!"))
		wantRedirect(t, "message", r, path)
		if p := tc.get(path); !p.has("Message sent to 1 learner.") {
			t.Errorf("no confirmation")
		}
		ns := engagementNotes(t, env, ann.ID, notify.KindInstructorMessage)
		if len(ns) != 1 || ns[0].Body != "Come back <soon>!" {
			t.Fatalf("Ann's messages: %+v", ns)
		}
	})
	t.Run("messaging everyone flagged behind", func(t *testing.T) {
		r := tc.post(path+"/message", form("_csrf", tc.token(path), "to", "behind", "message", "Week 1 is still open."))
		wantRedirect(t, "message", r, path)
		if ns := engagementNotes(t, env, ann.ID, notify.KindInstructorMessage); len(ns) != 2 {
			t.Fatalf("Ann has %d messages", len(ns))
		}
		if ns := engagementNotes(t, env, bob.ID, notify.KindInstructorMessage); len(ns) != 0 {
			t.Fatalf("Bob, not behind, got %d", len(ns))
		}
	})
	t.Run("mistakes stay on the form", func(t *testing.T) {
		r := tc.post(path+"/message", form("_csrf", tc.token(path), "to", "selected", "user", fmt.Sprint(ann.ID), "message", " "))
		wantStatus(t, "empty message", r, 400)
		if !r.has("field--error") || !r.has("Learners at risk") {
			t.Errorf("the error is not shown on the page:\n%s", snippet(r.Body))
		}
		r = tc.post(path+"/message", form("_csrf", tc.token(path), "to", "selected", "message", "hello"))
		wantStatus(t, "nobody ticked", r, 400)
		if !r.has("Tick at least one learner") {
			t.Errorf("no hint to tick someone")
		}
	})
	t.Run("a message button per learner", func(t *testing.T) {
		compose := fmt.Sprintf("%s/message?user=%d", path, bob.ID)
		if !tc.get(path).has(fmt.Sprintf(`href="/courses/%d/at-risk/message?user=%d"`, courseID, bob.ID)) {
			t.Fatalf("no message button for Bob")
		}
		p := tc.get(compose)
		wantStatus(t, "compose", p, 200)
		if !p.has("Message Bob") {
			t.Fatalf("compose page:\n%s", snippet(p.Body))
		}
		r := tc.post(path+"/message", form("_csrf", tc.token(compose), "from", "compose", "to", "selected",
			"user", fmt.Sprint(bob.ID), "message", "Nice work on week 1."))
		wantRedirect(t, "compose", r, path)
		if ns := engagementNotes(t, env, bob.ID, notify.KindInstructorMessage); len(ns) != 1 {
			t.Fatalf("Bob has %d messages", len(ns))
		}
		wantStatus(t, "compose for a stranger", tc.get(fmt.Sprintf("%s/message?user=%d", path, teacher.ID)), 404)
	})
}

func TestDashboardShowsALearnersOwnPace(t *testing.T) {
	env, _, ann, bob, _ := atRiskCourse(t)
	p := signedIn(t, env, ann).get("/dashboard")
	wantStatus(t, "dashboard", p, 200)
	if !p.has("You are 1 week behind; next: “Variables” in Week 1, due Mon 11 Jan 2027, 00:00 UTC") {
		t.Errorf("Ann's pace line is missing:\n%s", snippet(p.Body))
	}
	if p := signedIn(t, env, bob).get("/dashboard"); !p.has("You are on track; next: “Spread” in Week 2") {
		t.Errorf("Bob's pace line is missing:\n%s", snippet(p.Body))
	}
}

func TestEmailPreferencesPage(t *testing.T) {
	env := pacertest.New(t)
	ann := env.Register("Ann")
	c := signedIn(t, env, ann)
	if !c.get("/notifications").has(`href="/notifications/email"`) {
		t.Fatalf("the notifications page does not lead to e-mail preferences")
	}
	p := c.get("/notifications/email")
	wantStatus(t, "preferences", p, 200)
	checkSafeHTML(t, "/notifications/email", p.Body)
	if !p.has(`id="k-reply" name="kind" value="reply" checked`) || p.has(`value="module_opened" checked`) ||
		!p.has("does not send e-mail yet") {
		t.Fatalf("defaults not shown:\n%s", snippet(p.Body))
	}
	// Keep only nudges and instructor messages.
	r := c.post("/notifications/email", form("_csrf", c.token("/notifications/email"), "kind", "inactive_nudge",
		"kind", "behind_nudge", "kind", "instructor_message"))
	wantRedirect(t, "save", r, "/notifications/email")
	p = c.get("/notifications/email")
	if !p.has("E-mail preferences saved.") || p.has(`value="reply" checked`) || !p.has(`value="behind_nudge" checked`) {
		t.Fatalf("after saving:\n%s", snippet(p.Body))
	}
}

func engagementNotes(t *testing.T, env *pacertest.Env, user uint64, kind string) []notify.Notification {
	t.Helper()
	list, err := env.Server.Notify.List(context.Background(), user, api.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Notification
	for _, n := range list.Items {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}
