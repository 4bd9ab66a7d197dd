package frontend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pacer/api"
	"pacer/auth"
	"pacer/deadlines"
	"pacer/modules"
)

// TestBrowserResubmittingKeepsTheGradedAttempt is issue 13's browser test
// of a newcomer's run: Sam hands in an answer with a PDF, the work is
// graded 8.5 of 10 with Markdown feedback, Sam tries a file that is not
// accepted (the typed answer stays, the message names the types in words),
// is asked to confirm before handing in over graded work (the box is
// required, so the form does not go without it), and hands in a text-only
// attempt. Attempt 1 stays with its file, score and rendered feedback, and
// its grade counts until attempt 2 is graded; the instructor sees both
// attempts and the new work in "To grade".
func TestBrowserResubmittingKeepsTheGradedAttempt(t *testing.T) {
	a := startApp(t)
	now := a.Clock.Now()
	start := now.Add(-24 * time.Hour) // Week 1 is due in six days

	ada, err := a.Srv.Auth.CreateUser(context.Background(), auth.NewUser{Email: "ada@example.test", Password: "correct horse battery", Name: "Ada Lovelace"}, false)
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	pacing, tz, yes := "scheduled", "UTC", true
	c, err := a.Srv.Courses.CreateCourse(context.Background(), ada.ID, modules.CourseInput{Title: str("Statistics"), Pacing: &pacing,
		StartsAt: &start, Timezone: &tz, Published: &yes})
	if err != nil {
		t.Fatal(err)
	}
	in := modules.ModuleInput{Title: str("Week 1")}
	in.Week.Set, in.Week.Value = true, 1
	w1, err := a.Srv.Courses.CreateModule(context.Background(), ada.ID, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	kind, points := modules.KindAssignment, 10.0
	essay, err := a.Srv.Courses.CreateItem(context.Background(), ada.ID, c.ID, w1.ID, modules.ItemInput{Kind: &kind, Title: str("Spread of a data set"),
		Body: str("Describe the spread."), Points: &points})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{"analysis.pdf": "%PDF-1.4\n% analysis\n%%EOF\n", "tool.exe": "MZ\x90\x00\x03\x00"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	sam := a.browser()
	sam.signUp("Sam Student")
	course := fmt.Sprintf("/courses/%d", c.ID)
	item := fmt.Sprintf("%s/items/%d", course, essay.ID)
	sam.visit(course)
	sam.submit("form[action='" + course + "/enroll'] button[type=submit]")
	sam.waitText(".flash", "You are enrolled")

	sam.visit(item)
	sam.fill("#f-body", "The IQR is 4.")
	sam.do("choose the PDF", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{filepath.Join(dir, "analysis.pdf")}))
	sam.submit("form.submit-form button[type=submit]")
	sam.waitText(".flash", "Submitted on time.")

	subs, err := a.Srv.Deadlines.ListSubmissions(context.Background(), ada.ID, c.ID, essay.ID, api.Page{})
	if err != nil || len(subs.Items) != 1 {
		t.Fatalf("submissions = %+v, %v", subs, err)
	}
	score, feedback := 8.5, "Good: you used the **IQR**."
	if _, err := a.Srv.Deadlines.Grade(context.Background(), ada.ID, c.ID, subs.Items[0].ID, deadlines.GradeInput{Score: &score, Feedback: &feedback}); err != nil {
		t.Fatal(err)
	}

	sam.visit(item)
	sam.waitText("[data-submission]", "8.5 of 10")
	sam.waitText("[data-grade]", "Your grade: 8.5 of 10")
	if got := sam.text("[data-submission] .feedback strong"); got != "IQR" {
		t.Fatalf("feedback is not rendered: %q", got)
	}
	sam.waitText("[data-confirm-replace]", "Handing in again makes a new attempt")

	// A file that is not accepted: the answer stays, the types are named
	// in words.
	sam.fill("#f-body", "Text only, the better version.")
	sam.check("#f-confirm_replace")
	sam.do("choose the program", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{filepath.Join(dir, "tool.exe")}))
	if st := sam.submit("form.submit-form button[type=submit]"); st != 415 {
		t.Fatalf("an .exe: status %d", st)
	}
	sam.waitText("#f-file-error", "PDF, images, audio, video, Word")
	if !sam.eval(`document.querySelector("#f-body").value === "Text only, the better version."`) {
		t.Fatal("the typed answer is lost after a refused file")
	}

	// Without the confirmation the browser keeps the form.
	if sam.eval(`document.querySelector("#f-confirm_replace").checked`) {
		t.Fatal("the confirmation is ticked again after a refused file")
	}
	if sam.eval(`document.querySelector("form.submit-form").checkValidity()`) {
		t.Fatal("the form would go without the confirmation")
	}
	sam.check("#f-confirm_replace")
	sam.submit("form.submit-form button[type=submit]")
	sam.waitText(".flash", "This is attempt 2; your earlier attempts are kept below.")

	sam.waitText("[data-grade]", "Your grade: 8.5 of 10")
	sam.waitText("[data-grade]", "from attempt 1")
	sam.waitText("[data-needs-grading]", "Attempt 2 is not graded yet")
	sam.waitText("[data-attempts] [data-attempt='1']", "Score 8.5 of 10")
	sam.waitText("[data-attempts] [data-attempt='1']", "The attached file")
	sam.waitText("[data-attempts] [data-attempt='2']", "Not graded")
	if got := sam.text("[data-attempts] [data-attempt='1'] .feedback strong"); got != "IQR" {
		t.Fatalf("attempt 1's feedback: %q", got)
	}
	link := sam.attr("[data-attempts] [data-attempt='1'] a[href^='/api/v1/media/']", "href")
	if !sam.eval(fmt.Sprintf(`(() => { const x = new XMLHttpRequest(); x.open("GET", %q, false); x.send(); return x.status === 200 && x.responseText.startsWith("%%PDF-"); })()`, link)) {
		t.Fatalf("attempt 1's file %s cannot be read", link)
	}

	// The instructor sees what to grade and both attempts.
	inst := a.browser()
	inst.signIn("ada@example.test", "correct horse battery")
	inst.visit("/dashboard")
	inst.waitText("[data-to-grade]", "Spread of a data set")
	inst.submit("[data-to-grade] a.item-row__title")
	inst.waitText("h1", "Submissions: Spread of a data set")
	inst.waitText("tbody", "attempt 2")
	inst.click("[data-earlier] summary")
	inst.waitText("[data-earlier] [data-attempt='1']", "Score 8.5 of 10")
}
