package securitytest_test

// The world every suite of this package runs against: two courses (one
// published, one not), each with an instructor, a TA and two students, an
// outsider, an administrator and an anonymous caller, and objects of every
// kind in each course. It is built through the public API only, the way a
// client would, so the suites test what a client can reach.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"html"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"pacer/auth"
	"pacer/pacertest"
)

// Roles as the contract names them.
const (
	instructor = "instructor"
	ta         = "ta"
	student    = "student"
)

// actor is one caller: a user (or nobody) and their role in each course.
type actor struct {
	name  string
	u     pacertest.User
	anon  bool
	admin bool
	roles map[*course]string
}

func (a *actor) token() string {
	if a.anon {
		return ""
	}
	return a.u.Token
}

// role is the actor's role in c, "" when they are not a member.
func (a *actor) role(c *course) string { return a.roles[c] }

func (a *actor) staffOf(c *course) bool { return a.role(c) == instructor || a.role(c) == ta }

// item is a module item of the world and what students may do with it.
type item struct {
	name   string
	id     uint64
	kind   string
	module uint64
	// hidden: students get 404 (unpublished module or item); locked:
	// students get 403 (the module has not opened).
	hidden, locked bool
	thread         uint64 // discussion items
	threadReply    uint64 // a reply by the first student in that thread
}

// post is a discussion post and whose it is.
type post struct {
	name   string
	id     uint64
	thread *thread
	author *actor
	opener bool
	body   string
}

// thread is a discussion thread.
type thread struct {
	c      *course
	name   string
	id     uint64
	board  uint64
	author uint64 // user id of the author (the instructor for item threads)
	qa     bool
	item   *item // for item threads
	posts  []*post
	// repliers are the students who replied (in a Q&A thread they see
	// everything).
	repliers map[*actor]bool
	reply    uint64 // a reply that can be chosen as the answer
}

// media is an upload and who may read it.
type media struct {
	name     string
	id       uint64
	owner    *actor // submission files: only the owner and staff read them
	playable bool
	// hidden: students get 404 (only hidden items show it, or none does);
	// locked: students get 403 (the items they can see are locked). A
	// course file answers as the items that use it do.
	hidden, locked bool
}

type course struct {
	tag       string
	id        uint64
	published bool

	ins, ta, s1, s2 *actor
	throwaway       pacertest.User // a user only ever added as a student

	modOpen, modLocked, modHidden, modSandbox uint64
	items                                     []*item
	byName                                    map[string]*item

	general, itemsBoard, qaBoard uint64
	threads                      []*thread
	posts                        []*post
	report                       uint64

	sub1, sub2 uint64 // the two students' submissions to the open assignment
	ext        uint64 // an extension of the first student

	video, pdf, subFile *media
	// Files only gated items show, and one no item shows.
	hiddenFile, lockedVideo, unusedFile *media
	medias                              []*media
}

func (c *course) students() []*actor { return []*actor{c.s1, c.s2} }

type world struct {
	t   testing.TB
	env *pacertest.Env

	a, b          *course
	courses       []*course
	outsider, adm *actor
	anon          *actor
	// dana teaches A and studies in B; theo studies in A and is a TA of
	// B: the callers for whom an object of one course under the other's
	// URL is a real temptation.
	dana, theo *actor
	actors     []*actor
	posted     map[uint64]int // posts in the current flood-limit minute per user
	lastLogin  time.Time
	liveURL    string
}

// newWorld builds the world. It costs a few hundred requests.
func newWorld(t testing.TB) *world {
	t.Helper()
	env := pacertest.New(t)
	w := &world{t: t, env: env, posted: map[uint64]int{}, lastLogin: env.Clock.Now()}
	w.anon = &actor{name: "anonymous", anon: true, roles: map[*course]string{}}
	w.outsider = w.person("Olga Outsider")
	w.adm = &actor{name: "admin", u: env.Admin(), admin: true, roles: map[*course]string{}}
	w.dana = w.person("Dana Double")
	w.theo = w.person("Theo Double")
	w.a = w.course("A", true, []extra{{w.dana, instructor}, {w.theo, student}})
	w.b = w.course("B", false, []extra{{w.dana, student}, {w.theo, ta}})
	w.courses = []*course{w.a, w.b}
	w.actors = []*actor{w.anon, w.outsider, w.adm, w.dana, w.theo}
	for _, c := range w.courses {
		w.actors = append(w.actors, c.ins, c.ta, c.s1, c.s2)
	}
	return w
}

