package securitytest_test

// Malformed input against the real application: hostile JSON bodies, path
// IDs, query strings, Range headers, WebVTT, Markdown, uploads and page
// forms. Whatever arrives, the answer is never a 5xx, an API error is in the
// contract's shape, and no answer carries internal text.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"pacer/auth"
)

// leaks are fragments of internal text that must never reach a client:
// paths, Go's own error strings (which start in lower case, ours do not),
// stack traces and driver names.
var leaks = []string{"/work/", "/tmp/", "/home/", ".go:", "goroutine ", "runtime error", "runtime.", "panic",
	"bbolt", "json: ", "strconv.", "invalid character", "syscall", "no such file", "fasthttp", "%!", "<nil>",
	"file already closed", "unexpected EOF", "errors.", "*errs.", "0xc0"}

// raw sends a request with a raw body as a: API paths with the Bearer
// token, pages with the session cookie.
func (w *world) raw(a *actor, method, path, ctype string, body []byte, headers ...string) page {
	w.t.Helper()
	if len(body) > 100<<10 || hasControlBytes(append([]string{ctype}, headers...)) {
		return w.rawLive(a, method, path, ctype, body, headers...)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, "/", rd)
	// The path goes on the wire exactly as given (app.Test writes
	// RequestURI), not re-escaped by net/url.
	req.RequestURI = path
	// One request per connection: an answer given before a large body was
	// read (413) must not make the rest of that body a next request.
	req.Close = true
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if !a.anon {
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+a.u.Token)
		} else {
			req.AddCookie(&http.Cookie{Name: auth.AccessCookie, Value: a.u.Token})
		}
	}
	res, err := w.env.Server.App.Test(req, 20000)
	if err != nil {
		w.t.Fatalf("%s %s %s: %v", a.name, method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(out), Location: res.Header.Get("Location")}
}

// hasControlBytes reports header values the HTTP parser refuses before any
// handler runs: app.Test reports that as its own error, while a real client
// gets the server's 400, so such requests go through rawLive.
func hasControlBytes(vals []string) bool {
	for _, v := range vals {
		if strings.ContainsFunc(v, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
			return true
		}
	}
	return false
}

// rawLive is raw through a real listener: app.Test serves the bytes left
// unread after an early answer (413) as one more request and reports that
// one's error, while a real client gets its 413. The request is written
// while the answer is read, as a browser does, so an answer that comes
// before the body is all sent is still seen.
func (w *world) rawLive(a *actor, method, path, ctype string, body []byte, headers ...string) page {
	w.t.Helper()
	req, err := http.NewRequest(method, w.live()+path, bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if !a.anon {
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+a.u.Token)
		} else {
			req.AddCookie(&http.Cookie{Name: auth.AccessCookie, Value: a.u.Token})
		}
	}
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		w.t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() { _ = req.Write(conn) }()
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		w.t.Fatalf("%s %s %s: %v", a.name, method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(out), Location: res.Header.Get("Location")}
}

// safe checks one answer to hostile input.
func (m *matrix) safe(what string, p page, path string) {
	m.t.Helper()
	m.tried++
	if p.Status >= 500 {
		m.fail("%s: server error %d %s", what, p.Status, short([]byte(p.Body)))
		return
	}
	if p.Status < 400 {
		return
	}
	if strings.HasPrefix(path, "/api/") {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(p.Body), &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
			m.fail("%s: %d not in the contract's error shape: %s", what, p.Status, short([]byte(p.Body)))
		}
	}
	for _, l := range leaks {
		if strings.Contains(p.Body, l) {
			m.fail("%s: %d answer leaks %q: %s", what, p.Status, l, short([]byte(p.Body)))
		}
	}
}

// jsonRoute is a JSON route with a valid body, sent as the actor who may
// use it.
type jsonRoute struct {
	a      *actor
	method string
	path   string
	body   map[string]any
}

