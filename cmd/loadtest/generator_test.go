package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// The generator takes each part's requests in turn, starting at part 0 in
// its warm-up and again in its measured loop: whatever the rate, no part
// may be asked for more requests than the plan holds for it (an odd
// warm-up and an odd measured count once asked part 0 for one more).
func TestAPlanHoldsEveryRequestTheGeneratorSends(t *testing.T) {
	for _, rate := range []int{1, 3, 999, 7553, 8692, 10001} {
		for _, parts := range []int{1, 2, 3} {
			interval := time.Second / time.Duration(rate)
			warm, count := planCounts(interval, time.Second, 5*time.Second, parts)
			planned := make([]int, parts)
			for i := range warm + count {
				planned[i%parts]++
			}
			sent := make([]int, parts)
			for i := range warm {
				sent[i%parts]++
			}
			for i := range count {
				sent[i%parts]++
			}
			for p := range parts {
				if sent[p] != planned[p] {
					t.Errorf("rate %d, %d parts: part %d sends %d requests, the plan holds %d", rate, parts, p, sent[p], planned[p])
				}
			}
		}
	}
}

// sendAt sends every request of the plan once, each part's in order, with
// its method, token and body, and counts an answer other than the one
// wanted as an error.
func TestTheGeneratorSendsThePlan(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
		mu.Unlock()
		if r.URL.Path == "/b/3" {
			w.WriteHeader(http.StatusTeapot)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	hc := &fasthttp.HostClient{Addr: u.Host, MaxConns: 8}
	parts := [][]plannedReq{
		{{Method: "GET", Path: "/a/0", Token: "t", Want: 200}, {Method: "GET", Path: "/a/2", Token: "t", Want: 200}},
		{{Method: "POST", Path: "/b/1", Body: []byte(`{"n":1}`), Want: 200}, {Method: "POST", Path: "/b/3", Want: 200}},
	}
	next := make([]int, len(parts))
	take := func(which int) plannedReq {
		q := parts[which][next[which]]
		next[which]++
		return q
	}
	res, per := sendAt(hc, len(parts), take, time.Millisecond, 4)
	want := []string{"GET /a/0 Bearer t ", "GET /a/2 Bearer t ", `POST /b/1  {"n":1}`, "POST /b/3  "}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("the server got %q, want %q", got, want)
	}
	if res.n != 4 || len(res.lat) != 4 || len(per[0].lat) != 2 || len(per[1].lat) != 2 || res.errors != 1 || !strings.Contains(res.firstErr, "/b/3: 418") {
		t.Fatalf("result: n %d, latencies %d (%d + %d), errors %d (%s)", res.n, len(res.lat), len(per[0].lat), len(per[1].lat), res.errors, res.firstErr)
	}
}
