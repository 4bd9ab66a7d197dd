package frontend_test

// Handler tests of issue 13's submission fixes: attempts kept and shown,
// the confirmation before handing in over graded work, the typed answer
// kept on a refused file, document types, rendered feedback, extensions
// that must give more time, "missing" only after the cut-off, and the
// "To grade" lists.

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// postMultipart sends a submit form with a file as the page's form would.
func (c *client) postMultipart(path string, fields []string, filename, ctype string, content []byte) page {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	if filename != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
		h.Set("Content-Type", ctype)
		fw, _ := mw.CreatePart(h)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range c.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.env.Server.App.Test(req, -1)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	for _, ck := range res.Cookies() {
		c.jar[ck.Name] = ck.Value
	}
	return page{Status: res.StatusCode, Header: res.Header, Body: b.String()}
}

func (d *dlCourse) attempts(t *testing.T) []struct {
	ID      uint64   `json:"id"`
	Attempt int      `json:"attempt"`
	Current bool     `json:"current"`
	Score   *float64 `json:"score"`
	MediaID uint64   `json:"media_id"`
} {
	t.Helper()
	var l struct {
		Items []struct {
			ID      uint64   `json:"id"`
			Attempt int      `json:"attempt"`
			Current bool     `json:"current"`
			Score   *float64 `json:"score"`
			MediaID uint64   `json:"media_id"`
		} `json:"items"`
	}
	d.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", d.cid, d.iid), d.ada.Token, nil).Decode(&l)
	return l.Items
}

// Issue 13, item 1 without scripts: handing in over graded work asks for
// a confirmation the server checks, keeps the typed text when it is
// missing, and then keeps the graded attempt beside the new one.
func TestHandingInOverGradedWorkIsConfirmedAndKeepsIt(t *testing.T) {
	d := newDLCourse(t)
	sam := signedIn(t, d.env, d.sam)
	d.env.Clock.Set(dlStart.Add(time.Hour))
	pdf := []byte("%PDF-1.4\n% analysis\n%%EOF\n")
	p := sam.postMultipart(d.item()+"/submit", []string{"_csrf", sam.token(d.item()), "body", "My analysis"}, "analysis.pdf", "application/pdf", pdf)
	wantStatus(t, "first submit", p, http.StatusSeeOther)
	first := d.attempts(t)[0]
	if r := d.env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/submissions/%d", d.cid, first.ID), d.ada.Token,
		map[string]any{"score": 8.5, "feedback": "Good use of the **IQR**."}); r.Status != 200 {
		t.Fatalf("grade: %d %s", r.Status, r.Body)
	}

	p = sam.get(d.item())
	if !p.has(`name="confirm_replace"`) || !p.has("Your work was graded: 8.5 of 10 for attempt 1.") || !p.has("<strong>IQR</strong>") || p.has("**IQR**") {
		t.Fatalf("graded page:\n%s", snippet(p.Body))
	}
	p = sam.post(d.item()+"/submit", form("_csrf", sam.token(d.item()), "body", "A better version"))
	wantStatus(t, "without the confirmation", p, http.StatusBadRequest)
	if !p.has(">A better version</textarea>") || !p.has("Tick the box to hand in a new attempt") {
		t.Fatalf("unconfirmed:\n%s", snippet(p.Body))
	}
	if n := len(d.attempts(t)); n != 1 {
		t.Fatalf("an unconfirmed post stored an attempt: %d attempts", n)
	}

	p = sam.post(d.item()+"/submit", form("_csrf", sam.token(d.item()), "body", "A better version", "confirm_replace", "1"))
	wantRedirect(t, "confirmed", p, d.item()+"#submission")
	p = sam.get(d.item())
	for _, want := range []string{"Your grade: 8.5 of 10", "from attempt 1", "Attempt 2 is not graded yet", "Your attempts",
		`data-attempt="1"`, `data-attempt="2"`, "The attached file", "<p>My analysis</p>", "<p>A better version</p>"} {
		if !p.has(want) {
			t.Fatalf("no %q on the learner's page:\n%s", want, snippet(p.Body))
		}
	}
	if p.has("Not graded yet.") {
		t.Fatalf("the graded work reads as not graded:\n%s", snippet(p.Body))
	}
	ada := signedIn(t, d.env, d.ada)
	p = ada.get(d.item() + "/submissions")
	if !p.has("Earlier attempts (1)") || !p.has("Score 8.5 of 10") || !p.has("attempt 2") || !p.has("<strong>IQR</strong>") {
		t.Fatalf("staff page:\n%s", snippet(p.Body))
	}
	as := d.attempts(t)
	if len(as) != 2 || as[1].Score == nil || *as[1].Score != 8.5 || as[1].MediaID == 0 || !as[0].Current {
		t.Fatalf("attempts = %+v", as)
	}
}

