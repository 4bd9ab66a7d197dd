package discussion_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pacer/api"
)

// TestAThreadReadAgainShowsEveryChangeOfItsPosts reads a thread (so that
// its posts are kept) before and after each kind of change to them: no
// answer after a change may show the posts as they were.
func TestAThreadReadAgainShowsEveryChangeOfItsPosts(t *testing.T) {
	threadChanges(t, newClass(t))
}

func threadChanges(t *testing.T, c *class) {
	thread, _ := c.thread(c.ann, c.general, "Changes", "Top")
	reply := c.reply(c.bob, thread, 0, "first words")
	find := func(id uint64) postJSON {
		t.Helper()
		for _, p := range c.view(c.ta, thread, "").Items {
			if p.ID == id {
				return p
			}
		}
		t.Fatalf("post %d is not on the page", id)
		return postJSON{}
	}
	if p := find(reply); !strings.Contains(p.BodyHTML, "first words") {
		t.Fatalf("before any change: %+v", p)
	}

	if r := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", reply), c.bob.Token, map[string]any{"body": "second words"}); r.Status != 200 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	if p := find(reply); !strings.Contains(p.BodyHTML, "second words") || p.EditedAt == nil {
		t.Errorf("after an edit: %+v", p)
	}

	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/posts/%d/endorse", reply), c.ta.Token, nil); r.Status != 204 {
		t.Fatalf("endorse: %d", r.Status)
	}
	if p := find(reply); !p.Endorsed {
		t.Errorf("after an endorsement: %+v", p)
	}

	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/answer", thread), c.ann.Token, map[string]any{"post_id": reply}); r.Status != 204 {
		t.Fatalf("answer: %d", r.Status)
	}
	if p := c.view(c.ta, thread, ""); p.Thread.AnswerPostID != reply {
		t.Errorf("after choosing the answer: %+v", p.Thread)
	}

	second := c.reply(c.ann, thread, 0, "more")
	if p := find(second); !strings.Contains(p.BodyHTML, "more") {
		t.Errorf("after a reply: %+v", p)
	}

	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", reply), c.ta.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	if p := find(reply); !p.Deleted || p.BodyHTML != "" || p.Endorsed {
		t.Errorf("after a deletion: %+v", p)
	}

	r := c.env.Do("PATCH", "/api/v1/me", c.bob.Token, map[string]any{"name": "Robert"})
	if r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	if p := find(reply); p.Author.Name != "Robert" {
		t.Errorf("after the author renamed himself: %+v", p.Author)
	}
	c.env.SetRole(c.instr, c.course, c.bob, "ta")
	if p := find(reply); p.Author.Role != "ta" {
		t.Errorf("after the author became a TA: %+v", p.Author)
	}
}

// TestLongThreadsPageTheSameWithAndWithoutTheCache pages through a thread
// too long to keep and one short enough, and compares each page with the
// posts as stored.
func TestLongThreadsPageTheSameWithAndWithoutTheCache(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	for _, n := range []int{30, 600} {
		t.Run(fmt.Sprintf("%d replies", n), func(t *testing.T) {
			thread, opening := c.thread(c.ann, c.general, fmt.Sprintf("Thread of %d", n), "Top")
			if err := svc.SeedReplies(thread, n, func(i int) (uint64, string) {
				if i%3 == 0 {
					return c.bob.ID, fmt.Sprintf("reply %d", i)
				}
				return 0, fmt.Sprintf("reply %d", i)
			}); err != nil {
				t.Fatal(err)
			}
			want := opening
			cursor := ""
			pages := 0
			for {
				p, err := svc.Thread(context.Background(), c.ta.ID, thread, api.Page{Limit: 50, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, post := range p.Items {
					if post.ID != want {
						t.Fatalf("page %d: post %d, want %d", pages, post.ID, want)
					}
					want++
				}
				if p.NextCursor == "" {
					break
				}
				cursor = p.NextCursor
			}
			if got := want - opening; got != uint64(n+1) {
				t.Errorf("saw %d posts, want %d", got, n+1)
			}
		})
	}
}
