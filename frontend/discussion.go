package frontend

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/discussion"
	"pacer/errs"
	"pacer/modules"
)

// The discussion pages: a course's boards, a board's threads with unread
// badges, a thread with its nested replies and the forms to reply, edit,
// delete and report, staff controls, the report queue and search. Every
// page lives under its course, so the course band shows; the objects are
// loaded through the discussion service, which checks access from the
// stored object, and a page refuses an object of another course with 404.

func (f *Frontend) mountDiscussion(r fiber.Router) {
	r.Get("/courses/:course/discussions", f.signedIn, f.boardsPage)
	r.Post("/courses/:course/discussions", f.signedIn, f.csrf, f.createBoard)
	f.mountDiscussionFollow(r)
	r.Get("/courses/:course/discussions/search", f.signedIn, f.searchPage)
	r.Get("/courses/:course/discussions/reports", f.signedIn, f.reportsPage)
	r.Post("/courses/:course/reports/:report/resolve", f.signedIn, f.csrf, f.resolveReport)
	r.Get("/courses/:course/boards/:board", f.signedIn, f.boardPage)
	r.Post("/courses/:course/boards/:board", f.signedIn, f.csrf, f.createThread)
	r.Get("/courses/:course/threads/:thread", f.signedIn, f.threadPage)
	r.Post("/courses/:course/threads/:thread/replies", f.signedIn, f.csrf, f.replyToThread)
	r.Post("/courses/:course/threads/:thread/pin", f.signedIn, f.csrf, f.threadSwitch("pin"))
	r.Post("/courses/:course/threads/:thread/lock", f.signedIn, f.csrf, f.threadSwitch("lock"))
	r.Post("/courses/:course/threads/:thread/subscription", f.signedIn, f.csrf, f.threadSwitch("subscription"))
	r.Post("/courses/:course/threads/:thread/answer", f.signedIn, f.csrf, f.chooseAnswer)
	r.Get("/courses/:course/posts/:post/edit", f.signedIn, f.editPostPage)
	r.Post("/courses/:course/posts/:post/edit", f.signedIn, f.csrf, f.editPost)
	r.Post("/courses/:course/posts/:post/delete", f.signedIn, f.csrf, f.deletePost)
	r.Post("/courses/:course/posts/:post/endorse", f.signedIn, f.csrf, f.endorsePost)
	r.Get("/courses/:course/posts/:post/report", f.signedIn, f.reportPostPage)
	r.Post("/courses/:course/posts/:post/report", f.signedIn, f.csrf, f.reportPost)
	// Notifications link to /threads/:id#post-:n; the fragment survives the
	// redirect to the thread's page in its course.
	r.Get("/threads/:thread", f.signedIn, f.threadLink)
}

func threadPath(course, thread uint64) string {
	return fmt.Sprintf("/courses/%d/threads/%d", course, thread)
}

func boardPath(course, board uint64) string {
	return fmt.Sprintf("/courses/%d/boards/%d", course, board)
}

// discussionCourse loads the course of the URL for a member, with the
// Discussions tab marked.
func (f *Frontend) discussionCourse(c *fiber.Ctx) (modules.Access, error) {
	a, err := f.loadCourse(c, "discussions")
	if err != nil {
		return a, err
	}
	return a, a.RequireMember()
}

// sameCourse refuses an object that belongs to another course than the
// URL's, so that every page shows the right course band.
func sameCourse(a modules.Access, course uint64, what string) error {
	if course != a.Course.ID {
		return errs.NotFoundf(what)
	}
	return nil
}

// boardsPageData is the dot of discussion/boards.
type boardsPageData struct {
	Course modules.Course
	Boards []discussion.Board
	Staff  bool
	Form   *Form
	// Follow is the staff member's setting (nil for students).
	Follow *discussion.FollowSettings
}

func (f *Frontend) boardsPage(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	return f.renderBoards(c, a, fiber.StatusOK, NewForm(map[string]string{"mode": discussion.ModeDiscussion}))
}

