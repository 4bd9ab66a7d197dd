package securitytest_test

// The same role rules hold for the web pages: every page, as every actor, on
// every object of the world (and on the other course's objects under a
// course's URL), answers what the contract's rules say, with a signed-out
// visitor sent to the sign-in page.

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// pageCase is one page and the oracle's answer for an actor.
type pageCase struct {
	path string
	want func(a *actor) []int
}

// expectPage is expect for pages: signed-out visitors are redirected to
// the sign-in page (303) instead of 401.
func expectPage(a *actor, r rule) []int {
	if a.anon {
		return []int{303}
	}
	return expect(a, r)
}

// pageCases lists every GET page of the world.
func pageCases(w *world) []pageCase {
	var out []pageCase
	add := func(path string, want func(a *actor) []int) { out = append(out, pageCase{path, want}) }
	fixed := func(anon, signedIn int) func(a *actor) []int {
		return func(a *actor) []int {
			if a.anon {
				return []int{anon}
			}
			return []int{signedIn}
		}
	}
	add("/", fixed(200, 303))
	add("/signin", fixed(200, 303))
	add("/signup", fixed(200, 303))
	add("/courses", fixed(200, 200))
	for _, p := range []string{"/dashboard", "/account", "/notifications", "/notifications/email", "/deadlines", "/courses/new"} {
		add(p, fixed(303, 200))
	}
	// The administrators' console answers others 403, as the admin API.
	for _, p := range []string{"/admin", "/admin/users", "/admin/users?q=a", "/admin/settings", "/admin/audit",
		"/admin/audit?action=login&actor=1", "/admin/jobs", "/admin/outbox", "/admin/outbox?state=sent"} {
		add(p, func(a *actor) []int { return expectPage(a, rule{need: adminOnly, ok: 200}) })
	}
	for _, c := range w.courses {
		c := c
		other := w.a
		if c == w.a {
			other = w.b
		}
		base := fmt.Sprintf("/courses/%d", c.id)
		r := func(n need) func(a *actor) []int {
			return func(a *actor) []int { return expectPage(a, rule{need: n, c: c, ok: 200}) }
		}
		add(base, func(a *actor) []int {
			switch {
			case a.anon:
				return []int{303}
			case a.role(c) == "" && !c.published:
				return []int{404}
			}
			return []int{200}
		})
		for _, pn := range []struct {
			path string
			n    need
		}{
			{"/edit", instructorOnly}, {"/modules/new", instructorOnly}, {"/members", staffOnly}, {"/extensions", staffOnly},
			{"/media", staffOnly}, {"/at-risk", staffOnly}, {"/at-risk/message?flag=inactive", staffOnly}, {"/at-risk?pace=behind1", staffOnly}, {"/discussions", member},
			{"/discussions/search?q=post", member}, {"/discussions/reports", staffOnly}, {"/files", member},
			{"/announcements", member},
		} {
			add(base+pn.path, r(pn.n))
		}
		type mod struct {
			id            uint64
			hidden, cross bool
		}
		for _, md := range []mod{{c.modOpen, false, false}, {c.modLocked, false, false}, {c.modHidden, true, false},
			{other.modOpen, false, true}, {other.modHidden, true, true}} {
			md := md
			mr := func(n need) func(a *actor) []int {
				return func(a *actor) []int {
					return expectPage(a, rule{need: n, c: c, cross: md.cross, hidden: md.hidden && a.role(c) == student, ok: 200})
				}
			}
			p := fmt.Sprintf("%s/modules/%d", base, md.id)
			add(p, mr(member))
			add(p+"/edit", mr(instructorOnly))
			add(p+"/items/new?kind=page", mr(instructorOnly))
			add(p+"/assignments/new", mr(instructorOnly))
		}
		for _, it := range append(slices.Clone(c.items), other.items...) {
			it := it
			cross := !slices.Contains(c.items, it)
			ir := func(n need, conflict ...int) func(a *actor) []int {
				return func(a *actor) []int {
					stu := a.role(c) == student
					return expectPage(a, rule{need: n, c: c, cross: cross, hidden: stu && it.hidden, locked: stu && it.locked, conflict: conflict, ok: 200})
				}
			}
			p := fmt.Sprintf("%s/items/%d", base, it.id)
			add(p, ir(member))
			add(p+"/edit", ir(instructorOnly))
			var notAssignment []int
			if it.kind != "assignment" {
				notAssignment = []int{404}
			}
			add(p+"/submissions", ir(staffOnly, notAssignment...))
			add(p+"/assignment", ir(instructorOnly, notAssignment...))
		}
		for _, b := range []uint64{c.general, c.qaBoard, other.general} {
			cross := b == other.general
			add(fmt.Sprintf("%s/boards/%d", base, b), func(a *actor) []int {
				return expectPage(a, rule{need: member, c: c, cross: cross, ok: 200})
			})
		}
		for _, th := range append(slices.Clone(c.threads), other.threads...) {
			th := th
			cross := th.c != c
			tr := func(ok int) func(a *actor) []int {
				return func(a *actor) []int {
					stu := a.role(c) == student
					r := rule{need: member, c: c, cross: cross, ok: ok}
					if th.item != nil && stu {
						r.hidden, r.locked = th.item.hidden, th.item.locked
					}
					return expectPage(a, r)
				}
			}
			add(fmt.Sprintf("%s/threads/%d", base, th.id), tr(200))
			if !cross {
				// The short link of notifications sends members on.
				add(fmt.Sprintf("/threads/%d", th.id), tr(303))
			}
		}
		for _, p := range append(slices.Clone(c.posts), other.posts...) {
			p := p
			cross := p.thread.c != c
			pr := func(n need) func(a *actor) []int {
				return func(a *actor) []int {
					stu := a.role(c) == student
					r := rule{need: n, c: c, cross: cross, ok: 200, ownerMay: true, owner: p.author == a}
					if n == member {
						r.ownerMay = false
					}
					if th := p.thread; th.item != nil && stu {
						r.hidden, r.locked = th.item.hidden, th.item.locked
					}
					if !r.hidden && !r.locked && !a.anon && a.role(p.thread.c) != "" && !seesPost(a, p) {
						r.hidden = true
					}
					return expectPage(a, r)
				}
			}
			add(fmt.Sprintf("%s/posts/%d/edit", base, p.id), pr(staffOnly))
			add(fmt.Sprintf("%s/posts/%d/report", base, p.id), pr(member))
		}
	}
	return out
}

