package discussion_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"pacer/api"
	"pacer/pacertest"
)

// TestPagingWhileOthersPostSeesEveryPostExactlyOnce pages through a thread
// with a small page size while another goroutine keeps replying; once the
// writer is done, the reader has seen every post once, in order.
func TestPagingWhileOthersPostSeesEveryPostExactlyOnce(t *testing.T) {
	c := newClass(t)
	thread, opening := c.thread(c.ann, c.general, "Busy", "Everyone reply")
	writers := []pacertest.User{c.ann, c.bob, c.ta, c.instr}
	const perWriter = 30

	var mu sync.Mutex
	written := []uint64{opening}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range perWriter * len(writers) {
			u := writers[i%len(writers)]
			r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), u.Token, map[string]any{"body": fmt.Sprintf("reply %d", i)})
			if r.Status != 201 {
				t.Errorf("reply %d: %d %s", i, r.Status, r.Body)
				return
			}
			var p struct {
				ID uint64 `json:"id"`
			}
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Errorf("reply %d: %v", i, err)
				return
			}
			mu.Lock()
			written = append(written, p.ID)
			mu.Unlock()
		}
	}()

	var seen []uint64
	cursor := ""
	finished := false
	for !finished {
		select {
		case <-done:
			// One more pass after the writer stops picks up the tail.
			finished = true
		default:
		}
		for {
			q := "?limit=7"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			p := c.view(c.bob, thread, q)
			seen = append(seen, ids(p)...)
			if len(p.Items) > 0 {
				cursor = api.FormatID(p.Items[len(p.Items)-1].ID)
			}
			if p.NextCursor == "" {
				break
			}
			if p.NextCursor != cursor {
				t.Fatalf("next_cursor %q is not the last post shown (%s)", p.NextCursor, cursor)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(written) != 1+perWriter*len(writers) {
		t.Fatalf("the writer stored %d posts", len(written))
	}
	if !slices.Equal(seen, written) {
		t.Fatalf("seen %d posts, written %d; seen %v, written %v", len(seen), len(written), seen, written)
	}
}
