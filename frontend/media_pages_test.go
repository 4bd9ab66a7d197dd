package frontend_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"pacer/demo"
	"pacer/pacertest"
)

// postFile posts a multipart form with one file, as a browser without
// JavaScript does.
func (c *client) postFile(path string, fields map[string]string, field, name, ctype string, body []byte) page {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	// As a browser does, the fields go in page order, the _csrf field first.
	if v, ok := fields["_csrf"]; ok {
		w.WriteField("_csrf", v)
	}
	for k, v := range fields {
		if k != "_csrf" {
			w.WriteField(k, v)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", ctype)
	part, _ := w.CreatePart(h)
	part.Write(body)
	w.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range c.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.env.Server.App.Test(req, -1)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	p := page{Status: res.StatusCode, Header: res.Header, Body: string(raw)}
	if p.Status >= 500 {
		c.t.Errorf("POST %s: server error %d", path, p.Status)
	}
	return p
}

func TestMediaPages(t *testing.T) {
	env := pacertest.New(t)
	teacher, sam, otto := env.Register("Ada"), env.Register("Sam"), env.Register("Otto")
	course := env.Course(teacher, map[string]any{"pacing": "self_paced"})
	env.Enroll(sam, course)
	module := env.Module(teacher, course, nil)
	video, captions := demo.Lecture()
	r := env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=week1.mp4", course), teacher.Token, video,
		map[string]string{"Content-Type": "video/mp4"})
	media := r.ID()
	env.DoHeaders("POST", fmt.Sprintf("/api/v1/media/%d/captions?lang=en&label=English", media), teacher.Token, captions,
		map[string]string{"Content-Type": "text/vtt"})
	item := env.Item(teacher, course, module, map[string]any{"kind": "lecture", "title": "Lecture one", "media_id": media})
	files := fmt.Sprintf("/courses/%d/media", course)
	itemPage := fmt.Sprintf("/courses/%d/items/%d", course, item)

	ada := signedIn(t, env, teacher)
	p := ada.get(files)
	wantStatus(t, "the files page", p, 200)
	for _, want := range []string{"week1.mp4", "0:48", "English (en)", `data-upload-url="/api/v1/courses/`, `enctype="multipart/form-data"`} {
		if !p.has(want) {
			t.Errorf("the files page lacks %q", want)
		}
	}
	checkSafeHTML(t, files, p.Body)
	wantStatus(t, "a student on the files page", signedIn(t, env, sam).get(files), 403)
	wantStatus(t, "a non-member on the files page", signedIn(t, env, otto).get(files), 404)

	s := signedIn(t, env, sam)
	p = s.get(itemPage)
	wantStatus(t, "the lecture page", p, 200)
	for _, want := range []string{`<track kind="captions"`, `srclang="en"`, `data-watch-url="/api/v1/courses/`, "Welcome to week two", "Watched 0 %", "player.js"} {
		if !p.has(want) {
			t.Errorf("the lecture page lacks %q", want)
		}
	}
	checkSafeHTML(t, itemPage, p.Body)
	if p := ada.get(itemPage); p.has("data-watch-url") {
		t.Error("staff watching a lecture should not report progress")
	}

	// The form without JavaScript: a multipart post.
	tok := ada.token(files)
	p = ada.postFile(files, map[string]string{"_csrf": tok}, "file", "notes.pdf", "application/pdf", []byte("%PDF-1.4\n% notes\n%%EOF\n"))
	if p.Status != 303 {
		t.Fatalf("multipart upload: %d %s", p.Status, p.Body)
	}
	p = ada.postFile(files, map[string]string{"_csrf": tok}, "file", "evil.pdf", "application/pdf", []byte("<html><script>alert(1)</script></html>"))
	if p.Status != 415 || !strings.Contains(p.Body, "looks like HTML") {
		t.Fatalf("a disguised upload: %d", p.Status)
	}
	p = ada.postFile(files, map[string]string{"_csrf": "wrong"}, "file", "notes.pdf", "application/pdf", []byte("%PDF-1.4\n"))
	if p.Status != 403 {
		t.Fatalf("an upload without the CSRF token: %d", p.Status)
	}

	// A file item of the PDF.
	var list struct {
		Items []struct {
			ID       uint64 `json:"id"`
			Filename string `json:"filename"`
		} `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/media", course), teacher.Token, nil).Decode(&list)
	var pdf uint64
	for _, m := range list.Items {
		if m.Filename == "notes.pdf" {
			pdf = m.ID
		}
	}
	p = ada.post(fmt.Sprintf("/courses/%d/media/%d/items", course, pdf), form("_csrf", tok, "module", fmt.Sprint(module), "kind", "file", "title", "Notes"))
	if p.Status != 303 {
		t.Fatalf("make a file item: %d", p.Status)
	}
	loc := p.Header.Get("Location")
	p = s.get(loc)
	wantStatus(t, "the file item", p, 200)
	if !p.has("notes.pdf") || !p.has(fmt.Sprintf(`/api/v1/media/%d?download=1`, pdf)) {
		t.Errorf("the file item lacks its download link")
	}
	checkSafeHTML(t, loc, p.Body)

	// The delete button: a file no item shows goes; the lecture's stays,
	// and the page says why.
	spare := env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=spare.pdf", course), teacher.Token,
		[]byte("%PDF-1.4\n% spare\n%%EOF\n"), map[string]string{"Content-Type": "application/pdf"}).ID()
	del := fmt.Sprintf("/courses/%d/media/%d/delete", course, spare)
	if p := ada.get(files); !p.has(`action="` + del + `"`) {
		t.Fatalf("the files page has no delete button for the spare file")
	}
	wantStatus(t, "a student deleting a file", s.post(del, form("_csrf", s.token(itemPage))), 403)
	if p := ada.post(del, form("_csrf", tok)); p.Status != 303 {
		t.Fatalf("delete: %d %s", p.Status, p.Body)
	}
	if p := ada.get(files); p.has(`action="`+del+`"`) || !p.has("Deleted “spare.pdf”") {
		t.Error("the deleted file is still listed, or the page does not say it went")
	}
	p = ada.post(fmt.Sprintf("/courses/%d/media/%d/delete", course, media), form("_csrf", tok))
	if p.Status != 409 || !p.has("was not deleted") || !p.has("Lecture one") {
		t.Fatalf("deleting the lecture's file: %d", p.Status)
	}
}
