package frontend_test

// Handler tests of the deadline pages: the assignment card and its submit
// form, grading, extensions, the learner's deadlines and calendar link.

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
)

// dlCourse is a scheduled UTC course starting a week after the test clock:
// Week 1 is due on Monday 18 January 2027 at midnight, late work is
// accepted for two days at 10 % per started day, and Week 1 holds one
// assignment worth 10 points.
type dlCourse struct {
	env                *pacertest.Env
	ada, sam, stranger pacertest.User
	cid, mid, iid      uint64
}

var (
	dlStart = time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)
	dlDue   = time.Date(2027, 1, 18, 0, 0, 0, 0, time.UTC)
)

func newDLCourse(t *testing.T) *dlCourse {
	t.Helper()
	env := pacertest.New(t, func(c *server.Config) { c.AccessTTL = 5 * 365 * 24 * time.Hour; c.Tick = 1000 * time.Hour })
	d := &dlCourse{env: env, ada: env.Register("Ada"), sam: env.Register("Sam"), stranger: env.Register("Stan")}
	d.cid = env.Course(d.ada, map[string]any{"title": "Statistics", "starts_at": dlStart.Format(time.RFC3339),
		"policy": map[string]any{"late_seconds": 172800, "late_penalty_percent_per_day": 10}})
	d.mid = env.Module(d.ada, d.cid, map[string]any{"title": "Week 1", "week": 1})
	d.iid = env.Item(d.ada, d.cid, d.mid, map[string]any{"kind": "assignment", "title": "Essay", "body": "Write *one* page.", "points": 10})
	env.Enroll(d.sam, d.cid)
	return d
}

func (d *dlCourse) item() string { return fmt.Sprintf("/courses/%d/items/%d", d.cid, d.iid) }

func TestAssignmentPageSubmitsAndJudges(t *testing.T) {
	d := newDLCourse(t)
	sam := signedIn(t, d.env, d.sam)
	d.env.Clock.Set(dlStart.Add(time.Hour))

	p := sam.get(d.item())
	wantStatus(t, "assignment page", p, http.StatusOK)
	checkSafeHTML(t, d.item(), p.Body)
	if !p.has("Open for submissions") || !p.has(`action="`+d.item()+`/submit"`) || !p.has("<em>one</em>") || !p.has("10 points") {
		t.Fatalf("assignment page:\n%s", snippet(p.Body))
	}

	t.Run("an empty answer comes back as a message", func(t *testing.T) {
		tok := sam.token(d.item())
		p := sam.post(d.item()+"/submit", form("_csrf", tok, "body", "  "))
		wantStatus(t, "empty submit", p, http.StatusBadRequest)
		if !p.has("Write your answer before submitting.") {
			t.Fatalf("no message:\n%s", snippet(p.Body))
		}
	})
	t.Run("a submission is on time and shows on the page", func(t *testing.T) {
		tok := sam.token(d.item())
		p := sam.post(d.item()+"/submit", form("_csrf", tok, "body", "My **essay**"))
		wantRedirect(t, "submit", p, d.item()+"#submission")
		p = sam.get(d.item())
		if !p.has("Submitted on time.") || !p.has("On time") || !p.has("<strong>essay</strong>") || !p.has("Hand in a new attempt") {
			t.Fatalf("after submitting:\n%s", snippet(p.Body))
		}
	})
	t.Run("after the due time the page warns of the penalty and the submission is late", func(t *testing.T) {
		d.env.Clock.Set(dlDue.Add(time.Hour))
		p := sam.get(d.item())
		if !p.has("Late now: 10% penalty") {
			t.Fatalf("late page:\n%s", snippet(p.Body))
		}
		tok := sam.token(d.item())
		sam.post(d.item()+"/submit", form("_csrf", tok, "body", "Revised"))
		p = sam.get(d.item())
		if !p.has("Submitted late: a 10% penalty applies. This is attempt 2; your earlier attempts are kept below.") || !p.has("Late · 10% penalty") || !p.has("attempt 2") {
			t.Fatalf("after a late submission:\n%s", snippet(p.Body))
		}
	})
	t.Run("after the cut-off the form is gone and a forced post is refused", func(t *testing.T) {
		tok := sam.token(d.item())
		d.env.Clock.Set(dlDue.Add(49 * time.Hour))
		p := sam.get(d.item())
		if !p.has("Closed.") || p.has(`action="`+d.item()+`/submit"`) {
			t.Fatalf("closed page:\n%s", snippet(p.Body))
		}
		p = sam.post(d.item()+"/submit", form("_csrf", tok, "body", "too late"))
		wantStatus(t, "late submit", p, http.StatusConflict)
		if !p.has("The deadline has passed") {
			t.Fatalf("no deadline message:\n%s", snippet(p.Body))
		}
	})
	t.Run("staff and strangers cannot submit", func(t *testing.T) {
		ada := signedIn(t, d.env, d.ada)
		p := ada.post(d.item()+"/submit", form("_csrf", ada.token(d.item()), "body", "x"))
		if p.Status != http.StatusSeeOther && p.Status != http.StatusForbidden {
			t.Fatalf("staff submit: %d", p.Status)
		}
		stan := signedIn(t, d.env, d.stranger)
		p = stan.post(d.item()+"/submit", form("_csrf", stan.token("/deadlines"), "body", "x"))
		wantStatus(t, "stranger submit", p, http.StatusNotFound)
	})
}

