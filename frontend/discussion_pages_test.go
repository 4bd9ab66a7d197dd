package frontend_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"pacer/pacertest"
)

// discClass is a course with an instructor, a TA, two students and an
// outsider, each with a page session, and the id of the general board.
type discClass struct {
	env                     *pacertest.Env
	course, general         uint64
	instr, ta, ann, bob, ed *client
	instrUser               pacertest.User
}

func newDiscClass(t *testing.T) *discClass {
	t.Helper()
	env := pacertest.New(t)
	instr, ta, ann, bob, ed := env.Register("Ines"), env.Register("Tom"), env.Register("Ann"), env.Register("Bob"), env.Register("Ed")
	d := &discClass{env: env, instrUser: instr}
	d.course = env.Course(instr, map[string]any{"title": "Statistics"})
	for _, u := range []pacertest.User{ta, ann, bob} {
		env.Enroll(u, d.course)
	}
	env.SetRole(instr, d.course, ta, "ta")
	d.instr, d.ta, d.ann, d.bob, d.ed = signedIn(t, env, instr), signedIn(t, env, ta), signedIn(t, env, ann), signedIn(t, env, bob), signedIn(t, env, ed)
	r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", d.course), ann.Token, nil)
	var l struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	r.Decode(&l)
	d.general = l.Items[0].ID
	return d
}

func (d *discClass) path(format string, a ...any) string {
	return fmt.Sprintf("/courses/%d", d.course) + fmt.Sprintf(format, a...)
}

var postAnchor = regexp.MustCompile(`#post-(\d+)$`)

// startThread posts the new-thread form as c and returns the thread's page.
func (d *discClass) startThread(t *testing.T, c *client, title, body string) string {
	t.Helper()
	board := d.path("/boards/%d", d.general)
	p := c.post(board, form("_csrf", c.token(board), "title", title, "body", body))
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), d.path("/threads/")) {
		t.Fatalf("start a thread: %d %s\n%s", p.Status, p.Header.Get("Location"), snippet(p.Body))
	}
	return p.Header.Get("Location")
}

// reply posts the reply form of a thread page as c and returns the new
// post's id (from the redirect's anchor).
func (d *discClass) reply(t *testing.T, c *client, thread, parent, body string) string {
	t.Helper()
	v := form("_csrf", c.token(thread), "body", body)
	if parent != "" {
		v.Set("parent_id", parent)
	}
	p := c.post(thread+"/replies", v)
	m := postAnchor.FindStringSubmatch(p.Header.Get("Location"))
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("reply: %d %s\n%s", p.Status, p.Header.Get("Location"), snippet(p.Body))
	}
	return m[1]
}

