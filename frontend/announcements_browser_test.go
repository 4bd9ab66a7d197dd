package frontend_test

import (
	"strings"
	"testing"
)

// TestBrowserAnAnnouncementReachesAStudentsCourseHomeAndNotifications:
// an instructor posts an announcement from the course home; a student
// sees it on the course home, has a notification of it, and its link
// leads to the announcement.
func TestBrowserAnAnnouncementReachesAStudentsCourseHomeAndNotifications(t *testing.T) {
	a := startApp(t)

	ada := a.browser()
	ada.signUp("Ada Lovelace")
	ada.visit("/courses/new")
	ada.fill("#f-title", "Statistics")
	ada.check("#f-published")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText(".flash", "Course created")
	course := ada.path()

	sam := a.browser()
	sam.signUp("Sam Student")
	sam.visit("/courses")
	sam.submit("form[action='" + course + "/enroll'] button[type=submit]")
	sam.waitText(".flash", "You are enrolled")

	ada.visit(course)
	ada.submit(".announcements-home a[href='" + course + "/announcements']")
	ada.fill("#f-title", "Week 2 starts Monday")
	ada.fill("#f-body", "Read **chapter 3** first.")
	ada.submit("form[action='" + course + "/announcements'] button[type=submit]")
	ada.waitText(".flash", "Announcement posted")

	sam.visit(course)
	sam.waitText(".announcements-home .announcement h3", "Week 2 starts Monday")
	sam.waitText(".announcements-home .announcement .prose strong", "chapter 3")
	sam.waitText(".announcements-home .announcement .meta", "Ada Lovelace")

	sam.visit("/notifications")
	sam.waitText(".notice--unread .notice__title a", "Statistics: Week 2 starts Monday")
	sam.submit(".notice--unread .notice__title a")
	if got := sam.path(); !strings.HasPrefix(got, course+"/announcements#announcement-") {
		t.Fatalf("the notification led to %q", got)
	}
	id := strings.TrimPrefix(sam.path(), course+"/announcements#")
	sam.waitText("#"+id+" h3", "Week 2 starts Monday")
	if sam.eval(`!!document.querySelector("form[action$='/announcements']")`) {
		t.Error("the student is offered the posting form")
	}
}
