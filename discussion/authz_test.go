package discussion_test

import (
	"fmt"
	"testing"
	"time"

	"pacer/pacertest"
)

// fixture is a fresh thread by Ann with a reply by Ann, a reply by Bob and a
// report of Bob's reply, so that every route has something of its own to
// act on.
type fixture struct {
	thread, opening, annReply, bobReply, report uint64
}

func (c *class) fixture() fixture {
	c.env.T.Helper()
	// Each case posts a few times; a new minute now and then keeps the
	// flood limit out of this test (and the tokens alive).
	c.fixtures++
	if c.fixtures%20 == 0 {
		c.env.Clock.Advance(time.Minute + time.Second)
	}
	var f fixture
	f.thread, f.opening = c.thread(c.ann, c.general, "Week one", "What did you think?")
	f.annReply = c.reply(c.ann, f.thread, 0, "I liked it")
	f.bobReply = c.reply(c.bob, f.thread, 0, "Me too")
	r := c.env.Do("POST", fmt.Sprintf("/api/v1/posts/%d/report", f.bobReply), c.ann.Token, map[string]any{"reason": "spam"})
	if r.Status != 201 {
		c.env.T.Fatalf("report: %d %s", r.Status, r.Body)
	}
	f.report = r.ID()
	return f
}

func TestEveryRouteAnswersEachRoleAsTheContractSays(t *testing.T) {
	c := newClass(t)
	type req struct {
		method, path string
		body         any
	}
	// Columns: anonymous, non-member, student (Ann, who owns the thread and
	// her reply), other student (Bob), TA, instructor.
	cases := []struct {
		name string
		req  func(f fixture) req
		want [6]int
	}{
		{"list boards", func(f fixture) req { return req{"GET", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), nil} },
			[6]int{401, 404, 200, 200, 200, 200}},
		{"create a board", func(f fixture) req {
			return req{"POST", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), map[string]any{"title": "Lab", "mode": "qa"}}
		}, [6]int{401, 404, 403, 403, 201, 201}},
		{"get a board", func(f fixture) req { return req{"GET", fmt.Sprintf("/api/v1/boards/%d", c.general), nil} },
			[6]int{401, 404, 200, 200, 200, 200}},
		{"list threads", func(f fixture) req { return req{"GET", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), nil} },
			[6]int{401, 404, 200, 200, 200, 200}},
		{"start a thread", func(f fixture) req {
			return req{"POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), map[string]any{"title": "Hi", "body": "Hello"}}
		}, [6]int{401, 404, 201, 201, 201, 201}},
		{"read a thread", func(f fixture) req { return req{"GET", fmt.Sprintf("/api/v1/threads/%d", f.thread), nil} },
			[6]int{401, 404, 200, 200, 200, 200}},
		{"reply", func(f fixture) req {
			return req{"POST", fmt.Sprintf("/api/v1/threads/%d/replies", f.thread), map[string]any{"body": "Yes", "parent_id": f.annReply}}
		}, [6]int{401, 404, 201, 201, 201, 201}},
		{"get a post", func(f fixture) req { return req{"GET", fmt.Sprintf("/api/v1/posts/%d", f.annReply), nil} },
			[6]int{401, 404, 200, 200, 200, 200}},
		{"edit Ann's post", func(f fixture) req {
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", f.annReply), map[string]any{"body": "Edited"}}
		}, [6]int{401, 404, 200, 403, 200, 200}},
		{"delete Ann's post", func(f fixture) req { return req{"DELETE", fmt.Sprintf("/api/v1/posts/%d", f.annReply), nil} },
			[6]int{401, 404, 204, 403, 204, 204}},
		{"pin", func(f fixture) req { return req{"POST", fmt.Sprintf("/api/v1/threads/%d/pin", f.thread), nil} },
			[6]int{401, 404, 403, 403, 204, 204}},
		{"unpin", func(f fixture) req { return req{"DELETE", fmt.Sprintf("/api/v1/threads/%d/pin", f.thread), nil} },
			[6]int{401, 404, 403, 403, 204, 204}},
		{"lock", func(f fixture) req { return req{"POST", fmt.Sprintf("/api/v1/threads/%d/lock", f.thread), nil} },
			[6]int{401, 404, 403, 403, 204, 204}},
		{"unlock", func(f fixture) req { return req{"DELETE", fmt.Sprintf("/api/v1/threads/%d/lock", f.thread), nil} },
			[6]int{401, 404, 403, 403, 204, 204}},
		{"endorse", func(f fixture) req { return req{"POST", fmt.Sprintf("/api/v1/posts/%d/endorse", f.annReply), nil} },
			[6]int{401, 404, 403, 403, 204, 204}},
		{"take back an endorsement", func(f fixture) req {
			return req{"DELETE", fmt.Sprintf("/api/v1/posts/%d/endorse", f.annReply), nil}
		}, [6]int{401, 404, 403, 403, 204, 204}},
		{"choose the answer of Ann's thread", func(f fixture) req {
			return req{"POST", fmt.Sprintf("/api/v1/threads/%d/answer", f.thread), map[string]any{"post_id": f.bobReply}}
		}, [6]int{401, 404, 204, 403, 204, 204}},
		{"clear the answer of Ann's thread", func(f fixture) req {
			return req{"DELETE", fmt.Sprintf("/api/v1/threads/%d/answer", f.thread), nil}
		}, [6]int{401, 404, 204, 403, 204, 204}},
		{"subscribe", func(f fixture) req { return req{"PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", f.thread), nil} },
			[6]int{401, 404, 204, 204, 204, 204}},
		{"unsubscribe", func(f fixture) req {
			return req{"DELETE", fmt.Sprintf("/api/v1/threads/%d/subscription", f.thread), nil}
		}, [6]int{401, 404, 204, 204, 204, 204}},
		{"report Ann's post", func(f fixture) req {
			return req{"POST", fmt.Sprintf("/api/v1/posts/%d/report", f.annReply), map[string]any{"reason": "off topic"}}
		}, [6]int{401, 404, 201, 201, 201, 201}},
		{"see the report queue", func(f fixture) req { return req{"GET", fmt.Sprintf("/api/v1/courses/%d/reports", c.course), nil} },
			[6]int{401, 404, 403, 403, 200, 200}},
		{"resolve a report", func(f fixture) req { return req{"POST", fmt.Sprintf("/api/v1/reports/%d/resolve", f.report), nil} },
			[6]int{401, 404, 403, 403, 204, 204}},
		{"search", func(f fixture) req {
			return req{"GET", fmt.Sprintf("/api/v1/courses/%d/search?q=liked", c.course), nil}
		},
			[6]int{401, 404, 200, 200, 200, 200}},
	}
	who := []struct {
		name string
		user pacertest.User
	}{{"anonymous", pacertest.User{}}, {"non-member", c.ed}, {"student", c.ann}, {"other student", c.bob}, {"TA", c.ta}, {"instructor", c.instr}}
	for _, tc := range cases {
		for i, w := range who {
			t.Run(tc.name+" as "+w.name, func(t *testing.T) {
				r := tc.req(c.fixture())
				got := c.env.Do(r.method, r.path, w.user.Token, r.body)
				if got.Status != tc.want[i] {
					t.Fatalf("%s %s as %s: got %d, want %d: %s", r.method, r.path, w.name, got.Status, tc.want[i], got.Body)
				}
			})
		}
	}
}

func TestIDsOfOtherCoursesAndMissingThingsLookTheSame(t *testing.T) {
	c := newClass(t)
	f := c.fixture()
	for _, path := range []string{
		fmt.Sprintf("/api/v1/threads/%d", f.thread),
		fmt.Sprintf("/api/v1/threads/%d", f.thread+1000),
		fmt.Sprintf("/api/v1/posts/%d", f.annReply),
		fmt.Sprintf("/api/v1/posts/%d", f.annReply+1000),
		"/api/v1/threads/abc",
		"/api/v1/threads/0",
	} {
		r := c.env.Do("GET", path, c.ed.Token, nil)
		if r.Status != 404 || r.ErrCode() != "not_found" {
			t.Errorf("GET %s as outsider: %d %s", path, r.Status, r.Body)
		}
	}
	a := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d", f.thread), c.ed.Token, nil).Map()
	b := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d", f.thread+1000), c.ed.Token, nil).Map()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("an existing thread of another course answers %v, a missing one %v", a, b)
	}
}
