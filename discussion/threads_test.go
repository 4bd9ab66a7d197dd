package discussion_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pacer/discussion"
	"pacer/pacertest"
	"pacer/storage"
)

func TestEveryCourseHasAGeneralBoardAndStaffAddMore(t *testing.T) {
	c := newClass(t)
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), c.bob.Token, nil)
	var l struct {
		Items []map[string]any `json:"items"`
	}
	r.Decode(&l)
	if len(l.Items) != 1 || l.Items[0]["kind"] != "general" || l.Items[0]["mode"] != "discussion" {
		t.Fatalf("boards of a new course: %s", r.Body)
	}
	for _, tc := range []struct {
		name string
		body any
		want int
		code string
	}{
		{"no title", map[string]any{"mode": "qa"}, 400, "validation_failed"},
		{"a blank title", map[string]any{"title": "  "}, 400, "validation_failed"},
		{"an unknown mode", map[string]any{"title": "x", "mode": "chat"}, 400, "validation_failed"},
		{"an unknown field", map[string]any{"title": "x", "kind": "general"}, 400, "bad_request"},
		{"malformed JSON", `{"title":`, 400, "bad_request"},
		{"a Q&A board", map[string]any{"title": "Questions", "mode": "qa"}, 201, ""},
		{"a board without a mode", map[string]any{"title": "Chat"}, 201, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), c.ta.Token, tc.body)
			if r.Status != tc.want || r.ErrCode() != tc.code {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	r = c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), c.bob.Token, nil)
	r.Decode(&l)
	if len(l.Items) != 3 || l.Items[1]["mode"] != "qa" || l.Items[2]["mode"] != "discussion" {
		t.Fatalf("boards after adding two: %s", r.Body)
	}
}

func TestACourseWithoutABoardGetsItsGeneralBoardOnFirstUse(t *testing.T) {
	c := newClass(t)
	// Courses made before this package existed have no boards at all.
	err := c.env.Bolt().Update(func(tx *storage.Tx) error {
		if err := tx.DeletePrefix(storage.BoardsByCourse, storage.Key(c.course)); err != nil {
			return err
		}
		return tx.Delete(storage.Boards, storage.ID(c.general))
	})
	if err != nil {
		t.Fatal(err)
	}
	b := c.board(c.bob, "general")
	if b == c.general || b == 0 {
		t.Fatalf("general board %d (old %d)", b, c.general)
	}
	if again := c.board(c.ann, "general"); again != b {
		t.Fatalf("a second look made another general board: %d and %d", b, again)
	}
}

func TestRepliesNestThreeLevelsDeep(t *testing.T) {
	c := newClass(t)
	thread, opening := c.thread(c.ann, c.general, "Nesting", "Top")
	d1 := c.reply(c.bob, thread, 0, "depth one")
	d1b := c.reply(c.bob, thread, opening, "also depth one")
	d2 := c.reply(c.ann, thread, d1, "depth two")
	d3 := c.reply(c.bob, thread, d2, "depth three")
	d4 := c.reply(c.ann, thread, d3, "would be four")
	got := map[uint64][2]uint64{}
	for _, p := range c.view(c.ta, thread, "").Items {
		got[p.ID] = [2]uint64{p.ParentID, uint64(p.Depth)}
	}
	want := map[uint64][2]uint64{opening: {0, 0}, d1: {opening, 1}, d1b: {opening, 1}, d2: {d1, 2}, d3: {d2, 3}, d4: {d2, 3}}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("post %d: parent/depth %v, want %v", id, got[id], w)
		}
	}
	other, _ := c.thread(c.bob, c.general, "Other", "x")
	r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", other), c.bob.Token, map[string]any{"body": "x", "parent_id": d1})
	if r.Status != 400 || r.ErrCode() != "validation_failed" {
		t.Fatalf("a parent from another thread: %d %s", r.Status, r.Body)
	}
}