func jsonRoutes(w *world) []jsonRoute {
	c := w.a
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	gen := c.threads[0]
	return []jsonRoute{
		{w.anon, "POST", "/api/v1/auth/register", map[string]any{"email": "new@example.test", "password": "long enough pw", "name": "N"}},
		{w.anon, "POST", "/api/v1/auth/login", map[string]any{"email": c.s2.u.Email, "password": "wrong password"}},
		{w.anon, "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": "x"}},
		{w.anon, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": "x"}},
		{c.s2, "PATCH", "/api/v1/me", map[string]any{"name": "Stan A", "timezone": "UTC", "password": "x", "current_password": "y"}},
		{c.ins, "POST", "/api/v1/courses", map[string]any{"title": "T", "description": "d", "published": false, "pacing": "scheduled",
			"starts_at": "2027-01-11T00:00:00Z", "timezone": "UTC", "enrollment": "open", "enroll_key": "",
			"policy": map[string]any{"grace_seconds": 0, "late_seconds": 0, "late_penalty_percent_per_day": 10, "watch_complete_ratio": 0.9}}},
		{c.ins, "PATCH", base, map[string]any{"title": "Course A", "description": "About A", "timezone": "UTC",
			"policy": map[string]any{"grace_seconds": 0, "inactive_after_seconds": 604800, "nudge_cooldown_seconds": 0}}},
		{w.outsider, "POST", base + "/enroll", map[string]any{"enroll_key": "k"}},
		{c.ins, "PUT", fmt.Sprintf("%s/members/%d", base, c.ta.u.ID), map[string]any{"role": "ta"}},
		{c.ins, "POST", base + "/invitations", map[string]any{"email": "invitee@example.test", "role": "student"}},
		{c.ins, "POST", base + "/modules", map[string]any{"title": "M", "summary": "s", "week": 1, "opens_at": "2027-01-11T00:00:00Z",
			"due_at": "2027-01-18T00:00:00Z", "prerequisites": []uint64{c.modOpen}, "published": false, "position": 0}},
		{c.ins, "PATCH", fmt.Sprintf("%s/modules/%d", base, c.modSandbox), map[string]any{"title": "Sandbox", "summary": "S", "week": nil, "position": 3}},
		{c.ins, "POST", fmt.Sprintf("%s/modules/%d/items", base, c.modSandbox), map[string]any{"kind": "page", "title": "P", "body": "b",
			"media_id": c.pdf.id, "points": 1, "published": false, "position": 0}},
		{c.ins, "PATCH", fmt.Sprintf("%s/items/%d", base, c.byName["page"].id), map[string]any{"title": "page", "body": "Body of page", "points": 0}},
		{c.ins, "POST", base + "/extensions", map[string]any{"user_id": c.s1.u.ID, "module_id": c.modOpen, "due_at": "2027-03-01T00:00:00Z"}},
		{c.s2, "POST", fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id), map[string]any{"body": "Another answer", "media_id": c.subFile.id}},
		{c.ins, "PATCH", fmt.Sprintf("%s/submissions/%d", base, c.sub2), map[string]any{"score": 5, "feedback": "Good"}},
		{c.s2, "POST", fmt.Sprintf("%s/items/%d/watch", base, c.byName["lecture"].id), map[string]any{"from_seconds": 0, "to_seconds": 5, "position_seconds": 5}},
		{c.ins, "POST", base + "/nudges", map[string]any{"user_ids": []uint64{c.s1.u.ID}, "message": "Hi", "flag": ""}},
		{c.ins, "POST", base + "/boards", map[string]any{"title": "B", "mode": "qa"}},
		{c.s2, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), map[string]any{"title": "T", "body": "b"}},
		{c.s2, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", gen.id), map[string]any{"body": "b", "parent_id": gen.posts[1].id}},
		{c.s2, "PATCH", fmt.Sprintf("/api/v1/posts/%d", gen.posts[2].id), map[string]any{"body": "post by s2"}},
		{c.s1, "POST", fmt.Sprintf("/api/v1/threads/%d/answer", gen.id), map[string]any{"post_id": gen.reply}},
		{c.s1, "POST", fmt.Sprintf("/api/v1/posts/%d/report", gen.posts[3].id), map[string]any{"reason": "r"}},
		{c.s1, "POST", "/api/v1/markdown/preview", map[string]any{"body": "*b*"}},
		{c.s1, "POST", "/api/v1/notifications/read", map[string]any{"ids": []uint64{1}, "all": false}},
		{c.s1, "PUT", "/api/v1/me/email-preferences", map[string]any{"reply": true}},
		{c.s1, "PATCH", "/api/v1/me/email-preferences", map[string]any{"mention": false}},
		{w.adm, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", c.throwaway.ID), map[string]any{"disabled": false}},
	}
}