func TestGradingPages(t *testing.T) {
	d := newDLCourse(t)
	d.env.Clock.Set(dlDue.Add(time.Hour))
	if r := d.env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", d.cid, d.iid), d.sam.Token,
		map[string]any{"body": "late essay"}); r.Status != 201 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	subID := uint64(1)
	ada := signedIn(t, d.env, d.ada)
	list := d.item() + "/submissions"

	p := ada.get(d.item())
	if !p.has("1</strong> of 1 student submitted") || !p.has(`href="`+list+`"`) {
		t.Fatalf("staff assignment card:\n%s", snippet(p.Body))
	}
	p = ada.get(list)
	wantStatus(t, "submissions page", p, http.StatusOK)
	checkSafeHTML(t, list, p.Body)
	if !p.has("Sam") || !p.has("Late · 10% penalty") || !p.has("<svg") {
		t.Fatalf("submissions page:\n%s", snippet(p.Body))
	}
	grade := fmt.Sprintf("/courses/%d/submissions/%d/grade", d.cid, subID)
	t.Run("a score over the points comes back as a message", func(t *testing.T) {
		p := ada.post(grade, form("_csrf", ada.token(list), "score", "11"))
		wantRedirect(t, "bad grade", p, fmt.Sprintf("%s#submission-%d", list, subID))
		if p := ada.get(list); !p.has("Score: Must be between 0 and 10.") {
			t.Fatalf("no message:\n%s", snippet(p.Body))
		}
	})
	t.Run("a grade applies the penalty and the learner sees it", func(t *testing.T) {
		p := ada.post(grade, form("_csrf", ada.token(list), "score", "8", "feedback", "Clear."))
		wantRedirect(t, "grade", p, fmt.Sprintf("%s#submission-%d", list, subID))
		if p := ada.get(list); !p.has("Sam’s work is graded: 7.2.") || !p.has("Final score: 7.2 of 10") {
			t.Fatalf("after grading:\n%s", snippet(p.Body))
		}
		p = signedIn(t, d.env, d.sam).get(d.item())
		if !p.has("Your grade: 7.2 of 10") || !p.has("Clear.") {
			t.Fatalf("the learner's page:\n%s", snippet(p.Body))
		}
	})
	t.Run("students and strangers cannot reach grading", func(t *testing.T) {
		sam := signedIn(t, d.env, d.sam)
		wantStatus(t, "student list", sam.get(list), http.StatusForbidden)
		p := sam.post(grade, form("_csrf", sam.token(d.item()), "score", "10"))
		if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
			t.Fatalf("student grade: %d", p.Status)
		}
		stan := signedIn(t, d.env, d.stranger)
		wantStatus(t, "stranger list", stan.get(list), http.StatusNotFound)
	})
}

