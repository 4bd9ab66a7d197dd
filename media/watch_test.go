package media_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"pacer/pacertest"
)

type watchAnswer struct {
	WatchedRatio   float64 `json:"watched_ratio"`
	ResumeSeconds  int64   `json:"resume_seconds"`
	Completed      bool    `json:"completed"`
	CountedSeconds float64 `json:"counted_seconds"`
}

// open shows u the item, as a player's page does before it plays: the
// watch clock starts there.
func open(t *testing.T, w world, u pacertest.User, item uint64) {
	t.Helper()
	if r := w.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, item), u.Token, nil); r.Status != 200 {
		t.Fatalf("open item %d: %d %s", item, r.Status, r.Body)
	}
}

type lectureAnswer struct {
	ItemID uint64 `json:"item_id"`
	Media  struct {
		ID              uint64 `json:"id"`
		DurationSeconds int64  `json:"duration_seconds"`
		URL             string `json:"url"`
	} `json:"media"`
	Captions []struct {
		Lang, Label, URL string
	} `json:"captions"`
	WatchedRatio  float64      `json:"watched_ratio"`
	ResumeSeconds int64        `json:"resume_seconds"`
	Completed     bool         `json:"completed"`
	Spans         [][2]float64 `json:"spans"`
}

// lecture makes a lecture item of a generated video of the given length.
func lecture(t *testing.T, w world, seconds float64) (item, media uint64) {
	t.Helper()
	m := mustUpload(t, w.env, w.teacher, w.course, "video/webm", webmFile(seconds, 700+int(seconds)), "")
	item = w.env.Item(w.teacher, w.course, w.module, map[string]any{"kind": "lecture", "title": "Lecture", "media_id": m.ID})
	return item, m.ID
}