func TestEditingAndDeletingKeepThePostsPlace(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Edits", "Top")
	mine := c.reply(c.ann, thread, 0, "first *draft*")
	child := c.reply(c.bob, thread, mine, "answer to the draft")

	c.env.Clock.Advance(10 * time.Minute)
	r := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", mine), c.ann.Token, map[string]any{"body": "final **text**"})
	var p postJSON
	r.Decode(&p)
	if r.Status != 200 || p.EditedAt == nil || !strings.Contains(p.BodyHTML, "<strong>text</strong>") || p.Body != "final **text**" {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	if *p.EditedAt != c.env.Clock.Now().Format(time.RFC3339) {
		t.Errorf("edited_at %s, want %s", *p.EditedAt, c.env.Clock.Now().Format(time.RFC3339))
	}
	for _, v := range c.view(c.bob, thread, "").Items {
		if v.ID == mine && v.Body != "" {
			t.Errorf("Bob is given the source of Ann's post: %q", v.Body)
		}
	}

	for range 2 {
		if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", mine), c.ann.Token, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
	}
	page := c.view(c.bob, thread, "")
	if got := ids(page); len(got) != 3 || got[1] != mine || got[2] != child {
		t.Fatalf("posts after delete: %v", got)
	}
	if d := page.Items[1]; !d.Deleted || d.BodyHTML != "" || d.Body != "" {
		t.Fatalf("deleted post still has a body: %+v", d)
	}
	if page.Thread.ReplyCount != 1 {
		t.Errorf("reply_count %d after deleting one of two replies", page.Thread.ReplyCount)
	}
	if r := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", mine), c.ann.Token, map[string]any{"body": "back"}); r.Status != 409 {
		t.Errorf("editing a deleted post: %d %s", r.Status, r.Body)
	}
	if got := c.search(c.ta, "final"); len(got) != 0 {
		t.Errorf("search still finds the deleted post: %v", got)
	}
	// Staff delete anyone's post.
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", child), c.instr.Token, nil); r.Status != 204 {
		t.Errorf("instructor deletes a student's post: %d", r.Status)
	}
}

func TestALockedThreadRefusesRepliesWith409(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Locked", "Top")
	mine := c.reply(c.ann, thread, 0, "mine")
	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/lock", thread), c.ta.Token, nil); r.Status != 204 {
		t.Fatalf("lock: %d", r.Status)
	}
	for _, u := range []struct {
		name  string
		token string
	}{{"student", c.bob.Token}, {"instructor", c.instr.Token}} {
		r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), u.token, map[string]any{"body": "late"})
		if r.Status != 409 || r.ErrCode() != "thread_locked" {
			t.Errorf("%s replies to a locked thread: %d %s", u.name, r.Status, r.Body)
		}
	}
	if r := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", mine), c.ann.Token, map[string]any{"body": "x"}); r.ErrCode() != "thread_locked" {
		t.Errorf("the author edits in a locked thread: %d %s", r.Status, r.Body)
	}
	if !c.view(c.bob, thread, "").Thread.Locked {
		t.Error("thread not shown as locked")
	}
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/threads/%d/lock", thread), c.ta.Token, nil); r.Status != 204 {
		t.Fatalf("unlock: %d", r.Status)
	}
	c.reply(c.bob, thread, 0, "open again")
}