// live serves the world on a real listener (once) and returns its base
// URL; the server stops when the test ends.
func (w *world) live() string {
	if w.liveURL != "" {
		return w.liveURL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.env.Server.Serve(ctx, ln) }()
	w.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			w.t.Errorf("serve: %v", err)
		}
	})
	w.liveURL = "http://" + ln.Addr().String()
	return w.liveURL
}

func (w *world) person(name string) *actor {
	return &actor{name: name, u: w.env.Register(name), roles: map[*course]string{}}
}

// do sends a request as a and fails the test unless it answers want.
func (w *world) do(a *actor, want int, method, path string, body any) pacertest.Resp {
	w.t.Helper()
	w.countPost(a, method, path)
	r := w.env.Do(method, path, a.token(), body)
	if r.Status != want {
		w.t.Fatalf("building the world: %s %s %s: %d %s", a.name, method, path, r.Status, r.Body)
	}
	return r
}

// upload sends raw bytes with a content type as a.
func (w *world) upload(a *actor, want int, path, ctype string, raw []byte) pacertest.Resp {
	w.t.Helper()
	r := w.env.DoHeaders("POST", path, a.token(), raw, map[string]string{"Content-Type": ctype})
	if want != 0 && r.Status != want {
		w.t.Fatalf("upload %s %s: %d %s", a.name, path, r.Status, r.Body)
	}
	return r
}

// countPost keeps every user under the posting flood limit (60 a minute,
// counted for every attempt): before the limit is near, the clock moves a
// minute on, and every token is renewed before it expires.
func (w *world) countPost(a *actor, method, path string) {
	if a.anon || method != "POST" || !(strings.HasSuffix(path, "/threads") || strings.HasSuffix(path, "/replies")) {
		return
	}
	w.posted[a.u.ID]++
	if w.posted[a.u.ID] < 50 {
		return
	}
	w.env.Clock.Advance(61 * time.Second)
	w.posted = map[uint64]int{}
	w.posted[a.u.ID] = 1
	if w.env.Clock.Now().Sub(w.lastLogin) > 10*time.Minute {
		w.relogin()
	}
}

// relogin renews every actor's tokens.
func (w *world) relogin() {
	w.t.Helper()
	for _, a := range w.actors {
		if !a.anon {
			a.u = w.env.Login(a.u)
		}
	}
	w.lastLogin = w.env.Clock.Now()
}

// extra is one more member of a course and their role.
type extra struct {
	a    *actor
	role string
}

