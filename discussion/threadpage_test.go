package discussion_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"pacer/api"
	"pacer/pacertest"
)

// TestAThreadPageShowsTheThreadAsItsHeadDoes reads threads page by page,
// each page after the thread's head (which counts unread posts in the
// store), and wants the same thread on both: a thread page counts them in
// the posts it keeps (threadcache.go) when the thread is short enough, and
// reads its reader's state with the thread.
func TestAThreadPageShowsTheThreadAsItsHeadDoes(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	ctx := context.Background()
	qa := c.qaBoard()
	for _, tc := range []struct {
		board   uint64
		replies int
	}{{c.general, 12}, {qa, 12}, {c.general, 600}} {
		thread, _ := c.thread(c.ann, tc.board, fmt.Sprintf("Thread of %d on board %d", tc.replies, tc.board), "Top")
		if err := svc.SeedReplies(thread, tc.replies, func(i int) (uint64, string) {
			if i%3 == 0 {
				return c.bob.ID, fmt.Sprintf("reply %d", i)
			}
			return c.ta.ID, fmt.Sprintf("reply %d", i)
		}); err != nil {
			t.Fatal(err)
		}
		// A deleted reply of each author, and a subscription choice.
		last := c.reply(c.bob, thread, 0, "to delete")
		if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", last), c.bob.Token, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), c.ta.Token, nil); r.Status != 204 {
			t.Fatalf("unsubscribe: %d %s", r.Status, r.Body)
		}
		for _, u := range []pacertest.User{c.instr, c.ta, c.ann, c.bob} {
			t.Run(fmt.Sprintf("%d replies, board %d, %s", tc.replies, tc.board, u.Name), func(t *testing.T) {
				cursor := ""
				for pages := 0; pages < 4; pages++ {
					head, err := svc.ThreadHead(ctx, u.ID, thread)
					if err != nil {
						t.Fatal(err)
					}
					p, err := svc.Thread(ctx, u.ID, thread, api.Page{Limit: 5, Cursor: cursor})
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(p.Thread, head) {
						t.Fatalf("page %d shows the thread as %+v, its head as %+v", pages, p.Thread, head)
					}
					if p.NextCursor == "" {
						break
					}
					cursor = p.NextCursor
				}
			})
		}
	}
}
