package frontend_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pacer/auth"
	"pacer/modules"
)

// TestBrowserInstructorCopiesAndArchivesACourse: an instructor copies a
// finished course for the next term from its settings page, finds its
// modules in the copy, then archives the original, which its student can
// still read but no longer change.
func TestBrowserInstructorCopiesAndArchivesACourse(t *testing.T) {
	a := startApp(t)
	ada := a.browser()
	ada.signUp("Ada Lovelace")
	uid := a.userID(ada.Email)
	title, pub := "Statistics 2026", true
	c, err := a.Srv.Courses.CreateCourse(context.Background(), uid, modules.CourseInput{Title: &title, Published: &pub})
	if err != nil {
		t.Fatal(err)
	}
	mt := "Week 1: Looking at data"
	if _, err := a.Srv.Courses.CreateModule(context.Background(), uid, c.ID, modules.ModuleInput{Title: &mt}); err != nil {
		t.Fatal(err)
	}
	sam := a.browser()
	sam.signUp("Sam Student")
	if _, err := a.Srv.Courses.Enroll(context.Background(), c.ID, a.userID(sam.Email), "", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}

	ada.visit(fmt.Sprintf("/courses/%d/edit", c.ID))
	ada.waitText("#lifecycle-h", "Copy, archive or delete")
	ada.fill("form[action$='/copy'] #f-title", "Statistics 2027")
	ada.submit("form[action$='/copy'] button[type=submit]")
	ada.waitText(".flash", "is a copy of")
	copyEdit := ada.path()
	if copyEdit == fmt.Sprintf("/courses/%d/edit", c.ID) || !strings.HasSuffix(copyEdit, "/edit") {
		t.Fatalf("after copying the browser is at %q", copyEdit)
	}
	ada.waitText(".course-band__title", "Statistics 2027")
	ada.visit(strings.TrimSuffix(copyEdit, "/edit"))
	ada.waitText(".timeline", "Week 1: Looking at data")
	ada.visit(strings.TrimSuffix(copyEdit, "/edit") + "/members")
	ada.waitText("table", "Ada Lovelace")
	if strings.Contains(ada.text("table"), "Sam Student") {
		t.Fatalf("the copy took the original's student along")
	}

	ada.visit(fmt.Sprintf("/courses/%d/edit", c.ID))
	ada.submit("form[action$='/archive'] button[type=submit]")
	ada.waitText(".flash", "is archived")
	ada.waitText("[data-archived]", "This course is archived")

	sam.visit(fmt.Sprintf("/courses/%d", c.ID))
	sam.waitText("[data-archived]", "nothing can be changed")
	sam.waitText(".timeline", "Week 1: Looking at data")
	sam.visit("/courses")
	sam.waitText("#mine-h", "Your courses")
	sam.waitText(".card-grid", "Statistics 2026")
}

// TestBrowserAdministratorUsesTheConsole: an administrator follows the
// console link, finds a user, restricts course creation and allows that
// user to create courses, reads it in the audit log and runs a job.
func TestBrowserAdministratorUsesTheConsole(t *testing.T) {
	a := startApp(t)
	uma := a.browser()
	uma.signUp("Uma User")
	if _, err := a.Srv.Auth.CreateUser(context.Background(), auth.NewUser{Email: "root@example.test", Password: "correct horse battery staple", Name: "Root Admin"}, true); err != nil {
		t.Fatal(err)
	}
	root := a.browser()
	root.signIn("root@example.test", "correct horse battery staple")
	root.submit("a[href='/admin']")
	root.waitText("h1", "Administration")

	root.submit(".admin-tabs a[href='/admin/settings']")
	root.click("input[name=course_creation][value=creators]")
	root.submit("form[action='/admin/settings'] button[type=submit]")
	root.waitText(".flash", "Site settings saved")

	uma.visit("/dashboard")
	if uma.eval(`!!document.querySelector("a[href='/courses/new']")`) {
		t.Fatalf("New course shows to someone who may not create courses")
	}

	root.visit("/admin/users")
	root.fill("#f-q", "uma")
	root.submit("form[role=search] button[type=submit]")
	root.waitText("table", uma.Email)
	if strings.Contains(root.text("table"), "root@example.test") {
		t.Fatalf("the search for uma lists the administrator")
	}
	root.submit("form input[name=can_create_courses][value='1'] ~ button")
	root.waitText(".flash", "Uma User may now create courses")

	uma.visit("/dashboard")
	uma.submit("a[href='/courses/new']")
	uma.waitText("h1", "Create a course")

	root.visit("/admin/audit")
	root.fill("#f-action", "course_creation_granted")
	root.submit("form.filter-form button[type=submit]")
	root.waitText("table", "course_creation_granted")
	root.waitText("table", "Root Admin")

	root.visit("/admin/jobs")
	root.waitText("table", "mail_outbox")
	root.submit("form[action='/admin/jobs/mail_outbox/run'] button")
	root.waitText(".flash", "mail_outbox ran")
	root.visit("/admin/audit?action=job_run")
	root.waitText("table", "mail_outbox")

	root.visit("/admin/outbox")
	root.waitText("h1", "Mail outbox")
}