func TestThreadsListPinnedFirstThenByLastActivity(t *testing.T) {
	c := newClass(t)
	a, _ := c.thread(c.ann, c.general, "A", "a")
	b, _ := c.thread(c.ann, c.general, "B", "b")
	d, _ := c.thread(c.ann, c.general, "D", "d")
	order := func() []uint64 {
		var out []uint64
		for _, x := range c.threads(c.bob, c.general) {
			out = append(out, x.ID)
		}
		return out
	}
	if got := order(); !slices.Equal(got, []uint64{d, b, a}) {
		t.Fatalf("newest first: %v", got)
	}
	c.reply(c.bob, a, 0, "bump")
	if got := order(); !slices.Equal(got, []uint64{a, d, b}) {
		t.Fatalf("after a reply in A: %v", got)
	}
	c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/pin", b), c.instr.Token, nil)
	if got := order(); !slices.Equal(got, []uint64{b, a, d}) {
		t.Fatalf("after pinning B: %v", got)
	}
	c.reply(c.bob, d, 0, "bump")
	if got := order(); !slices.Equal(got, []uint64{b, d, a}) {
		t.Fatalf("after a reply in D: %v", got)
	}
	// Pages of one thread each walk the same order.
	var paged []uint64
	cursor := ""
	for {
		q := "?limit=1"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		r := c.env.Do("GET", fmt.Sprintf("/api/v1/boards/%d/threads%s", c.general, q), c.bob.Token, nil)
		var l struct {
			Items      []threadJSON `json:"items"`
			NextCursor string       `json:"next_cursor"`
		}
		r.Decode(&l)
		for _, x := range l.Items {
			paged = append(paged, x.ID)
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	if !slices.Equal(paged, []uint64{b, d, a}) {
		t.Fatalf("paged: %v", paged)
	}
	if r := c.env.Do("GET", fmt.Sprintf("/api/v1/boards/%d/threads?cursor=nope", c.general), c.bob.Token, nil); r.Status != 400 {
		t.Errorf("a bad cursor: %d", r.Status)
	}
}

func TestUnreadCountsFollowReading(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Unread", "Top")
	unread := func(u pacertest.User) int {
		for _, x := range c.threads(u, c.general) {
			if x.ID == thread {
				return x.UnreadCount
			}
		}
		t.Fatalf("thread missing")
		return -1
	}
	if unread(c.bob) != 1 || unread(c.ann) != 0 {
		t.Fatalf("a new thread: bob %d, ann %d", unread(c.bob), unread(c.ann))
	}
	c.reply(c.ann, thread, 0, "one")
	c.reply(c.ann, thread, 0, "two")
	if unread(c.bob) != 3 {
		t.Fatalf("bob after two replies: %d", unread(c.bob))
	}
	if p := c.view(c.bob, thread, "?limit=2"); p.Thread.UnreadCount != 3 {
		t.Fatalf("the thread view counts %d unread before reading", p.Thread.UnreadCount)
	}
	if unread(c.bob) != 1 {
		t.Fatalf("bob after reading a page of two: %d", unread(c.bob))
	}
	c.view(c.bob, thread, "")
	if unread(c.bob) != 0 {
		t.Fatalf("bob after reading all: %d", unread(c.bob))
	}
	c.reply(c.ann, thread, 0, "three")
	c.reply(c.bob, thread, 0, "mine")
	if unread(c.bob) != 0 || unread(c.ann) != 1 {
		t.Fatalf("after Bob's reply: bob %d, ann %d", unread(c.bob), unread(c.ann))
	}
}

func TestBodiesAndTitlesAreChecked(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Checks", "Top")
	long := strings.Repeat("a", 50_001)
	for _, tc := range []struct {
		name, method, path string
		body               any
		code               string
	}{
		{"a thread without a title", "POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), map[string]any{"body": "x"}, "validation_failed"},
		{"a thread with a blank body", "POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), map[string]any{"title": "x", "body": " \n "}, "validation_failed"},
		{"a title over 200 characters", "POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), map[string]any{"title": strings.Repeat("x", 201), "body": "x"}, "validation_failed"},
		{"a reply without a body", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), map[string]any{}, "validation_failed"},
		{"a reply too long", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), map[string]any{"body": long}, "validation_failed"},
		{"a reply with a NUL", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), map[string]any{"body": "a\x00b"}, "validation_failed"},
		{"a reply naming its author", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), map[string]any{"body": "x", "author_id": 1}, "bad_request"},
		{"a reply with a string parent", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), map[string]any{"body": "x", "parent_id": "1"}, "bad_request"},
		{"a reply with a negative parent", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), `{"body":"x","parent_id":-1}`, "bad_request"},
		{"a reply to a missing parent", "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), map[string]any{"body": "x", "parent_id": 999999}, "validation_failed"},
		{"an answer naming nothing", "POST", fmt.Sprintf("/api/v1/threads/%d/answer", thread), map[string]any{}, "validation_failed"},
		{"an answer naming the opening post", "POST", fmt.Sprintf("/api/v1/threads/%d/answer", thread), map[string]any{"post_id": thread}, "validation_failed"},
		{"a report without a reason", "POST", fmt.Sprintf("/api/v1/posts/%d/report", thread), map[string]any{}, "validation_failed"},
		{"a search without words", "GET", fmt.Sprintf("/api/v1/courses/%d/search?q=%%21%%3F", c.course), nil, "validation_failed"},
		{"a search without q", "GET", fmt.Sprintf("/api/v1/courses/%d/search", c.course), nil, "validation_failed"},
		{"a bad thread cursor", "GET", fmt.Sprintf("/api/v1/threads/%d?cursor=x", thread), nil, "validation_failed"},
		{"a bad limit", "GET", fmt.Sprintf("/api/v1/threads/%d?limit=-1", thread), nil, "validation_failed"},
		{"a bad report status", "GET", fmt.Sprintf("/api/v1/courses/%d/reports?status=x", c.course), nil, "validation_failed"},
		{"a preview with an unknown field", "POST", "/api/v1/markdown/preview", map[string]any{"text": "x"}, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := c.ann.Token
			if strings.Contains(tc.path, "reports") {
				tok = c.ta.Token
			}
			r := c.env.Do(tc.method, tc.path, tok, tc.body)
			if r.Status != 400 || r.ErrCode() != tc.code {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	// Nothing was half-written by the refused requests.
	if p := c.view(c.ann, thread, ""); len(p.Items) != 1 || p.Thread.ReplyCount != 0 {
		t.Fatalf("refused replies left traces: %+v", p)
	}
}

// The flood limit counts every post, accepted or not, exactly: the first
// DefaultPostLimit of a minute (invalid ones among them) are answered,
// every one after is 429 and leaves nothing behind.
func TestAFloodOfPostsIsRateLimited(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.bob, c.general, "Flood", "Top")
	const invalid = 5
	for i := range invalid {
		r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), c.ann.Token, map[string]any{"body": ""})
		if r.Status != 400 || r.ErrCode() != "validation_failed" {
			t.Fatalf("empty reply %d: %d %s", i, r.Status, r.Body)
		}
	}
	accepted, limited := 0, 0
	for i := range discussion.DefaultPostLimit + 10 {
		r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), c.ann.Token, map[string]any{"body": fmt.Sprintf("spam %d", i)})
		switch r.Status {
		case 201:
			if limited > 0 {
				t.Fatalf("reply %d accepted after a refusal", i)
			}
			accepted++
		case 429:
			limited++
			if r.ErrCode() != "rate_limited" || r.Header.Get("Retry-After") == "" {
				t.Fatalf("429 without its code or Retry-After: %v %s", r.Header, r.Body)
			}
		default:
			t.Fatalf("reply %d: %d %s", i, r.Status, r.Body)
		}
	}
	if accepted != discussion.DefaultPostLimit-invalid || limited != invalid+10 {
		t.Fatalf("%d accepted and %d refused, want %d and %d (the invalid posts count too)",
			accepted, limited, discussion.DefaultPostLimit-invalid, invalid+10)
	}
	// A refused post is refused whatever else is wrong with it, and
	// threads count like replies.
	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), c.ann.Token, map[string]any{"title": "More", "body": "x"}); r.Status != 429 {
		t.Fatalf("a thread over the limit: %d %s", r.Status, r.Body)
	}
	if p := c.view(c.ann, thread, ""); p.Thread.ReplyCount != accepted {
		t.Fatalf("the thread holds %d replies, want the %d accepted: refused ones left traces", p.Thread.ReplyCount, accepted)
	}
	// Others may still post, and Ann may again a minute later.
	c.reply(c.bob, thread, 0, "still here")
	c.env.Clock.Advance(time.Minute)
	c.reply(c.ann, thread, 0, "calm again")
}

