package frontend_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pacer/pacertest"
)

func TestTheAdminConsoleIsForAdministratorsOnly(t *testing.T) {
	env := pacertest.New(t)
	admin, user := env.Admin(), env.Register("Uma")
	u := signedIn(t, env, user)
	if p := u.get("/dashboard"); strings.Contains(p.Body, `href="/admin"`) {
		t.Errorf("a non-admin's navigation links to the console")
	}
	for _, path := range []string{"/admin", "/admin/users", "/admin/settings", "/admin/audit", "/admin/jobs", "/admin/outbox"} {
		wantStatus(t, "non-admin GET "+path, u.get(path), 403)
		if p := newClient(t, env).get(path); p.Status != 303 || !strings.HasPrefix(p.Header.Get("Location"), "/signin") {
			t.Errorf("anonymous GET %s: %d %s", path, p.Status, p.Header.Get("Location"))
		}
	}
	tok := u.token("/dashboard")
	wantStatus(t, "non-admin settings form", u.post("/admin/settings", form("_csrf", tok, "course_creation", "creators")), 403)
	wantStatus(t, "non-admin grant form", u.post(fmt.Sprintf("/admin/users/%d", user.ID), form("_csrf", tok, "can_create_courses", "1")), 403)

	a := signedIn(t, env, admin)
	p := a.get("/dashboard")
	if !p.has(`href="/admin"`) {
		t.Errorf("the admin's navigation has no console link")
	}
	wantStatus(t, "admin settings without a token", a.post("/admin/settings", form("course_creation", "creators")), 403)
	atok := a.token("/admin/settings")
	wantRedirect(t, "settings", a.post("/admin/settings", form("_csrf", atok, "course_creation", "creators")), "/admin/settings")
	if st, _ := env.Server.Auth.SiteSettings(context.Background()); st.CourseCreation != "creators" {
		t.Fatalf("course_creation = %q", st.CourseCreation)
	}
	wantStatus(t, "a bad setting", a.post("/admin/settings", form("_csrf", atok, "course_creation", "all")), 400)

	// Without a grant, no "New course" and 403 on its page.
	if p := u.get("/courses"); p.has(`href="/courses/new"`) {
		t.Errorf("the catalogue offers New course to someone who may not")
	}
	wantStatus(t, "new course page without a grant", u.get("/courses/new"), 403)
	p = a.get("/admin/users?q=uma")
	if !p.has(user.Email) || p.has(admin.Email) {
		t.Fatalf("search: %s", snippet(p.Body))
	}
	wantRedirect(t, "grant", a.post(fmt.Sprintf("/admin/users/%d", user.ID), form("_csrf", atok, "q", "uma", "can_create_courses", "1")), "/admin/users?q=uma")
	if p := u.get("/courses"); !p.has(`href="/courses/new"`) {
		t.Errorf("the catalogue hides New course from a creator")
	}
	wantStatus(t, "new course page with a grant", u.get("/courses/new"), 200)
	wantRedirect(t, "disable", a.post(fmt.Sprintf("/admin/users/%d", user.ID), form("_csrf", atok, "disabled", "1")), "/admin/users")
	if p := u.get("/dashboard"); p.Status == 200 {
		t.Errorf("a disabled account still sees its dashboard")
	}
	// The admin's own account cannot be disabled.
	a.post(fmt.Sprintf("/admin/users/%d", admin.ID), form("_csrf", atok, "disabled", "1"))
	wantStatus(t, "admin still signed in", a.get("/admin"), 200)

	p = a.get("/admin/audit?action=course_creation_granted")
	if !p.has("course_creation_granted") || p.has("<code>user_disabled</code>") {
		t.Errorf("audit filter: %s", snippet(p.Body))
	}
	wantStatus(t, "bad audit filter", a.get("/admin/audit?actor=x"), 400)

	p = a.get("/admin/jobs")
	if !p.has("mail_outbox") {
		t.Fatalf("jobs: %s", snippet(p.Body))
	}
	wantRedirect(t, "run a job", a.post("/admin/jobs/mail_outbox/run", form("_csrf", atok)), "/admin/jobs")
	wantStatus(t, "run an unknown job", a.post("/admin/jobs/nope/run", form("_csrf", atok)), 404)
	wantStatus(t, "outbox", a.get("/admin/outbox?state=pending"), 200)
}

