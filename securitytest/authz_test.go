package securitytest_test

// The authorisation property test: every route of the API, called by every
// actor on every object of the world, answers what an oracle written from
// the contract's role rules (../shared/API.md) says.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pacer/pacertest"
)

// need is who may use a route, by the contract.
type need int

const (
	anyUser        need = iota // any signed-in user
	member                     // a member of the course, any role
	staffOnly                  // instructor or TA
	instructorOnly             // instructor
	studentOnly                // student
	adminOnly                  // an administrator
)

// rule is one request as the oracle sees it.
type rule struct {
	need need
	// c is the course whose membership decides: the URL's, or for routes
	// that name only an object, the object's.
	c *course
	// cross: the object is not of the URL's course. hidden: the caller may
	// not know of the object (students: unpublished modules and items,
	// other people's work, Q&A replies before their own). locked: the
	// object is in a module that has not opened for the caller.
	cross, hidden, locked bool
	// ownerMay lets the object's owner (a post's author, a thread's author,
	// the learner whose record it is) do it without the role.
	ownerMay, owner bool
	// conflict is the answer when the caller may act but the object's state
	// or kind forbids it; ok is the success status.
	conflict []int
	ok       int
}

// expect is the oracle: the statuses the contract allows for a request. It
// reads, in order: no token → 401; not a member of the course → 404;
// an object of another course, or one the caller may not know of → 404
// (or 403 when the role forbids the action whatever the object, since
// then the answer reveals nothing); a locked module → 403; a role that
// may not → 403; a state that forbids → conflict; else ok.
func expect(a *actor, r rule) []int {
	if a.anon {
		return []int{401}
	}
	switch r.need {
	case anyUser:
		return []int{r.ok}
	case adminOnly:
		if a.admin {
			return []int{r.ok}
		}
		return []int{403}
	}
	role := a.role(r.c)
	if role == "" {
		return []int{404}
	}
	allowed := false
	switch r.need {
	case member:
		allowed = true
	case staffOnly:
		allowed = role == instructor || role == ta
	case instructorOnly:
		allowed = role == instructor
	case studentOnly:
		allowed = role == student
	}
	if r.ownerMay && r.owner {
		allowed = true
	}
	if r.cross || r.hidden {
		if allowed {
			return []int{404}
		}
		return []int{403, 404}
	}
	if r.locked || !allowed {
		return []int{403}
	}
	if r.conflict != nil {
		return r.conflict
	}
	return []int{r.ok}
}

// matrix sends requests and compares them with the oracle.
type matrix struct {
	t     *testing.T
	w     *world
	tried int
	bad   []string
	// thrown: an administrator has added the course's throwaway user.
	thrown map[*course]bool
}

// instructorsOf are the actors who teach c.
func (m *matrix) instructorsOf(c *course) []*actor {
	var out []*actor
	for _, a := range m.w.actors {
		if a.role(c) == instructor {
			out = append(out, a)
		}
	}
	return out
}

// check sends one request as a and records a mismatch with want.
func (m *matrix) check(a *actor, want []int, method, path string, body any) pacertest.Resp {
	m.t.Helper()
	return m.checkHeaders(a, want, method, path, body, nil)
}

func (m *matrix) checkHeaders(a *actor, want []int, method, path string, body any, headers map[string]string) pacertest.Resp {
	m.t.Helper()
	m.w.countPost(a, method, path)
	m.tried++
	r := m.w.env.DoHeaders(method, path, a.token(), body, headers)
	if !slices.Contains(want, r.Status) {
		m.bad = append(m.bad, fmt.Sprintf("%s %s %s: got %d want %s (%s)", a.name, method, path, r.Status, statuses(want), short(r.Body)))
	}
	return r
}

// upload is check for a raw body with a content type.
func (m *matrix) upload(a *actor, want []int, path, ctype string, raw []byte) pacertest.Resp {
	m.t.Helper()
	return m.checkHeaders(a, want, "POST", path, raw, map[string]string{"Content-Type": ctype})
}

// fail records a mismatch found by a property check rather than a status.
func (m *matrix) fail(format string, args ...any) {
	m.bad = append(m.bad, fmt.Sprintf(format, args...))
}

func (m *matrix) report(what string) {
	m.t.Helper()
	m.t.Logf("%s: %d requests tried, %d mismatches", what, m.tried, len(m.bad))
	for _, b := range m.bad {
		m.t.Error(b)
	}
}

// errors reports the mismatches only (fuzz iterations stay quiet).
func (m *matrix) errors() {
	m.t.Helper()
	for _, b := range m.bad {
		m.t.Error(b)
	}
}

func statuses(s []int) string {
	var p []string
	for _, v := range s {
		p = append(p, fmt.Sprint(v))
	}
	return strings.Join(p, " or ")
}

func short(b []byte) string {
	if len(b) > 160 {
		return string(b[:160]) + "…"
	}
	return string(b)
}