func (f *Frontend) renderBoards(c *fiber.Ctx, a modules.Access, status int, form *Form) error {
	boards, err := f.Discussion.Boards(c.UserContext(), caller(c), a.Course.ID)
	if err != nil {
		return err
	}
	d := boardsPageData{Course: a.Course, Boards: boards, Staff: a.Staff(), Form: form}
	if a.Staff() {
		fs, err := f.Discussion.Follow(c.UserContext(), caller(c), a.Course.ID)
		if err != nil {
			return err
		}
		d.Follow = &fs
	}
	return f.render(c, status, "discussion/boards", d)
}

func (f *Frontend) createBoard(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	b, err := f.Discussion.CreateBoard(c.UserContext(), caller(c), a.Course.ID, discussion.BoardInput{Title: optString(v, "title"), Mode: optString(v, "mode")})
	if err != nil {
		form := &Form{Values: v}
		if form.fail(err, nil) {
			return f.renderBoards(c, a, errStatus(err), form)
		}
		return err
	}
	f.flash(c, "success", "Board “"+b.Title+"” created.")
	return f.redirect(c, boardPath(a.Course.ID, b.ID))
}

// boardPageData is the dot of discussion/board.
type boardPageData struct {
	Course     modules.Course
	Board      discussion.Board
	Threads    []discussion.Thread
	NextCursor string
	Form       *Form
}

func (f *Frontend) boardPage(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	return f.renderBoard(c, a, fiber.StatusOK, NewForm(nil))
}

func (f *Frontend) renderBoard(c *fiber.Ctx, a modules.Access, status int, form *Form) error {
	id, err := api.ParamID(c, "board")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	list, err := f.Discussion.Threads(c.UserContext(), caller(c), id, p)
	if err != nil {
		return err
	}
	if err := sameCourse(a, list.Board.CourseID, "board"); err != nil {
		return err
	}
	return f.render(c, status, "discussion/board", boardPageData{Course: a.Course, Board: list.Board, Threads: list.Items,
		NextCursor: list.NextCursor, Form: form})
}