// hostileValues replace one field of a valid body (as raw JSON).
var hostileValues = []string{
	`null`, `true`, `0`, `-1`, `1.5`, `1e400`, `-1e400`, `18446744073709551616`, `-9223372036854775809`,
	`123456789012345678901234567890`, `""`, `" "`, `"\u0000"`, `"a\u0000b"`, "\"\xff\xfe\xfd\"", `"\ud800"`,
	`"` + strings.Repeat("x", 300000) + `"`, `[]`, `[null]`, strings.Repeat("[", 500) + strings.Repeat("]", 500),
	`{}`, `{"$gt":""}`, `"../../etc/passwd"`, `"2027-13-45T00:00:00Z"`, `"9999-12-31T23:59:59Z"`, `"0001-01-01T00:00:00Z"`,
	`"<script>alert(1)</script>"`, `"%s%n%x%!"`, `"\u202e\u200b"`, `"NaN"`, `[1,2,3]`, `[-1,0,18446744073709551615]`,
}

// hostileBodies replace the whole body.
var hostileBodies = []string{
	``, ` `, `null`, `[]`, `{}`, `"x"`, `1`, `true`, `{`, `}`, `{"a":`, `{"a":1,}`, `{'a':1}`, `{"a":1}{"b":2}`,
	`{"a":1} trailing`, "\xef\xbb\xbf{}", `{/* c */}`, `{"a":NaN}`, `{"a":Infinity}`, "{\"\x00\":1}", "{\"a\":\"\xff\"}",
	strings.Repeat("[", 100000), `{"a":` + strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat("}", 20001),
	`{"title":"a","title":"b"}`, `{"TITLE":"a"}`, `{"__proto__":{"admin":true}}`, `{"is_admin":true,"role":"instructor"}`,
	`{"body":"` + strings.Repeat("y", 2<<20) + `"}`,
}

// bodyWith is the valid body with one field replaced by a raw value.
func bodyWith(valid map[string]any, field, rawValue string) []byte {
	keys := make([]string, 0, len(valid))
	for k := range valid {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteString(":")
		if k == field {
			b.WriteString(rawValue)
		} else {
			v, _ := json.Marshal(valid[k])
			b.Write(v)
		}
	}
	b.WriteString("}")
	return b.Bytes()
}

func TestHostileJSONBodiesAreRefusedCleanly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	for _, rt := range jsonRoutes(w) {
		send := func(what string, body []byte, ctype string) {
			w.countPost(rt.a, rt.method, rt.path)
			p := w.raw(rt.a, rt.method, rt.path, ctype, body)
			m.safe(fmt.Sprintf("%s %s %s with %s", rt.a.name, rt.method, rt.path, what), p, rt.path)
		}
		for _, hb := range hostileBodies {
			send(fmt.Sprintf("body %q", clip(hb)), []byte(hb), "application/json")
		}
		keys := make([]string, 0, len(rt.body))
		for k := range rt.body {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, hv := range hostileValues {
				send(fmt.Sprintf("%s=%q", k, clip(hv)), bodyWith(rt.body, k, hv), "application/json")
			}
		}
		// A field the route does not know is refused, so that nobody sets
		// what they may not (role, author_id, score, is_admin...).
		for _, field := range []string{"is_admin", "role", "author_id", "user_id", "score", "course_id", "id"} {
			if _, known := rt.body[field]; known {
				continue
			}
			body := map[string]any{field: 1}
			for k, v := range rt.body {
				body[k] = v
			}
			raw, _ := json.Marshal(body)
			w.countPost(rt.a, rt.method, rt.path)
			m.tried++
			if p := w.raw(rt.a, rt.method, rt.path, "application/json", raw); p.Status != 400 {
				m.fail("%s %s %s with the unknown field %q: got %d want 400", rt.a.name, rt.method, rt.path, field, p.Status)
			}
		}
		// The right JSON under the wrong content types.
		valid, _ := json.Marshal(rt.body)
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16"} {
			send("content type "+ct, valid, ct)
		}
	}
	m.report("hostile JSON bodies")
}

// clip shortens a corpus entry for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

// hostileIDs replace one path parameter.
var hostileIDs = []string{"0", "000", "-1", "abc", "18446744073709551615", "18446744073709551616", "99999999999999999999999999",
	"1e3", "0x1", "+1", "%2B1", "%201", "1%20", "%00", "1%00", "%2e%2e", "..", "1.0", "%EF%BC%91", "%E2%80%AE1",
	strings.Repeat("9", 300), "null", "%ff", "1;2", "1,2", "%252e", "-0", "1e-3", "NaN"}

