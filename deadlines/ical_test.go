package deadlines_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"pacer/pacertest"
)

// feedPath returns the path of the user's current feed.
func feedPath(t *testing.T, env *pacertest.Env, u pacertest.User) string {
	t.Helper()
	r := env.Do("GET", "/api/v1/me/calendar-token", u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	var v struct {
		URL string `json:"url"`
	}
	r.Decode(&v)
	path, ok := strings.CutPrefix(v.URL, "http://pacer.test")
	if !ok || !strings.HasPrefix(path, "/calendar/") || !strings.HasSuffix(path, ".ics") {
		t.Fatalf("url = %q", v.URL)
	}
	return path
}

type event struct {
	uid     string
	start   time.Time
	seq     string
	summary string
}

// fetchFeed gets and parses a feed with golang-ical.
func fetchFeed(t *testing.T, env *pacertest.Env, path string) map[string]event {
	t.Helper()
	r := env.Do("GET", path, "", nil)
	if r.Status != 200 {
		t.Fatalf("feed: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(r.Body)))
	if err != nil {
		t.Fatalf("parse feed: %v\n%s", err, r.Body)
	}
	out := map[string]event{}
	for _, e := range cal.Events() {
		start, err := e.GetStartAt()
		if err != nil {
			t.Fatalf("event %s: %v", e.Id(), err)
		}
		if start.Location() != time.UTC {
			t.Fatalf("event %s is not in UTC: %v", e.Id(), start)
		}
		if _, err := e.GetDtStampTime(); err != nil {
			t.Fatalf("event %s has no DTSTAMP: %v", e.Id(), err)
		}
		seq := e.GetProperty(ics.ComponentPropertySequence)
		sum := e.GetProperty(ics.ComponentPropertySummary)
		if seq == nil || sum == nil {
			t.Fatalf("event %s lacks SEQUENCE or SUMMARY", e.Id())
		}
		out[e.Id()] = event{uid: e.Id(), start: start, seq: seq.Value, summary: sum.Value}
	}
	return out
}

func TestCalendarFeedRoundTrip(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(time.Hour))
	path := feedPath(t, env, f.ann)
	dueUID := func(module uint64) string { return fmt.Sprintf("due-%d-%d-%d@pacer", f.course, module, f.ann.ID) }
	openUID := func(module uint64) string { return fmt.Sprintf("open-%d-%d-%d@pacer", f.course, module, f.ann.ID) }

	t.Run("every deadline of the learner is an event at the same instant", func(t *testing.T) {
		events := fetchFeed(t, env, path)
		list := myDeadlines(t, env, f.ann)
		if len(list) != 2 {
			t.Fatalf("deadlines = %+v", list)
		}
		for _, d := range list {
			e, ok := events[dueUID(d.ModuleID)]
			if !ok || !e.start.Equal(d.DueAt) || e.seq != "0" || !strings.Contains(e.summary, d.Title) {
				t.Fatalf("due event of %s = %+v (deadline %+v)", d.Title, e, d)
			}
		}
		if e := events[openUID(f.week2)]; !e.start.Equal(week1Due) {
			t.Fatalf("week 2 opening = %+v", e)
		}
		if len(events) != 4 {
			t.Fatalf("want 2 openings and 2 due times, got %d: %+v", len(events), events)
		}
	})
	t.Run("an extension moves the event and bumps its SEQUENCE once, keeping its UID", func(t *testing.T) {
		extended := week1Due.Add(72 * time.Hour)
		r := env.Do("POST", f.path("/extensions"), f.inst.Token, map[string]any{
			"user_id": f.ann.ID, "module_id": f.week1, "due_at": extended.Format(time.RFC3339)})
		if r.Status != 201 {
			t.Fatalf("extension: %d %s", r.Status, r.Body)
		}
		for i := 0; i < 2; i++ {
			events := fetchFeed(t, env, path)
			if e := events[dueUID(f.week1)]; !e.start.Equal(extended) || e.seq != "1" {
				t.Fatalf("fetch %d: extended due event = %+v", i, e)
			}
			if e := events[dueUID(f.week2)]; e.seq != "0" {
				t.Fatalf("fetch %d: an unchanged event moved on: %+v", i, e)
			}
			if e := events[openUID(f.week1)]; e.seq != "0" || !e.start.Equal(courseStart) {
				t.Fatalf("fetch %d: an extension moved the opening: %+v", i, e)
			}
		}
		d := statusOf(t, myDeadlines(t, env, f.ann), f.week1)
		if !d.DueAt.Equal(extended) {
			t.Fatalf("deadline = %+v", d)
		}
	})
	t.Run("rotating the token retires the old URL", func(t *testing.T) {
		r := env.Do("POST", "/api/v1/me/calendar-token", f.ann.Token, nil)
		if r.Status != 200 {
			t.Fatalf("rotate: %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", path, "", nil); r.Status != 404 || r.ErrCode() != "not_found" {
			t.Fatalf("old feed: %d %s", r.Status, r.Body)
		}
		fresh := feedPath(t, env, f.ann)
		if fresh == path {
			t.Fatal("the token did not change")
		}
		if len(fetchFeed(t, env, fresh)) != 4 {
			t.Fatal("the new feed lost events")
		}
	})
	t.Run("made-up, tampered and malformed tokens are 404", func(t *testing.T) {
		good := strings.TrimSuffix(strings.TrimPrefix(feedPath(t, env, f.ann), "/calendar/"), ".ics")
		parts := strings.Split(good, ".")
		other := env.Register("Bob")
		for _, p := range []string{
			"/calendar/nonsense.ics",
			"/calendar/" + good,
			"/calendar/" + good + ".txt",
			"/calendar/" + itoa(other.ID) + "." + parts[1] + "." + parts[2] + ".ics",
			"/calendar/" + parts[0] + ".7." + parts[2] + ".ics",
			"/calendar/" + parts[0] + "." + parts[1] + ".AAAA.ics",
			"/calendar/0" + good + ".ics",
			"/calendar/.ics",
		} {
			if r := env.Do("GET", p, "", nil); r.Status != 404 {
				t.Errorf("%s: %d %s", p, r.Status, r.Body)
			}
		}
	})
	t.Run("the token routes need a signed-in caller", func(t *testing.T) {
		if r := env.Do("GET", "/api/v1/me/calendar-token", "", nil); r.Status != 401 {
			t.Fatalf("%d", r.Status)
		}
		if r := env.Do("POST", "/api/v1/me/calendar-token", "", nil); r.Status != 401 {
			t.Fatalf("%d", r.Status)
		}
	})
	t.Run("staff see the course's dates", func(t *testing.T) {
		events := fetchFeed(t, env, feedPath(t, env, f.inst))
		uid := fmt.Sprintf("due-%d-%d-%d@pacer", f.course, f.week1, f.inst.ID)
		if e, ok := events[uid]; !ok || !e.start.Equal(week1Due) {
			t.Fatalf("staff feed = %+v", events)
		}
	})
}
