package discussion_test

import (
	"fmt"
	"testing"
	"time"

	"pacer/pacertest"
)

func (c *class) itemStatus(item uint64) string {
	c.env.T.Helper()
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress", c.course), c.ann.Token, nil)
	var p struct {
		Items []struct {
			ItemID uint64 `json:"item_id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	r.Decode(&p)
	for _, it := range p.Items {
		if it.ItemID == item {
			return it.Status
		}
	}
	return "missing"
}

func TestADiscussionItemHasAThreadAndPostingThereCompletesIt(t *testing.T) {
	c := newClass(t)
	mod := c.env.Module(c.instr, c.course, nil)
	item := c.env.Item(c.instr, c.course, mod, map[string]any{"kind": "discussion", "title": "Introduce yourself", "body": "Say hello and name one goal."})
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", c.course, item), c.ann.Token, nil)
	var it struct {
		ThreadID uint64 `json:"thread_id"`
	}
	r.Decode(&it)
	if it.ThreadID == 0 {
		t.Fatalf("discussion item without a thread: %s", r.Body)
	}
	p := c.view(c.ann, it.ThreadID, "")
	if p.Thread.Title != "Introduce yourself" || len(p.Items) != 1 || p.Items[0].BodyHTML != "<p>Say hello and name one goal.</p>" {
		t.Fatalf("item thread: %+v", p)
	}
	if p.Thread.BoardID != c.board(c.ann, "items") {
		t.Errorf("item thread is on board %d", p.Thread.BoardID)
	}
	r = c.env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", p.Thread.BoardID), c.ann.Token, map[string]any{"title": "x", "body": "y"})
	if r.Status != 403 {
		t.Errorf("a student starts a thread on the item board: %d", r.Status)
	}
	if s := c.itemStatus(item); s != "not_started" {
		t.Fatalf("before posting: %s", s)
	}
	c.reply(c.ann, it.ThreadID, 0, "Hello, I am Ann and I want to learn regression")
	if s := c.itemStatus(item); s != "completed" {
		t.Fatalf("after posting: %s", s)
	}
	if got := c.search(c.bob, "regression"); len(got) != 1 {
		t.Fatalf("search before the item is deleted: %v", got)
	}

	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/items/%d", c.course, item), c.instr.Token, nil); r.Status != 204 {
		t.Fatalf("delete item: %d %s", r.Status, r.Body)
	}
	if r := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d", it.ThreadID), c.instr.Token, nil); r.Status != 404 {
		t.Errorf("the deleted item's thread: %d", r.Status)
	}
	if got := c.search(c.bob, "regression"); len(got) != 0 {
		t.Errorf("search after the item is deleted: %v", got)
	}
}

func TestItemThreadsFollowTheItemsVisibility(t *testing.T) {
	c := newClass(t)
	later := c.env.Clock.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339)
	locked := c.env.Module(c.instr, c.course, map[string]any{"title": "Next week", "opens_at": later})
	open := c.env.Module(c.instr, c.course, map[string]any{"title": "This week"})
	lockedItem := c.env.Item(c.instr, c.course, locked, map[string]any{"kind": "discussion", "title": "Later topic"})
	hiddenItem := c.env.Item(c.instr, c.course, open, map[string]any{"kind": "discussion", "title": "Draft topic", "published": false})
	openItem := c.env.Item(c.instr, c.course, open, map[string]any{"kind": "discussion", "title": "Open topic"})
	threadOf := func(item uint64) uint64 {
		r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", c.course, item), c.instr.Token, nil)
		var it struct {
			ThreadID uint64 `json:"thread_id"`
		}
		r.Decode(&it)
		return it.ThreadID
	}
	if r := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d", threadOf(lockedItem)), c.ann.Token, nil); r.Status != 403 {
		t.Errorf("a student opens the thread of a locked item: %d", r.Status)
	}
	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", threadOf(lockedItem)), c.ann.Token, map[string]any{"body": "early"}); r.Status != 403 {
		t.Errorf("a student replies in the thread of a locked item: %d", r.Status)
	}
	if r := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d", threadOf(hiddenItem)), c.ann.Token, nil); r.Status != 404 {
		t.Errorf("a student opens the thread of an unpublished item: %d", r.Status)
	}
	if r := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d", threadOf(lockedItem)), c.ta.Token, nil); r.Status != 200 {
		t.Errorf("the TA opens the thread of a locked item: %d", r.Status)
	}
	items := c.board(c.ann, "items")
	var seen []string
	for _, th := range c.threads(c.ann, items) {
		seen = append(seen, th.Title)
	}
	if len(seen) != 1 || seen[0] != "Open topic" {
		t.Errorf("a student's list of item threads: %v", seen)
	}
	if got := len(c.threads(c.ta, items)); got != 3 {
		t.Errorf("the TA's list of item threads has %d", got)
	}
	counts := func(u pacertest.User) float64 {
		var l struct {
			Items []map[string]any `json:"items"`
		}
		c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), u.Token, nil).Decode(&l)
		for _, b := range l.Items {
			if b["kind"] == "items" {
				return b["thread_count"].(float64)
			}
		}
		return -1
	}
	if counts(c.ann) != 1 || counts(c.ta) != 3 {
		t.Errorf("item board thread counts: student %v, TA %v", counts(c.ann), counts(c.ta))
	}
	if got := c.search(c.ann, "topic"); len(got) != 1 {
		t.Errorf("a student's search over item threads: %v", got)
	}
	_ = openItem
}