// paramValues are valid values for each route parameter of the world.
func paramValues(w *world) map[string]string {
	c := w.a
	return map[string]string{
		"course": fmt.Sprint(c.id), "module": fmt.Sprint(c.modOpen), "item": fmt.Sprint(c.byName["page"].id),
		"submission": fmt.Sprint(c.sub1), "extension": fmt.Sprint(c.ext), "board": fmt.Sprint(c.general),
		"thread": fmt.Sprint(c.threads[0].id), "post": fmt.Sprint(c.threads[0].posts[1].id), "report": fmt.Sprint(c.report),
		"media": fmt.Sprint(c.video.id), "lang": "en", "user": fmt.Sprint(c.s1.u.ID), "job": "deadline_reminders",
		"file": "x.ics", "hash": "0", "name": "app.css",
	}
}

// routes lists the app's routes (without HEAD), in a stable order.
func routes(w *world) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	for _, r := range w.env.Server.App.GetRoutes(true) {
		if r.Method == "HEAD" || seen[r.Method+" "+r.Path] {
			continue
		}
		seen[r.Method+" "+r.Path] = true
		out = append(out, [2]string{r.Method, r.Path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][1]+out[i][0] < out[j][1]+out[j][0] })
	return out
}

// fill puts values into a route pattern; hostile replaces the parameter
// named bad.
func fill(pattern string, vals map[string]string, bad, hostile string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") {
			continue
		}
		name := strings.TrimPrefix(p, ":")
		if name == bad {
			parts[i] = hostile
		} else {
			parts[i] = vals[name]
		}
	}
	return strings.Join(parts, "/")
}

func TestHostileIDsInEveryRouteAreRefusedCleanly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	vals := paramValues(w)
	tok := w.csrf(w.a.ins)
	for _, rt := range routes(w) {
		method, pattern := rt[0], rt[1]
		for _, name := range params(pattern) {
			for _, id := range hostileIDs {
				path := fill(pattern, vals, name, id)
				for _, a := range []*actor{w.a.ins, w.a.s1} {
					var p page
					switch {
					case strings.HasPrefix(path, "/api/") && method != "GET" && method != "DELETE":
						w.countPost(a, method, path)
						p = w.raw(a, method, path, "application/json", []byte(`{}`))
					case !strings.HasPrefix(path, "/api/") && method == "POST":
						p = w.raw(a, method, path, "application/x-www-form-urlencoded", []byte("_csrf="+url.QueryEscape(tok)))
					default:
						p = w.raw(a, method, path, "", nil)
					}
					m.safe(fmt.Sprintf("%s %s %s", a.name, method, path), p, path)
					if p.Status < 300 && method != "GET" && strings.Contains(path, "/"+id) && id != "%2B1" {
						m.fail("%s %s %s: a hostile id was accepted (%d)", a.name, method, path, p.Status)
					}
				}
			}
		}
	}
	m.report("hostile IDs in every route")
}

// params names the parameters of a route pattern.
func params(pattern string) []string {
	var out []string
	for _, p := range strings.Split(pattern, "/") {
		if strings.HasPrefix(p, ":") {
			out = append(out, strings.TrimPrefix(p, ":"))
		}
	}
	return out
}

// hostileQueries are appended to every GET route.
var hostileQueries = []string{
	"limit=-1", "limit=0", "limit=abc", "limit=99999999999999999999", "limit=1e9", "limit=%00", "limit=1&limit=2",
	"cursor=%00", "cursor=garbage", "cursor=AAAAAAAAAAAAAAAA", "cursor=-1", "cursor=99999999999999999999",
	"cursor=" + strings.Repeat("x", 300), "cursor=%ff%fe", "user=abc", "user=-1", "user=99999999999999999999",
	"module=abc", "q=" + strings.Repeat("word+", 2000), "q=%00", "q=%ff", "flag=nope", "status=nope",
	"download=%00", "next=//evil.test", "next=javascript:alert(1)", "kind=%3Cscript%3E", "purpose=nope", "uploaded=-1",
	"sig=x&u=1&k=reply", "%zz=1", "a=%", "lang=../../etc",
}