func docx(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`))
	w, _ = zw.Create("word/document.xml")
	w.Write([]byte(`<w:document/>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Issue 13, item 3: a refused file emptied the typed answer and listed raw
// media types; Word documents were refused.
func TestARefusedFileKeepsTheAnswer(t *testing.T) {
	d := newDLCourse(t)
	sam := signedIn(t, d.env, d.sam)
	d.env.Clock.Set(dlStart.Add(time.Hour))
	p := sam.postMultipart(d.item()+"/submit", []string{"_csrf", sam.token(d.item()), "body", "My long typed answer"},
		"tool.exe", "application/x-msdownload", []byte("MZ\x90\x00\x03"))
	wantStatus(t, "an .exe", p, http.StatusUnsupportedMediaType)
	if !p.has(">My long typed answer</textarea>") || !p.has("PDF, images, audio, video, Word") || p.has("text/vtt") || !p.has(`id="f-file-error"`) {
		t.Fatalf("after an .exe:\n%s", snippet(p.Body))
	}
	p = sam.postMultipart(d.item()+"/submit", []string{"_csrf", sam.token(d.item()), "body", "Another answer"},
		"fake.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04 not really"))
	wantStatus(t, "a fake .docx", p, http.StatusUnsupportedMediaType)
	if !p.has(">Another answer</textarea>") || !p.has("does not match its type") {
		t.Fatalf("after a fake .docx:\n%s", snippet(p.Body))
	}
	p = sam.postMultipart(d.item()+"/submit", []string{"_csrf", sam.token(d.item()), "body", "With my essay"},
		"essay.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx(t))
	wantRedirect(t, "a real .docx", p, d.item()+"#submission")
	if as := d.attempts(t); len(as) != 1 || as[0].MediaID == 0 {
		t.Fatalf("attempts = %+v", as)
	}
}

// Issue 13, item 6: feedback showed as raw Markdown.
func TestFeedbackIsRenderedForTheLearner(t *testing.T) {
	d := newDLCourse(t)
	d.env.Clock.Set(dlStart.Add(time.Hour))
	sam := signedIn(t, d.env, d.sam)
	sam.post(d.item()+"/submit", form("_csrf", sam.token(d.item()), "body", "essay"))
	ada := signedIn(t, d.env, d.ada)
	list := d.item() + "/submissions"
	id := d.attempts(t)[0].ID
	p := ada.post(fmt.Sprintf("/courses/%d/submissions/%d/grade", d.cid, id),
		form("_csrf", ada.token(list), "score", "9", "feedback", "Report the **IQR** <img src=x onerror=alert(1)>"))
	wantStatus(t, "grade", p, http.StatusSeeOther)
	p = sam.get(d.item())
	checkSafeHTML(t, d.item(), p.Body)
	if !p.has("<strong>IQR</strong>") || p.has("**IQR**") || p.has("onerror") {
		t.Fatalf("learner's page:\n%s", snippet(p.Body))
	}
	p = sam.get("/notifications")
	if !p.has("Report the IQR") || p.has("**IQR**") {
		t.Fatalf("notifications page:\n%s", snippet(p.Body))
	}
}

// Issue 13, item 2: an extension to a past date was granted.
func TestExtensionPageRefusesAPastDate(t *testing.T) {
	d := newDLCourse(t)
	d.env.Clock.Set(dlStart.Add(time.Hour))
	ada := signedIn(t, d.env, d.ada)
	path := fmt.Sprintf("/courses/%d/extensions", d.cid)
	for _, due := range []string{"2020-01-01T00:00", "2027-01-17T00:00"} { // the past; before Week 1's own due time
		p := ada.post(path, form("_csrf", ada.token(path), "user", fmt.Sprint(d.sam.ID), "module", fmt.Sprint(d.mid), "due_at", due))
		wantStatus(t, "extension to "+due, p, http.StatusBadRequest)
		if !p.has(`id="f-due_at-error"`) || p.has("now has until") || !p.has(`value="`+due+`"`) {
			t.Fatalf("extension to %s:\n%s", due, snippet(p.Body))
		}
	}
	if p := ada.get(path); !p.has("No extensions") {
		t.Fatalf("a refused extension is listed:\n%s", snippet(p.Body))
	}
}

// Issue 13, item 5: learners whose due time had not come were "missing".
func TestSubmissionsPageCountsMissingOnlyAfterTheCutoff(t *testing.T) {
	d := newDLCourse(t)
	ada := signedIn(t, d.env, d.ada)
	list := d.item() + "/submissions"
	d.env.Clock.Set(dlStart.Add(time.Hour))
	p := ada.get(list)
	if !p.has("<span>0 missing</span>") || !p.has("<span>1 not yet submitted</span>") || !p.has(`data-not-yet`) || p.has(`data-missing`) {
		t.Fatalf("before the due time:\n%s", snippet(p.Body))
	}
	d.env.Clock.Set(dlDue.Add(time.Hour)) // late work still accepted
	if p := ada.get(list); !p.has("<span>0 missing</span>") {
		t.Fatalf("before the cut-off:\n%s", snippet(p.Body))
	}
	d.env.Clock.Set(dlDue.Add(49 * time.Hour))
	p = ada.get(list)
	if !p.has("<span>1 missing</span>") || !p.has(`data-missing`) || !p.has("Grant an extension") {
		t.Fatalf("after the cut-off:\n%s", snippet(p.Body))
	}
}

// Item 10: staff see the work waiting for a grade on the dashboard and the
// course page, and hear of it in one notification per item.
func TestStaffSeeWhatToGrade(t *testing.T) {
	d := newDLCourse(t)
	d.env.Clock.Set(dlStart.Add(time.Hour))
	sam := signedIn(t, d.env, d.sam)
	sam.post(d.item()+"/submit", form("_csrf", sam.token(d.item()), "body", "essay"))
	ada := signedIn(t, d.env, d.ada)
	link := `href="` + d.item() + `/submissions"`
	for _, path := range []string{"/dashboard", fmt.Sprintf("/courses/%d", d.cid)} {
		p := ada.get(path)
		wantStatus(t, path, p, http.StatusOK)
		if !p.has(`id="to-grade-h"`) || !p.has(link) || !p.has(`data-count="1"`) {
			t.Fatalf("%s:\n%s", path, snippet(p.Body))
		}
	}
	if p := sam.get(fmt.Sprintf("/courses/%d", d.cid)); p.has(`id="to-grade-h"`) {
		t.Fatal("a learner sees the to-grade list")
	}
	p := ada.get("/notifications")
	if !p.has(html.EscapeString("New submission to Essay")) || !p.has(link) {
		t.Fatalf("notifications:\n%s", snippet(p.Body))
	}
	_ = strings.Contains
}