func (w *world) course(tag string, published bool, extras []extra) *course {
	t, env := w.t, w.env
	t.Helper()
	c := &course{tag: tag, published: published, byName: map[string]*item{}}
	c.ins = w.person("Ines " + tag)
	c.ta = w.person("Tomas " + tag)
	c.s1 = w.person("Sara " + tag)
	c.s2 = w.person("Stan " + tag)
	c.throwaway = env.Register("Tess " + tag)
	c.id = env.Course(c.ins.u, map[string]any{"title": "Course " + tag, "description": "About " + tag})
	env.Enroll(c.ta.u, c.id)
	env.SetRole(c.ins.u, c.id, c.ta.u, ta)
	env.Enroll(c.s1.u, c.id)
	env.Enroll(c.s2.u, c.id)
	c.ins.roles[c], c.ta.roles[c], c.s1.roles[c], c.s2.roles[c] = instructor, ta, student, student
	for _, e := range extras {
		env.Enroll(e.a.u, c.id)
		if e.role != student {
			env.SetRole(c.ins.u, c.id, e.a.u, e.role)
		}
		e.a.roles[c] = e.role
	}
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)

	// Media: a lecture video with captions, a course PDF, and the first
	// student's file for a submission.
	c.video = &media{name: "video", playable: true,
		id: w.upload(c.ins, 201, base+"/media?filename=lecture.webm", "video/webm", webmFile(600, 4096)).ID()}
	w.upload(c.ins, 201, fmt.Sprintf("/api/v1/media/%d/captions?lang=en&label=English", c.video.id), "text/vtt", []byte(vtt))
	c.pdf = &media{name: "pdf", id: w.upload(c.ins, 201, base+"/media?filename=notes.pdf", "application/pdf", pdfFile("notes "+tag)).ID()}
	c.subFile = &media{name: "submission file", owner: c.s1,
		id: w.upload(c.s1, 201, base+"/media?purpose=submission&filename=work.pdf", "application/pdf", pdfFile("work "+tag)).ID()}
	// Files that only gated items show (students reach them as they reach
	// those items: 404 and 403), and a file no item shows (the staff's).
	c.hiddenFile = &media{name: "hidden file", hidden: true,
		id: w.upload(c.ins, 201, base+"/media?filename=draft.pdf", "application/pdf", pdfFile("draft "+tag)).ID()}
	c.lockedVideo = &media{name: "locked video", playable: true, locked: true,
		id: w.upload(c.ins, 201, base+"/media?filename=later.webm", "video/webm", webmFile(300, 4096)).ID()}
	w.upload(c.ins, 201, fmt.Sprintf("/api/v1/media/%d/captions?lang=en&label=English", c.lockedVideo.id), "text/vtt", []byte(vtt))
	c.unusedFile = &media{name: "unused file", hidden: true,
		id: w.upload(c.ins, 201, base+"/media?filename=spare.pdf", "application/pdf", pdfFile("spare "+tag)).ID()}
	c.medias = []*media{c.video, c.pdf, c.subFile, c.hiddenFile, c.lockedVideo, c.unusedFile}

	// Modules: open, not yet open, unpublished, and one to add items to.
	c.modOpen = env.Module(c.ins.u, c.id, map[string]any{"title": "Open", "summary": "S", "published": true})
	c.modLocked = env.Module(c.ins.u, c.id, map[string]any{"title": "Later", "summary": "S", "published": true,
		"opens_at": "2030-01-07T00:00:00Z"})
	c.modHidden = env.Module(c.ins.u, c.id, map[string]any{"title": "Draft", "summary": "S", "published": false})
	c.modSandbox = env.Module(c.ins.u, c.id, map[string]any{"title": "Sandbox", "summary": "S", "published": true})
	add := func(name, kind string, module uint64, hidden, locked bool, extra map[string]any) *item {
		fields := map[string]any{"kind": kind, "title": name, "body": "Body of " + name, "published": true}
		for k, v := range extra {
			fields[k] = v
		}
		r := w.do(c.ins, 201, "POST", fmt.Sprintf("%s/modules/%d/items", base, module), fields)
		var v struct {
			ID       uint64 `json:"id"`
			ThreadID uint64 `json:"thread_id"`
		}
		r.Decode(&v)
		it := &item{name: name, id: v.ID, kind: kind, module: module, hidden: hidden, locked: locked, thread: v.ThreadID}
		c.items = append(c.items, it)
		c.byName[name] = it
		return it
	}
	add("page", "page", c.modOpen, false, false, nil)
	add("lecture", "lecture", c.modOpen, false, false, map[string]any{"media_id": c.video.id})
	add("assignment", "assignment", c.modOpen, false, false, map[string]any{"points": 10})
	add("discussion", "discussion", c.modOpen, false, false, nil)
	add("file", "file", c.modOpen, false, false, map[string]any{"media_id": c.pdf.id})
	add("draft page", "page", c.modOpen, true, false, map[string]any{"published": false})
	add("locked page", "page", c.modLocked, false, true, nil)
	add("locked assignment", "assignment", c.modLocked, false, true, map[string]any{"points": 10})
	add("locked discussion", "discussion", c.modLocked, false, true, nil)
	add("hidden page", "page", c.modHidden, true, false, nil)
	add("hidden discussion", "discussion", c.modHidden, true, false, nil)
	// The course PDF is also shown by a draft item: the open one wins. The
	// locked video is also shown by a hidden item: locked wins over hidden.
	add("draft file", "file", c.modOpen, true, false, map[string]any{"media_id": c.pdf.id, "published": false})
	add("hidden file", "file", c.modHidden, true, false, map[string]any{"media_id": c.hiddenFile.id})
	add("locked lecture", "lecture", c.modLocked, false, true, map[string]any{"media_id": c.lockedVideo.id})
	add("hidden lecture", "lecture", c.modHidden, true, false, map[string]any{"media_id": c.lockedVideo.id})

	// Work: both students submit, the first with their file; the first
	// has an extension.
	c.sub1 = w.do(c.s1, 201, "POST", fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id),
		map[string]any{"body": "My answer", "media_id": c.subFile.id}).ID()
	c.sub2 = w.do(c.s2, 201, "POST", fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id),
		map[string]any{"body": "Another answer"}).ID()
	c.ext = w.do(c.ins, 201, "POST", base+"/extensions",
		map[string]any{"user_id": c.s1.u.ID, "module_id": c.modOpen, "due_at": "2027-03-01T00:00:00Z"}).ID()

	// Boards: the general one, the one of item threads, and a Q&A board.
	var boards struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	w.do(c.ins, 200, "GET", base+"/boards", nil).Decode(&boards)
	for _, b := range boards.Items {
		switch b.Kind {
		case "general":
			c.general = b.ID
		case "items":
			c.itemsBoard = b.ID
		}
	}
	if c.general == 0 || c.itemsBoard == 0 {
		t.Fatalf("course %s lacks the general or the items board", tag)
	}
	c.qaBoard = w.do(c.ins, 201, "POST", base+"/boards", map[string]any{"title": "Questions", "mode": "qa"}).ID()

	// Threads: one by a student on the general board with replies by
	// everyone, a Q&A thread by the TA answered by the instructor and the
	// first student, and the discussion items' threads.
	gen := w.newThread(c, c.general, c.s1, "Week one", false)
	w.reply(gen, c.s1, "post by s1")
	w.reply(gen, c.s2, "post by s2")
	w.reply(gen, c.ta, "post by ta")
	qa := w.newThread(c, c.qaBoard, c.ta, "A question", true)
	w.reply(qa, c.ins, "qa post by instructor")
	w.reply(qa, c.s1, "qa post by s1")
	for _, it := range c.items {
		if it.kind != "discussion" {
			continue
		}
		th := &thread{c: c, name: "thread of " + it.name, id: it.thread, board: c.itemsBoard, author: c.ins.u.ID, item: it,
			repliers: map[*actor]bool{}}
		c.threads = append(c.threads, th)
		opening := w.openingPost(th, c.ins, "Body of "+it.name)
		th.posts = append(th.posts, opening)
		c.posts = append(c.posts, opening)
		if !it.locked && !it.hidden {
			p := w.reply(th, c.s1, "item post by s1")
			it.threadReply = p.id
		} else {
			// Students cannot reach it; the TA replies instead.
			w.reply(th, c.ta, "item post by ta")
		}
	}
	c.report = w.do(c.s2, 201, "POST", fmt.Sprintf("/api/v1/posts/%d/report", gen.posts[1].id), map[string]any{"reason": "rude"}).ID()

	if !published {
		w.do(c.ins, 200, "PATCH", base, map[string]any{"published": false})
	}
	return c
}

