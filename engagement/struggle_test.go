package engagement_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pacer/notify"
	"pacer/pacertest"
)

// TestLearnersStuckOnAQuizAreFlaggedAndNudged: two failed attempts, or a
// timed attempt left with under half answered, flag the learner
// `struggling` with the quiz named in the at-risk list; the job nudges
// them with the explanations of what they missed; passing clears it.
func TestLearnersStuckOnAQuizAreFlaggedAndNudged(t *testing.T) {
	e := pacertest.New(t)
	teacher, ann, bob, cy := e.Register("Teacher"), e.Register("Ann"), e.Register("Bob"), e.Register("Cy")
	course := e.Course(teacher, nil)
	for _, u := range []pacertest.User{ann, bob, cy} {
		e.Enroll(u, course)
	}
	mod := e.Module(teacher, course, nil)
	item := e.Item(teacher, course, mod, map[string]any{"kind": "quiz", "title": "Week 1 check", "points": 10,
		"quiz": map[string]any{"time_limit_seconds": 600}})
	base := fmt.Sprintf("/api/v1/courses/%d", course)
	var qs []uint64
	for _, body := range []map[string]any{
		{"kind": "numeric", "prompt": "2+2?", "answer": map[string]any{"value": 4}, "explanation": "Count **four** fingers."},
		{"kind": "text", "prompt": "Capital of France?", "answer": map[string]any{"accepted": []string{"Paris"}}, "explanation": "It is Paris."},
	} {
		r := e.Do("POST", fmt.Sprintf("%s/items/%d/questions", base, item), teacher.Token, body)
		if r.Status != 201 {
			t.Fatalf("question: %d %s", r.Status, r.Body)
		}
		qs = append(qs, r.ID())
	}
	attempt := func(u pacertest.User, value float64, text string, submit bool) {
		t.Helper()
		a := e.Do("POST", fmt.Sprintf("%s/items/%d/attempts", base, item), u.Token, nil).ID()
		if value != 0 {
			e.Do("PUT", fmt.Sprintf("%s/attempts/%d/answers/%d", base, a, qs[0]), u.Token, map[string]any{"value": value})
		}
		if text != "" {
			e.Do("PUT", fmt.Sprintf("%s/attempts/%d/answers/%d", base, a, qs[1]), u.Token, map[string]any{"text": text})
		}
		if submit {
			if r := e.Do("POST", fmt.Sprintf("%s/attempts/%d/submit", base, a), u.Token, nil); r.Status != 200 {
				t.Fatalf("submit: %d %s", r.Status, r.Body)
			}
		}
	}
	attempt(ann, 5, "Paris", true) // 50 %: fails the 60 % pass mark
	attempt(ann, 3, "Paris", true)
	attempt(bob, 5, "Lyon", true) // one failure only
	attempt(cy, 0, "", false)     // starts a timed attempt and leaves it
	e.Clock.Advance(11 * time.Minute)
	if _, err := e.Server.Quiz.SubmitExpired(t.Context(), e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	teacher = e.Login(teacher)

	var list struct {
		Items []struct {
			UserID  uint64 `json:"user_id"`
			Flags   []string
			Reasons []string
		}
	}
	r := e.Do("GET", base+"/at-risk?flag=struggling", teacher.Token, nil)
	r.Decode(&list)
	got := map[uint64]string{}
	for _, it := range list.Items {
		got[it.UserID] = strings.Join(it.Reasons, "; ")
	}
	if len(got) != 2 || !strings.Contains(got[ann.ID], "struggling with “Week 1 check”: failed the quiz twice") ||
		!strings.Contains(got[cy.ID], "struggling with “Week 1 check”: stopped halfway through a timed quiz") {
		t.Fatalf("struggling learners: %s", r.Body)
	}

	run(t, e)
	ns := notes(t, e, ann, notify.KindBehindNudge)
	if len(ns) != 1 || !strings.Contains(ns[0].Title, "Stuck on “Week 1 check”") ||
		!strings.Contains(ns[0].Body, "Count four fingers.") || strings.Contains(ns[0].Body, "It is Paris.") ||
		!strings.HasSuffix(ns[0].Link, fmt.Sprintf("/items/%d", item)) {
		t.Fatalf("Ann's nudge: %+v", ns)
	}
	if ns := notes(t, e, bob, notify.KindBehindNudge, notify.KindInactiveNudge); len(ns) != 0 {
		t.Fatalf("Bob, who failed once, was nudged: %+v", ns)
	}

	// Passing clears the flag.
	ann = e.Login(ann)
	attempt(ann, 4, "Paris", true)
	r = e.Do("GET", base+"/at-risk?flag=struggling", teacher.Token, nil)
	if strings.Contains(string(r.Body), fmt.Sprintf(`"user_id":%d`, ann.ID)) {
		t.Fatalf("Ann passed and is still struggling: %s", r.Body)
	}
	if r := e.Do("GET", base+"/at-risk?flag=stuck", teacher.Token, nil); r.Status != 400 {
		t.Fatalf("an unknown flag: %d", r.Status)
	}
}
