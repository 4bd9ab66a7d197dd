package frontend_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserTwoPeopleTalkInAThreadAndUnreadBadgesFollow is issue 4's
// browser test: an instructor starts a thread; a student sees it as new,
// opens it and replies; the instructor answers under the student's reply;
// the student sees an unread badge on the board, opens the thread (the new
// reply is marked and nested under theirs), and the badge is gone.
func TestBrowserTwoPeopleTalkInAThreadAndUnreadBadgesFollow(t *testing.T) {
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

	// Ada starts a thread on the general board, from the Discussions tab.
	ada.visit(course)
	ada.submit(".tabs a[href='" + course + "/discussions']")
	ada.submit(".board-card__title a")
	ada.fill("#f-title", "Study group for week 1")
	ada.fill("#f-body-new", "Who wants to meet on **Tuesday**?")
	ada.submit("#new-thread button[type=submit]")
	ada.waitText(".flash", "Thread started")
	ada.waitText(".thread-opening .post__body strong", "Tuesday")
	thread := ada.path()

	// Sam sees the thread as new, opens it and replies, with a preview
	// first.
	sam.visit(course + "/discussions")
	sam.submit(".board-card__title a")
	board := sam.path()
	sam.waitText(".thread-row [data-unread]", "1 new")
	sam.submit(".thread-row__title a")
	sam.waitText("h1", "Study group for week 1")
	sam.fill("#f-body-top", "Count me in, *Ada*!")
	sam.click("[data-md-preview='f-body-top']")
	sam.waitText("#f-body-top-preview em", "Ada")
	sam.submit(".reply-form button[type=submit]")
	sam.waitText(".flash", "Reply posted")
	sam.visit(board)
	if sam.eval(`!!document.querySelector("[data-unread]")`) {
		t.Fatal("Sam's board still shows the thread as unread after reading and replying")
	}

	// Ada sees Sam's reply as new and answers under it.
	ada.visit(board)
	ada.waitText(".thread-row [data-unread]", "1 new")
	ada.submit(".thread-row__title a")
	samPost := ada.attr(".thread-replies .post", "id")
	if !strings.HasPrefix(samPost, "post-") {
		t.Fatalf("Sam's post has id %q", samPost)
	}
	ada.waitText("#"+samPost+" .badge--new", "New")
	ada.click("#" + samPost + " .post__reply > summary")
	field := "#f-body-p" + strings.TrimPrefix(samPost, "post-")
	ada.fill(field, "Great, see you at 10.")
	ada.submit("#" + samPost + " .post__reply button[type=submit]")
	ada.waitText(".flash", "Reply posted")
	if got := ada.path(); !strings.HasPrefix(got, thread+"#post-") {
		t.Fatalf("after replying Ada is at %q, want her reply on %s", got, thread)
	}

	// Sam's board shows one unread post; opening the thread clears it.
	sam.visit(board)
	sam.waitText(".thread-row [data-unread]", "1 new")
	sam.waitText(".thread-row", "2 replies")
	sam.submit(".thread-row__title a")
	sam.waitText("#"+samPost+" .posts--nested .post__body", "Great, see you at 10.")
	sam.waitText("#"+samPost+" .posts--nested .badge--new", "New")
	sam.visit(board)
	sam.waitVisible(".thread-row")
	if sam.eval(`!!document.querySelector("[data-unread]")`) {
		t.Fatal("the unread badge did not clear after Sam opened the thread")
	}
	if sam.eval(`!!document.querySelector(".thread-row--unread")`) {
		t.Fatal("the thread row is still marked unread")
	}

	// For a person to look at: PACER_SCREENSHOTS=/tmp/shots.
	if dir := os.Getenv("PACER_SCREENSHOTS"); dir != "" {
		for name, path := range map[string]string{"discussion-board": board, "discussion-thread": thread,
			"discussion-boards": course + "/discussions"} {
			ada.visit(path)
			ada.screenshot(filepath.Join(dir, name+".png"))
		}
	}
}