func (f *Frontend) createThread(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	id, err := api.ParamID(c, "board")
	if err != nil {
		return err
	}
	b, err := f.Discussion.Board(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	if err := sameCourse(a, b.CourseID, "board"); err != nil {
		return err
	}
	if err := f.Discussion.LimitPosts(c, caller(c)); err != nil {
		return err
	}
	v, _ := readForm(c)
	t, err := f.Discussion.CreateThread(c.UserContext(), caller(c), id, discussion.ThreadInput{Title: optString(v, "title"), Body: optString(v, "body")})
	if err != nil {
		form := &Form{Values: v}
		if form.fail(err, nil) {
			return f.renderBoard(c, a, errStatus(err), form)
		}
		return err
	}
	f.flash(c, "success", "Thread started.")
	return f.redirect(c, threadPath(a.Course.ID, t.ID))
}

// PostNode is a post with its replies, for the nested thread view.
type PostNode struct {
	discussion.Post
	Children []*PostNode
	// New marks a post by someone else that the reader had not seen.
	New bool
	// Orphan marks a reply whose parent is on another page.
	Orphan bool
	Ctx    *ThreadCtx
}

// ThreadCtx is what every post of a thread page needs besides itself.
type ThreadCtx struct {
	Course    uint64
	Thread    discussion.Thread
	Staff     bool
	CanAnswer bool
	Me        uint64
	CSRF      string
	// Loc is whose clock the posts' times are written on.
	Loc Zones
	// ReplyForm is the reply form that failed, shown under ReplyTo.
	ReplyForm *Form
	ReplyTo   uint64
}

// Path is the post's own action path ("/courses/1/posts/2").
func (n *PostNode) Path() string { return fmt.Sprintf("/courses/%d/posts/%d", n.Ctx.Course, n.ID) }

// Mine reports whether the reader wrote the post.
func (n *PostNode) Mine() bool { return n.Author.ID == n.Ctx.Me }

// CanReply reports whether replies are open here.
func (n *PostNode) CanReply() bool { return !n.Ctx.Thread.Locked && !n.Deleted }

// FormFor is the reply form to show under this post: the failed one when it
// was meant for this post, else an empty one.
func (n *PostNode) FormFor() *Form {
	if n.Ctx.ReplyTo == n.ID && n.Ctx.ReplyForm != nil {
		return n.Ctx.ReplyForm
	}
	return NewForm(nil)
}

// FormOpen reports whether this post's reply form should start open.
func (n *PostNode) FormOpen() bool { return n.Ctx.ReplyTo == n.ID && n.Ctx.ReplyForm != nil }

// threadPageData is the dot of discussion/thread.
type threadPageData struct {
	Course     modules.Course
	Board      discussion.Board
	Thread     discussion.Thread
	Opening    *PostNode
	Replies    []*PostNode
	Earlier    bool
	NextCursor string
	Ctx        *ThreadCtx
	// Form is the top-level reply form (a reply to the opening post).
	Form *Form
}

// threadTree nests a page of posts (oldest first) under their parents.
// A reply whose parent is not on the page is shown at the top level.
func threadTree(posts []discussion.Post, ctx *ThreadCtx, lastRead uint64) (*PostNode, []*PostNode) {
	byID := map[uint64]*PostNode{}
	var opening *PostNode
	var top []*PostNode
	for _, p := range posts {
		n := &PostNode{Post: p, Ctx: ctx, New: p.ID > lastRead && p.Author.ID != ctx.Me && !p.Deleted}
		byID[p.ID] = n
		switch parent := byID[p.ParentID]; {
		case p.ParentID == 0:
			opening = n
		case p.Depth <= 1:
			top = append(top, n)
		case parent != nil:
			parent.Children = append(parent.Children, n)
		default:
			n.Orphan = true
			top = append(top, n)
		}
	}
	return opening, top
}

func (f *Frontend) threadPage(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	return f.renderThread(c, a, fiber.StatusOK, nil, 0)
}

// threadPageSize is how many posts a thread page shows; most threads fit on
// one, so replies nest under their parents.
const threadPageSize = 200

func (f *Frontend) renderThread(c *fiber.Ctx, a modules.Access, status int, form *Form, replyTo uint64) error {
	id, err := api.ParamID(c, "thread")
	if err != nil {
		return err
	}
	if err := f.inCourse(c.UserContext(), a, f.Discussion.ThreadCourse, id, "thread"); err != nil {
		return err
	}
	cursor := strings.Clone(c.Query("cursor"))
	page, err := f.Discussion.Thread(c.UserContext(), caller(c), id, api.Page{Limit: threadPageSize, Cursor: cursor})
	if err != nil {
		return err
	}
	t := page.Thread
	if err := sameCourse(a, t.CourseID, "thread"); err != nil {
		return err
	}
	b, err := f.Discussion.Board(c.UserContext(), caller(c), t.BoardID)
	if err != nil {
		return err
	}
	ctx := &ThreadCtx{Course: a.Course.ID, Thread: t, Staff: a.Staff(), CanAnswer: a.Staff() || t.Author.ID == caller(c),
		Me: caller(c), Loc: Zones{Reader: userLoc(c), Course: a.Course.Location()}}
	if id := auth.From(c); id != nil {
		ctx.CSRF = f.Auth.CSRFToken(c.UserContext(), id)
	}
	d := threadPageData{Course: a.Course, Board: b, Thread: t, Earlier: cursor != "", NextCursor: page.NextCursor, Ctx: ctx, Form: NewForm(nil)}
	d.Opening, d.Replies = threadTree(page.Items, ctx, t.LastReadPostID)
	// A failed reply is shown where it was written: under its post, or in
	// the form at the foot of the page for a reply to the opening post.
	switch {
	case form == nil:
	case replyTo == 0 || (d.Opening != nil && replyTo == d.Opening.ID):
		d.Form = form
	default:
		ctx.ReplyForm, ctx.ReplyTo = form, replyTo
	}
	return f.render(c, status, "discussion/thread", d)
}

// threadLink sends a notification's /threads/:id to the thread's page.
func (f *Frontend) threadLink(c *fiber.Ctx) error {
	id, err := api.ParamID(c, "thread")
	if err != nil {
		return err
	}
	t, err := f.Discussion.ThreadHead(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	return f.redirect(c, threadPath(t.CourseID, id))
}

// threadOf loads the :thread of the URL and checks it is in the URL's
// course.
func (f *Frontend) threadOf(c *fiber.Ctx, a modules.Access) (discussion.Thread, error) {
	id, err := api.ParamID(c, "thread")
	if err != nil {
		return discussion.Thread{}, err
	}
	if err := f.inCourse(c.UserContext(), a, f.Discussion.ThreadCourse, id, "thread"); err != nil {
		return discussion.Thread{}, err
	}
	t, err := f.Discussion.ThreadHead(c.UserContext(), caller(c), id)
	if err != nil {
		return t, err
	}
	return t, sameCourse(a, t.CourseID, "thread")
}

// inCourse answers 404 when the object named in the URL belongs to another
// course than the URL's, before any role check could answer 403 and so
// reveal that it exists.
func (f *Frontend) inCourse(ctx context.Context, a modules.Access, courseOf func(context.Context, uint64) (uint64, error), id uint64, what string) error {
	course, err := courseOf(ctx, id)
	if err != nil {
		return err
	}
	return sameCourse(a, course, what)
}

func (f *Frontend) replyToThread(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	t, err := f.threadOf(c, a)
	if err != nil {
		return err
	}
	if err := f.Discussion.LimitPosts(c, caller(c)); err != nil {
		return err
	}
	v, _ := readForm(c)
	parent, _ := strconv.ParseUint(v.Get("parent_id"), 10, 64)
	p, err := f.Discussion.Reply(c.UserContext(), caller(c), t.ID, discussion.ReplyInput{Body: optString(v, "body"), ParentID: parent})
	if err != nil {
		form := &Form{Values: v}
		if form.fail(err, nil) {
			return f.renderThread(c, a, errStatus(err), form, parent)
		}
		return err
	}
	f.flash(c, "success", "Reply posted.")
	// A reply sent from a discussion item's page goes back there.
	back := safeNext(v.Get("return_to"))
	if back == "" {
		back = threadPath(a.Course.ID, t.ID)
	}
	return f.redirect(c, fmt.Sprintf("%s#post-%d", back, p.ID))
}

// threadSwitch turns a thread's pin, lock or the reader's subscription on
// (on=1) or off.
func (f *Frontend) threadSwitch(what string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := f.discussionCourse(c)
		if err != nil {
			return err
		}
		t, err := f.threadOf(c, a)
		if err != nil {
			return err
		}
		v, _ := readForm(c)
		on := checkbox(v, "on")
		var msg string
		switch what {
		case "pin":
			err, msg = f.Discussion.SetPinned(c.UserContext(), caller(c), t.ID, on), onOff(on, "Thread pinned.", "Thread unpinned.")
		case "lock":
			err, msg = f.Discussion.SetLocked(c.UserContext(), caller(c), t.ID, on), onOff(on, "Thread locked.", "Thread unlocked.")
		default:
			err, msg = f.Discussion.SetSubscribed(c.UserContext(), caller(c), t.ID, on),
				onOff(on, "You will be told of new replies.", "You will no longer be told of new replies.")
		}
		if err != nil {
			return err
		}
		f.flash(c, "success", msg)
		return f.redirect(c, threadPath(a.Course.ID, t.ID))
	}
}

func onOff(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}

func (f *Frontend) chooseAnswer(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	t, err := f.threadOf(c, a)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	post, _ := strconv.ParseUint(v.Get("post_id"), 10, 64)
	clear := checkbox(v, "clear")
	if err := f.Discussion.SetAnswer(c.UserContext(), caller(c), t.ID, post, clear); err != nil {
		return err
	}
	if clear {
		f.flash(c, "success", "The answer was cleared.")
		return f.redirect(c, threadPath(a.Course.ID, t.ID))
	}
	f.flash(c, "success", "Marked as the answer.")
	return f.redirect(c, fmt.Sprintf("%s#post-%d", threadPath(a.Course.ID, t.ID), post))
}

// postOf loads the :post of the URL and checks it is in the URL's course.
func (f *Frontend) postOf(c *fiber.Ctx, a modules.Access) (discussion.Post, error) {
	id, err := api.ParamID(c, "post")
	if err != nil {
		return discussion.Post{}, err
	}
	if err := f.inCourse(c.UserContext(), a, f.Discussion.PostCourse, id, "post"); err != nil {
		return discussion.Post{}, err
	}
	p, err := f.Discussion.Post(c.UserContext(), caller(c), id)
	if err != nil {
		return p, err
	}
	return p, sameCourse(a, p.CourseID, "post")
}

// postFormData is the dot of discussion/edit and discussion/report.
type postFormData struct {
	Course modules.Course
	Post   discussion.Post
	Back   string
	Form   *Form
}

func (f *Frontend) editPostPage(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	p, err := f.postOf(c, a)
	if err != nil {
		return err
	}
	if !p.CanEdit {
		return errs.Forbid("You can no longer edit this post.")
	}
	return f.render(c, fiber.StatusOK, "discussion/edit", postFormData{Course: a.Course, Post: p,
		Back: postAnchor(a.Course.ID, p), Form: NewForm(map[string]string{"body": p.Body})})
}

func postAnchor(course uint64, p discussion.Post) string {
	return fmt.Sprintf("%s#post-%d", threadPath(course, p.ThreadID), p.ID)
}

func (f *Frontend) editPost(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	p, err := f.postOf(c, a)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	if _, err := f.Discussion.EditPost(c.UserContext(), caller(c), p.ID, discussion.EditInput{Body: optString(v, "body")}); err != nil {
		form := &Form{Values: v}
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "discussion/edit", postFormData{Course: a.Course, Post: p, Back: postAnchor(a.Course.ID, p), Form: form})
		}
		return err
	}
	f.flash(c, "success", "Your changes are saved.")
	return f.redirect(c, postAnchor(a.Course.ID, p))
}