// newThread starts a thread and records its opening post.
func (w *world) newThread(c *course, board uint64, by *actor, title string, qa bool) *thread {
	w.t.Helper()
	r := w.do(by, 201, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), map[string]any{"title": title, "body": "Opening of " + title})
	th := &thread{c: c, name: title, id: r.ID(), board: board, author: by.u.ID, qa: qa, repliers: map[*actor]bool{}}
	p := w.openingPost(th, by, "Opening of "+title)
	th.posts = append(th.posts, p)
	c.threads = append(c.threads, th)
	c.posts = append(c.posts, p)
	return th
}

// openingPost finds the opening post of a thread (read as its author or
// the instructor).
func (w *world) openingPost(th *thread, reader *actor, body string) *post {
	w.t.Helper()
	var page struct {
		Items []struct {
			ID       uint64 `json:"id"`
			ParentID uint64 `json:"parent_id"`
		} `json:"items"`
	}
	w.do(reader, 200, "GET", fmt.Sprintf("/api/v1/threads/%d", th.id), nil).Decode(&page)
	if len(page.Items) == 0 || page.Items[0].ParentID != 0 {
		w.t.Fatalf("thread %d has no opening post", th.id)
	}
	return &post{name: "opening of " + th.name, id: page.Items[0].ID, thread: th, author: reader, opener: true, body: body}
}

