package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"pacer/demo"
	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres/pgtest"
)

// `pacer migrate` carries the demo platform from bbolt to PostgreSQL with
// nothing lost: every account signs in with its password, and every page
// of the API a demo account can reach answers the same on the copy as on
// the original.
func TestMigrateCarriesTheDemoPlatformAcross(t *testing.T) {
	url := pgtest.EmptyURL(t)
	src := pacertest.New(t, func(c *server.Config) { c.Store = "bolt" })
	accounts, err := demo.Seed(src.Server)
	if err != nil {
		t.Fatal(err)
	}
	// The first walk's reads have effects (an item viewed, a thread read,
	// activity buffered until the server stops); a second server on the
	// same data sees all of them, as the walk of the copy will.
	crawlAll(src, accounts)
	if err := src.Server.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := pacertest.New(t, func(c *server.Config) { c.Store, c.DataDir = "bolt", src.Dir })
	want := crawlAll(again, accounts)
	if err := again.Server.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run([]string{"migrate", "--data", src.Dir, "--to", url}, nil, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	for _, line := range []string{"auth           users", "modules        items", "discussion     discussion_posts", "copied and verified"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("migrate's report lacks %q:\n%s", line, out.String())
		}
	}

	dst := pacertest.New(t, func(c *server.Config) { c.Store, c.DataDir = url, src.Dir })
	got := crawlAll(dst, accounts)
	t.Logf("%d answers compared; migrate said:\n%s", len(got), out.String())
	if len(got) < 40 {
		t.Fatalf("the walk reached only %d answers", len(got))
	}
	for key, w := range want {
		if g, ok := got[key]; !ok {
			t.Errorf("%s: not reached on the copy", key)
		} else if g != w {
			t.Errorf("%s differs on the copy:\n bbolt:    %s\n postgres: %s", key, w, g)
		}
	}
	for key := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("%s: reached only on the copy", key)
		}
	}

	// New records get ids past the copied ones.
	teacher := signIn(dst, accounts[0])
	r := dst.Do("POST", "/api/v1/courses", teacher, map[string]any{"title": "After the move"})
	if r.Status != 201 {
		t.Fatalf("create a course on the copy: %d %s", r.Status, r.Body)
	}
	if id := r.ID(); id <= maxCourse(t, want) {
		t.Errorf("a new course got id %d, not past the copied ones", id)
	}

	// A second copy into the same database is refused.
	out.Reset()
	if err := run([]string{"migrate", "--data", src.Dir, "--to", url}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a second migrate into a full database: %v", err)
	}
}

func signIn(e *pacertest.Env, a demo.Account) string {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": a.Email, "password": a.Password})
	if r.Status != 200 {
		e.T.Fatalf("sign in as %s: %d %s", a.Email, r.Status, r.Body)
	}
	return r.Map()["access_token"].(string)
}

// crawlAll walks the API as every demo account and returns each answer
// (status and body, instants cut to the microsecond PostgreSQL keeps) by
// account and path.
func crawlAll(e *pacertest.Env, accounts []demo.Account) map[string]string {
	out := map[string]string{}
	for _, a := range accounts {
		token := signIn(e, a)
		c := &crawler{e: e, token: token, out: out, who: a.Email, seen: map[string]bool{}}
		for _, p := range []string{"/api/v1/me", "/api/v1/notifications", "/api/v1/me/deadlines", "/api/v1/me/invitations"} {
			c.get(p)
		}
		for _, course := range c.ids(c.get("/api/v1/courses")) {
			base := fmt.Sprintf("/api/v1/courses/%d", course)
			for _, p := range []string{"", "/progress", "/members", "/announcements", "/grades", "/gradebook", "/at-risk", "/search?q=week", "/reports"} {
				c.get(base + p)
			}
			for _, module := range c.ids(c.get(base + "/modules")) {
				for _, item := range c.ids(c.get(fmt.Sprintf("%s/modules/%d", base, module)), "items") {
					ip := fmt.Sprintf("%s/items/%d", base, item)
					for _, p := range []string{"", "/submissions", "/attempts", "/questions"} {
						c.get(ip + p)
					}
				}
			}
			for _, board := range c.ids(c.get(base + "/boards")) {
				for _, thread := range c.ids(c.get(fmt.Sprintf("/api/v1/boards/%d/threads", board))) {
					c.get(fmt.Sprintf("/api/v1/threads/%d", thread))
				}
			}
		}
	}
	return out
}

type crawler struct {
	e     *pacertest.Env
	token string
	who   string
	out   map[string]string
	seen  map[string]bool
}

var subMicro = regexp.MustCompile(`(T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)`)

// micro cuts an RFC 3339 instant to whole microseconds, written as Go
// writes them (no trailing zeros).
func micro(b []byte) string {
	return subMicro.ReplaceAllStringFunc(string(b), func(m string) string {
		parts := subMicro.FindStringSubmatch(m)
		frac := parts[2]
		if len(frac) > 7 {
			frac = frac[:7]
		}
		frac = strings.TrimRight(frac, "0")
		if frac == "." {
			frac = ""
		}
		return parts[1] + frac + parts[3]
	})
}

func (c *crawler) get(path string) []byte {
	if c.seen[path] {
		return nil
	}
	c.seen[path] = true
	r := c.e.Do("GET", path, c.token, nil)
	c.out[c.who+" "+path] = fmt.Sprintf("%d %s", r.Status, micro(r.Body))
	if r.Status != 200 {
		return nil
	}
	return r.Body
}

// ids are the "id" fields of a list answer (an array, or the array under
// "items" or "data"), or of the array under field in an object answer.
func (c *crawler) ids(body []byte, field ...string) []uint64 {
	if body == nil {
		return nil
	}
	var list []map[string]any
	if json.Unmarshal(body, &list) != nil {
		var obj map[string]any
		if json.Unmarshal(body, &obj) != nil {
			return nil
		}
		for _, k := range append(field, "items", "data", "modules", "boards", "threads") {
			if arr, ok := obj[k].([]any); ok {
				for _, v := range arr {
					if m, ok := v.(map[string]any); ok {
						list = append(list, m)
					}
				}
				break
			}
		}
	}
	var out []uint64
	for _, m := range list {
		if id, ok := m["id"].(float64); ok {
			out = append(out, uint64(id))
		}
	}
	return out
}

func maxCourse(t *testing.T, answers map[string]string) uint64 {
	var max uint64
	for key, a := range answers {
		if !strings.HasSuffix(key, " /api/v1/courses") {
			continue
		}
		var list struct {
			Items []struct{ ID uint64 } `json:"items"`
		}
		body := a[strings.Index(a, " ")+1:]
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			var plain []struct{ ID uint64 }
			if json.Unmarshal([]byte(body), &plain) != nil {
				t.Fatalf("courses answer: %s", body)
			}
			list.Items = plain
		}
		for _, c := range list.Items {
			max = maxOf(max, c.ID)
		}
	}
	return max
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