func TestHostileQueriesOnEveryReadAreRefusedCleanly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	vals := paramValues(w)
	for _, rt := range routes(w) {
		if rt[0] != "GET" || strings.HasPrefix(rt[1], "/static/") || rt[1] == "/api/v1/admin/backup" {
			continue
		}
		path := fill(rt[1], vals, "", "")
		for _, q := range hostileQueries {
			for _, a := range []*actor{w.a.ins, w.a.s1, w.anon} {
				p := w.raw(a, "GET", path+"?"+q, "", nil)
				m.safe(fmt.Sprintf("%s GET %s?%s", a.name, path, clip(q)), p, path)
			}
		}
	}
	m.report("hostile queries on every read")
}

func TestHostileRangesAndConditionsOnMediaAreRefusedCleanly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	ranges := []string{"bytes=abc", "bytes=5-1", "bytes=-0", "bytes=0-", "bytes=-1", "bytes=0-0", "bytes= 0-1", "bytes=0 -1",
		"bytes=99999999999999999999-", "bytes=-99999999999999999999", "bytes=18446744073709551615-18446744073709551616",
		"bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", 2000), ","), "bytes=0-1,1-2,2-3", "bytes=1000000-", "items=0-1",
		"bytes", "bytes=", "bytes=,", "bytes=-", "bytes=--1", "bytes=1-2-3", "bytes=0x10-0x20", "bytes=\x00-1", "bytes=1-%00",
		"BYTES=0-1", "bytes=0-1;bytes=2-3", strings.Repeat("b", 8000)}
	conds := [][2]string{{"If-None-Match", "*"}, {"If-None-Match", `"` + strings.Repeat("a", 5000) + `"`}, {"If-None-Match", "garbage, ,,"},
		{"If-Modified-Since", "yesterday"}, {"If-Modified-Since", "Mon, 99 Foo 99999 99:99:99 GMT"}, {"If-Range", "garbage"},
		{"If-Range", "Mon, 01 Jan 0001 00:00:00 GMT"}, {"If-Range", `W/"x"`}, {"If-Unmodified-Since", "\x00"}}
	c := w.a
	paths := []string{fmt.Sprintf("/api/v1/media/%d", c.video.id), fmt.Sprintf("/api/v1/media/%d", c.pdf.id),
		fmt.Sprintf("/api/v1/media/%d?download=1", c.pdf.id), fmt.Sprintf("/api/v1/media/%d/captions/en", c.video.id)}
	for _, path := range paths {
		for _, a := range []*actor{c.ins, c.s1} {
			for _, r := range ranges {
				p := w.raw(a, "GET", path, "", nil, "Range", r)
				m.safe(fmt.Sprintf("%s GET %s Range %q", a.name, path, clip(r)), p, path)
				if p.Status == 416 && !strings.HasPrefix(p.Header.Get("Content-Range"), "bytes */") {
					m.fail("GET %s Range %q: 416 without Content-Range bytes */SIZE", path, clip(r))
				}
				for _, cond := range conds {
					p := w.raw(a, "GET", path, "", nil, "Range", r, cond[0], cond[1])
					m.safe(fmt.Sprintf("%s GET %s Range %q %s %q", a.name, path, clip(r), cond[0], clip(cond[1])), p, path)
				}
			}
		}
	}
	m.report("hostile ranges and conditions on media")
}

func TestHostileWebVTTIsRefusedCleanly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	c := w.a
	bad := []string{"", "WEBVTT", "WEBVTTX\n\n", "webvtt\n\n00:00.000 --> 00:01.000\nx\n", "WEBVTT\n\n00:00:01.000 --> 00:00:00.000\nbackwards\n",
		"WEBVTT\n\n99:99:99.999 --> 99:99:99.999\nx\n", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n", "WEBVTT\n\n-->\n",
		"WEBVTT\n\n00:00:00.000 --> 00:00:01.000 line:999999999999999999999%\nx\n", "WEBVTT\n\n00:00:00.000 --> 18446744073709551616:00:00.000\nx\n",
		"WEBVTT\n\n\x00\x00\x00", "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n\xff\xfe\n", "\xef\xbb\xbfWEBVTT\n\nNOTE " + strings.Repeat("n", 100000) + "\n",
		"WEBVTT\n\n" + strings.Repeat("00:00:00.000 --> 00:00:01.000\n<script>alert(1)</script>\n\n", 5000),
		"WEBVTT\n\nSTYLE\n::cue { background: url(javascript:alert(1)) }\n\n00:00:00.000 --> 00:00:01.000\nx\n",
		"WEBVTT\n\nREGION\nid:" + strings.Repeat("r", 10000) + "\n", strings.Repeat("\n", 100000), "WEBVTT" + strings.Repeat(" ", 1<<20+10),
		"WEBVTT\r\r00:00:00.000 --> 00:00:01.000\rcr only\r", "<html><script>alert(1)</script></html>"}
	langs := []string{"en", "", "../../etc", "x" + strings.Repeat("y", 300), "%00", "en-", "e n", "<b>"}
	n := 0
	for _, body := range bad {
		for _, lang := range langs {
			n++
			a := c.ins
			if n%2 == 0 {
				a = c.ta
			}
			path := fmt.Sprintf("/api/v1/media/%d/captions?lang=%s&label=%s", c.video.id, url.QueryEscape(lang), url.QueryEscape(lang))
			p := w.raw(a, "POST", path, "text/vtt", []byte(body))
			m.safe(fmt.Sprintf("POST captions lang %q body %q", clip(lang), clip(body)), p, path)
		}
	}
	m.report("hostile WebVTT")
}