// reply adds a reply by a to th and records it.
func (w *world) reply(th *thread, a *actor, body string) *post {
	w.t.Helper()
	r := w.do(a, 201, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", th.id), map[string]any{"body": body})
	p := &post{name: body, id: r.ID(), thread: th, author: a, body: body}
	th.posts = append(th.posts, p)
	th.repliers[a] = true
	if th.reply == 0 {
		th.reply = p.id
	}
	th.c.posts = append(th.c.posts, p)
	return p
}

// freshThread starts a thread that the world does not record (so later
// checks do not meet it) and returns its id.
func (w *world) freshThread(board uint64, by *actor, title string) uint64 {
	w.t.Helper()
	return w.do(by, 201, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), map[string]any{"title": title, "body": "Opening of " + title}).ID()
}

// freshReply adds a reply that the world does not record.
func (w *world) freshReply(th *thread, a *actor, body string) *post {
	w.t.Helper()
	r := w.do(a, 201, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", th.id), map[string]any{"body": body})
	return &post{name: body, id: r.ID(), thread: th, author: a, body: body}
}

// webmFile is a WebM header that states a duration, padded to n bytes, so
// that the upload sniffer and the duration probe accept it as a lecture.
func webmFile(seconds float64, n int) []byte {
	f64 := make([]byte, 8)
	binary.BigEndian.PutUint64(f64, math.Float64bits(seconds*1000))
	head := ebml([]byte{0x1A, 0x45, 0xDF, 0xA3}, ebml([]byte{0x42, 0x82}, []byte("webm")))
	info := ebml([]byte{0x15, 0x49, 0xA9, 0x66},
		ebml([]byte{0x2A, 0xD7, 0xB1}, []byte{0x0F, 0x42, 0x40}),
		ebml([]byte{0x44, 0x89}, f64))
	seg := ebml([]byte{0x18, 0x53, 0x80, 0x67}, info)
	out := append(head, seg...)
	if pad := n - len(out) - 9; pad > 0 {
		out = append(out, ebml([]byte{0xEC}, make([]byte, pad))...)
	}
	return out
}

func ebml(id []byte, data ...[]byte) []byte {
	body := bytes.Join(data, nil)
	size := make([]byte, 8)
	binary.BigEndian.PutUint64(size, uint64(len(body)))
	size[0] = 0x01
	return bytes.Join([][]byte{id, size, body}, nil)
}

// pdfFile is a small file that passes the PDF sniffer; text makes its
// bytes (and so its SHA-256) differ.
func pdfFile(text string) []byte {
	return []byte("%PDF-1.4\n% " + text + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

const vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nHello and welcome.\n\n00:00:05.000 --> 00:00:10.000\nLet us begin.\n"

// page is an answer to a page request.
type page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

// page sends a page request as a, signed in with the session cookie the
// sign-in form would have set (anonymous: no cookie). form, when not nil,
// is sent url-encoded.
func (w *world) page(a *actor, method, path string, form url.Values, headers ...string) page {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if !a.anon {
		req.AddCookie(&http.Cookie{Name: auth.AccessCookie, Value: a.u.Token})
	}
	res, err := w.env.Server.App.Test(req, 10000)
	if err != nil {
		w.t.Fatalf("%s %s %s: %v", a.name, method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		w.t.Errorf("%s %s %s: server error %d", a.name, method, path, res.StatusCode)
	}
	return page{Status: res.StatusCode, Header: res.Header, Body: string(raw), Location: res.Header.Get("Location")}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// csrf is a's CSRF token for page forms, read from a page as a browser
// would.
func (w *world) csrf(a *actor) string {
	w.t.Helper()
	p := w.page(a, "GET", "/account", nil)
	m := csrfMeta.FindStringSubmatch(p.Body)
	if m == nil {
		w.t.Fatalf("no CSRF token for %s on /account (%d)", a.name, p.Status)
	}
	return html.UnescapeString(m[1])
}
