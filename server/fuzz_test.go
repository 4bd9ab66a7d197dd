package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"pacer/pacertest"
)

// leaks are fragments of internal text that must never reach a client.
// Go's own messages start in lower case ("json: cannot unmarshal"), ours do
// not, so the match is case-sensitive.
var leaks = []string{"/work/", ".go:", "goroutine ", "runtime error", "panic", "bbolt", "json: ", "strconv.", "invalid character"}

func checkAnswer(t *testing.T, r pacertest.Resp, what string) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("%s: server error %d %s", what, r.Status, r.Body)
	}
	if r.Status >= 400 && r.ErrCode() == "" {
		t.Fatalf("%s: %d not in the error shape: %q", what, r.Status, r.Body)
	}
	for _, l := range leaks {
		if r.Status >= 400 && strings.Contains(string(r.Body), l) {
			t.Fatalf("%s: answer leaks %q: %s", what, l, r.Body)
		}
	}
}

// fuzzEnv is a course with an instructor, a student, a module and a page,
// so that fuzzed requests reach deep into the handlers.
type fuzzEnv struct {
	env      *pacertest.Env
	ins, stu pacertest.User
	course   uint64
	module   uint64
	item     uint64
}

func newFuzzEnv(f *testing.F) fuzzEnv {
	env := pacertest.New(f)
	fe := fuzzEnv{env: env, ins: env.Register("Ines"), stu: env.Register("Stu")}
	fe.course = env.Course(fe.ins, nil)
	fe.module = env.Module(fe.ins, fe.course, nil)
	fe.item = env.Item(fe.ins, fe.course, fe.module, nil)
	env.Enroll(fe.stu, fe.course)
	return fe
}

func FuzzJSONBodies(f *testing.F) {
	fe := newFuzzEnv(f)
	routes := []struct{ method, path string }{
		{"POST", "/api/v1/auth/register"},
		{"POST", "/api/v1/auth/login"},
		{"POST", "/api/v1/auth/refresh"},
		{"PATCH", "/api/v1/me"},
		{"POST", "/api/v1/courses"},
		{"PATCH", fmt.Sprintf("/api/v1/courses/%d", fe.course)},
		{"POST", fmt.Sprintf("/api/v1/courses/%d/enroll", fe.course)},
		{"PUT", fmt.Sprintf("/api/v1/courses/%d/members/%d", fe.course, fe.stu.ID)},
		{"POST", fmt.Sprintf("/api/v1/courses/%d/modules", fe.course)},
		{"PATCH", fmt.Sprintf("/api/v1/courses/%d/modules/%d", fe.course, fe.module)},
		{"POST", fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", fe.course, fe.module)},
		{"PATCH", fmt.Sprintf("/api/v1/courses/%d/items/%d", fe.course, fe.item)},
		{"POST", "/api/v1/notifications/read"},
	}
	for _, seed := range []string{
		`{}`, `[]`, `null`, `"x"`, `{"title":""}`, `{"title":"x","week":-1}`, `{"title":"x","week":1e99}`,
		`{"title":"x","opens_at":"2027-13-45T00:00:00Z"}`, `{"policy":{"grace_seconds":1e300}}`, `{"role":"student"}`,
		`{"prerequisites":[0,-1,18446744073709551615]}`, `{"kind":"page","title":"\u0000"}`, `{"ids":[1,2,3]}`, `{"all":true}`,
		`{"email":"a@b.c","password":"xxxxxxxx","name":"n"}`, `{"a":` + strings.Repeat("[", 10000), `{"title":"x"}{"title":"y"}`,
		`{"starts_at":null,"timezone":"../../etc/passwd"}`, `{"position":-5}`, `{"media_id":99}`, `{"refresh_token":"` + strings.Repeat("a", 300) + `"}`,
	} {
		for i := range routes {
			f.Add(i, seed)
		}
	}
	f.Fuzz(func(t *testing.T, route int, body string) {
		if route < 0 {
			route = -route
		}
		rt := routes[route%len(routes)]
		tok := fe.ins.Token
		if route%2 == 1 {
			tok = fe.stu.Token
		}
		r := fe.env.With(t).Do(rt.method, rt.path, tok, body)
		checkAnswer(t, r, rt.method+" "+rt.path)
	})
}

func FuzzPathIDsAndQueries(f *testing.F) {
	fe := newFuzzEnv(f)
	for _, seed := range []string{"1", "0", "-1", "abc", "99999999999999999999", "1.0", "%00", "1;2", "../1", "１"} {
		f.Add(seed, "limit=5&cursor="+url.QueryEscape(seed))
	}
	f.Add("1", "user="+strings.Repeat("9", 100))
	f.Add("1", "limit=-3")
	f.Fuzz(func(t *testing.T, id, query string) {
		id = url.PathEscape(id)
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		query = q.Encode()
		for _, p := range []string{
			"/api/v1/courses/" + id,
			"/api/v1/courses/" + id + "/modules",
			fmt.Sprintf("/api/v1/courses/%d/modules/%s", fe.course, id),
			fmt.Sprintf("/api/v1/courses/%d/items/%s", fe.course, id),
			fmt.Sprintf("/api/v1/courses/%d/progress?%s", fe.course, query),
			"/api/v1/notifications?" + query,
		} {
			checkAnswer(t, fe.env.With(t).Do("GET", p, fe.stu.Token, nil), p)
		}
	})
}