// hostileMarkdown is Markdown built to be slow or to break parsers.
var hostileMarkdown = []string{
	strings.Repeat(">", 20000) + " deep quote", strings.Repeat("- ", 10000) + "deep list", strings.Repeat("[", 30000),
	strings.Repeat("*", 50000) + "x" + strings.Repeat("*", 50000), strings.Repeat("*a **b ", 10000),
	strings.Repeat("[a](", 20000), strings.Repeat("![", 20000), strings.Repeat("`", 40000), strings.Repeat("<", 50000),
	strings.Repeat("|a", 5000) + "|\n" + strings.Repeat("|-", 5000) + "|\n" + strings.Repeat("|x", 5000) + "|",
	strings.Repeat("[x]: http://a\n", 5000) + strings.Repeat("[x] ", 5000), strings.Repeat("&#", 30000),
	strings.Repeat("\\", 50000), strings.Repeat("_", 99000), strings.Repeat("~", 99000), strings.Repeat("www.", 20000),
	strings.Repeat("http://", 10000), "\x00\x00", "\xff\xfe\xfd", strings.Repeat("1. ", 20000), strings.Repeat("    ", 20000) + "code",
	strings.Repeat("<!--", 20000), strings.Repeat("<![CDATA[", 10000), strings.Repeat("a\n", 49000),
}

func TestHostileMarkdownIsRenderedOrRefusedQuickly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	c := w.a
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	gen := c.threads[0]
	for i, md := range hostileMarkdown {
		targets := []struct {
			a      *actor
			method string
			path   string
			body   map[string]any
		}{
			{c.ins, "PATCH", base, map[string]any{"description": md}},
			{c.ins, "PATCH", fmt.Sprintf("%s/modules/%d", base, c.modSandbox), map[string]any{"summary": md}},
			{c.ins, "POST", fmt.Sprintf("%s/modules/%d/items", base, c.modSandbox), map[string]any{"kind": "page", "title": "P", "body": md, "published": false}},
			{c.s2, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", gen.id), map[string]any{"body": md}},
			{c.s2, "POST", fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id), map[string]any{"body": md}},
			{c.ins, "PATCH", fmt.Sprintf("%s/submissions/%d", base, c.sub2), map[string]any{"score": 1, "feedback": md}},
			{c.s1, "POST", "/api/v1/markdown/preview", map[string]any{"body": md}},
		}
		for _, tg := range targets {
			raw, _ := json.Marshal(tg.body)
			w.countPost(tg.a, tg.method, tg.path)
			start := time.Now()
			p := w.raw(tg.a, tg.method, tg.path, "application/json", raw)
			if d := time.Since(start); d > 5*time.Second {
				m.fail("%s %s with hostile Markdown #%d took %v", tg.method, tg.path, i, d)
			}
			m.safe(fmt.Sprintf("%s %s with hostile Markdown #%d %q", tg.method, tg.path, i, clip(md)), p, tg.path)
		}
	}
	// Every page that shows them still renders.
	for _, path := range []string{fmt.Sprintf("/courses/%d", c.id), fmt.Sprintf("/courses/%d/threads/%d", c.id, gen.id),
		fmt.Sprintf("/courses/%d/items/%d/submissions", c.id, c.byName["assignment"].id), fmt.Sprintf("/courses/%d/modules/%d", c.id, c.modSandbox)} {
		p := w.page(c.ins, "GET", path, nil)
		m.safe("GET "+path, p, path)
	}
	m.report("hostile Markdown")
}

