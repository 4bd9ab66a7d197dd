package frontend_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pacer/modules"
)

// TestBrowserInstructorMessagesAFlaggedLearner is issue 6's browser test:
// a student enrols and then stays away for eight days; the instructor opens
// the course's At risk tab, sees the student flagged inactive with the
// reason, and messages them from their row; the student finds the message
// among their notifications.
func TestBrowserInstructorMessagesAFlaggedLearner(t *testing.T) {
	a := startApp(t)

	ada := a.browser()
	ada.signUp("Ada Lovelace")
	ada.visit("/courses/new")
	ada.fill("#f-title", "Statistics")
	ada.check("#f-published")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText(".flash", "Course created")
	course := ada.path()

	// One module with a page, so the learner has a next step.
	id, err := strconv.ParseUint(strings.TrimPrefix(course, "/courses/"), 10, 64)
	if err != nil {
		t.Fatalf("course path %q", course)
	}
	cv, err := a.Srv.Courses.Course(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	title, kind, body := "Week 1", "page", "Read this first."
	mod, err := a.Srv.Courses.CreateModule(context.Background(), cv.CreatedBy, id, modules.ModuleInput{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	item := "Variables"
	if _, err := a.Srv.Courses.CreateItem(context.Background(), cv.CreatedBy, id, mod.ID, modules.ItemInput{Kind: &kind, Title: &item, Body: &body}); err != nil {
		t.Fatal(err)
	}

	sam := a.browser()
	sam.signUp("Sam Student")
	sam.visit("/courses")
	sam.submit("form[action='" + course + "/enroll'] button[type=submit]")
	sam.waitText(".flash", "You are enrolled")

	// Eight days pass without Sam.
	a.Clock.Advance(8 * 24 * time.Hour)

	ada.visit(course)
	ada.submit(".tabs a[href='" + course + "/at-risk']")
	ada.waitText("h1", "Learners at risk")
	ada.waitText(".risk-row th", "Sam Student")
	ada.waitText(".risk-row .badges", "Inactive")
	ada.waitText(".risk-row .risk-reasons", "no activity for 8 days")
	ada.submit(".risk-row a.btn")
	ada.waitText("h1", "Message Sam Student")
	ada.fill("#f-message", "We miss you in Statistics! Start with Variables.")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText(".flash", "Message sent to 1 learner")
	if got := ada.path(); got != course+"/at-risk" {
		t.Fatalf("after sending Ada is at %q", got)
	}

	sam.visit("/notifications")
	sam.waitText(".notice--unread .notice__title", "Ada Lovelace sent you a message in Statistics")
	sam.waitText(".notice--unread .notice__body", "We miss you in Statistics! Start with Variables.")
	sam.visit("/dashboard")
	sam.waitText("[data-pace]", "You have not started yet; next: “Variables” in Week 1")

	// For a person to look at: PACER_SCREENSHOTS=/tmp/shots.
	if dir := os.Getenv("PACER_SCREENSHOTS"); dir != "" {
		ada.visit(course + "/at-risk")
		ada.screenshot(filepath.Join(dir, "engagement-at-risk.png"))
		sam.screenshot(filepath.Join(dir, "engagement-dashboard.png"))
		sam.visit("/notifications/email")
		sam.screenshot(filepath.Join(dir, "engagement-email.png"))
	}
}