func itemStatus(t *testing.T, w world, u pacertest.User, item uint64) string {
	t.Helper()
	var p struct {
		Items []struct {
			ItemID uint64 `json:"item_id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	w.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress", w.course), u.Token, nil).Decode(&p)
	for _, it := range p.Items {
		if it.ItemID == item {
			return it.Status
		}
	}
	t.Fatalf("item %d not in progress", item)
	return ""
}

func TestWatchProgressIsHonest(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	item, _ := lecture(t, w, 100)
	url := fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, item)
	open(t, w, w.sam, item)
	// Half a minute passes before each report: time enough for every span
	// (at most 30 s here), and the token stays fresh.
	post := func(body any) pacertest.Resp {
		env.Clock.Advance(30 * time.Second)
		return env.Do("POST", url, w.sam.Token, body)
	}
	span := func(from, to float64) map[string]any { return map[string]any{"from_seconds": from, "to_seconds": to} }
	steps := []struct {
		name      string
		body      any
		status    int
		ratio     float64
		resume    int64
		completed bool
		progress  string
	}{
		{"the first ten seconds", span(0, 10), 200, 0.10, 10, false, "in_progress"},
		{"the same span again changes nothing", span(0, 10), 200, 0.10, 10, false, "in_progress"},
		{"an overlapping span extends it", span(5, 20), 200, 0.20, 20, false, "in_progress"},
		{"a small gap between reports is filled", span(20.3, 30), 200, 0.30, 30, false, "in_progress"},
		{"seeking ahead counts only what was played", span(90, 100), 200, 0.40, 100, false, "in_progress"},
		{"the resume position is where the learner is", map[string]any{"from_seconds": 30, "to_seconds": 40, "position_seconds": 41.7}, 200, 0.50, 41, false, "in_progress"},
		{"a reversed span is refused", span(50, 40), 400, 0, 0, false, ""},
		{"a negative span is refused", span(-5, 3), 400, 0, 0, false, ""},
		{"a span past the end is refused", span(95, 103), 400, 0, 0, false, ""},
		{"a position past the end is refused", map[string]any{"from_seconds": 40, "to_seconds": 41, "position_seconds": 500}, 400, 0, 0, false, ""},
		{"a missing end is refused", map[string]any{"from_seconds": 40}, 400, 0, 0, false, ""},
		{"an unknown field is refused", map[string]any{"from_seconds": 40, "to_seconds": 41, "completed": true}, 400, 0, 0, false, ""},
		{"a span just past the end is clamped", span(80, 101.5), 200, 0.60, 100, false, "in_progress"},
		{"89 % watched is not enough", span(40, 69), 200, 0.89, 69, false, "in_progress"},
		{"90 % with the last tenth completes it", span(69, 70), 200, 0.90, 70, true, "completed"},
		{"completion stays", span(0, 1), 200, 0.90, 1, true, "completed"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := post(s.body)
			if r.Status != s.status {
				t.Fatalf("status %d %s, want %d", r.Status, r.Body, s.status)
			}
			if s.status != 200 {
				if r.ErrCode() == "" {
					t.Fatalf("not the contract's error shape: %s", r.Body)
				}
				return
			}
			var a watchAnswer
			r.Decode(&a)
			if math.Abs(a.WatchedRatio-s.ratio) > 0.005 || a.ResumeSeconds != s.resume || a.Completed != s.completed {
				t.Fatalf("got %+v, want ratio %.2f resume %d completed %v", a, s.ratio, s.resume, s.completed)
			}
			if got := itemStatus(t, w, w.sam, item); got != s.progress {
				t.Fatalf("progress %q, want %q", got, s.progress)
			}
		})
	}
	// The lecture route shows the same state, and nothing of Sam's to Kim.
	var l lectureAnswer
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d/lecture", w.course, item), w.sam.Token, nil).Decode(&l)
	if !l.Completed || l.ResumeSeconds != 1 || math.Abs(l.WatchedRatio-0.9) > 0.005 || len(l.Spans) != 2 ||
		l.Media.DurationSeconds != 100 || l.Media.URL != fmt.Sprintf("/api/v1/media/%d", l.Media.ID) {
		t.Fatalf("lecture: %+v", l)
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d/lecture", w.course, item), w.kim.Token, nil).Decode(&l)
	if l.Completed || l.WatchedRatio != 0 || len(l.Spans) != 0 {
		t.Fatalf("Kim's lecture: %+v", l)
	}
}

func TestOneReportCannotCoverALongLecture(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	item, _ := lecture(t, w, 3600)
	url := fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, item)
	open(t, w, w.sam, item)
	env.Clock.Advance(time.Minute)
	// A seek to the end reported as one span would be the whole hour.
	if r := env.Do("POST", url, w.sam.Token, map[string]any{"from_seconds": 0, "to_seconds": 3600}); r.Status != 400 {
		t.Fatalf("one-hour report: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", url, w.sam.Token, map[string]any{"from_seconds": 3500, "to_seconds": 3600}); r.Status != 200 || r.Map()["completed"] != false {
		t.Fatalf("the last 100 s: %d %s", r.Status, r.Body)
	}
}

func TestTheCourseRatioDecidesCompletion(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", w.course), w.teacher.Token,
		map[string]any{"policy": map[string]any{"watch_complete_ratio": 0.5}}); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	item, _ := lecture(t, w, 100)
	url := fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, item)
	open(t, w, w.sam, item)
	for _, s := range [][2]float64{{0, 45}, {91, 100}} {
		env.Clock.Advance(time.Minute)
		r := env.Do("POST", url, w.sam.Token, map[string]any{"from_seconds": s[0], "to_seconds": s[1]})
		var a watchAnswer
		r.Decode(&a)
		if want := s[0] > 0; a.Completed != want {
			t.Fatalf("after %v: %+v", s, a)
		}
	}
}

func TestWhoMayReportWatching(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	item, _ := lecture(t, w, 100)
	page := env.Item(w.teacher, w.course, w.module, nil)
	body := map[string]any{"from_seconds": 0, "to_seconds": 5}
	url := func(item uint64) string { return fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, item) }
	for _, tc := range []struct {
		name string
		u    pacertest.User
		url  string
		want int
	}{
		{"a student", w.sam, url(item), 200},
		{"the instructor", w.teacher, url(item), 403},
		{"a non-member", w.outsider, url(item), 404},
		{"no token", pacertest.User{}, url(item), 401},
		{"a page is not watched", w.sam, url(page), 409},
		{"an unknown item", w.sam, url(99999), 404},
		{"an item of another course", w.sam, fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course2, item), 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := env.Do("POST", tc.url, tc.u.Token, body); r.Status != tc.want {
				t.Fatalf("got %d %s, want %d", r.Status, r.Body, tc.want)
			}
		})
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d/lecture", w.course, item), w.outsider.Token, nil); r.Status != 404 {
		t.Fatalf("lecture for a non-member: %d", r.Status)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d/lecture", w.course, page), w.sam.Token, nil); r.Status != 404 {
		t.Fatalf("lecture of a page: %d", r.Status)
	}
}

func TestALockedLectureCannotBeWatched(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	later := env.Module(w.teacher, w.course, map[string]any{"title": "Week 2", "week": 2})
	m := mustUpload(t, env, w.teacher, w.course, "video/webm", webmFile(60, 700), "")
	item := env.Item(w.teacher, w.course, later, map[string]any{"kind": "lecture", "title": "Later", "media_id": m.ID})
	r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, item), w.sam.Token,
		map[string]any{"from_seconds": 0, "to_seconds": 5})
	if r.Status != 403 {
		t.Fatalf("watching a locked lecture: %d %s", r.Status, r.Body)
	}
}

func TestLaterReportsAreStillChecked(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	item, _ := lecture(t, w, 100)
	url := fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, item)
	report := func(u pacertest.User, from float64) int {
		return env.Do("POST", url, u.Token, map[string]any{"from_seconds": from, "to_seconds": from + 5}).Status
	}
	for _, u := range []pacertest.User{w.sam, w.kim} {
		if got := report(u, 0); got != 200 {
			t.Fatalf("first report: %d", got)
		}
	}
	// Sam leaves the course: his next report is refused like any
	// non-member's.
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", w.course), w.sam.Token, nil); r.Status != 204 {
		t.Fatalf("leave: %d", r.Status)
	}
	if got := report(w.sam, 5); got != 404 {
		t.Fatalf("a report after leaving: %d", got)
	}
	// The instructor unpublishes the lecture: Kim's next report is 404.
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, item), w.teacher.Token, map[string]any{"published": false}); r.Status != 200 {
		t.Fatalf("unpublish: %d", r.Status)
	}
	if got := report(w.kim, 5); got != 404 {
		t.Fatalf("a report on an unpublished lecture: %d", got)
	}
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/items/%d", w.course, item), w.teacher.Token, map[string]any{"published": true}); r.Status != 200 {
		t.Fatalf("publish: %d", r.Status)
	}
	if got := report(w.kim, 5); got != 200 {
		t.Fatalf("a report after publishing again: %d", got)
	}
	// The same for the lecture's module, and for a learner made staff:
	// each answered from what the caches hold must see the change at once.
	modURL := fmt.Sprintf("/api/v1/courses/%d/modules/%d", w.course, w.module)
	if r := env.Do("PATCH", modURL, w.teacher.Token, map[string]any{"published": false}); r.Status != 200 {
		t.Fatalf("unpublish the module: %d %s", r.Status, r.Body)
	}
	if got := report(w.kim, 10); got != 404 {
		t.Fatalf("a report in an unpublished module: %d", got)
	}
	if r := env.Do("PATCH", modURL, w.teacher.Token, map[string]any{"published": true}); r.Status != 200 {
		t.Fatalf("publish the module: %d", r.Status)
	}
	if got := report(w.kim, 10); got != 200 {
		t.Fatalf("a report after the module is published again: %d", got)
	}
}

// TestASpanCountsOnlyAsFarAsTimeAllows is review item 13: one report of a
// whole lecture right after opening it used to complete it. A span counts
// only as far as 2× the wall-clock time since the learner opened the item
// or last reported on it; the rest is ignored, and the answer is still 200.
func TestASpanCountsOnlyAsFarAsTimeAllows(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	item, _ := lecture(t, w, 48)
	url := fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", w.course, item)
	report := func(u pacertest.User, from, to float64) watchAnswer {
		t.Helper()
		r := env.Do("POST", url, u.Token, map[string]any{"from_seconds": from, "to_seconds": to, "position_seconds": to})
		if r.Status != 200 {
			t.Fatalf("report %v–%v: %d %s", from, to, r.Status, r.Body)
		}
		var a watchAnswer
		r.Decode(&a)
		return a
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.01 }

	open(t, w, w.sam, item)
	if a := report(w.sam, 0, 48); a.Completed || a.WatchedRatio != 0 || a.CountedSeconds != 0 {
		t.Fatalf("the whole lecture reported at once, right after opening it: %+v", a)
	}
	// 10 s later, at most 20 s of media can have been played.
	env.Clock.Advance(10 * time.Second)
	if a := report(w.sam, 0, 48); a.Completed || !near(a.CountedSeconds, 20) || !near(a.WatchedRatio, 20.0/48) {
		t.Fatalf("10 s after the last report: %+v", a)
	}
	// 14 s more allow the remaining 28 s.
	env.Clock.Advance(14 * time.Second)
	if a := report(w.sam, 20, 48); !a.Completed || !near(a.CountedSeconds, 28) || !near(a.WatchedRatio, 1) {
		t.Fatalf("24 s after opening, 48 s reported in all: %+v", a)
	}
	if got := itemStatus(t, w, w.sam, item); got != "completed" {
		t.Fatalf("progress %q", got)
	}

	// A burst of reports counts no more than one: the clock restarts at
	// each report, and opening the item again restarts it too.
	open(t, w, w.kim, item)
	env.Clock.Advance(5 * time.Second)
	total := 0.0
	for from := 0.0; from < 48; from += 8 {
		total += report(w.kim, from, from+8).CountedSeconds
	}
	if !near(total, 8) {
		t.Fatalf("a burst of six reports 5 s after opening counted %v s, want 8", total)
	}
	env.Clock.Advance(time.Minute)
	open(t, w, w.kim, item)
	if a := report(w.kim, 8, 48); a.CountedSeconds != 0 {
		t.Fatalf("a report right after opening again counted %v s", a.CountedSeconds)
	}

	// A learner who never opened the item gets nothing for a first report;
	// it starts the clock for the next.
	tess := env.Register("Tess")
	env.Enroll(tess, w.course)
	if a := report(tess, 0, 10); a.CountedSeconds != 0 {
		t.Fatalf("a first report without opening counted %v s", a.CountedSeconds)
	}
	env.Clock.Advance(5 * time.Second)
	if a := report(tess, 0, 10); !near(a.CountedSeconds, 10) {
		t.Fatalf("the next report 5 s later counted %v s, want 10", a.CountedSeconds)
	}
}