func TestReportsReachTheStaffQueueAndCanBeResolved(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Reported", "Top")
	bad := c.reply(c.bob, thread, 0, "something rude")
	r := c.env.Do("POST", fmt.Sprintf("/api/v1/posts/%d/report", bad), c.ann.Token, map[string]any{"reason": "rude"})
	if r.Status != 201 {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	report := r.ID()
	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/posts/%d/report", bad), c.ann.Token, map[string]any{"reason": "again"}); r.Status != 409 {
		t.Errorf("a second report by the same member: %d", r.Status)
	}
	queue := func(status string) []map[string]any {
		r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/reports?status=%s", c.course, status), c.ta.Token, nil)
		var l struct {
			Items []map[string]any `json:"items"`
		}
		r.Decode(&l)
		return l.Items
	}
	open := queue("")
	if len(open) != 1 || open[0]["reason"] != "rude" || open[0]["post_snippet"] != "something rude" || open[0]["thread_title"] != "Reported" {
		t.Fatalf("open queue: %v", open)
	}
	if r := c.env.Do("POST", fmt.Sprintf("/api/v1/reports/%d/resolve", report), c.instr.Token, nil); r.Status != 204 {
		t.Fatalf("resolve: %d", r.Status)
	}
	if len(queue("open")) != 0 || len(queue("resolved")) != 1 || len(queue("all")) != 1 {
		t.Fatalf("after resolving: open %v resolved %v", queue("open"), queue("resolved"))
	}
	if r := c.env.Do("POST", "/api/v1/reports/99999/resolve", c.instr.Token, nil); r.Status != 404 {
		t.Errorf("resolving a missing report: %d", r.Status)
	}
}