func TestEveryRouteAnswersEveryActorAsTheContractSays(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w, thrown: map[*course]bool{}}
	// Property checks that look at answers rather than statuses run first,
	// while the world is exactly as built.
	m.qaRepliesStayHidden()
	m.othersNotificationsCannotBeMarked()
	for _, c := range w.courses {
		other := w.b
		if c == w.b {
			other = w.a
		}
		m.courseRoutes(c)
		m.moduleRoutes(c, other)
		m.itemRoutes(c, other)
		m.workRoutes(c, other)
		m.discussionRoutes(c)
		m.mediaRoutes(c)
		m.objectsInBodies(c, other)
	}
	m.userRoutes()
	m.adminRoutes()
	m.nothingOfTheOtherCourseChanged()
	m.report("authorisation matrix")
}

// courseRoutes are the routes that name only a course.
func (m *matrix) courseRoutes(c *course) {
	w := m.w
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	r := func(n need, ok int) rule { return rule{need: n, c: c, ok: ok} }
	for _, a := range w.actors {
		// Anyone signed in sees a published course; members see theirs.
		want := []int{200}
		switch {
		case a.anon:
			want = []int{401}
		case a.role(c) == "" && !c.published:
			want = []int{404}
		}
		m.check(a, want, "GET", base, nil)
		m.check(a, expect(a, r(instructorOnly, 200)), "PATCH", base, map[string]any{"description": "About " + c.tag})

		// Enrolment: members are already enrolled (409), others may join
		// a published course (and leave again at once) but not see an
		// unpublished one.
		want = []int{201}
		switch {
		case a.anon:
			want = []int{401}
		case a.role(c) != "":
			want = []int{409}
		case !c.published:
			want = []int{404}
		}
		if res := m.check(a, want, "POST", base+"/enroll", map[string]any{}); res.Status == 201 {
			w.do(a, 204, "DELETE", base+"/enroll", nil)
		}
		// Any member may leave but a course's only instructor (issue 12:
		// nobody is held in a course); an administrator puts them back.
		leave := expect(a, r(member, 204))
		if a.role(c) == instructor && len(m.instructorsOf(c)) == 1 {
			leave = []int{409}
		}
		if res := m.check(a, leave, "DELETE", base+"/enroll", nil); res.Status == 204 {
			w.do(w.adm, 200, "PUT", fmt.Sprintf("%s/members/%d", base, a.u.ID), map[string]any{"role": a.role(c)})
		}

		m.check(a, expect(a, r(staffOnly, 200)), "GET", base+"/members", nil)
		// Removing someone who is not a member is 404 to an instructor.
		m.check(a, expect(a, rule{need: instructorOnly, c: c, conflict: []int{404}}), "DELETE", fmt.Sprintf("%s/members/%d", base, uint64(1)<<40), nil)

		// Course lifecycle: instructors copy (a new course each time) and
		// archive (undone at once, so the world stays writable); a
		// published course with members cannot be deleted (409).
		m.check(a, expect(a, r(instructorOnly, 201)), "POST", base+"/copy", map[string]any{"title": "Copy of " + c.tag})
		if res := m.check(a, expect(a, r(instructorOnly, 204)), "POST", base+"/archive", nil); res.Status == 204 {
			if r := w.env.Do("PATCH", base, a.token(), map[string]any{"description": "x"}); r.Status != 409 {
				m.fail("%s PATCH of an archived course: %d, want 409", a.name, r.Status)
			}
		}
		m.check(a, expect(a, r(instructorOnly, 204)), "DELETE", base+"/archive", nil)
		m.check(a, expect(a, rule{need: instructorOnly, c: c, conflict: []int{409}}), "DELETE", base, nil)
		// A role is set only for a member: anyone else is 404 to an
		// instructor, whether or not the account exists; only an
		// administrator adds people this way (the throwaway user, once).
		addOther := expect(a, r(instructorOnly, 200))
		switch {
		case a.admin:
			addOther = []int{200}
		case !m.thrown[c] && a.role(c) == instructor:
			addOther = []int{404}
		}
		if res := m.check(a, addOther, "PUT", fmt.Sprintf("%s/members/%d", base, c.throwaway.ID), map[string]any{"role": student}); res.Status == 200 {
			m.thrown[c] = true
		}
		self := c.throwaway.ID
		selfWant := expect(a, r(instructorOnly, 200))
		switch {
		case a.admin:
			// An administrator adding an unknown account learns only 404.
			self, selfWant = 1<<40, []int{404}
		case !a.anon:
			self = a.u.ID
		}
		m.check(a, selfWant, "PUT", fmt.Sprintf("%s/members/%d", base, self), map[string]any{"role": instructor})

		// Invitations: instructors invite by address and see their course's
		// pending ones; an invitation is accepted or declined only by its
		// invitee and revoked only by the course's instructors (404 to
		// anyone else, as if it did not exist).
		m.check(a, expect(a, r(instructorOnly, 201)), "POST", base+"/invitations", map[string]any{"email": "new-" + c.tag + "@example.test", "role": ta})
		m.check(a, expect(a, r(instructorOnly, 200)), "GET", base+"/invitations", nil)
		pending := w.do(c.ins, 201, "POST", base+"/invitations", map[string]any{"email": "pending-" + c.tag + "@example.test", "role": ta}).ID()
		notInvitee := []int{404}
		if a.anon {
			notInvitee = []int{401}
		}
		m.check(a, notInvitee, "POST", fmt.Sprintf("/api/v1/invitations/%d/accept", pending), nil)
		revoke := notInvitee
		if a.role(c) == instructor {
			revoke = []int{204}
		}
		m.check(a, revoke, "DELETE", fmt.Sprintf("/api/v1/invitations/%d", pending), nil)
		if !a.anon {
			// The invitee themselves: a member declines (accepting is 409),
			// anyone else accepts, and leaves again at once.
			mine := w.do(c.ins, 201, "POST", base+"/invitations", map[string]any{"email": strings.ToUpper(a.u.Email), "role": student}).ID()
			accept := []int{201}
			if a.role(c) != "" {
				accept = []int{409}
			}
			m.check(a, accept, "POST", fmt.Sprintf("/api/v1/invitations/%d/accept", mine), nil)
			if a.role(c) != "" {
				m.check(a, []int{204}, "DELETE", fmt.Sprintf("/api/v1/invitations/%d", mine), nil)
			} else {
				m.check(a, []int{204}, "DELETE", base+"/enroll", nil)
			}
			m.check(a, []int{404}, "DELETE", fmt.Sprintf("/api/v1/invitations/%d", mine), nil)
		}

		m.check(a, expect(a, r(instructorOnly, 201)), "POST", base+"/modules", map[string]any{"title": "New", "published": false})
		m.check(a, expect(a, r(member, 200)), "GET", base+"/modules", nil)
		m.check(a, expect(a, r(member, 200)), "GET", base+"/progress", nil)
		own := rule{need: staffOnly, c: c, ok: 200, ownerMay: true, owner: a == c.s1}
		m.check(a, expect(a, own), "GET", fmt.Sprintf("%s/progress?user=%d", base, c.s1.u.ID), nil)
		m.check(a, expect(a, r(member, 200)), "GET", base+"/extensions", nil)
		m.check(a, expect(a, r(staffOnly, 201)), "POST", base+"/extensions",
			map[string]any{"user_id": c.s1.u.ID, "module_id": c.modOpen, "due_at": "2027-03-01T00:00:00Z"})

		m.check(a, expect(a, r(staffOnly, 200)), "GET", base+"/media", nil)
		m.upload(a, expect(a, r(staffOnly, 201)), base+"/media?filename=extra.pdf", "application/pdf", pdfFile("extra "+a.name))
		m.upload(a, expect(a, r(member, 201)), base+"/media?purpose=submission&filename=mine.pdf", "application/pdf", pdfFile("mine "+a.name))

		m.check(a, expect(a, r(staffOnly, 200)), "GET", base+"/at-risk", nil)
		m.check(a, expect(a, r(staffOnly, 200)), "GET", fmt.Sprintf("%s/at-risk?module=%d&state=overdue&pace=behind1", base, c.modOpen), nil)
		m.check(a, expect(a, r(staffOnly, 200)), "GET", base+"/cohort", nil)
		m.check(a, expect(a, r(staffOnly, 201)), "POST", base+"/nudges", map[string]any{"user_ids": []uint64{c.s1.u.ID}, "message": "Keep going"})
		m.check(a, expect(a, r(member, 200)), "GET", base+"/announcements", nil)
		m.check(a, expect(a, r(staffOnly, 201)), "POST", base+"/announcements", map[string]any{"title": "News", "body": "From " + a.name})
		m.check(a, expect(a, r(staffOnly, 200)), "GET", base+"/discussion-settings", nil)
		m.check(a, expect(a, r(staffOnly, 200)), "PUT", base+"/discussion-settings", map[string]any{"follow_threads": true})
		m.check(a, expect(a, r(studentOnly, 200)), "GET", base+"/pace", nil)
		m.check(a, expect(a, own), "GET", fmt.Sprintf("%s/pace?user=%d", base, c.s1.u.ID), nil)

		m.check(a, expect(a, r(member, 200)), "GET", base+"/boards", nil)
		m.check(a, expect(a, r(staffOnly, 201)), "POST", base+"/boards", map[string]any{"title": "Lab", "mode": "discussion"})
		m.check(a, expect(a, r(staffOnly, 200)), "GET", base+"/reports", nil)
		m.check(a, expect(a, r(member, 200)), "GET", base+"/search?q=post", nil)
	}
}