func TestHostileUploadsAreRefusedCleanly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	c := w.a
	base := fmt.Sprintf("/api/v1/courses/%d/media", c.id)
	pdf := pdfFile("x")
	cases := []struct {
		query, ctype string
		body         []byte
	}{
		{"filename=a.pdf", "", pdf}, {"filename=a.pdf", "application/x-msdownload", pdf}, {"filename=a.mp4", "video/mp4", pdf},
		{"filename=a.pdf", "application/pdf", []byte("<html><script>alert(1)</script></html>")}, {"filename=a.pdf", "application/pdf", nil},
		{"filename=../../etc/passwd", "application/pdf", pdf}, {"filename=a%00.pdf", "application/pdf", pdf},
		{"filename=" + strings.Repeat("a", 10000) + ".pdf", "application/pdf", pdf}, {"purpose=nope&filename=a.pdf", "application/pdf", pdf},
		{"filename=a.pdf", "application/pdf; charset=\x00", pdf}, {"filename=a.html", "text/html", []byte("<script>alert(1)</script>")},
		{"filename=a.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
		{"filename=a.png", "image/png", []byte("\x89PNG\r\n\x1a\n")}, {"filename=a.webm", "video/webm", webmFile(-5, 200)},
		{"filename=a.webm", "video/webm", webmFile(1e300, 200)}, {"filename=a.vtt", "text/vtt", []byte("WEBVTT\n\n\xff")},
		{"filename=%E2%80%AEfdp.exe", "application/pdf", pdf}, {"filename=a.pdf&filename=b.exe", "application/pdf", pdf},
		{"", "multipart/form-data; boundary=zz", []byte("--zz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--zz--")},
		{"filename=a.pdf", "application/pdf", append(pdf, make([]byte, 2<<20)...)},
	}
	for i, tc := range cases {
		a := c.ins
		if i%2 == 1 {
			a = c.ta
		}
		path := base
		if tc.query != "" {
			path += "?" + tc.query
		}
		p := w.raw(a, "POST", path, tc.ctype, tc.body)
		m.safe(fmt.Sprintf("upload %q as %q", clip(tc.query), tc.ctype), p, path)
		if p.Status == 201 {
			var v struct {
				ID       uint64 `json:"id"`
				Filename string `json:"filename"`
			}
			_ = json.Unmarshal([]byte(p.Body), &v)
			if strings.ContainsAny(v.Filename, "/\\\x00") || strings.Contains(v.Filename, "..") {
				m.fail("upload %q kept a dangerous file name %q", clip(tc.query), v.Filename)
			}
			// Whatever was stored is served as an inert download.
			g := w.raw(a, "GET", fmt.Sprintf("/api/v1/media/%d", v.ID), "", nil)
			if ct := g.Header.Get("Content-Type"); strings.Contains(ct, "html") || strings.Contains(ct, "svg") || strings.Contains(ct, "javascript") {
				m.fail("upload %q is served as %q", clip(tc.query), ct)
			}
		}
	}
	m.report("hostile uploads")
}

func TestHostilePageFormsAreRefusedCleanly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	c := w.a
	tok := url.QueryEscape(w.csrf(c.ins))
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("_csrf", w.csrf(c.ins))
	_ = mw.WriteField("title", strings.Repeat("t", 5000))
	fw, _ := mw.CreateFormFile("file", "../../evil.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4 not really"))
	_ = mw.Close()
	bodies := []struct {
		ctype string
		body  []byte
	}{
		{"application/x-www-form-urlencoded", []byte("%zz")},
		{"application/x-www-form-urlencoded", []byte("_csrf=" + tok + "&title=%zz")},
		{"application/x-www-form-urlencoded", []byte("_csrf=" + tok + "&title=%00&body=%ff%fe&summary=" + strings.Repeat("s", 200000))},
		{"application/x-www-form-urlencoded", []byte("_csrf=" + tok + "&_csrf=other&title=a")},
		{"application/x-www-form-urlencoded", []byte("_csrf=" + tok + "&title=" + strings.Repeat("x", 2<<20))},
		{"application/x-www-form-urlencoded", []byte("_csrf=" + tok + "&score=1e400&points=-1&week=99999999999999999999&due_at=2027-13-45T25:61")},
		{"application/x-www-form-urlencoded", []byte(strings.Repeat("a=1&", 50000) + "_csrf=" + tok)},
		{"application/json", []byte(`{"_csrf":"` + w.csrf(c.ins) + `","title":"x"}`)},
		{"multipart/form-data; boundary=nope", []byte("--zz\r\nbroken")},
		{mw.FormDataContentType(), mp.Bytes()},
		{"text/plain", []byte("_csrf=" + tok)},
	}
	vals := paramValues(w)
	var posts []string
	for _, rt := range routes(w) {
		if rt[0] == "POST" && !strings.HasPrefix(rt[1], "/api/") && rt[1] != "/signout" {
			posts = append(posts, rt[1])
		}
	}
	// Signing out (with a valid token) ends the session, so it comes last.
	for _, pattern := range append(posts, "/signout") {
		path := fill(pattern, vals, "", "")
		for _, b := range bodies {
			p := w.raw(c.ins, "POST", path, b.ctype, b.body)
			m.safe(fmt.Sprintf("POST %s as %s %q", path, b.ctype, clip(string(b.body))), p, path)
		}
	}
	m.report("hostile page forms")
}

