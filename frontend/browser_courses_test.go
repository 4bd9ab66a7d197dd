package frontend_test

import (
	"strings"
	"testing"
)

// TestBrowserInstructorBuildsACourseAndAStudentWorksThroughIt is issue 2's
// browser test: an instructor signs up and builds a course with a module and
// a page; a second person signs in, enrols, opens the page and sees their
// progress change.
func TestBrowserInstructorBuildsACourseAndAStudentWorksThroughIt(t *testing.T) {
	a := startApp(t)

	ada := a.browser()
	ada.signUp("Ada Lovelace")

	ada.visit("/courses/new")
	ada.fill("#f-title", "Statistics <for> everyone")
	ada.fill("#f-description", "Learn to **reason** about data.")
	ada.check("#f-published")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText(".flash", "Course created")
	ada.waitText(".course-band__title", "Statistics <for> everyone")
	course := ada.path()
	if !strings.HasPrefix(course, "/courses/") {
		t.Fatalf("after creating a course the browser is at %q", course)
	}

	ada.submit("a[href='" + course + "/modules/new']")
	ada.fill("#f-title", "Week 1: Looking at data")
	ada.fill("#f-summary", "What a data set is.")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText("h1", "Week 1: Looking at data")

	ada.submit("a[href$='/items/new?kind=page']")
	ada.fill("#f-title", "Variables and observations")
	ada.fill("#f-body", "A data set is a **table** of observations.")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText(".item h1", "Variables and observations")
	ada.waitText(".prose strong", "table")

	// A second person, in a browser of their own.
	sam := a.browser()
	sam.signUp("Sam Student")
	sam.signOut()
	sam.signIn(sam.Email, sam.Password)

	sam.visit("/courses")
	sam.waitText(".card-grid", "Statistics <for> everyone")
	sam.submit("form[action='" + course + "/enroll'] button[type=submit]")
	sam.waitText(".flash", "You are enrolled")
	sam.waitText(".progress-card", "0 of 1 item done")
	if v := sam.attr(".progress-card progress", "value"); v != "0" {
		t.Fatalf("course progress before reading = %q, want 0", v)
	}
	sam.waitText(".timeline", "Week 1: Looking at data")
	sam.waitText(".module-card .badges", "Open")

	sam.submit(".module-card__title a")
	sam.waitText(".item-list", "Not started")
	sam.submit(".item-row__title")
	sam.waitText(".item h1", "Variables and observations")
	sam.waitText("[data-item-status]", "Completed")
	sam.waitText(".pager__next", "Back to the course")

	sam.submit(".pager__next")
	sam.waitText(".progress-card", "1 of 1 item done")
	if v := sam.attr(".progress-card progress", "value"); v != "100" {
		t.Fatalf("course progress after reading = %q, want 100", v)
	}
	sam.waitText(".module-card .badges", "Completed")

	sam.visit("/dashboard")
	sam.waitText(".course-card", "100%")

	// The instructor sees the new student among the members.
	ada.visit(course + "/members")
	ada.waitText("table", "Sam Student")
	ada.waitText("table", "Student")
}

// TestBrowserFormsShowFieldErrorsAndKeepInput checks the sign-up form's
// errors as a person sees them: the message by the field, their input kept,
// the password not echoed.
func TestBrowserFormsShowFieldErrorsAndKeepInput(t *testing.T) {
	b := newBrowser(t)
	b.visit("/signup")
	b.fill("#f-name", "Grace Hopper")
	b.fill("#f-email", "grace@example.test")
	b.fill("#f-password", "short")
	if st := b.submit("form[action='/signup'] button[type=submit]"); st != 400 {
		t.Fatalf("sign-up with a short password: status %d, want 400", st)
	}
	b.waitText("#f-password-error", "at least 8 characters")
	if got := b.attr("#f-password", "aria-invalid"); got != "true" {
		t.Errorf("password field aria-invalid = %q", got)
	}
	if !b.eval(`document.querySelector("#f-name").value === "Grace Hopper" && document.querySelector("#f-password").value === ""`) {
		t.Error("the name was not kept, or the password was sent back")
	}
	// The field with the error has the keyboard focus (app.js).
	if !b.eval(`document.activeElement && document.activeElement.id === "f-password"`) {
		t.Error("focus is not on the field with the error")
	}
}

// TestBrowserSignedOutVisitorReturnsToThePageAfterSigningIn follows the
// ?next= round trip.
func TestBrowserSignedOutVisitorReturnsToThePageAfterSigningIn(t *testing.T) {
	a := startApp(t)
	b := a.browser()
	b.signUp("Lin Learner")
	b.signOut()
	b.visit("/account")
	if p := b.path(); p != "/signin?next=%2Faccount" {
		t.Fatalf("signed-out visit to /account landed on %q", p)
	}
	b.fill("#f-email", b.Email)
	b.fill("#f-password", b.Password)
	b.submit("form[action='/signin'] button[type=submit]")
	b.waitText("h1", "Your account")
	if p := b.path(); p != "/account" {
		t.Fatalf("after signing in the browser is at %q, want /account", p)
	}
}

// TestBrowserStaffAreInvitedByEmailAndChooseToJoin is issue 12's browser
// test: an instructor invites a person by e-mail address from the members
// page, the invitee accepts on their dashboard and becomes a TA, and a TA
// may leave the course again from its page.
func TestBrowserStaffAreInvitedByEmailAndChooseToJoin(t *testing.T) {
	a := startApp(t)
	ada := a.browser()
	ada.signUp("Ada Lovelace")
	ada.visit("/courses/new")
	ada.fill("#f-title", "Probability")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText(".flash", "Course created")
	course := ada.path()

	tia := a.browser()
	tia.signUp("Tia Assistant")

	ada.visit(course + "/members")
	ada.waitText("#add-h", "Invite by e-mail")
	ada.fill("#f-email", tia.Email)
	ada.setValue("#f-role", "ta")
	ada.submit("form[action='" + course + "/invitations'] button[type=submit]")
	ada.waitText(".flash", "Invitation sent")
	ada.waitText(".invitations", tia.Email)
	ada.waitText("table", "Ada Lovelace")
	if strings.Contains(ada.text("table"), "Tia Assistant") {
		t.Fatal("the invitee is a member before accepting")
	}

	tia.visit("/dashboard")
	tia.waitText(".invitations", "Probability")
	tia.submit(".invitations form[action$='/accept'] button[type=submit]")
	tia.waitText(".flash", "Invitation accepted")
	tia.waitText(".course-card", "Probability")

	ada.visit(course + "/members")
	ada.waitText("table", "Tia Assistant")

	tia.visit(course)
	tia.click("details.danger-zone summary")
	tia.submit("form[action='" + course + "/leave'] button[type=submit]")
	tia.waitText(".flash", "You have left Probability")
}