// moduleRoutes: every module of c, and every module of the other course
// under c's URL (which must be 404).
func (m *matrix) moduleRoutes(c, other *course) {
	w := m.w
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	type mod struct {
		id     uint64
		hidden bool
		cross  bool
	}
	mods := []mod{{c.modOpen, false, false}, {c.modLocked, false, false}, {c.modHidden, true, false}, {c.modSandbox, false, false},
		{other.modOpen, false, true}, {other.modHidden, true, true}}
	for _, a := range w.actors {
		for _, md := range mods {
			hidden := md.hidden && a.role(c) == student
			path := fmt.Sprintf("%s/modules/%d", base, md.id)
			m.check(a, expect(a, rule{need: member, c: c, cross: md.cross, hidden: hidden, ok: 200}), "GET", path, nil)
			m.check(a, expect(a, rule{need: instructorOnly, c: c, cross: md.cross, hidden: hidden, ok: 200}), "PATCH", path, map[string]any{"summary": "S"})
		}
		// New items go to the sandbox (or, across courses, to the other
		// course's sandbox, which must refuse).
		for _, sb := range []mod{{c.modSandbox, false, false}, {other.modSandbox, false, true}} {
			m.check(a, expect(a, rule{need: instructorOnly, c: c, cross: sb.cross, ok: 201}), "POST", fmt.Sprintf("%s/modules/%d/items", base, sb.id),
				map[string]any{"kind": "page", "title": "Extra", "body": "x", "published": false})
		}
		// Deleting needs a module of its own each time.
		for _, owner := range []*course{c, other} {
			for _, published := range []bool{true, false} {
				id := w.env.Module(owner.ins.u, owner.id, map[string]any{"title": "Doomed", "published": published})
				hidden := !published && a.role(c) == student
				m.check(a, expect(a, rule{need: instructorOnly, c: c, cross: owner != c, hidden: hidden, ok: 204}), "DELETE", fmt.Sprintf("%s/modules/%d", base, id), nil)
			}
		}
	}
}