func TestExtensionPages(t *testing.T) {
	d := newDLCourse(t)
	ada := signedIn(t, d.env, d.ada)
	path := fmt.Sprintf("/courses/%d/extensions", d.cid)

	p := ada.get(path)
	wantStatus(t, "extensions page", p, http.StatusOK)
	checkSafeHTML(t, path, p.Body)
	if !p.has("Grant an extension") || !p.has(fmt.Sprintf(`<option value="%d">Sam`, d.sam.ID)) {
		t.Fatalf("extensions page:\n%s", snippet(p.Body))
	}
	t.Run("a missing due time is shown on the form", func(t *testing.T) {
		p := ada.post(path, form("_csrf", ada.token(path), "user", fmt.Sprint(d.sam.ID), "module", fmt.Sprint(d.mid)))
		wantStatus(t, "no due", p, http.StatusBadRequest)
		if !p.has("Required.") {
			t.Fatalf("form:\n%s", snippet(p.Body))
		}
	})
	t.Run("granting shows in the list and in the learner's views", func(t *testing.T) {
		p := ada.post(path, form("_csrf", ada.token(path), "user", fmt.Sprint(d.sam.ID), "module", fmt.Sprint(d.mid),
			"due_at", "2027-01-21T12:00"))
		wantRedirect(t, "grant", p, path)
		p = ada.get(path)
		if !p.has("Sam now has until") || !p.has(`datetime="2027-01-21T12:00:00Z"`) {
			t.Fatalf("after granting:\n%s", snippet(p.Body))
		}
		sam := signedIn(t, d.env, d.sam)
		if p := sam.get("/deadlines"); !p.has("extended for you") || !p.has(`datetime="2027-01-21T12:00:00Z"`) {
			t.Fatalf("the learner's deadlines:\n%s", snippet(p.Body))
		}
	})
	t.Run("removing it restores the module's due time", func(t *testing.T) {
		p := ada.post(path+"/1/delete", form("_csrf", ada.token(path)))
		wantRedirect(t, "remove", p, path)
		if p := ada.get(path); !p.has("No extensions") {
			t.Fatalf("after removing:\n%s", snippet(p.Body))
		}
	})
	t.Run("students get 403 and strangers 404", func(t *testing.T) {
		wantStatus(t, "student", signedIn(t, d.env, d.sam).get(path), http.StatusForbidden)
		wantStatus(t, "stranger", signedIn(t, d.env, d.stranger).get(path), http.StatusNotFound)
	})
}

func TestDeadlinesPageAndDashboard(t *testing.T) {
	d := newDLCourse(t)
	sam := signedIn(t, d.env, d.sam)
	d.env.Clock.Set(dlDue.Add(-24 * time.Hour))

	p := sam.get("/dashboard")
	wantStatus(t, "dashboard", p, http.StatusOK)
	if !p.has(`id="deadlines-h"`) || !p.has("Week 1") || !p.has("Due soon") {
		t.Fatalf("dashboard:\n%s", snippet(p.Body))
	}
	p = sam.get("/deadlines")
	wantStatus(t, "deadlines", p, http.StatusOK)
	checkSafeHTML(t, "/deadlines", p.Body)
	feed := regexpFind(t, p.Body, `value="(http://pacer.test/calendar/[^"]+\.ics)"`)
	if !p.has("Coming up") || !p.has(`href="webcal://pacer.test/calendar/`) {
		t.Fatalf("deadlines page:\n%s", snippet(p.Body))
	}
	path := strings.TrimPrefix(feed, "http://pacer.test")
	if r := d.env.Do("GET", path, "", nil); r.Status != 200 || !strings.Contains(string(r.Body), "BEGIN:VCALENDAR") {
		t.Fatalf("feed: %d", r.Status)
	}
	t.Run("the calendar link can be replaced", func(t *testing.T) {
		p := sam.post("/deadlines/calendar", form("_csrf", sam.token("/deadlines")))
		wantRedirect(t, "rotate", p, "/deadlines#calendar")
		if r := d.env.Do("GET", path, "", nil); r.Status != 404 {
			t.Fatalf("old feed: %d", r.Status)
		}
		if p := sam.get("/deadlines"); strings.Contains(p.Body, feed) {
			t.Fatal("the page shows the old link")
		}
	})
	t.Run("overdue work is listed with its cut-off", func(t *testing.T) {
		d.env.Clock.Set(dlDue.Add(time.Hour))
		p := sam.get("/dashboard")
		if !p.has("Overdue, still accepted") || !p.has("accepted until") {
			t.Fatalf("dashboard:\n%s", snippet(p.Body))
		}
	})
}