func TestInstructorsCopyArchiveAndDeleteFromSettings(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	courseID, _, _ := course(t, env, ins, stu)
	i, s := signedIn(t, env, ins), signedIn(t, env, stu)
	edit := fmt.Sprintf("/courses/%d/edit", courseID)
	tok := i.token(edit)
	stok := s.token("/dashboard")
	wantStatus(t, "student copies", s.post(fmt.Sprintf("/courses/%d/copy", courseID), form("_csrf", stok, "title", "x")), 403)
	wantStatus(t, "student archives", s.post(fmt.Sprintf("/courses/%d/archive", courseID), form("_csrf", stok)), 403)

	p := i.post(fmt.Sprintf("/courses/%d/copy", courseID), form("_csrf", tok, "title", "Statistics 2027", "starts_at", ""))
	if p.Status != 303 {
		t.Fatalf("copy: %d %s", p.Status, snippet(p.Body))
	}
	copyEdit := p.Header.Get("Location")
	var copyID uint64
	if _, err := fmt.Sscanf(copyEdit, "/courses/%d/edit", &copyID); err != nil || copyID == courseID {
		t.Fatalf("copy went to %q", copyEdit)
	}
	wantStatus(t, "copy settings", i.get(copyEdit), 200)
	wantRedirect(t, "delete unconfirmed", i.post(fmt.Sprintf("/courses/%d/delete", copyID), form("_csrf", tok)), copyEdit)
	wantRedirect(t, "delete", i.post(fmt.Sprintf("/courses/%d/delete", copyID), form("_csrf", tok, "confirm", "1")), "/dashboard")
	wantStatus(t, "deleted copy", i.get(copyEdit), 404)
	// The original has a student: deleting it is refused with a message.
	env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", courseID), ins.Token, map[string]any{"published": false})
	wantRedirect(t, "delete with a student", i.post(fmt.Sprintf("/courses/%d/delete", courseID), form("_csrf", tok, "confirm", "1")), edit)
	if p := i.get(edit); !p.has("members other than its instructor") {
		t.Errorf("no reason shown: %s", snippet(p.Body))
	}

	wantRedirect(t, "archive", i.post(fmt.Sprintf("/courses/%d/archive", courseID), form("_csrf", tok)), fmt.Sprintf("/courses/%d", courseID))
	if p := s.get(fmt.Sprintf("/courses/%d", courseID)); p.Status != 200 || !p.has("data-archived") || p.has("/leave") {
		t.Errorf("the student's course page: %d", p.Status)
	}
	if p := i.get(fmt.Sprintf("/courses/%d", courseID)); !p.has("Unarchive it") || p.has("/modules/new") {
		t.Errorf("the instructor's archived course page offers editing: %s", snippet(p.Body))
	}
	// A leave form posted anyway is refused with a message, not as the
	// last instructor's.
	wantRedirect(t, "leave an archived course", s.post(fmt.Sprintf("/courses/%d/leave", courseID), form("_csrf", stok)), fmt.Sprintf("/courses/%d", courseID))
	if p := s.get(fmt.Sprintf("/courses/%d", courseID)); !p.has("nobody joins or leaves it") {
		t.Errorf("no reason for the refused leave")
	}
	if p := i.get(edit); !p.has("Unarchive course") || p.has("Save settings") {
		t.Errorf("the archived course's settings: %s", snippet(p.Body))
	}
	wantRedirect(t, "unarchive", i.post(fmt.Sprintf("/courses/%d/unarchive", courseID), form("_csrf", tok)), fmt.Sprintf("/courses/%d", courseID))
	if p := i.get(edit); !p.has("Save settings") {
		t.Errorf("settings after unarchiving")
	}
}

func TestInstructorsRemoveAMemberFromTheMembersPage(t *testing.T) {
	env := pacertest.New(t)
	ins, stu, other := env.Register("Ines"), env.Register("Stu"), env.Register("Otto")
	courseID, moduleID, _ := course(t, env, ins, stu)
	env.Enroll(other, courseID)
	i, s := signedIn(t, env, ins), signedIn(t, env, stu)
	members := fmt.Sprintf("/courses/%d/members", courseID)
	tok := i.token(members)
	wantStatus(t, "a student removes", s.post(fmt.Sprintf("%s/%d/remove", members, other.ID), form("_csrf", s.token("/dashboard"))), 403)
	wantStatus(t, "remove without a token", i.post(fmt.Sprintf("%s/%d/remove", members, stu.ID), form()), 403)
	wantRedirect(t, "remove the last instructor", i.post(fmt.Sprintf("%s/%d/remove", members, ins.ID), form("_csrf", tok)), members)
	if p := i.get(members); !p.has("at least one instructor") {
		t.Errorf("no reason for keeping the last instructor")
	}
	wantRedirect(t, "remove", i.post(fmt.Sprintf("%s/%d/remove", members, stu.ID), form("_csrf", tok)), members)
	if p := i.get(members); p.has(stu.Email) || !p.has(other.Email) {
		t.Errorf("the removed student is still listed")
	}
	wantStatus(t, "the removed student's course page", s.get(fmt.Sprintf("/courses/%d/modules/%d", courseID, moduleID)), 404)
}