// itemRoutes: every item of c and of the other course under c's URL.
func (m *matrix) itemRoutes(c, other *course) {
	w := m.w
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	items := append(slices.Clone(c.items), other.items...)
	for _, a := range w.actors {
		for _, it := range items {
			cross := it.module != c.modOpen && it.module != c.modLocked && it.module != c.modHidden
			stu := a.role(c) == student
			rl := func(n need, ok int, conflict ...int) rule {
				return rule{need: n, c: c, cross: cross, hidden: stu && it.hidden, locked: stu && it.locked, conflict: conflict, ok: ok}
			}
			path := fmt.Sprintf("%s/items/%d", base, it.id)
			m.check(a, expect(a, rl(member, 200)), "GET", path, nil)
			m.check(a, expect(a, rl(instructorOnly, 200)), "PATCH", path, map[string]any{"title": it.name})

			var conflict []int
			if it.kind != "page" && it.kind != "file" {
				conflict = []int{409}
			}
			m.check(a, expect(a, rl(studentOnly, 200, conflict...)), "POST", path+"/complete", nil)

			conflict = nil
			if it.kind != "assignment" {
				conflict = []int{409}
			}
			m.check(a, expect(a, rl(studentOnly, 201, conflict...)), "POST", path+"/submissions", map[string]any{"body": "Work of " + a.name})
			// A student still sees their own work once a module has locked
			// again; the contract's 403 for locked items is allowed too.
			want := expect(a, rl(member, 200))
			if stu && it.locked && !cross && !it.hidden {
				want = []int{200, 403}
			}
			m.check(a, want, "GET", path+"/submissions", nil)

			conflict = nil
			if it.kind != "lecture" {
				conflict = []int{409}
			}
			m.check(a, expect(a, rl(studentOnly, 200, conflict...)), "POST", path+"/watch",
				map[string]any{"from_seconds": 0, "to_seconds": 5, "position_seconds": 5})
			conflict = nil
			if it.kind != "lecture" && it.kind != "file" {
				conflict = []int{404}
			}
			m.check(a, expect(a, rl(member, 200, conflict...)), "GET", path+"/lecture", nil)
		}
		// Deleting needs an item of its own each time: in an open and in an
		// unpublished module, of this course and of the other.
		for _, owner := range []*course{c, other} {
			for _, mod := range []uint64{owner.modOpen, owner.modHidden} {
				id := w.env.Item(owner.ins.u, owner.id, mod, map[string]any{"title": "Doomed", "published": true})
				hidden := mod == owner.modHidden && a.role(c) == student
				m.check(a, expect(a, rule{need: instructorOnly, c: c, cross: owner != c, hidden: hidden, ok: 204}), "DELETE", fmt.Sprintf("%s/items/%d", base, id), nil)
			}
		}
	}
}

// workRoutes: submissions and extensions of c, and of the other course
// under c's URL.
func (m *matrix) workRoutes(c, other *course) {
	w := m.w
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	type sub struct {
		id    uint64
		owner *actor
		cross bool
	}
	subs := []sub{{c.sub1, c.s1, false}, {c.sub2, c.s2, false}, {other.sub1, other.s1, true}}
	for _, a := range w.actors {
		for _, s := range subs {
			notMine := a.role(c) == student && a != s.owner
			path := fmt.Sprintf("%s/submissions/%d", base, s.id)
			m.check(a, expect(a, rule{need: member, c: c, cross: s.cross, hidden: notMine, ok: 200}), "GET", path, nil)
			m.check(a, expect(a, rule{need: staffOnly, c: c, cross: s.cross, hidden: notMine, ok: 200}), "PATCH", path, map[string]any{"score": 5, "feedback": "Good"})
		}
		// An extension to delete, each time: the second student's, in this
		// course or the other.
		for _, owner := range []*course{c, other} {
			id := w.do(owner.ins, 201, "POST", fmt.Sprintf("/api/v1/courses/%d/extensions", owner.id),
				map[string]any{"user_id": owner.s2.u.ID, "module_id": owner.modOpen, "due_at": "2027-03-01T00:00:00Z"}).ID()
			notMine := a.role(c) == student && a != owner.s2
			m.check(a, expect(a, rule{need: staffOnly, c: c, cross: owner != c, hidden: notMine, ok: 204}), "DELETE", fmt.Sprintf("%s/extensions/%d", base, id), nil)
			if owner != c {
				// Put the other course back as it was (whatever the attempt did).
				w.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/extensions/%d", owner.id, id), owner.ins.token(), nil)
			}
		}
	}
}

