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

// TestAThreadPageGivesTheSourcesOfThePostsTheCallerMayEdit reads a page
// as staff (who may edit every post), as an author (their own) and as
// another student (none), before and after an edit, and after the thread
// is locked.
func TestAThreadPageGivesTheSourcesOfThePostsTheCallerMayEdit(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	ctx := context.Background()
	thread, opening := c.thread(c.ann, c.general, "Sources", "Opening words")
	sources := map[uint64]string{opening: "Opening words"}
	authors := map[uint64]uint64{opening: c.ann.ID}
	for i, u := range []pacertest.User{c.bob, c.bob, c.ta, c.ann} {
		body := fmt.Sprintf("Reply %d of %s", i, u.Name)
		id := c.reply(u, thread, 0, body)
		sources[id], authors[id] = body, u.ID
	}
	gone := c.reply(c.bob, thread, 0, "to delete")
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", gone), c.bob.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	check := func(locked bool) {
		for _, u := range []pacertest.User{c.instr, c.ta, c.ann, c.bob} {
			p, err := svc.Thread(ctx, u.ID, thread, api.Page{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != len(sources)+1 {
				t.Fatalf("%s sees %d posts, want %d", u.Name, len(p.Items), len(sources)+1)
			}
			staff := u.ID == c.instr.ID || u.ID == c.ta.ID
			for _, post := range p.Items {
				want := post.ID != gone && (staff || (authors[post.ID] == u.ID && !locked))
				if post.CanEdit != want {
					t.Errorf("locked %v, %s: post %d can_edit = %v, want %v", locked, u.Name, post.ID, post.CanEdit, want)
				}
				wantBody := ""
				if want {
					wantBody = sources[post.ID]
				}
				if post.Body != wantBody {
					t.Errorf("locked %v, %s: post %d body = %q, want %q", locked, u.Name, post.ID, post.Body, wantBody)
				}
			}
		}
	}
	check(false)
	// The sources are kept with the thread's posts once a page showed
	// one: an edit must show at once.
	for id, author := range authors {
		if author == c.bob.ID {
			sources[id] = "Edited by Bob"
			if r := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", id), c.bob.Token, map[string]any{"body": sources[id]}); r.Status != 200 {
				t.Fatalf("edit: %d %s", r.Status, r.Body)
			}
			break
		}
	}
	check(false)
	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/lock", thread), c.ta.Token, nil); r.Status != 204 {
		t.Fatalf("lock: %d %s", r.Status, r.Body)
	}
	check(true)
}