func (f *Frontend) deletePost(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	p, err := f.postOf(c, a)
	if err != nil {
		return err
	}
	if err := f.Discussion.DeletePost(c.UserContext(), caller(c), p.ID); err != nil {
		return err
	}
	f.flash(c, "success", "The post was deleted.")
	return f.redirect(c, postAnchor(a.Course.ID, p))
}

func (f *Frontend) endorsePost(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	p, err := f.postOf(c, a)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	on := checkbox(v, "on")
	if err := f.Discussion.SetEndorsed(c.UserContext(), caller(c), p.ID, on); err != nil {
		return err
	}
	if on {
		f.flash(c, "success", "Endorsed.")
	} else {
		f.flash(c, "success", "Endorsement taken back.")
	}
	return f.redirect(c, postAnchor(a.Course.ID, p))
}

func (f *Frontend) reportPostPage(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	p, err := f.postOf(c, a)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "discussion/report", postFormData{Course: a.Course, Post: p, Back: postAnchor(a.Course.ID, p), Form: NewForm(nil)})
}

func (f *Frontend) reportPost(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	p, err := f.postOf(c, a)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	if _, err := f.Discussion.ReportPost(c.UserContext(), caller(c), p.ID, discussion.ReportInput{Reason: optString(v, "reason")}); err != nil {
		form := &Form{Values: v}
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "discussion/report", postFormData{Course: a.Course, Post: p, Back: postAnchor(a.Course.ID, p), Form: form})
		}
		return err
	}
	f.flash(c, "success", "Thank you. The course staff will look at this post.")
	return f.redirect(c, postAnchor(a.Course.ID, p))
}

