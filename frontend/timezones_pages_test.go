package frontend_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
)

// zoneClass is a course in Europe/Berlin whose Week 1 (an assignment) is
// due at midnight there, Monday 11 January 2027, which is 23:00 on Sunday
// in UTC, where its student Sam lives; the clock stands on Monday 4
// January, 09:00 UTC.
type zoneClass struct {
	env      *pacertest.Env
	ada, sam pacertest.User
	cid, iid uint64
}

// dueInUTC is the due instant as every page must write it for Sam: his own
// time, named, with the course's time on hover.
const dueInUTC = `<time datetime="2027-01-10T23:00:00Z" title="Mon 11 Jan 2027, 00:00 CET course time">Sun 10 Jan, 23:00 UTC</time>`

func newZoneClass(t *testing.T) *zoneClass {
	t.Helper()
	env := pacertest.New(t)
	z := &zoneClass{env: env, ada: env.Register("Ada"), sam: env.Register("Sam")}
	z.cid = env.Course(z.ada, map[string]any{"title": "Statistics", "pacing": "scheduled",
		"starts_at": "2027-01-03T23:00:00Z", "timezone": "Europe/Berlin"})
	mid := env.Module(z.ada, z.cid, map[string]any{"title": "Week 1", "week": 1})
	z.iid = env.Item(z.ada, z.cid, mid, map[string]any{"kind": "assignment", "title": "Essay", "body": "One page.", "points": 10})
	env.Enroll(z.sam, z.cid)
	return z
}

func TestOneInstantReadsTheSameOnEveryPageInTheReadersZone(t *testing.T) {
	z := newZoneClass(t)
	sam := signedIn(t, z.env, z.sam)

	dash := sam.get("/dashboard")
	wantStatus(t, "dashboard", dash, 200)
	// The Deadlines list and the course card's "Next up" write the same
	// instant identically, and the card's pace line says it in words.
	if n := strings.Count(dash.Body, dueInUTC); n != 2 {
		t.Errorf("the dashboard writes the due time as %s %d times, want 2 (deadlines list and course card):\n%s", dueInUTC, n, snippet(dash.Body))
	}
	if !dash.has("due Sun 10 Jan 2027, 23:00 UTC (Mon 11 Jan 2027, 00:00 CET course time)") {
		t.Errorf("the pace line does not give Sam's time with the course's beside it")
	}
	if dash.has(">Mon 11 Jan, 00:00") || dash.has("00:00 CET</time>") {
		t.Errorf("the dashboard shows the course's clock as if it were Sam's")
	}
	// Ben lives in Berlin: the course's clock is his, so no hover.
	ben := z.env.Register("Ben")
	if r := z.env.Do("PATCH", "/api/v1/me", ben.Token, map[string]any{"timezone": "Europe/Berlin"}); r.Status != 200 {
		t.Fatalf("Ben's zone: %d %s", r.Status, r.Body)
	}
	z.env.Enroll(ben, z.cid)
	bdash := signedIn(t, z.env, z.env.Login(ben)).get("/dashboard")
	if n := strings.Count(bdash.Body, `<time datetime="2027-01-10T23:00:00Z">Mon 11 Jan, 00:00 CET</time>`); n != 2 {
		t.Errorf("Ben's dashboard writes the due time as midnight CET %d times, want 2: %q", n,
			regexp.MustCompile(`<time[^>]*2027-01-10[^<]*</time>`).FindAllString(bdash.Body, -1))
	}
	for _, path := range []string{"/deadlines", fmt.Sprintf("/courses/%d", z.cid), fmt.Sprintf("/courses/%d/items/%d", z.cid, z.iid)} {
		if p := sam.get(path); !p.has(dueInUTC) {
			t.Errorf("%s does not write the due time as %s", path, dueInUTC)
		}
	}

	// A submission, then a post a minute later: both on Sam's clock, named.
	sam2 := z.env.Login(z.sam)
	if r := z.env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", z.cid, z.iid), sam2.Token, map[string]any{"body": "Mine."}); r.Status != 201 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	z.env.Clock.Advance(time.Minute)
	var boards struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	z.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", z.cid), sam2.Token, nil).Decode(&boards)
	th := z.env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", boards.Items[0].ID), sam2.Token, map[string]any{"title": "Question", "body": "How long?"})
	if th.Status != 201 {
		t.Fatalf("thread: %d %s", th.Status, th.Body)
	}
	submitted := `<time datetime="2027-01-04T09:00:00Z" title="Mon 4 Jan 2027, 10:00 CET course time">Mon 4 Jan, 09:00 UTC</time>`
	posted := `<time datetime="2027-01-04T09:01:00Z" title="Mon 4 Jan 2027, 10:01 CET course time">Mon 4 Jan, 09:01 UTC</time>`
	if p := sam.get(fmt.Sprintf("/courses/%d/items/%d", z.cid, z.iid)); !p.has(submitted) {
		t.Errorf("the assignment page does not write the submission time as %s", submitted)
	}
	if p := sam.get(fmt.Sprintf("/courses/%d/threads/%d", z.cid, th.ID())); !p.has(posted) {
		t.Errorf("the thread does not write the post time as %s:\n%s", posted, snippet(p.Body))
	}
	// Ada, also in UTC, reads the submission on her clock too.
	if p := signedIn(t, z.env, z.env.Login(z.ada)).get(fmt.Sprintf("/courses/%d/items/%d/submissions", z.cid, z.iid)); !p.has(submitted) {
		t.Errorf("the grading page does not write the submission time as %s", submitted)
	}
}

func TestTheAccountPageStatesTheRule(t *testing.T) {
	env := pacertest.New(t)
	p := signedIn(t, env, env.Register("Sam")).get("/account")
	wantStatus(t, "account", p, 200)
	if p.has("always shown in the course’s own time zone") || !regexp.MustCompile(`Every date and time on Pacer, course dates too, is shown in this zone`).MatchString(p.Body) {
		t.Errorf("the account page does not state the rule")
	}
}