func TestInstructorsAddAssignmentsWithPoints(t *testing.T) {
	d := newDLCourse(t)
	ada := signedIn(t, d.env, d.ada)
	newPath := fmt.Sprintf("/courses/%d/modules/%d/assignments/new", d.cid, d.mid)
	p := ada.get(fmt.Sprintf("/courses/%d/modules/%d", d.cid, d.mid))
	if !p.has(`href="` + fmt.Sprintf("/courses/%d/modules/%d", d.cid, d.mid) + `/assignments/new"`) {
		t.Fatalf("module page has no way to add an assignment:\n%s", snippet(p.Body))
	}
	wantStatus(t, "new assignment", ada.get(newPath), http.StatusOK)
	p = ada.post(newPath, form("_csrf", ada.token(newPath), "title", "Project", "body", "Build it.", "points", "many", "published", "1"))
	wantStatus(t, "bad points", p, http.StatusBadRequest)
	if !p.has("Give the points as a number.") {
		t.Fatalf("form:\n%s", snippet(p.Body))
	}
	p = ada.post(newPath, form("_csrf", ada.token(newPath), "title", "Project", "body", "Build it.", "points", "25", "published", "1"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", p.Status, snippet(p.Body))
	}
	item := p.Header.Get("Location")
	if p := ada.get(item); !p.has("25 points") {
		t.Fatalf("new assignment:\n%s", snippet(p.Body))
	}
	edit := item + "/assignment"
	p = ada.post(edit, form("_csrf", ada.token(edit), "title", "Project", "body", "Build it.", "points", "30", "published", "1"))
	wantRedirect(t, "edit", p, item)
	if p := ada.get(item); !p.has("30 points") {
		t.Fatalf("edited assignment:\n%s", snippet(p.Body))
	}
	wantStatus(t, "student", signedIn(t, d.env, d.sam).get(newPath), http.StatusForbidden)
}

// regexpFind returns the first group of pattern in s.
func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the page:\n%s", pattern, snippet(s))
	}
	return m[1]
}

func TestAssignmentPageTakesAFile(t *testing.T) {
	d := newDLCourse(t)
	sam := signedIn(t, d.env, d.sam)
	d.env.Clock.Set(dlStart.Add(time.Hour))
	p := sam.get(d.item())
	if !p.has(`enctype="multipart/form-data"`) || !p.has(`name="file"`) {
		t.Fatalf("no file field:\n%s", snippet(p.Body))
	}
	tok := sam.token(d.item())

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", tok)
	_ = mw.WriteField("body", "")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="chart.pdf"`)
	h.Set("Content-Type", "application/pdf")
	fw, _ := mw.CreatePart(h)
	_, _ = fw.Write([]byte("%PDF-1.4\n% a tiny test file\n%%EOF\n"))
	_ = mw.Close()
	req := httptest.NewRequest("POST", d.item()+"/submit", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range sam.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := d.env.Server.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != d.item()+"#submission" {
		t.Fatalf("file submit: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	p = sam.get(d.item())
	// The attached file is shown by its name.
	link := regexpFind(t, p.Body, `Your attached file: <a href="(/api/v1/media/\d+)" download="chart.pdf">chart.pdf</a>`)
	if r := d.env.Do("GET", link, d.sam.Token, nil); r.Status != 200 || !strings.HasPrefix(string(r.Body), "%PDF-") {
		t.Fatalf("the learner's file: %d", r.Status)
	}
	if r := d.env.Do("GET", link, d.ada.Token, nil); r.Status != 200 {
		t.Fatalf("staff read the file: %d", r.Status)
	}
	if r := d.env.Do("GET", link, d.stranger.Token, nil); r.Status != 404 {
		t.Fatalf("a stranger read the file: %d", r.Status)
	}
}

func TestAMissedWeekSaysTheAssignmentClosedAndItsReadingsAreStillOpen(t *testing.T) {
	d := newDLCourse(t)
	reading := d.env.Item(d.ada, d.cid, d.mid, map[string]any{"title": "Chapter 1", "body": "Read this."})
	// Lee enrols after Week 1's late period is over.
	d.env.Clock.Set(dlDue.Add(72 * time.Hour))
	lee := d.env.Register("Lee")
	d.env.Enroll(lee, d.cid)
	c := signedIn(t, d.env, lee)

	p := c.get("/deadlines")
	wantStatus(t, "deadlines", p, http.StatusOK)
	if p.has("Work is no longer accepted.") {
		t.Errorf("the page says all work on the week is closed while its readings are open:\n%s", snippet(p.Body))
	}
	for _, want := range []string{`id="missed-h"`, "the assignment “Essay”", "Still open: 1 item to complete.", "you can still complete them"} {
		if !p.has(want) {
			t.Errorf("the missed week does not say %q:\n%s", want, snippet(p.Body))
		}
	}
	// The reading can indeed still be completed, and the page follows.
	wantStatus(t, "reading", c.get(fmt.Sprintf("/courses/%d/items/%d", d.cid, reading)), http.StatusOK)
	if p := c.get("/deadlines"); !p.has("Every other item is done.") || !p.has("the assignment “Essay”") {
		t.Errorf("after the reading:\n%s", snippet(p.Body))
	}
}