func TestDiscussionPagesCarryAConversation(t *testing.T) {
	d := newDiscClass(t)
	thread := d.startThread(t, d.ann, "Week 1 <questions>", "Who wants to **study** together?")
	first := d.reply(t, d.bob, thread, "", "Me! @Ann")
	nested := d.reply(t, d.ann, thread, first, "Great, *Tuesday*?")

	p := d.bob.get(thread)
	wantStatus(t, "the thread page", p, 200)
	for _, want := range []string{"Week 1 &lt;questions&gt;", "<strong>study</strong>", "<em>Tuesday</em>", `id="post-` + nested + `"`,
		`class="posts posts--nested"`, `name="parent_id" value="` + first + `"`} {
		if !p.has(want) {
			t.Errorf("the thread page lacks %q", want)
		}
	}
	checkSafeHTML(t, thread, p.Body)

	// Bob's board shows nothing new now; after Ann's next reply it does.
	board := d.path("/boards/%d", d.general)
	if d.bob.get(board).has("data-unread") {
		t.Error("the board shows unread posts Bob has read")
	}
	d.reply(t, d.ann, thread, "", "See you then")
	if b := d.bob.get(board); !b.has("1 new") {
		t.Errorf("the board does not show Bob one new post:\n%s", snippet(b.Body))
	}
	d.bob.get(thread)
	if d.bob.get(board).has("data-unread") {
		t.Error("reading the thread did not clear its badge")
	}

	// Edit, then delete, through the forms.
	edit := d.path("/posts/%s/edit", first)
	wantStatus(t, "Ann edits Bob's post", d.ann.get(edit), 403)
	e := d.bob.post(edit, form("_csrf", d.bob.token(edit), "body", "Me too, edited"))
	wantRedirect(t, "edit", e, thread+"#post-"+first)
	if !d.ann.get(thread).has("Me too, edited") {
		t.Error("the edit is not shown")
	}
	del := d.path("/posts/%s/delete", first)
	wantRedirect(t, "delete", d.bob.post(del, form("_csrf", d.bob.token(thread))), thread+"#post-"+first)
	if after := d.ann.get(thread); after.has("Me too, edited") || !after.has("This post was deleted.") {
		t.Error("the deleted post still shows its text")
	}

	// A blank reply stays on the page with the error beside the field.
	bad := d.ann.post(thread+"/replies", form("_csrf", d.ann.token(thread), "body", "  "))
	wantStatus(t, "a blank reply", bad, 400)
	if !bad.has(`aria-invalid="true"`) {
		t.Error("a blank reply is not marked invalid")
	}

	// So does a blank reply to a post, in that post's open reply form.
	badNested := d.ann.post(thread+"/replies", form("_csrf", d.ann.token(thread), "body", "", "parent_id", nested))
	wantStatus(t, "a blank nested reply", badNested, 400)
	if !regexp.MustCompile(`id="post-` + nested + `"[\s\S]*?<details class="post__reply" open>`).MatchString(badNested.Body) {
		t.Error("a blank nested reply does not reopen its form under the post")
	}

	// Notification links lead to the thread.
	id := strings.TrimPrefix(thread, d.path("/threads/"))
	wantRedirect(t, "a notification link", d.ann.get("/threads/"+id), thread)
}

func TestDiscussionPagesAnswerOutsidersWith404AndStudentsWith403(t *testing.T) {
	d := newDiscClass(t)
	thread := d.startThread(t, d.ann, "Hello", "Hi")
	post := d.reply(t, d.bob, thread, "", "Hi Ann")
	for _, path := range []string{d.path("/discussions"), d.path("/boards/%d", d.general), thread,
		d.path("/posts/%s/edit", post), d.path("/posts/%s/report", post), d.path("/discussions/search?q=hi")} {
		wantStatus(t, "an outsider at "+path, d.ed.get(path), 404)
	}
	id := strings.TrimPrefix(thread, d.path("/threads/"))
	wantStatus(t, "an outsider's notification link", d.ed.get("/threads/"+id), 404)
	wantStatus(t, "a student at the report queue", d.ann.get(d.path("/discussions/reports")), 403)
	pin := d.ann.post(thread+"/pin", form("_csrf", d.ann.token(thread), "on", "1"))
	wantStatus(t, "a student pins", pin, 403)
	// A thread of this course under another course's URL is not found.
	other := d.env.Course(d.env.Register("Olga"), nil)
	wantStatus(t, "a thread under another course", d.ann.get(fmt.Sprintf("/courses/%d/threads/%s", other, id)), 404)
}

func TestStaffModerateThroughThePages(t *testing.T) {
	d := newDiscClass(t)
	thread := d.startThread(t, d.ann, "Rude", "Hello")
	rude := d.reply(t, d.bob, thread, "", "something rude")

	report := d.path("/posts/%s/report", rude)
	wantRedirect(t, "report", d.ann.post(report, form("_csrf", d.ann.token(report), "reason", "It is rude")), thread+"#post-"+rude)
	queue := d.path("/discussions/reports")
	q := d.ta.get(queue)
	if !q.has("It is rude") || !q.has("something rude") {
		t.Fatalf("the queue lacks the report:\n%s", snippet(q.Body))
	}
	checkSafeHTML(t, queue, q.Body)
	m := regexp.MustCompile(`/reports/(\d+)/resolve`).FindStringSubmatch(q.Body)
	if m == nil {
		t.Fatal("no resolve form")
	}
	wantRedirect(t, "resolve", d.ta.post(d.path("/reports/%s/resolve", m[1]), form("_csrf", d.ta.token(queue))), queue)
	if d.ta.get(queue).has("It is rude") {
		t.Error("a resolved report is still in the open queue")
	}

	for _, sw := range []string{"pin", "lock"} {
		wantRedirect(t, sw, d.ta.post(thread+"/"+sw, form("_csrf", d.ta.token(thread), "on", "1")), thread)
	}
	locked := d.ann.get(thread)
	if !locked.has("This thread is locked") || locked.has(`action="`+thread+`/replies"`) {
		t.Error("a locked thread still offers a reply form")
	}
	r := d.bob.post(thread+"/replies", form("_csrf", d.bob.token(thread), "body", "late"))
	wantStatus(t, "a reply to a locked thread", r, 409)

	endorse := d.path("/posts/%s/endorse", rude)
	wantRedirect(t, "endorse", d.instr.post(endorse, form("_csrf", d.instr.token(thread), "on", "1")), thread+"#post-"+rude)
	answer := d.ann.post(thread+"/answer", form("_csrf", d.ann.token(thread), "post_id", rude))
	wantRedirect(t, "answer", answer, thread+"#post-"+rude)
	page := d.bob.get(thread)
	if !page.has("Endorsed by staff") || !page.has(">Answered<") {
		t.Errorf("endorsement or answer not shown:\n%s", snippet(page.Body))
	}
}

