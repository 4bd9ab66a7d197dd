package securitytest_test

// Fuzz targets for what server/fuzz_test.go (the core routes), media (Range
// and WebVTT parsers) and discussion (search terms) do not cover: the JSON
// bodies and list queries of every feature's routes, Range and conditional
// headers on served files, page forms, and Markdown rendering. Without
// -fuzz they run their seeds as ordinary tests; with it, for example:
//
//	go test ./securitytest/ -run '^$' -fuzz FuzzMarkdownRendersNothingExecutable -fuzztime 1m

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"pacer/markdown"
)

// withT is the world reporting to another test (a fuzz iteration).
func (w *world) withT(t *testing.T) *world {
	c := *w
	c.t = t
	c.env = w.env.With(t)
	return &c
}

func FuzzFeatureJSONBodies(f *testing.F) {
	w := newWorld(f)
	rts := jsonRoutes(w)
	for i := range rts {
		for _, seed := range []string{`{}`, `null`, `[]`, `{"body":"\u0000"}`, `{"title":1}`, `{"user_ids":[0,-1]}`,
			`{"from_seconds":1e308,"to_seconds":-1e308}`, `{"due_at":"2027-02-30T25:00:00Z"}`, `{"score":"NaN"}`, `{"ids":null,"all":"yes"}`} {
			f.Add(i, seed)
		}
	}
	f.Fuzz(func(t *testing.T, route int, body string) {
		if route < 0 {
			route = -route
		}
		rt := rts[route%len(rts)]
		wt := w.withT(t)
		m := &matrix{t: t, w: wt}
		wt.countPost(rt.a, rt.method, rt.path)
		m.safe(rt.method+" "+rt.path, wt.raw(rt.a, rt.method, rt.path, "application/json", []byte(body)), rt.path)
		m.errors()
	})
}

func FuzzFeatureListQueries(f *testing.F) {
	w := newWorld(f)
	c := w.a
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	paths := []string{fmt.Sprintf("/api/v1/boards/%d/threads", c.general), fmt.Sprintf("/api/v1/threads/%d", c.threads[0].id),
		base + "/reports", base + "/search", base + "/at-risk", base + "/media", base + "/extensions", base + "/pace",
		fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id), base + "/progress", "/api/v1/notifications",
		fmt.Sprintf("/courses/%d/boards/%d", c.id, c.general), fmt.Sprintf("/courses/%d/discussions/search", c.id),
		fmt.Sprintf("/courses/%d/discussions/reports", c.id), fmt.Sprintf("/courses/%d/at-risk/message", c.id), "/signin", "/unsubscribe",
		base + "/announcements", fmt.Sprintf("/courses/%d/announcements", c.id)}
	for i := range paths {
		for _, q := range []string{"limit=5&cursor=x", "cursor=AAAAAAAAAAAAAAAAAAAAAA", "q=a+b+c", "flag=inactive&cursor=3", "user=1&module=1",
			"status=resolved&cursor=%ff", "next=%2F%2Fevil.test", "u=1&k=reply&sig=x", "limit=201", "cursor=" + strings.Repeat("9", 30)} {
			f.Add(i, q)
		}
	}
	f.Fuzz(func(t *testing.T, which int, query string) {
		if which < 0 {
			which = -which
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		path := paths[which%len(paths)] + "?" + q.Encode()
		wt := w.withT(t)
		m := &matrix{t: t, w: wt}
		for _, a := range []*actor{c.ins, c.s1} {
			m.safe(a.name+" GET "+path, wt.raw(a, "GET", path, "", nil), path)
		}
		m.errors()
	})
}

func FuzzMediaRangeHeaders(f *testing.F) {
	w := newWorld(f)
	c := w.a
	for _, seed := range [][3]string{{"bytes=0-1", "", ""}, {"bytes=-5", `"x"`, ""}, {"bytes=5-", "", "*"}, {"bytes=0-0,2-3", "Mon, 02 Jan 2006 15:04:05 GMT", ""},
		{"bytes=99999999999999999999-", "", `W/"x"`}, {"bytes=-0", "garbage", "garbage"}, {"items=1-2", "", ""}} {
		f.Add(seed[0], seed[1], seed[2], uint8(0))
		f.Add(seed[0], seed[1], seed[2], uint8(1))
	}
	paths := []string{fmt.Sprintf("/api/v1/media/%d", c.video.id), fmt.Sprintf("/api/v1/media/%d", c.pdf.id),
		fmt.Sprintf("/api/v1/media/%d/captions/en", c.video.id)}
	f.Fuzz(func(t *testing.T, rng, ifRange, ifNoneMatch string, which uint8) {
		for _, s := range []string{rng, ifRange, ifNoneMatch} {
			if strings.ContainsAny(s, "\r\n\x00") || len(s) > 4096 {
				return
			}
		}
		path := paths[int(which)%len(paths)]
		wt := w.withT(t)
		m := &matrix{t: t, w: wt}
		p := wt.raw(c.s1, "GET", path, "", nil, "Range", rng, "If-Range", ifRange, "If-None-Match", ifNoneMatch)
		m.safe("GET "+path, p, path)
		if p.Status == 206 && !strings.HasPrefix(p.Header.Get("Content-Range"), "bytes ") {
			m.fail("206 without Content-Range for Range %q", rng)
		}
		m.errors()
	})
}

func FuzzPageForms(f *testing.F) {
	w := newWorld(f)
	c := w.a
	cb := fmt.Sprintf("/courses/%d", c.id)
	paths := []string{cb + "/edit", fmt.Sprintf("%s/modules/%d/edit", cb, c.modSandbox), fmt.Sprintf("%s/boards/%d", cb, c.general),
		fmt.Sprintf("%s/threads/%d/replies", cb, c.threads[0].id), fmt.Sprintf("%s/posts/%d/edit", cb, c.threads[0].posts[3].id),
		cb + "/extensions", cb + "/at-risk/message", fmt.Sprintf("%s/submissions/%d/grade", cb, c.sub2), "/notifications/email",
		cb + "/announcements"}
	for i := range paths {
		for _, seed := range []string{"title=x&body=y", "title=%zz", "due_at=2027-99-99T99:99&user=abc&module=-1", "score=1e400&feedback=%00",
			"to=selected&user=1&user=2&message=" + strings.Repeat("m", 6000), "body=" + url.QueryEscape(xssPayloads[0]), "week=-5&opens_at=x"} {
			f.Add(i, seed)
		}
	}
	tok := url.QueryEscape(w.csrf(c.ins))
	f.Fuzz(func(t *testing.T, which int, body string) {
		if which < 0 {
			which = -which
		}
		path := paths[which%len(paths)]
		wt := w.withT(t)
		m := &matrix{t: t, w: wt}
		wt.countPost(c.ins, "POST", "/replies")
		p := wt.raw(c.ins, "POST", path, "application/x-www-form-urlencoded", []byte("_csrf="+tok+"&"+body))
		m.safe("POST "+path, p, path)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			for _, problem := range unsafeHTML(p.Body, false, true) {
				m.fail("POST %s: %s", path, problem)
			}
		}
		m.errors()
	})
}

func FuzzMarkdownRendersNothingExecutable(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p)
	}
	for _, p := range hostileMarkdown {
		f.Add(p[:min(len(p), 5000)])
	}
	r := markdown.New()
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 100000 {
			return // no field takes more
		}
		start := time.Now()
		out := r.HTML(src)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("rendering %d bytes took %v", len(src), d)
		}
		for _, problem := range unsafeHTML(out, true, false) {
			t.Errorf("%q rendered to %q: %s", src, out, problem)
		}
	})
}
