package securitytest_test

// The XSS corpus pushed through every place that renders user text: the
// API's *_html fields, the web pages and the e-mails. Nothing that comes
// out may run script.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"pacer/pacertest"
)

// urlAttrs are the attributes whose value a browser may load or follow.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true,
	"data": true, "poster": true, "background": true, "codebase": true, "cite": true, "lowsrc": true, "dynsrc": true,
	"ping": true, "manifest": true, "longdesc": true, "usemap": true, "srcset": true, "icon": true, "profile": true}

// badElements may not appear at all.
var badElements = map[string]bool{"script": true, "iframe": true, "object": true, "embed": true, "applet": true,
	"frame": true, "frameset": true, "base": true, "isindex": true}

// dangerousURL reports whether a URL attribute value would run script or
// load a document: a javascript:, vbscript: or data: scheme once entities
// are decoded (the parser did that) and the whitespace and control
// characters browsers ignore are removed.
func dangerousURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7f || unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return unicode.ToLower(r)
	}, v)
	for _, s := range []string{"javascript:", "vbscript:", "data:", "livescript:"} {
		if strings.HasPrefix(v, s) || strings.Contains(v, ","+s) {
			return true
		}
	}
	return false
}

// unsafeHTML lists what in an HTML document (or fragment) could run script.
// ownScripts allows Pacer's own <script src="/static/..."> tags of a page.
func unsafeHTML(doc string, fragment, ownScripts bool) []string {
	var nodes []*html.Node
	var err error
	if fragment {
		nodes, err = html.ParseFragment(strings.NewReader(doc), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	} else {
		var n *html.Node
		n, err = html.Parse(strings.NewReader(doc))
		nodes = []*html.Node{n}
	}
	if err != nil {
		// The parser gives up past 512 open elements (deeply nested
		// emphasis does that); every tag is then looked at on its own.
		nodes = flatNodes(doc)
	}
	var out []string
	var walk func(n *html.Node, inSVG bool)
	walk = func(n *html.Node, inSVG bool) {
		if n.Type == html.ElementNode {
			name := strings.ToLower(n.Data)
			inSVG = inSVG || name == "svg" || name == "math" || name == "animate" || name == "set"
			if badElements[name] {
				src := attr(n, "src")
				if !(name == "script" && ownScripts && strings.HasPrefix(src, "/static/") && n.FirstChild == nil) {
					out = append(out, fmt.Sprintf("<%s> element (src=%q)", name, src))
				}
			}
			if name == "meta" && strings.EqualFold(attr(n, "http-equiv"), "refresh") {
				out = append(out, "<meta http-equiv=refresh>")
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = strings.ToLower(a.Namespace + ":" + a.Key)
				}
				switch {
				case strings.HasPrefix(strings.ToLower(a.Key), "on"):
					out = append(out, fmt.Sprintf("event handler %s=%q on <%s>", a.Key, a.Val, name))
				case urlAttrs[key] || urlAttrs[strings.ToLower(a.Key)]:
					if dangerousURL(a.Val) {
						out = append(out, fmt.Sprintf("%s=%q on <%s>", a.Key, a.Val, name))
					}
				case inSVG && (key == "values" || key == "to" || key == "from" || key == "attributename"):
					if dangerousURL(a.Val) || strings.HasPrefix(strings.ToLower(a.Val), "on") || strings.EqualFold(a.Val, "href") {
						out = append(out, fmt.Sprintf("SVG animation %s=%q on <%s>", a.Key, a.Val, name))
					}
				case key == "style" || key == "srcdoc":
					v := strings.ToLower(a.Val)
					if key == "srcdoc" || strings.Contains(v, "javascript:") || strings.Contains(v, "expression(") || strings.Contains(v, "behavior:") {
						out = append(out, fmt.Sprintf("%s=%q on <%s>", a.Key, a.Val, name))
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inSVG)
		}
	}
	for _, n := range nodes {
		walk(n, false)
	}
	return out
}

// flatNodes tokenizes doc and returns each start tag as an element of its
// own, for documents too deep for the parser.
func flatNodes(doc string) []*html.Node {
	var out []*html.Node
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			out = append(out, &html.Node{Type: html.ElementNode, Data: tok.Data, Attr: tok.Attr})
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// htmlFields finds every string field of a JSON answer whose name ends in
// "html" (body_html, description_html, summary_html, html, ...).
func htmlFields(raw []byte) map[string]string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && strings.HasSuffix(k, "html") {
					out[path+"."+k] = s
				}
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("", v)
	return out
}

// xss collects what the corpus reached and what came out unsafe.
type xss struct {
	*matrix
	reached map[string]int // field → payloads stored there
	pages   int
	apis    int
	mails   int
}

func (x *xss) api(what string, raw []byte) {
	x.apis++
	for field, h := range htmlFields(raw) {
		for _, p := range unsafeHTML(h, true, false) {
			x.fail("%s %s: %s", what, field, p)
		}
	}
}

func (x *xss) page(a *actor, path string) page {
	x.t.Helper()
	p := x.w.page(a, "GET", path, nil)
	x.pages++
	x.tried++
	if p.Status != 200 {
		x.fail("%s GET %s: %d", a.name, path, p.Status)
		return p
	}
	for _, problem := range unsafeHTML(p.Body, false, true) {
		x.fail("%s GET %s: %s", a.name, path, problem)
	}
	return p
}

// store sends a write that carries a payload; it counts the field as
// reached when the write is accepted (fields refuse some payloads, such as
// titles with line breaks, and that is fine).
func (x *xss) store(a *actor, field, method, path string, body any) (uint64, bool) {
	x.t.Helper()
	x.w.countPost(a, method, path)
	x.tried++
	r := x.w.env.Do(method, path, a.token(), body)
	if r.Status >= 300 {
		if r.Status != 400 {
			x.fail("%s %s %s: %d %s", a.name, method, path, r.Status, short(r.Body))
		}
		return 0, false
	}
	x.reached[field]++
	x.api(method+" "+path, r.Body)
	var v struct {
		ID uint64 `json:"id"`
	}
	_ = json.Unmarshal(r.Body, &v)
	return v.ID, true
}

// title is p when it can be a one-line title, else a harmless stand-in.
func title(p string, i int, limit int) string {
	if !singleLine(strings.TrimSpace(p)) || len([]rune(strings.TrimSpace(p))) > limit || strings.TrimSpace(p) == "" {
		return fmt.Sprintf("Payload %d", i)
	}
	return p
}

var nextLink = regexp.MustCompile(`href="([^"]*cursor=[^"]*)"`)

func TestXSSPayloadsRenderNothingExecutable(t *testing.T) {
	if len(xssPayloads) < 100 {
		t.Fatalf("the corpus has %d payloads, fewer than 100", len(xssPayloads))
	}
	w := newWorld(t)
	x := &xss{matrix: &matrix{t: t, w: w}, reached: map[string]int{}}
	c := w.a
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	ins := c.ins

	// Captions: one file whose cues are the payloads, labelled with one.
	var vttBody strings.Builder
	vttBody.WriteString("WEBVTT\n\n")
	for i, p := range xssPayloads {
		cue := strings.Join(strings.Fields(strings.ReplaceAll(strings.ReplaceAll(p, "-->", "- ->"), "\x00", "")), " ")
		if cue == "" {
			continue
		}
		fmt.Fprintf(&vttBody, "00:00:%02d.000 --> 00:00:%02d.500\n%s\n\n", i%60, i%60, cue)
	}
	r := w.upload(ins, 0, fmt.Sprintf("/api/v1/media/%d/captions?lang=en&label=%s", c.video.id, url.QueryEscape(`"><img src=x onerror=alert(1)>`)), "text/vtt", []byte(vttBody.String()))
	if r.Status != 201 {
		t.Fatalf("captions with the payloads: %d %s", r.Status, r.Body)
	}
	x.reached["caption cues"] = len(xssPayloads)

	// A module for the payload items, due in a week so that it shows on
	// the students' deadlines.
	xmod := w.env.Module(ins.u, c.id, map[string]any{"title": "XSS", "published": true, "due_at": "2027-01-11T00:00:00Z"})
	// Announcements go to a course of their own with one learner, so that
	// each payload is one notification and one e-mail, not one per
	// payload learner.
	ac := w.env.Course(ins.u, map[string]any{"title": "Announcements"})
	w.env.Enroll(c.s1.u, ac)
	acAPI, acPage := fmt.Sprintf("/api/v1/courses/%d/announcements", ac), fmt.Sprintf("/courses/%d/announcements", ac)
	type planted struct {
		user      *actor
		module    uint64
		item      uint64
		thread    uint64
		reply     uint64
		course    uint64
		submitted bool
	}
	var all []planted
	for i, p := range xssPayloads {
		var pl planted
		// A learner named with the payload.
		name := title(p, i, 100)
		r := w.env.Do("POST", "/api/v1/auth/register", "", map[string]any{"email": fmt.Sprintf("payload%d@example.test", i),
			"password": "correct horse battery", "name": name})
		if r.Status != 201 {
			t.Fatalf("register %q: %d %s", name, r.Status, r.Body)
		}
		var reg struct {
			User struct {
				ID uint64 `json:"id"`
			} `json:"user"`
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		r.Decode(&reg)
		u := pacertest.User{ID: reg.User.ID, Email: fmt.Sprintf("payload%d@example.test", i), Name: name, Token: reg.AccessToken, Refresh: reg.RefreshToken}
		if name == p {
			x.reached["user name"]++
		}
		pl.user = &actor{name: fmt.Sprintf("payload user %d", i), u: u, roles: map[*course]string{c: student}}
		w.env.Enroll(u, c.id)
		w.actors = append(w.actors, pl.user)

		pl.module, _ = x.store(ins, "module title and summary", "POST", base+"/modules",
			map[string]any{"title": title(p, i, 200), "summary": p, "published": true, "due_at": "2027-01-11T00:00:00Z"})
		pl.item, _ = x.store(ins, "item title and body", "POST", fmt.Sprintf("%s/modules/%d/items", base, xmod),
			map[string]any{"kind": "page", "title": title(p, i, 200), "body": p, "published": true})
		x.store(ins, "board title", "POST", base+"/boards", map[string]any{"title": title(p, i, 200), "mode": "discussion"})
		pl.thread, _ = x.store(pl.user, "thread title and body", "POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general),
			map[string]any{"title": title(p, i, 200), "body": p})
		if pl.thread != 0 {
			// The instructor's reply mentions nobody but notifies the
			// author (a batched e-mail); the author reports it.
			pl.reply, _ = x.store(ins, "post body", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", pl.thread), map[string]any{"body": p})
			if pl.reply != 0 {
				x.store(pl.user, "report reason", "POST", fmt.Sprintf("/api/v1/posts/%d/report", pl.reply), map[string]any{"reason": p})
			}
		}
		if _, ok := x.store(pl.user, "submission body", "POST", fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id),
			map[string]any{"body": p}); ok {
			pl.submitted = true
			var sub struct {
				Items []struct {
					ID uint64 `json:"id"`
				} `json:"items"`
			}
			w.env.Do("GET", fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id), u.Token, nil).Decode(&sub)
			if len(sub.Items) == 1 {
				x.store(ins, "feedback", "PATCH", fmt.Sprintf("%s/submissions/%d", base, sub.Items[0].ID), map[string]any{"score": 5, "feedback": p})
			}
		}
		x.store(ins, "nudge message", "POST", base+"/nudges", map[string]any{"user_ids": []uint64{u.ID}, "message": p})
		x.store(ins, "announcement title and body", "POST", acAPI, map[string]any{"title": title(p, i, 200), "body": p})
		if pl.module != 0 {
			x.store(ins, "extension (names, module titles)", "POST", base+"/extensions",
				map[string]any{"user_id": u.ID, "module_id": pl.module, "due_at": "2027-02-01T00:00:00Z"})
		}
		pl.course, _ = x.store(ins, "course title and description", "POST", "/api/v1/courses",
			map[string]any{"title": title(p, i, 200), "description": p, "published": true})
		uploader := ins
		if i%2 == 1 {
			uploader = c.ta
		}
		if r := w.upload(uploader, 0, base+"/media?filename="+url.QueryEscape(p), "application/pdf", pdfFile(fmt.Sprint("payload ", i))); r.Status == 201 {
			x.reached["file name"]++
			x.api("upload", r.Body)
		}
		x.tried++
		r = w.env.Do("POST", "/api/v1/markdown/preview", pl.user.token(), map[string]any{"body": p})
		if r.Status == 200 {
			x.reached["preview"]++
			x.api("preview", r.Body)
		}
		all = append(all, pl)
	}

	// Signing up with a payload name shows a welcome flash on the next page.
	for i, p := range xssPayloads[:25] {
		v := newVisitor(w)
		tok := v.formToken()
		res := v.post("/signup", url.Values{"_csrf": {tok}, "name": {title(p, i, 100)}, "email": {fmt.Sprintf("flash%d@example.test", i)},
			"password": {"correct horse battery"}})
		if res.Status == 303 {
			x.pages++
			if probs := unsafeHTML(v.get(res.Location).Body, false, true); len(probs) > 0 {
				x.fail("welcome page after signing up as %q: %v", p, probs)
			}
		}
	}

	// The API's answers.
	for _, pl := range all {
		for _, path := range []string{fmt.Sprintf("%s/modules/%d", base, pl.module), fmt.Sprintf("%s/items/%d", base, pl.item),
			fmt.Sprintf("/api/v1/threads/%d", pl.thread), fmt.Sprintf("/api/v1/posts/%d", pl.reply), fmt.Sprintf("/api/v1/courses/%d", pl.course)} {
			if strings.HasSuffix(path, "/0") {
				continue
			}
			x.tried++
			x.api("GET "+path, w.env.Do("GET", path, ins.token(), nil).Body)
		}
	}
	for _, path := range []string{base + "/modules", fmt.Sprintf("%s/items/%d/submissions?limit=200", base, c.byName["assignment"].id),
		base + "/reports?limit=200", base + "/search?q=alert&limit=200", fmt.Sprintf("/api/v1/boards/%d/threads?limit=200", c.general),
		"/api/v1/courses", base + "/members", base + "/at-risk?limit=200", base + "/extensions", fmt.Sprintf("/api/v1/media/%d/captions", c.video.id),
		fmt.Sprintf("%s/items/%d/lecture", base, c.byName["lecture"].id), acAPI + "?limit=200"} {
		x.tried++
		x.api("GET "+path, w.env.Do("GET", path, ins.token(), nil).Body)
	}

	// The pages, as the instructor, the learners and an outsider.
	pagesOf := func(a *actor, path string) {
		// Follow the pages of a paginated list.
		for n := 0; path != "" && n < 10; n++ {
			p := x.page(a, path)
			cur, _ := url.Parse(path)
			path = ""
			if m := nextLink.FindStringSubmatch(p.Body); m != nil {
				if next, err := url.Parse(html.UnescapeString(m[1])); err == nil {
					path = cur.ResolveReference(next).String()
				}
			}
		}
	}
	cb := fmt.Sprintf("/courses/%d", c.id)
	for _, path := range []string{"/dashboard", "/courses", cb, fmt.Sprintf("%s/modules/%d", cb, xmod), cb + "/members", cb + "/at-risk",
		cb + "/at-risk/message?flag=inactive", cb + "/extensions", cb + "/media", cb + "/discussions", fmt.Sprintf("%s/boards/%d", cb, c.general),
		cb + "/discussions/reports", cb + "/discussions/search?q=alert", cb + "/discussions/search?q=script",
		fmt.Sprintf("%s/items/%d/submissions", cb, c.byName["assignment"].id), fmt.Sprintf("%s/items/%d", cb, c.byName["lecture"].id),
		"/notifications", "/deadlines"} {
		pagesOf(ins, path)
	}
	pagesOf(w.outsider, "/courses")
	pagesOf(ins, acPage)
	pagesOf(c.s1, acPage)
	pagesOf(c.s1, "/notifications")
	x.page(c.s1, fmt.Sprintf("/courses/%d", ac))
	for i, pl := range all {
		learner := pl.user
		for _, path := range []string{"/dashboard", "/notifications", "/account", "/deadlines", cb} {
			if path == cb && i%10 != 0 {
				continue // the course home is the same page for every learner
			}
			x.page(learner, path)
		}
		if pl.module != 0 {
			x.page(learner, fmt.Sprintf("%s/modules/%d", cb, pl.module))
		}
		if pl.item != 0 {
			x.page(learner, fmt.Sprintf("%s/items/%d", cb, pl.item))
			x.page(ins, fmt.Sprintf("%s/items/%d/edit", cb, pl.item))
		}
		if pl.thread != 0 {
			x.page(learner, fmt.Sprintf("%s/threads/%d", cb, pl.thread))
			if pl.reply != 0 {
				x.page(learner, fmt.Sprintf("%s/posts/%d/report", cb, pl.reply))
				x.page(ins, fmt.Sprintf("%s/posts/%d/edit", cb, pl.reply))
			}
		}
		if pl.submitted {
			x.page(learner, fmt.Sprintf("%s/items/%d", cb, c.byName["assignment"].id))
		}
		if pl.course != 0 {
			x.page(w.outsider, fmt.Sprintf("/courses/%d", pl.course))
			x.page(ins, fmt.Sprintf("/courses/%d", pl.course))
			x.page(ins, fmt.Sprintf("/courses/%d/edit", pl.course))
		}
	}
	x.page(c.s1, fmt.Sprintf("%s/items/%d", cb, c.byName["lecture"].id))

	// The e-mails: batched discussion mail goes out when its window has
	// passed, so the outbox is run an hour on.
	outbox := w.env.Server.Outbox
	if _, err := outbox.SendOutbox(context.Background(), w.env.Clock.Now().Add(2*time.Hour)); err != nil {
		t.Fatalf("run the outbox: %v", err)
	}
	mails, err := outbox.Mails(0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range mails {
		x.mails++
		kinds[m.Kind]++
		for _, problem := range unsafeHTML(m.HTML, false, false) {
			x.fail("e-mail %d (%s) to %s: %s", m.ID, m.Kind, m.To, problem)
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			x.fail("e-mail %d has a line break in its subject %q", m.ID, m.Subject)
		}
	}
	for _, k := range []string{"instructor_message", "graded", "discussion", "announcement"} {
		if kinds[k] == 0 && !(k == "discussion" && kinds["reply"] > 0) {
			x.fail("no %s e-mail was queued (kinds: %v)", k, kinds)
		}
	}

	t.Logf("XSS corpus: %d payloads; stored in %v", len(xssPayloads), x.reached)
	t.Logf("XSS corpus: %d API answers, %d pages and %d e-mails checked", x.apis, x.pages, x.mails)
	x.report("XSS corpus")
}

// visitor is a browser without a session: it keeps the cookies it is given.
type visitor struct {
	w   *world
	jar map[string]string
}

func newVisitor(w *world) *visitor { return &visitor{w: w, jar: map[string]string{}} }

func (v *visitor) do(method, path string, form url.Values) page {
	v.w.t.Helper()
	var cookies []string
	for k, val := range v.jar {
		cookies = append(cookies, k+"="+val)
	}
	var p page
	if form == nil {
		p = v.w.raw(v.w.anon, method, path, "", nil, "Cookie", strings.Join(cookies, "; "))
	} else {
		p = v.w.raw(v.w.anon, method, path, "application/x-www-form-urlencoded", []byte(form.Encode()), "Cookie", strings.Join(cookies, "; "))
	}
	for _, line := range p.Header.Values("Set-Cookie") {
		kv, _, _ := strings.Cut(line, ";")
		k, val, _ := strings.Cut(kv, "=")
		if val == "" || strings.Contains(line, "expires=Thu, 01 Jan 1970") {
			delete(v.jar, k)
		} else {
			v.jar[k] = val
		}
	}
	return p
}

func (v *visitor) get(path string) page { return v.do("GET", path, nil) }

func (v *visitor) post(path string, form url.Values) page { return v.do("POST", path, form) }

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// formToken opens the sign-up page and returns its form's CSRF token.
func (v *visitor) formToken() string {
	v.w.t.Helper()
	m := csrfField.FindStringSubmatch(v.get("/signup").Body)
	if m == nil {
		v.w.t.Fatal("no CSRF token on the sign-up page")
	}
	return html.UnescapeString(m[1])
}

// TestTheCheckerSeesScript keeps the checker honest: raw HTML that runs
// script is flagged, and harmless markup is not.
func TestTheCheckerSeesScript(t *testing.T) {
	bad := []string{`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<a href=" &#14; javascript:alert(1)">x</a>`, `<a href="JaVaScRiPt:alert(1)">x</a>`, `<iframe src=x></iframe>`,
		`<svg><a xlink:href="javascript:alert(1)">x</a></svg>`, `<form action="javascript:alert(1)"></form>`,
		`<button formaction="vbscript:x">x</button>`, `<object data="data:text/html,x"></object>`, `<embed src=x>`,
		`<svg><animate attributeName=href values=javascript:alert(1) /></svg>`, `<meta http-equiv="refresh" content="0;url=x">`,
		`<div style="width:expression(alert(1))">x</div>`, `<math href="javascript:alert(1)">x</math>`, `<base href="/">`,
		`<img src="data:image/svg+xml,<svg onload=alert(1)>">`, `<details open ontoggle=alert(1)>`}
	for _, b := range bad {
		if len(unsafeHTML(b, true, false)) == 0 {
			t.Errorf("not flagged: %s", b)
		}
	}
	good := []string{`<p>javascript:alert(1)</p>`, `<a href="https://ok.test/javascript:x" rel="nofollow">x</a>`, `<code>&lt;script&gt;</code>`,
		`<input value="javascript:alert(1)">`, `<a href="/courses/1">x</a>`, `<img src="/static/1/icon.svg" alt="x">`}
	for _, g := range good {
		if p := unsafeHTML(g, true, false); len(p) != 0 {
			t.Errorf("flagged harmless %s: %v", g, p)
		}
	}
}
