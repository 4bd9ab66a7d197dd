package discussion_test

import (
	"fmt"
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
