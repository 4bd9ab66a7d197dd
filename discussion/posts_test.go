package discussion_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"pacer/pacertest"
)

// Replies to one thread at once (on PostgreSQL each locks the thread's
// row instead of aborting the others) are all stored, counted and
// listed: no update of the thread is lost, and every replier is
// subscribed.
func TestConcurrentRepliesToOneThreadAreAllCounted(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Busy", "Everyone reply")
	const each = 5
	var wg sync.WaitGroup
	status := make(chan int, 2*each)
	for _, u := range []pacertest.User{c.ann, c.bob} {
		for i := range each {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), u.Token,
					map[string]any{"body": fmt.Sprintf("Reply %d from %s", i, u.Name)})
				status <- r.Status
			}()
		}
	}
	wg.Wait()
	close(status)
	for s := range status {
		if s != 201 {
			t.Fatalf("a concurrent reply answered %d", s)
		}
	}
	page := c.view(c.ann, thread, "?limit=100")
	if page.Thread.ReplyCount != 2*each || len(page.Items) != 2*each+1 {
		t.Fatalf("thread counts %d replies and lists %d posts, want %d and %d", page.Thread.ReplyCount, len(page.Items), 2*each, 2*each+1)
	}
	for _, u := range []pacertest.User{c.ann, c.bob} {
		for _, th := range c.threads(u, c.general) {
			if th.ID == thread && !th.Subscribed {
				t.Errorf("%s replied but is not subscribed", u.Name)
			}
		}
	}
}

// A reply's answer is the post as the thread page shows it to its author:
// the Markdown source they may edit, the rendered HTML, their name as it
// is now (after a rename too) and their role.
func TestAReplyAnswersWithThePostAsItsPageShowsIt(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Sources", "Opening post")
	reply := func(u pacertest.User, body string) map[string]any {
		t.Helper()
		r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), u.Token, map[string]any{"body": body})
		if r.Status != 201 {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		var out map[string]any
		r.Decode(&out)
		return out
	}
	onPage := func(u pacertest.User, id any) map[string]any {
		t.Helper()
		r := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d?limit=100", thread), u.Token, nil)
		var p struct {
			Items []map[string]any `json:"items"`
		}
		r.Decode(&p)
		for _, it := range p.Items {
			if it["id"] == id {
				return it
			}
		}
		t.Fatalf("post %v not on the page", id)
		return nil
	}
	same := func(got, want map[string]any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("the reply answered\n%v\nits page shows\n%v", got, want)
		}
	}
	got := reply(c.bob, "A **bold** claim")
	if got["body"] != "A **bold** claim" || got["can_edit"] != true {
		t.Fatalf("the reply's answer lacks its source: %v", got)
	}
	same(got, onPage(c.bob, got["id"]))

	if r := c.env.Do("PATCH", "/api/v1/me", c.bob.Token, map[string]any{"name": "Robert"}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	got = reply(c.bob, "Under my new name")
	if fmt.Sprint(got["author"]) != fmt.Sprint(onPage(c.bob, got["id"])["author"]) || !strings.Contains(fmt.Sprint(got["author"]), "Robert") {
		t.Fatalf("after a rename the reply is signed %v", got["author"])
	}
	same(got, onPage(c.bob, got["id"]))
	got = reply(c.ta, "Staff reply")
	same(got, onPage(c.ta, got["id"]))
}