func TestEveryPageAnswersEveryActorAsTheRolesSay(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	cases := pageCases(w)
	for _, a := range w.actors {
		for _, pc := range cases {
			m.tried++
			p := w.page(a, "GET", pc.path, nil)
			want := pc.want(a)
			if !slices.Contains(want, p.Status) {
				m.fail("%s GET %s: got %d want %s", a.name, pc.path, p.Status, statuses(want))
			}
			if p.Status == 303 && a.anon && !strings.HasPrefix(p.Location, "/signin") && pc.path != "/" {
				m.fail("anonymous GET %s: sent to %q, not to the sign-in page", pc.path, p.Location)
			}
		}
	}
	m.report("pages, by role")
}

// TestFormsRefuseObjectsOfAnotherCourse posts every form that names an
// object, with a valid CSRF token, under one course's URL with the other
// course's objects: the answer is 404 (403 when the caller's role in the
// URL's course forbids the form anyway), and the other course is
// unchanged.
func TestFormsRefuseObjectsOfAnotherCourse(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	fields := func(tok string, other *course) url.Values {
		return url.Values{"_csrf": {tok}, "title": {"Hacked"}, "body": {"Hacked"}, "summary": {"Hacked"}, "score": {"1"},
			"feedback": {"Hacked"}, "reason": {"Hacked"}, "role": {"instructor"}, "dir": {"up"}, "kind": {"page"},
			"on": {"1"}, "post_id": {fmt.Sprint(other.threads[0].reply)}, "module": {fmt.Sprint(other.modOpen)},
			"lang": {"en"}, "label": {"Hacked"}, "due_at": {"2027-06-01T00:00"}, "points": {"10"}}
	}
	for _, c := range w.courses {
		other := w.a
		if c == w.a {
			other = w.b
		}
		base := fmt.Sprintf("/courses/%d", c.id)
		for _, a := range w.actors {
			tok := ""
			if !a.anon {
				tok = w.csrf(a)
			}
			post := func(n need, path string, owner bool) {
				m.tried++
				r := rule{need: n, c: c, cross: true, ok: 303, ownerMay: owner, owner: owner}
				want := expectPage(a, r)
				p := w.page(a, "POST", path, fields(tok, other))
				if !slices.Contains(want, p.Status) {
					m.fail("%s POST %s: got %d want %s", a.name, path, p.Status, statuses(want))
				}
			}
			for _, op := range []string{"edit", "move", "items/new", "assignments/new"} {
				post(instructorOnly, fmt.Sprintf("%s/modules/%d/%s", base, other.modOpen, op), false)
			}
			doomed := w.env.Module(other.ins.u, other.id, map[string]any{"title": "Keep me"})
			post(instructorOnly, fmt.Sprintf("%s/modules/%d/delete", base, doomed), false)
			page, assignment := other.byName["page"], other.byName["assignment"]
			for _, op := range []string{"edit", "move"} {
				post(instructorOnly, fmt.Sprintf("%s/items/%d/%s", base, page.id, op), false)
			}
			post(instructorOnly, fmt.Sprintf("%s/items/%d/assignment", base, assignment.id), false)
			post(studentOnly, fmt.Sprintf("%s/items/%d/complete", base, page.id), false)
			post(studentOnly, fmt.Sprintf("%s/items/%d/submit", base, assignment.id), false)
			doomedItem := w.env.Item(other.ins.u, other.id, other.modOpen, map[string]any{"title": "Keep me too"})
			post(instructorOnly, fmt.Sprintf("%s/items/%d/delete", base, doomedItem), false)
			post(staffOnly, fmt.Sprintf("%s/submissions/%d/grade", base, other.sub2), false)
			post(staffOnly, fmt.Sprintf("%s/extensions/%d/delete", base, other.ext), false)
			post(member, fmt.Sprintf("%s/boards/%d", base, other.general), false)
			gen := other.threads[0]
			post(member, fmt.Sprintf("%s/threads/%d/replies", base, gen.id), false)
			post(staffOnly, fmt.Sprintf("%s/threads/%d/pin", base, gen.id), false)
			post(staffOnly, fmt.Sprintf("%s/threads/%d/lock", base, gen.id), false)
			post(member, fmt.Sprintf("%s/threads/%d/subscription", base, gen.id), false)
			post(staffOnly, fmt.Sprintf("%s/threads/%d/answer", base, gen.id), !a.anon && gen.author == a.u.ID)
			target := gen.posts[1]
			post(staffOnly, fmt.Sprintf("%s/posts/%d/edit", base, target.id), target.author == a)
			post(staffOnly, fmt.Sprintf("%s/posts/%d/endorse", base, target.id), false)
			fresh := w.freshReply(gen, other.s2, "Keep this reply")
			post(member, fmt.Sprintf("%s/posts/%d/report", base, fresh.id), false)
			post(staffOnly, fmt.Sprintf("%s/posts/%d/delete", base, fresh.id), false)
			post(staffOnly, fmt.Sprintf("%s/reports/%d/resolve", base, other.report), false)
			post(staffOnly, fmt.Sprintf("%s/media/%d/captions", base, other.video.id), false)
			post(instructorOnly, fmt.Sprintf("%s/media/%d/items", base, other.video.id), false)
			post(staffOnly, fmt.Sprintf("%s/media/%d/delete", base, other.unusedFile.id), false)
			invitation := w.do(other.ins, 201, "POST", fmt.Sprintf("/api/v1/courses/%d/invitations", other.id),
				map[string]any{"email": "keep-me@example.test", "role": "student"}).ID()
			post(instructorOnly, fmt.Sprintf("%s/invitations/%d/revoke", base, invitation), false)
			// A member of the other course is no member here: removing them is 404.
			post(instructorOnly, fmt.Sprintf("%s/members/%d/remove", base, other.s2.u.ID), false)
		}
		// The other course's invitation outlived every attempt.
		var pending struct {
			Items []struct {
				Email string `json:"email"`
			} `json:"items"`
		}
		w.do(other.ins, 200, "GET", fmt.Sprintf("/api/v1/courses/%d/invitations", other.id), nil).Decode(&pending)
		if len(pending.Items) != 1 || pending.Items[0].Email != "keep-me@example.test" {
			m.fail("the invitations of %s changed: %+v", other.tag, pending.Items)
		}
	}
	m.report("forms with objects of another course")
}