// seesPost is the contract's visibility of a post for a: members see every
// post, except that in a Q&A thread a student sees other people's replies
// only after replying there themselves (the thread's author, who asked, sees
// the answers); and item threads follow their item.
func seesPost(a *actor, p *post) bool {
	th := p.thread
	if a.role(th.c) != student || !th.qa || p.opener || p.author == a || th.author == a.u.ID {
		return true
	}
	return th.repliers[a]
}

// discussionRoutes: boards, threads, posts and reports of c (these routes
// name the object only; its course decides).
func (m *matrix) discussionRoutes(c *course) {
	w := m.w
	for _, a := range w.actors {
		stu := a.role(c) == student
		for _, b := range []uint64{c.general, c.itemsBoard, c.qaBoard} {
			path := fmt.Sprintf("/api/v1/boards/%d", b)
			m.check(a, expect(a, rule{need: member, c: c, ok: 200}), "GET", path, nil)
			m.check(a, expect(a, rule{need: member, c: c, ok: 200}), "GET", path+"/threads", nil)
			var conflict []int
			if b == c.itemsBoard {
				// Item threads come with their items, not from this route.
				conflict = []int{403, 409}
			}
			m.check(a, expect(a, rule{need: member, c: c, ok: 201, conflict: conflict}), "POST", path+"/threads",
				map[string]any{"title": "New topic", "body": "Hello"})
		}
		for _, th := range c.threads {
			hidden, locked := false, false
			if th.item != nil && stu {
				hidden, locked = th.item.hidden, th.item.locked
			}
			rl := func(n need, ok int) rule {
				return rule{need: n, c: c, hidden: hidden, locked: locked, ok: ok}
			}
			path := fmt.Sprintf("/api/v1/threads/%d", th.id)
			m.check(a, expect(a, rl(member, 200)), "GET", path, nil)
			// Replying to a Q&A thread would show the replier everything,
			// so those replies go to a thread of their own.
			target := th.id
			if th.qa {
				target = w.freshThread(th.board, c.ta, "Fresh question")
			}
			m.check(a, expect(a, rl(member, 201)), "POST", fmt.Sprintf("/api/v1/threads/%d/replies", target), map[string]any{"body": "A reply by " + a.name})
			for _, sw := range []string{"pin", "lock"} {
				m.check(a, expect(a, rl(staffOnly, 204)), "POST", path+"/"+sw, nil)
				m.check(a, expect(a, rl(staffOnly, 204)), "DELETE", path+"/"+sw, nil)
			}
			ans := rl(staffOnly, 204)
			ans.ownerMay, ans.owner = true, !a.anon && th.author == a.u.ID
			m.check(a, expect(a, ans), "POST", path+"/answer", map[string]any{"post_id": th.reply})
			m.check(a, expect(a, ans), "DELETE", path+"/answer", nil)
			m.check(a, expect(a, rl(member, 204)), "PUT", path+"/subscription", nil)
			m.check(a, expect(a, rl(member, 204)), "DELETE", path+"/subscription", nil)
		}
		for _, p := range c.posts {
			th := p.thread
			hidden, locked := false, false
			if th.item != nil && stu {
				hidden, locked = th.item.hidden, th.item.locked
			}
			if !hidden && !locked && !a.anon && a.role(c) != "" && !seesPost(a, p) {
				hidden = true
			}
			rl := func(n need, ok int) rule {
				return rule{need: n, c: c, hidden: hidden, locked: locked, ok: ok}
			}
			path := fmt.Sprintf("/api/v1/posts/%d", p.id)
			m.check(a, expect(a, rl(member, 200)), "GET", path, nil)
			edit := rl(staffOnly, 200)
			edit.ownerMay, edit.owner = true, p.author == a
			m.check(a, expect(a, edit), "PATCH", path, map[string]any{"body": p.body})
			if !p.opener {
				m.check(a, expect(a, rl(staffOnly, 204)), "POST", path+"/endorse", nil)
				m.check(a, expect(a, rl(staffOnly, 204)), "DELETE", path+"/endorse", nil)
			}
		}
		// Deleting and reporting need a post of their own each time: a
		// reply by the first student on the general thread, one by the
		// instructor on the Q&A thread, one by the second student on the
		// open item's thread.
		for _, fresh := range []struct {
			th *thread
			by *actor
		}{{c.threads[0], c.s1}, {c.threads[1], c.ins}, {c.threads[2], c.s2}} {
			for _, op := range []string{"DELETE", "report"} {
				p := w.freshReply(fresh.th, fresh.by, "Fresh reply")
				hidden := !a.anon && a.role(c) != "" && !seesPost(a, p)
				if op == "DELETE" {
					del := rule{need: staffOnly, c: c, hidden: hidden, ownerMay: true, owner: fresh.by == a, ok: 204}
					m.check(a, expect(a, del), "DELETE", fmt.Sprintf("/api/v1/posts/%d", p.id), nil)
				} else {
					m.check(a, expect(a, rule{need: member, c: c, hidden: hidden, ok: 201}), "POST", fmt.Sprintf("/api/v1/posts/%d/report", p.id), map[string]any{"reason": "spam"})
				}
			}
		}
		m.check(a, expect(a, rule{need: staffOnly, c: c, ok: 204}), "POST", fmt.Sprintf("/api/v1/reports/%d/resolve", c.report), nil)
	}
}

