package discussion_test

import (
	"fmt"
	"net/url"
	"testing"

	"pacer/pacertest"
	"pacer/server"
)

// class is a course with one member of every role and an outsider.
type class struct {
	env                     *pacertest.Env
	instr, ta, ann, bob, ed pacertest.User
	course                  uint64
	general                 uint64
	fixtures                int
}

func newClass(t testing.TB, modify ...func(*server.Config)) *class {
	t.Helper()
	env := pacertest.New(t, modify...)
	c := &class{env: env}
	c.instr = env.Register("Ines Instructor")
	c.ta = env.Register("Tom Assistant")
	c.ann = env.Register("Ann")
	c.bob = env.Register("Bob")
	c.ed = env.Register("Ed Outsider")
	c.course = env.Course(c.instr, nil)
	env.Enroll(c.ta, c.course)
	env.SetRole(c.instr, c.course, c.ta, "ta")
	env.Enroll(c.ann, c.course)
	env.Enroll(c.bob, c.course)
	c.general = c.board(c.ann, "general")
	return c
}

// unfollow turns off u's following of every thread of the course.
func (c *class) unfollow(u pacertest.User) {
	c.env.T.Helper()
	r := c.env.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/discussion-settings", c.course), u.Token,
		map[string]any{"follow_threads": false})
	if r.Status != 200 {
		c.env.T.Fatalf("unfollow: %d %s", r.Status, r.Body)
	}
}

// board returns the id of the course's first board of a kind, as u sees it.
func (c *class) board(u pacertest.User, kind string) uint64 {
	c.env.T.Helper()
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), u.Token, nil)
	if r.Status != 200 {
		c.env.T.Fatalf("boards: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	r.Decode(&list)
	for _, b := range list.Items {
		if b.Kind == kind {
			return b.ID
		}
	}
	c.env.T.Fatalf("no %s board in %s", kind, r.Body)
	return 0
}

// qaBoard makes a Q&A board.
func (c *class) qaBoard() uint64 {
	c.env.T.Helper()
	r := c.env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/boards", c.course), c.instr.Token,
		map[string]any{"title": "Questions", "mode": "qa"})
	if r.Status != 201 {
		c.env.T.Fatalf("create qa board: %d %s", r.Status, r.Body)
	}
	return r.ID()
}

// thread starts a thread and returns its id and its opening post's id.
func (c *class) thread(u pacertest.User, board uint64, title, body string) (uint64, uint64) {
	c.env.T.Helper()
	r := c.env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), u.Token, map[string]any{"title": title, "body": body})
	if r.Status != 201 {
		c.env.T.Fatalf("create thread: %d %s", r.Status, r.Body)
	}
	id := r.ID()
	page := c.view(u, id, "")
	return id, page.Items[0].ID
}

// reply posts a reply and returns its id.
func (c *class) reply(u pacertest.User, thread, parent uint64, body string) uint64 {
	c.env.T.Helper()
	in := map[string]any{"body": body}
	if parent != 0 {
		in["parent_id"] = parent
	}
	r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), u.Token, in)
	if r.Status != 201 {
		c.env.T.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	return r.ID()
}

type postJSON struct {
	ID       uint64  `json:"id"`
	ParentID uint64  `json:"parent_id"`
	Depth    int     `json:"depth"`
	BodyHTML string  `json:"body_html"`
	Body     string  `json:"body"`
	Deleted  bool    `json:"deleted"`
	Endorsed bool    `json:"endorsed"`
	EditedAt *string `json:"edited_at"`
	Author   struct {
		ID   uint64 `json:"id"`
		Name string `json:"name"`
		Role string `json:"role"`
	} `json:"author"`
}

type threadJSON struct {
	ID            uint64 `json:"id"`
	BoardID       uint64 `json:"board_id"`
	Title         string `json:"title"`
	Pinned        bool   `json:"pinned"`
	Locked        bool   `json:"locked"`
	Answered      bool   `json:"answered"`
	AnswerPostID  uint64 `json:"answer_post_id"`
	ReplyCount    int    `json:"reply_count"`
	UnreadCount   int    `json:"unread_count"`
	Subscribed    bool   `json:"subscribed"`
	RepliesHidden bool   `json:"replies_hidden"`
	Author        struct {
		ID   uint64 `json:"id"`
		Name string `json:"name"`
		Role string `json:"role"`
	} `json:"author"`
}

type pageJSON struct {
	Thread     threadJSON `json:"thread"`
	Items      []postJSON `json:"items"`
	NextCursor string     `json:"next_cursor"`
}

// view reads one page of a thread as u.
func (c *class) view(u pacertest.User, thread uint64, query string) pageJSON {
	c.env.T.Helper()
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d%s", thread, query), u.Token, nil)
	if r.Status != 200 {
		c.env.T.Fatalf("view thread: %d %s", r.Status, r.Body)
	}
	var p pageJSON
	r.Decode(&p)
	return p
}

// threads lists a board as u.
func (c *class) threads(u pacertest.User, board uint64) []threadJSON {
	c.env.T.Helper()
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/boards/%d/threads", board), u.Token, nil)
	if r.Status != 200 {
		c.env.T.Fatalf("list threads: %d %s", r.Status, r.Body)
	}
	var l struct {
		Items []threadJSON `json:"items"`
	}
	r.Decode(&l)
	return l.Items
}

type hitJSON struct {
	ThreadID uint64 `json:"thread_id"`
	PostID   uint64 `json:"post_id"`
	Title    string `json:"title"`
	Snippet  string `json:"snippet"`
}

// search runs a query as u and returns the post ids found.
func (c *class) search(u pacertest.User, q string) []uint64 {
	c.env.T.Helper()
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/search?q=%s", c.course, url.QueryEscape(q)), u.Token, nil)
	if r.Status != 200 {
		c.env.T.Fatalf("search %q: %d %s", q, r.Status, r.Body)
	}
	var h struct {
		Items []hitJSON `json:"items"`
	}
	r.Decode(&h)
	ids := []uint64{}
	for _, x := range h.Items {
		ids = append(ids, x.PostID)
	}
	return ids
}

type notificationJSON struct {
	ID    uint64 `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Link  string `json:"link"`
	Read  bool   `json:"read"`
}

// readNotifications marks all of u's notifications read.
func (c *class) readNotifications(u pacertest.User) {
	c.env.T.Helper()
	if r := c.env.Do("POST", "/api/v1/notifications/read", u.Token, map[string]any{"all": true}); r.Status != 204 {
		c.env.T.Fatalf("read notifications: %d %s", r.Status, r.Body)
	}
}

// notifications returns u's notifications of the given kinds, newest first.
func (c *class) notifications(u pacertest.User, kinds ...string) []notificationJSON {
	c.env.T.Helper()
	r := c.env.Do("GET", "/api/v1/notifications?limit=200", u.Token, nil)
	if r.Status != 200 {
		c.env.T.Fatalf("notifications: %d %s", r.Status, r.Body)
	}
	var l struct {
		Items []notificationJSON `json:"items"`
	}
	r.Decode(&l)
	var out []notificationJSON
	for _, n := range l.Items {
		for _, k := range kinds {
			if n.Kind == k {
				out = append(out, n)
			}
		}
	}
	return out
}