// TestCourseFormsAnswerEveryActorAsTheRolesSay posts the forms that name
// only their course (an announcement, following every thread), with a
// valid CSRF token, as every actor: staff succeed (303 back to a page),
// students get 403, others 404, signed-out visitors the sign-in page.
func TestCourseFormsAnswerEveryActorAsTheRolesSay(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	for _, c := range w.courses {
		base := fmt.Sprintf("/courses/%d", c.id)
		for _, a := range w.actors {
			tok := ""
			if !a.anon {
				tok = w.csrf(a)
			}
			for _, form := range []struct {
				path   string
				fields url.Values
			}{
				{base + "/announcements", url.Values{"title": {"News"}, "body": {"From " + a.name}}},
				{base + "/discussions/follow", url.Values{"on": {"1"}}},
			} {
				m.tried++
				form.fields.Set("_csrf", tok)
				want := expectPage(a, rule{need: staffOnly, c: c, ok: 303})
				p := w.page(a, "POST", form.path, form.fields)
				if !slices.Contains(want, p.Status) {
					m.fail("%s POST %s: got %d want %s", a.name, form.path, p.Status, statuses(want))
				}
			}
		}
	}
	m.report("forms of a course, by role")
}

// TestLifecycleAndAdminFormsAnswerEveryActor posts the course lifecycle
// forms (copy, archive and its undo, delete) and the console's forms as
// every actor, with a valid CSRF token: instructors and administrators are
// answered (a redirect), everyone else as the roles say.
func TestLifecycleAndAdminFormsAnswerEveryActor(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	for _, a := range w.actors {
		tok := ""
		if !a.anon {
			tok = w.csrf(a)
		}
		post := func(r rule, path string, form url.Values) {
			m.tried++
			form.Set("_csrf", tok)
			want := expectPage(a, r)
			if p := w.page(a, "POST", path, form); !slices.Contains(want, p.Status) {
				m.fail("%s POST %s: got %d want %s", a.name, path, p.Status, statuses(want))
			}
		}
		for _, c := range w.courses {
			base := fmt.Sprintf("/courses/%d", c.id)
			ins := rule{need: instructorOnly, c: c, ok: 303}
			post(ins, base+"/copy", url.Values{"title": {"Copy of " + c.tag}})
			post(ins, base+"/archive", url.Values{})
			post(ins, base+"/unarchive", url.Values{})
			// Published, with members: refused with a message (303 back).
			post(ins, base+"/delete", url.Values{"confirm": {"1"}})
			// Removing someone who is no member is 404 to an instructor.
			post(rule{need: instructorOnly, c: c, conflict: []int{404}}, fmt.Sprintf("%s/members/%d/remove", base, uint64(1)<<40), url.Values{})
		}
		adm := rule{need: adminOnly, ok: 303}
		post(adm, "/admin/settings", url.Values{"course_creation": {"anyone"}})
		post(adm, fmt.Sprintf("/admin/users/%d", w.a.throwaway.ID), url.Values{"can_create_courses": {"0"}})
		post(adm, "/admin/jobs/deadline_reminders/run", url.Values{})
	}
	// Every course is writable again and still has its people.
	m.nothingOfTheOtherCourseChanged()
	for _, c := range w.courses {
		if r := w.env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", c.id), c.ins.token(), map[string]any{"description": "still mine"}); r.Status != 200 {
			m.fail("%s is not writable after the forms: %d", c.tag, r.Status)
		}
	}
	m.report("lifecycle and console forms")
}