// mediaRoutes: every upload of c (these routes name the media only).
func (m *matrix) mediaRoutes(c *course) {
	w := m.w
	for _, a := range w.actors {
		for _, md := range c.medias {
			stu := a.role(c) == student
			hidden := stu && (md.hidden || md.owner != nil && a != md.owner)
			locked := stu && md.locked
			rl := func(n need, ok int, conflict ...int) rule {
				return rule{need: n, c: c, hidden: hidden, locked: locked, ok: ok, conflict: conflict}
			}
			path := fmt.Sprintf("/api/v1/media/%d", md.id)
			m.check(a, expect(a, rl(member, 200)), "GET", path, nil)
			m.check(a, expect(a, rl(member, 200)), "GET", path+"/captions", nil)
			var conflict []int
			if !md.playable {
				conflict = []int{404}
			}
			m.check(a, expect(a, rl(member, 200, conflict...)), "GET", path+"/captions/en", nil)
			conflict = nil
			if !md.playable {
				conflict = []int{409}
			}
			m.upload(a, expect(a, rl(staffOnly, 201, conflict...)), path+"/captions?lang=en&label=English", "text/vtt", []byte(vtt))
		}
		// Captions to delete, each time.
		w.upload(c.ins, 201, fmt.Sprintf("/api/v1/media/%d/captions?lang=de", c.video.id), "text/vtt", []byte(vtt))
		m.check(a, expect(a, rule{need: staffOnly, c: c, ok: 204}), "DELETE", fmt.Sprintf("/api/v1/media/%d/captions/de", c.video.id), nil)

		// Deleting a file: staff any of their course, the uploader a file
		// for a submission that no submission used; files an item shows or
		// a submission used stay (409). Each deletion needs a file of its
		// own: a course file no item shows (hidden from students) and the
		// second student's spare submission upload.
		stu := a.role(c) == student
		spare := w.upload(c.ins, 201, fmt.Sprintf("/api/v1/courses/%d/media?filename=spare.pdf", c.id), "application/pdf", pdfFile("spare for "+a.name)).ID()
		m.check(a, expect(a, rule{need: staffOnly, c: c, hidden: stu, ok: 204}), "DELETE", fmt.Sprintf("/api/v1/media/%d", spare), nil)
		mine := w.upload(c.s2, 201, fmt.Sprintf("/api/v1/courses/%d/media?purpose=submission&filename=draft.pdf", c.id), "application/pdf", pdfFile("draft for "+a.name)).ID()
		m.check(a, expect(a, rule{need: staffOnly, c: c, hidden: stu && a != c.s2, ownerMay: true, owner: a == c.s2, ok: 204}),
			"DELETE", fmt.Sprintf("/api/v1/media/%d", mine), nil)
		m.check(a, expect(a, rule{need: staffOnly, c: c, conflict: []int{409}, ok: 204}), "DELETE", fmt.Sprintf("/api/v1/media/%d", c.pdf.id), nil)
		m.check(a, expect(a, rule{need: staffOnly, c: c, hidden: stu && a != c.s1, ownerMay: true, owner: a == c.s1, conflict: []int{409}, ok: 204}),
			"DELETE", fmt.Sprintf("/api/v1/media/%d", c.subFile.id), nil)
	}
}

// objectsInBodies: ids of the other course's objects inside request bodies
// are refused (400) to those who may act, and never reach the other course.
func (m *matrix) objectsInBodies(c, other *course) {
	w := m.w
	base := fmt.Sprintf("/api/v1/courses/%d", c.id)
	for _, a := range w.actors {
		m.check(a, expect(a, rule{need: staffOnly, c: c, ok: 400}), "POST", base+"/extensions",
			map[string]any{"user_id": other.s1.u.ID, "module_id": other.modOpen, "due_at": "2027-03-01T00:00:00Z"})
		m.check(a, expect(a, rule{need: staffOnly, c: c, ok: 400}), "POST", base+"/extensions",
			map[string]any{"user_id": c.s1.u.ID, "module_id": other.modOpen, "due_at": "2027-03-01T00:00:00Z"})
		m.check(a, expect(a, rule{need: staffOnly, c: c, ok: 400}), "POST", base+"/nudges",
			map[string]any{"user_ids": []uint64{other.s1.u.ID}, "message": "Psst"})
		for _, kind := range []string{"lecture", "file"} {
			m.check(a, expect(a, rule{need: instructorOnly, c: c, ok: 400}), "POST", fmt.Sprintf("%s/modules/%d/items", base, c.modSandbox),
				map[string]any{"kind": kind, "title": "Stolen", "media_id": other.video.id})
		}
		// A submission may carry only the student's own file of this course.
		for _, f := range []*media{other.subFile, c.pdf} {
			stu := rule{need: studentOnly, c: c, ok: 400}
			m.check(a, expect(a, stu), "POST", fmt.Sprintf("%s/items/%d/submissions", base, c.byName["assignment"].id),
				map[string]any{"body": "x", "media_id": f.id})
		}
		// The answer of a thread must be a reply in that thread.
		th := c.threads[0]
		ans := rule{need: staffOnly, c: c, ok: 400, ownerMay: true, owner: !a.anon && th.author == a.u.ID}
		m.check(a, expect(a, ans), "POST", fmt.Sprintf("/api/v1/threads/%d/answer", th.id), map[string]any{"post_id": other.threads[0].reply})
	}
}