// reportsPageData is the dot of discussion/reports.
type reportsPageData struct {
	Course     modules.Course
	Status     string
	Reports    []discussion.Report
	NextCursor string
}

func (f *Frontend) reportsPage(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	status := strings.Clone(c.Query("status", discussion.ReportsOpen))
	list, err := f.Discussion.Reports(c.UserContext(), caller(c), a.Course.ID, status, p)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "discussion/reports", reportsPageData{Course: a.Course, Status: status, Reports: list.Items,
		NextCursor: list.NextCursor})
}

func (f *Frontend) resolveReport(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	id, err := api.ParamID(c, "report")
	if err != nil {
		return err
	}
	if err := f.inCourse(c.UserContext(), a, f.Discussion.ReportCourse, id, "report"); err != nil {
		return err
	}
	if err := f.Discussion.ResolveReport(c.UserContext(), caller(c), id); err != nil {
		return err
	}
	f.flash(c, "success", "Report resolved.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/discussions/reports", a.Course.ID))
}

// searchPageData is the dot of discussion/search.
type searchPageData struct {
	Course     modules.Course
	Query      string
	Hits       []searchHit
	NextCursor string
	Searched   bool
	Form       *Form
}

func (f *Frontend) searchPage(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
	if err != nil {
		return err
	}
	q := strings.Clone(c.Query("q"))
	d := searchPageData{Course: a.Course, Query: q, Form: NewForm(map[string]string{"q": q})}
	if strings.TrimSpace(q) == "" {
		return f.render(c, fiber.StatusOK, "discussion/search", d)
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	hits, err := f.Discussion.Search(c.UserContext(), caller(c), a.Course.ID, q, p)
	if err != nil {
		if d.Form.fail(err, nil) {
			return f.render(c, errStatus(err), "discussion/search", d)
		}
		return err
	}
	terms := discussion.Terms(q)
	for _, h := range hits.Items {
		d.Hits = append(d.Hits, searchHit{Hit: h, Marked: markTerms(h.Snippet, terms)})
	}
	d.NextCursor, d.Searched = hits.NextCursor, true
	return f.render(c, fiber.StatusOK, "discussion/search", d)
}

// searchHit is a search result with its snippet's matched words marked.
type searchHit struct {
	discussion.Hit
	Marked template.HTML
}

// markTerms escapes text and wraps each word of it that is one of terms
// (the query's words, as discussion.Terms splits them) in <mark>. Words
// are split the way the search index splits them, so what is marked is
// what matched.
func markTerms(text string, terms []string) template.HTML {
	var b strings.Builder
	for len(text) > 0 {
		i := strings.IndexFunc(text, isWordRune)
		if i < 0 {
			i = len(text)
		}
		b.WriteString(html.EscapeString(text[:i]))
		text = text[i:]
		j := strings.IndexFunc(text, func(r rune) bool { return !isWordRune(r) })
		if j < 0 {
			j = len(text)
		}
		word := text[:j]
		if w := discussion.Terms(word); len(w) == 1 && slices.Contains(terms, w[0]) {
			b.WriteString("<mark>" + html.EscapeString(word) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(word))
		}
		text = text[j:]
	}
	return template.HTML(b.String())
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// discussionItem is what a discussion item's page shows: the item's thread,
// the first page of it, with a reply form.
type discussionItem struct {
	Thread  discussion.Thread
	Opening *PostNode
	Replies []*PostNode
	Ctx     *ThreadCtx
	Form    *Form
}

// loadDiscussionItem is the discussion kind's ItemKind.Load: it puts the
// item's thread on the item page. Reading it there counts as reading it.
func (f *Frontend) loadDiscussionItem(c *fiber.Ctx, p *ItemPage) error {
	if p.Item.ThreadID == 0 {
		return nil
	}
	page, err := f.Discussion.Thread(c.UserContext(), caller(c), p.Item.ThreadID, api.Page{Limit: threadPageSize})
	if err != nil {
		return err
	}
	ctx := &ThreadCtx{Course: p.Course.ID, Thread: page.Thread, Staff: p.Staff, CanAnswer: p.Staff,
		Me: caller(c), CSRF: p.CSRF, Loc: p.Loc}
	d := &discussionItem{Thread: page.Thread, Ctx: ctx, Form: NewForm(nil)}
	d.Opening, d.Replies = threadTree(page.Items, ctx, page.Thread.LastReadPostID)
	p.Extra = d
	return nil
}
