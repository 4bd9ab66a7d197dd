package announcements_test

import (
	"fmt"
	"strings"
	"testing"

	"pacer/pacertest"
	"pacer/storage"
)

type class struct {
	env                     *pacertest.Env
	instr, ta, ann, bob, ed pacertest.User
	course                  uint64
}

func newClass(t *testing.T) *class {
	t.Helper()
	env := pacertest.New(t)
	c := &class{env: env, instr: env.Register("Ines Instructor"), ta: env.Register("Tom Assistant"),
		ann: env.Register("Ann"), bob: env.Register("Bob"), ed: env.Register("Ed Outsider")}
	c.course = env.Course(c.instr, map[string]any{"title": "Statistics"})
	env.Enroll(c.ta, c.course)
	env.SetRole(c.instr, c.course, c.ta, "ta")
	env.Enroll(c.ann, c.course)
	env.Enroll(c.bob, c.course)
	return c
}

func (c *class) path() string { return fmt.Sprintf("/api/v1/courses/%d/announcements", c.course) }

type announcementJSON struct {
	ID       uint64 `json:"id"`
	Title    string `json:"title"`
	BodyHTML string `json:"body_html"`
	Author   struct {
		ID   uint64 `json:"id"`
		Name string `json:"name"`
	} `json:"author"`
	CreatedAt string `json:"created_at"`
}

type notificationJSON struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Link  string `json:"link"`
}

func (c *class) notifications(u pacertest.User) []notificationJSON {
	c.env.T.Helper()
	var out struct {
		Items []notificationJSON `json:"items"`
	}
	r := c.env.Do("GET", "/api/v1/notifications", u.Token, nil)
	if r.Status != 200 {
		c.env.T.Fatalf("notifications: %d %s", r.Status, r.Body)
	}
	r.Decode(&out)
	var ann []notificationJSON
	for _, n := range out.Items {
		if n.Kind == "announcement" {
			ann = append(ann, n)
		}
	}
	return ann
}

func TestStaffPostAnAnnouncementAndEveryOtherMemberIsToldAndMailed(t *testing.T) {
	c := newClass(t)
	r := c.env.Do("POST", c.path(), c.ta.Token, map[string]any{"title": "Exam moved", "body": "The exam is on **Friday**, fish & chips after.\n\n<script>alert(1)</script>"})
	if r.Status != 201 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	var a announcementJSON
	r.Decode(&a)
	if a.ID == 0 || a.Title != "Exam moved" || a.Author.ID != c.ta.ID || a.Author.Name != "Tom Assistant" || a.CreatedAt == "" {
		t.Errorf("answer: %s", r.Body)
	}
	if !strings.Contains(a.BodyHTML, "<strong>Friday</strong>") || strings.Contains(a.BodyHTML, "<script") {
		t.Errorf("body_html is not rendered and sanitised: %q", a.BodyHTML)
	}
	for _, u := range []pacertest.User{c.instr, c.ann, c.bob} {
		ns := c.notifications(u)
		if len(ns) != 1 {
			t.Fatalf("%s has %d announcement notifications, want 1", u.Name, len(ns))
		}
		n := ns[0]
		if n.Title != "Statistics: Exam moved" || !strings.Contains(n.Body, "Friday, fish & chips after") ||
			n.Link != fmt.Sprintf("/courses/%d/announcements#announcement-%d", c.course, a.ID) {
			t.Errorf("%s's notification: %+v", u.Name, n)
		}
		mails, err := c.env.Server.Outbox.Mails(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) != 1 || mails[0].Kind != "announcement" || !strings.Contains(mails[0].Subject, "Exam moved") {
			t.Errorf("%s's mail: %+v", u.Name, mails)
		}
	}
	if ns := c.notifications(c.ta); len(ns) != 0 {
		t.Errorf("the author was told of her own announcement: %+v", ns)
	}
	if ns := c.notifications(c.ed); len(ns) != 0 {
		t.Errorf("an outsider was told: %+v", ns)
	}
}