// userRoutes are the routes about the caller themselves.
func (m *matrix) userRoutes() {
	w := m.w
	cal := map[*actor]string{}
	for _, a := range w.actors {
		ok := func(code int) []int { return expect(a, rule{need: anyUser, ok: code}) }
		m.check(a, ok(200), "GET", "/api/v1/me", nil)
		name := "x"
		if !a.anon {
			name = a.u.Name
		}
		m.check(a, ok(200), "PATCH", "/api/v1/me", map[string]any{"name": name})
		m.check(a, ok(200), "GET", "/api/v1/me/deadlines", nil)
		m.check(a, ok(200), "GET", "/api/v1/me/pace", nil)
		m.check(a, ok(200), "GET", "/api/v1/me/invitations", nil)
		m.check(a, ok(200), "POST", "/api/v1/me/calendar-token", nil)
		if r := m.check(a, ok(200), "GET", "/api/v1/me/calendar-token", nil); r.Status == 200 {
			var v struct {
				URL string `json:"url"`
			}
			r.Decode(&v)
			cal[a] = strings.TrimPrefix(v.URL, "http://pacer.test")
		}
		m.check(a, ok(200), "GET", "/api/v1/me/email-preferences", nil)
		m.check(a, ok(200), "PUT", "/api/v1/me/email-preferences", map[string]any{"reply": true})
		m.check(a, ok(200), "PATCH", "/api/v1/me/email-preferences", map[string]any{"reply": true})
		m.check(a, ok(200), "GET", "/api/v1/notifications", nil)
		m.check(a, ok(204), "POST", "/api/v1/notifications/read", map[string]any{"all": true})
		m.check(a, ok(200), "GET", "/api/v1/courses", nil)
		m.check(a, ok(201), "POST", "/api/v1/courses", map[string]any{"title": "Mine", "published": false})
		m.check(a, ok(200), "POST", "/api/v1/markdown/preview", map[string]any{"body": "*hi*"})
		m.check(a, []int{200}, "GET", "/healthz", nil)
		m.check(a, []int{200}, "GET", "/readyz", nil)
		m.check(a, []int{404}, "GET", "/calendar/not-a-token.ics", nil)
		m.check(a, []int{404}, "GET", "/api/v1/no-such-route", nil)
	}
	// The account routes are open to anyone; a signed-in caller who sends
	// someone else's refresh token to logout ends nothing of theirs.
	for i, a := range w.actors {
		email := fmt.Sprintf("acct%d@example.test", i)
		m.check(a, []int{201}, "POST", "/api/v1/auth/register", map[string]any{"email": email, "password": "long enough pw", "name": "Acct"})
		r := m.check(a, []int{200}, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "long enough pw"})
		var tok struct {
			Access  string `json:"access_token"`
			Refresh string `json:"refresh_token"`
		}
		if r.Status != 200 {
			continue
		}
		r.Decode(&tok)
		r = m.check(a, []int{200}, "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": tok.Refresh})
		if r.Status == 200 {
			r.Decode(&tok)
		}
		if !a.anon {
			m.check(a, []int{204}, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": tok.Refresh})
			m.tried++
			if r := w.env.Do("GET", "/api/v1/me", tok.Access, nil); r.Status != 200 {
				m.fail("%s logged out another user's sign-in with its refresh token: their token now gets %d", a.name, r.Status)
			}
		}
		m.check(w.anon, []int{204}, "POST", "/api/v1/auth/logout", map[string]any{"refresh_token": tok.Refresh})
		m.tried++
		if r := w.env.Do("GET", "/api/v1/me", tok.Access, nil); r.Status != 401 {
			m.fail("a logout with the refresh token left its access token working (%d)", r.Status)
		}
	}
	// Logging out ended each caller's own sign-in too; sign them in again.
	w.relogin()
	// A calendar feed is for anyone holding its secret URL, and only that.
	for _, owner := range w.actors {
		if cal[owner] == "" {
			continue
		}
		for _, a := range w.actors {
			m.check(a, []int{200}, "GET", cal[owner], nil)
		}
		m.check(w.anon, []int{404}, "GET", strings.Replace(cal[owner], "/calendar/", "/calendar/x", 1), nil)
	}
}