func TestDiscussionBoardsSearchAndItemPages(t *testing.T) {
	d := newDiscClass(t)
	boards := d.path("/discussions")
	b := d.instr.post(boards, form("_csrf", d.instr.token(boards), "title", "Questions", "mode", "qa"))
	if b.Status != http.StatusSeeOther {
		t.Fatalf("create board: %d\n%s", b.Status, snippet(b.Body))
	}
	if p := d.ann.get(boards); !p.has("Questions") || !p.has("Q&amp;A") || p.has("Add a board") {
		t.Errorf("the board list as a student:\n%s", snippet(p.Body))
	}
	bad := d.instr.post(boards, form("_csrf", d.instr.token(boards), "title", ""))
	wantStatus(t, "a board without a title", bad, 400)

	thread := d.startThread(t, d.ann, "Regression help", "How do residuals work?")
	s := d.bob.get(d.path("/discussions/search?q=RESIDUALS"))
	if !s.has(thread) || !s.has("How do <mark>residuals</mark> work?") {
		t.Errorf("search does not find the thread:\n%s", snippet(s.Body))
	}
	wantStatus(t, "a search without words", d.bob.get(d.path("/discussions/search?q=%21%21")), 400)

	// A discussion item made through the item form shows its thread and
	// takes replies on the item page, which completes it.
	mod := d.env.Module(d.instrUser, d.course, nil)
	newItem := d.path("/modules/%d/items/new?kind=discussion", mod)
	create := d.instr.post(d.path("/modules/%d/items/new", mod), form("_csrf", d.instr.token(newItem), "kind", "discussion",
		"title", "Introduce yourself", "body", "Say hello and name one goal.", "published", "1"))
	if create.Status != http.StatusSeeOther {
		t.Fatalf("create a discussion item: %d\n%s", create.Status, snippet(create.Body))
	}
	item := create.Header.Get("Location")
	p := d.ann.get(item)
	wantStatus(t, "the item page", p, 200)
	if !p.has("Say hello and name one goal.") || !p.has("Post a reply below to complete this item") || !p.has(`name="return_to" value="`+item+`"`) {
		t.Fatalf("the discussion item page:\n%s", snippet(p.Body))
	}
	r := d.ann.post(d.itemThread(t, p)+"/replies", form("_csrf", d.ann.token(item), "body", "Hello, I am Ann", "return_to", item))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), item+"#post-") {
		t.Fatalf("reply from the item page: %d %s", r.Status, r.Header.Get("Location"))
	}
	after := d.ann.get(item)
	if !after.has("Hello, I am Ann") || !after.has(">Completed<") {
		t.Errorf("the item page after replying:\n%s", snippet(after.Body))
	}
	checkSafeHTML(t, item, after.Body)
}

var itemThreadLink = regexp.MustCompile(`href="(/courses/\d+/threads/\d+)">Open the thread`)

// itemThread is the thread page an item page links to.
func (d *discClass) itemThread(t *testing.T, p page) string {
	t.Helper()
	m := itemThreadLink.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("the item page does not link its thread:\n%s", snippet(p.Body))
	}
	return m[1]
}