func TestAMemberWhoTurnedAnnouncementMailOffIsToldButNotMailed(t *testing.T) {
	c := newClass(t)
	if r := c.env.Do("PATCH", "/api/v1/me/email-preferences", c.ann.Token, map[string]any{"announcement": false}); r.Status != 200 {
		t.Fatalf("preferences: %d %s", r.Status, r.Body)
	}
	if r := c.env.Do("POST", c.path(), c.instr.Token, map[string]any{"title": "Welcome", "body": "Hello"}); r.Status != 201 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	if ns := c.notifications(c.ann); len(ns) != 1 {
		t.Errorf("Ann has %d announcement notifications, want 1", len(ns))
	}
	if mails, _ := c.env.Server.Outbox.Mails(c.ann.ID); len(mails) != 0 {
		t.Errorf("Ann opted out and still got mail: %+v", mails)
	}
	if mails, _ := c.env.Server.Outbox.Mails(c.bob.ID); len(mails) != 1 {
		t.Errorf("Bob got %d mails, want 1", len(mails))
	}
}

func TestAnnouncementsAreListedNewestFirstToMembersOnly(t *testing.T) {
	c := newClass(t)
	for i := 1; i <= 3; i++ {
		if r := c.env.Do("POST", c.path(), c.instr.Token, map[string]any{"title": fmt.Sprintf("News %d", i), "body": "Text"}); r.Status != 201 {
			t.Fatalf("post: %d %s", r.Status, r.Body)
		}
	}
	var page struct {
		Items      []announcementJSON `json:"items"`
		NextCursor string             `json:"next_cursor"`
	}
	c.env.Do("GET", c.path()+"?limit=2", c.ann.Token, nil).Decode(&page)
	if len(page.Items) != 2 || page.Items[0].Title != "News 3" || page.Items[1].Title != "News 2" || page.NextCursor == "" {
		t.Fatalf("first page: %+v", page)
	}
	r := c.env.Do("GET", c.path()+"?limit=2&cursor="+page.NextCursor, c.ann.Token, nil)
	page.Items, page.NextCursor = nil, "x"
	r.Decode(&page)
	if len(page.Items) != 1 || page.Items[0].Title != "News 1" || page.NextCursor != "" {
		t.Fatalf("second page: %s", r.Body)
	}
	for _, tc := range []struct {
		name string
		u    pacertest.User
		path string
		want int
	}{
		{"an outsider gets 404", c.ed, c.path(), 404},
		{"an unknown course is 404", c.ann, "/api/v1/courses/999999/announcements", 404},
		{"a bad cursor is 400", c.ann, c.path() + "?cursor=abc", 400},
		{"nobody signed in gets 401", pacertest.User{}, c.path(), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := c.env.Do("GET", tc.path, tc.u.Token, nil); r.Status != tc.want {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.want)
			}
		})
	}
}