// adminRoutes are for administrators only.
func (m *matrix) adminRoutes() {
	w := m.w
	for _, a := range w.actors {
		adm := func(code int) []int { return expect(a, rule{need: adminOnly, ok: code}) }
		m.check(a, adm(200), "GET", "/api/v1/admin/audit", nil)
		m.check(a, adm(200), "GET", "/api/v1/admin/users", nil)
		m.check(a, adm(200), "GET", "/api/v1/admin/jobs", nil)
		// PostgreSQL's backups are its own: the route answers an
		// administrator 409 there, and still refuses everyone else.
		backup := 200
		if w.env.Server.DB == nil {
			backup = 409
		}
		m.check(a, adm(backup), "GET", "/api/v1/admin/backup", nil)
		m.check(a, adm(200), "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", w.a.throwaway.ID), map[string]any{"disabled": false})
		m.check(a, adm(200), "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", w.a.throwaway.ID), map[string]any{"can_create_courses": false})
		m.check(a, adm(200), "GET", "/api/v1/admin/settings", nil)
		m.check(a, adm(200), "PATCH", "/api/v1/admin/settings", map[string]any{"course_creation": "anyone"})
		m.check(a, adm(200), "GET", "/api/v1/admin/outbox", nil)
		m.check(a, adm(200), "GET", "/api/v1/admin/audit?action=login&actor=1&course=1", nil)
		m.check(a, adm(200), "POST", "/api/v1/admin/jobs/deadline_reminders/run", nil)
		m.check(a, adm(404), "POST", "/api/v1/admin/jobs/no_such_job/run", nil)
	}
	// With course_creation "creators", only administrators and granted
	// users create courses: everyone else is 403.
	w.do(w.adm, 200, "PATCH", "/api/v1/admin/settings", map[string]any{"course_creation": "creators"})
	for _, a := range w.actors {
		want := []int{403}
		switch {
		case a.anon:
			want = []int{401}
		case a.admin:
			want = []int{201}
		}
		m.check(a, want, "POST", "/api/v1/courses", map[string]any{"title": "Restricted", "published": false})
	}
	w.do(w.adm, 200, "PATCH", "/api/v1/admin/settings", map[string]any{"course_creation": "anyone"})
}

// qaRepliesStayHidden: in a Q&A thread, a student who has not replied gets
// the thread without other people's replies, and search does not find them.
func (m *matrix) qaRepliesStayHidden() {
	w := m.w
	for _, c := range w.courses {
		th := c.threads[1]
		if !th.qa {
			m.t.Fatalf("the second thread of %s is not the Q&A one", c.tag)
		}
		for _, a := range []*actor{c.s1, c.s2, c.ta, c.ins} {
			m.tried++
			r := w.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d", th.id), a.token(), nil)
			body := string(r.Body)
			for _, p := range th.posts {
				shown := strings.Contains(body, fmt.Sprintf(`"id":%d,`, p.id))
				if shown != seesPost(a, p) {
					m.fail("%s GET /api/v1/threads/%d: post %q shown=%v, want %v", a.name, th.id, p.name, shown, seesPost(a, p))
				}
			}
			m.tried++
			r = w.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/search?q=qa+post", c.id), a.token(), nil)
			for _, p := range th.posts {
				found := strings.Contains(string(r.Body), fmt.Sprintf(`"post_id":%d`, p.id))
				if found && !seesPost(a, p) {
					m.fail("%s search finds the hidden Q&A reply %q: %s", a.name, p.name, short(r.Body))
				}
			}
		}
	}
}

// othersNotificationsCannotBeMarked: marking another user's notification
// read is accepted (the ids are simply not the caller's) and changes
// nothing.
func (m *matrix) othersNotificationsCannotBeMarked() {
	w := m.w
	victim := w.a.s1
	var list struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Read bool   `json:"read"`
		} `json:"items"`
		Unread int `json:"unread"`
	}
	w.do(victim, 200, "GET", "/api/v1/notifications", nil).Decode(&list)
	if list.Unread == 0 || len(list.Items) == 0 {
		m.t.Fatalf("the victim has no unread notification to protect")
	}
	var ids []uint64
	for _, n := range list.Items {
		ids = append(ids, n.ID)
	}
	for _, a := range []*actor{w.outsider, w.a.ins, w.a.s2, w.b.ins, w.adm} {
		m.check(a, []int{204}, "POST", "/api/v1/notifications/read", map[string]any{"ids": ids})
	}
	var after struct {
		Unread int `json:"unread"`
	}
	w.do(victim, 200, "GET", "/api/v1/notifications", nil).Decode(&after)
	if after.Unread != list.Unread {
		m.fail("others marked the victim's notifications read: unread %d → %d", list.Unread, after.Unread)
	}
}

// nothingOfTheOtherCourseChanged: after every attack, each course's world
// objects are still there for its own instructor.
func (m *matrix) nothingOfTheOtherCourseChanged() {
	w := m.w
	for _, c := range w.courses {
		base := fmt.Sprintf("/api/v1/courses/%d", c.id)
		for _, mod := range []uint64{c.modOpen, c.modLocked, c.modHidden, c.modSandbox} {
			if r := w.env.Do("GET", fmt.Sprintf("%s/modules/%d", base, mod), c.ins.token(), nil); r.Status != 200 {
				m.fail("module %d of %s is gone: %d", mod, c.tag, r.Status)
			}
		}
		for _, it := range c.items {
			if r := w.env.Do("GET", fmt.Sprintf("%s/items/%d", base, it.id), c.ins.token(), nil); r.Status != 200 {
				m.fail("item %q of %s is gone: %d", it.name, c.tag, r.Status)
			}
		}
		r := w.env.Do("GET", base+"/members", c.ins.token(), nil)
		for _, a := range []*actor{c.ins, c.ta, c.s1, c.s2} {
			if !strings.Contains(string(r.Body), fmt.Sprintf(`"user_id":%d,`, a.u.ID)) || !strings.Contains(string(r.Body), `"role":"`+a.role(c)+`"`) {
				m.fail("%s is no longer a %s of %s: %s", a.name, a.role(c), c.tag, short(r.Body))
			}
		}
	}
}