// TestJSONNamesMatchExactly: a field name in another case is an unknown
// field (issue 12, item 15), at the top and inside nested objects, so that
// no second spelling of a field slips past a check that looks at the exact
// one. encoding/json alone matches names without regard to case.
func TestJSONNamesMatchExactly(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	check := func(rt jsonRoute, body map[string]any, name string) {
		raw, _ := json.Marshal(body)
		w.countPost(rt.a, rt.method, rt.path)
		m.tried++
		p := w.raw(rt.a, rt.method, rt.path, "application/json", raw)
		var e struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(p.Body), &e)
		// (The e-mail preferences are a map whose keys are kinds of
		// notification: there the service names the key as no kind.)
		if p.Status != 400 || e.Error.Fields[name] == "" {
			m.fail("%s %s %s with the field %q: got %d %s, want 400 naming it", rt.a.name, rt.method, rt.path, name, p.Status, short([]byte(p.Body)))
		}
	}
	for _, rt := range jsonRoutes(w) {
		keys := make([]string, 0, len(rt.body))
		for k := range rt.body {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, alt := range []string{strings.ToUpper(k), strings.ToUpper(k[:1]) + k[1:]} {
				body := map[string]any{}
				for kk, v := range rt.body {
					body[kk] = v
				}
				delete(body, k)
				body[alt] = rt.body[k]
				check(rt, body, alt)
			}
			if _, nested := rt.body[k].(map[string]any); nested {
				body := map[string]any{}
				for kk, v := range rt.body {
					body[kk] = v
				}
				body[k] = map[string]any{"GRACE_SECONDS": 0}
				check(rt, body, k+".GRACE_SECONDS")
			}
		}
	}
	m.report("JSON names in another case")
}

// TestCursorsBeyondAnyIDAre400: a cursor is an ID a page handed out, and
// no ID is larger than 2^63-1. 18446744073709551615 used to wrap the
// "next key after the cursor" to 0, answering the first page again (issue
// 12, item 15).
func TestCursorsBeyondAnyIDAre400(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	c := w.a
	lists := []struct {
		a    *actor
		path string
	}{
		{c.s1, "/api/v1/notifications?"},
		{c.ins, fmt.Sprintf("/api/v1/courses/%d/media?", c.id)},
		{c.s1, fmt.Sprintf("/api/v1/threads/%d?", c.threads[0].id)},
		{c.s1, fmt.Sprintf("/api/v1/courses/%d/search?q=post&", c.id)},
		{c.ins, fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions?", c.id, c.byName["assignment"].id)},
		{w.adm, "/api/v1/admin/audit?"},
		{w.adm, "/api/v1/admin/outbox?"},
	}
	for _, l := range lists {
		for _, cur := range []string{"18446744073709551615", "9223372036854775808", "99999999999999999999"} {
			m.tried++
			r := w.env.Do("GET", l.path+"cursor="+cur, l.a.token(), nil)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"cursor"`) {
				m.fail("%s GET %scursor=%s: got %d %s, want 400 naming the cursor", l.a.name, l.path, cur, r.Status, short(r.Body))
			}
		}
		// The largest ID is still a cursor.
		m.tried++
		if r := w.env.Do("GET", l.path+"cursor=9223372036854775807", l.a.token(), nil); r.Status != 200 {
			m.fail("%s GET %scursor=9223372036854775807: got %d %s, want 200", l.a.name, l.path, r.Status, short(r.Body))
		}
	}
	m.report("cursors beyond any ID")
}