func TestPostingAnAnnouncementChecksWhoAndWhat(t *testing.T) {
	c := newClass(t)
	long := strings.Repeat("x", 201)
	for _, tc := range []struct {
		name  string
		u     pacertest.User
		body  any
		want  int
		field string
	}{
		{"an outsider gets 404", c.ed, map[string]any{"title": "Hi", "body": "x"}, 404, ""},
		{"an outsider with a bad body still gets 404", c.ed, map[string]any{"title": "", "body": ""}, 404, ""},
		{"a student gets 403", c.ann, map[string]any{"title": "Hi", "body": "x"}, 403, ""},
		{"a title is required", c.instr, map[string]any{"title": " ", "body": "x"}, 400, "title"},
		{"a title is one line", c.instr, map[string]any{"title": "Hi\nthere", "body": "x"}, 400, "title"},
		{"a title has no bidi override", c.instr, map[string]any{"title": "fdp.\u202eexe", "body": "x"}, 400, "title"},
		{"a title is at most 200 characters", c.instr, map[string]any{"title": long, "body": "x"}, 400, "title"},
		{"a body is required", c.instr, map[string]any{"title": "Hi", "body": ""}, 400, "body"},
		{"a body is bounded", c.instr, map[string]any{"title": "Hi", "body": strings.Repeat("y", 20_001)}, 400, "body"},
		{"unknown fields are refused", c.instr, map[string]any{"title": "Hi", "body": "x", "author_id": 1}, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.env.Do("POST", c.path(), tc.u.Token, tc.body)
			if r.Status != tc.want {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.want)
			}
			if tc.field != "" && !strings.Contains(string(r.Body), `"`+tc.field+`"`) {
				t.Errorf("the error does not name %s: %s", tc.field, r.Body)
			}
		})
	}
	var page struct {
		Items []announcementJSON `json:"items"`
	}
	c.env.Do("GET", c.path(), c.instr.Token, nil).Decode(&page)
	if len(page.Items) != 0 {
		t.Errorf("a refused announcement was stored: %+v", page.Items)
	}
	if ns := c.notifications(c.bob); len(ns) != 0 {
		t.Errorf("a refused announcement notified: %+v", ns)
	}
}

// TestAnArchivedCourseTakesNoAnnouncements archives the course: posting is
// 409 course_archived and nobody is told anything, while the earlier
// announcements stay readable; after the undo posting works again.
func TestAnArchivedCourseTakesNoAnnouncements(t *testing.T) {
	c := newClass(t)
	if r := c.env.Do("POST", c.path(), c.instr.Token, map[string]any{"title": "Before", "body": "x"}); r.Status != 201 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	archive := fmt.Sprintf("/api/v1/courses/%d/archive", c.course)
	if r := c.env.Do("POST", archive, c.instr.Token, nil); r.Status != 204 {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	before := len(c.notifications(c.bob))
	r := c.env.Do("POST", c.path(), c.instr.Token, map[string]any{"title": "After", "body": "x"})
	if r.Status != 409 || !strings.Contains(string(r.Body), "course_archived") {
		t.Fatalf("posting to an archived course: %d %s, want 409 course_archived", r.Status, r.Body)
	}
	if got := len(c.notifications(c.bob)); got != before {
		t.Errorf("a refused announcement notified: %d notifications, had %d", got, before)
	}
	var page struct {
		Items []announcementJSON `json:"items"`
	}
	if r := c.env.Do("GET", c.path(), c.bob.Token, nil); r.Status != 200 {
		t.Fatalf("list in an archived course: %d %s", r.Status, r.Body)
	} else if r.Decode(&page); len(page.Items) != 1 {
		t.Errorf("an archived course lists %d announcements, want 1", len(page.Items))
	}
	if r := c.env.Do("DELETE", archive, c.instr.Token, nil); r.Status != 204 {
		t.Fatalf("unarchive: %d %s", r.Status, r.Body)
	}
	if r := c.env.Do("POST", c.path(), c.instr.Token, map[string]any{"title": "After", "body": "x"}); r.Status != 201 {
		t.Errorf("posting after the undo: %d %s", r.Status, r.Body)
	}
}

// TestDeletingACourseDeletesItsAnnouncements posts to a course that never
// started and deletes it: its announcements leave the store with it.
func TestDeletingACourseDeletesItsAnnouncements(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	course := env.Course(ins, map[string]any{"published": false})
	path := fmt.Sprintf("/api/v1/courses/%d/announcements", course)
	if r := env.Do("POST", path, ins.Token, map[string]any{"title": "Draft news", "body": "x"}); r.Status != 201 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", course), ins.Token, nil); r.Status != 204 {
		t.Fatalf("delete the course: %d %s", r.Status, r.Body)
	}
	left := 0
	if err := env.Bolt().View(func(tx *storage.Tx) error {
		for _, b := range []storage.Bucket{storage.Announcements, storage.AnnouncementsByCourse} {
			if err := tx.Each(b, nil, func(_, _ []byte) error { left++; return nil }); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d announcement records outlived their course", left)
	}
}
