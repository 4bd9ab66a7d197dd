package frontend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pacer/modules"
)

// TestBrowserCohortOverviewLeadsToTheStudents is issue 13's browser test
// of the cohort overview: two students enrol in a course with a one-week
// module; one does it, the other does not; eight days later the
// instructor's course home shows where the class is, and the number of
// students past due on Week 1 opens the at-risk list of exactly that one.
func TestBrowserCohortOverviewLeadsToTheStudents(t *testing.T) {
	a := startApp(t)
	ada := a.browser()
	ada.signUp("Ada Lovelace")
	ada.visit("/courses/new")
	ada.fill("#f-title", "Statistics")
	ada.check("#f-published")
	ada.submit("form.form-sheet button[type=submit]")
	ada.waitText(".flash", "Course created")
	course := ada.path()
	id, err := strconv.ParseUint(strings.TrimPrefix(course, "/courses/"), 10, 64)
	if err != nil {
		t.Fatalf("course path %q", course)
	}
	cv, err := a.Srv.Courses.Course(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	title, kind, body, week := "Week 1", "page", "Read this first.", 1
	mod, err := a.Srv.Courses.CreateModule(context.Background(), cv.CreatedBy, id, modules.ModuleInput{Title: &title, Week: modules.Nullable[int]{Set: true, Value: week}})
	if err != nil {
		t.Fatal(err)
	}
	name := "Variables"
	item, err := a.Srv.Courses.CreateItem(context.Background(), cv.CreatedBy, id, mod.ID, modules.ItemInput{Kind: &kind, Title: &name, Body: &body})
	if err != nil {
		t.Fatal(err)
	}

	for _, who := range []string{"Sam Student", "Tia Student"} {
		s := a.browser()
		s.signUp(who)
		s.visit("/courses")
		s.submit("form[action='" + course + "/enroll'] button[type=submit]")
		s.waitText(".flash", "You are enrolled")
		if who == "Tia Student" {
			s.visit(fmt.Sprintf("%s/items/%d", course, item.ID))
			s.waitText("h1", "Variables")
		}
	}
	a.Clock.Advance(8 * 24 * time.Hour)

	ada.visit(course)
	ada.waitText(".cohort h2", "Where the class is")
	ada.waitText(".cohort", "2 students")
	ada.waitText(".cohort__modules li", "Week 1")
	ada.waitText(".cohort__modules li", "1 completed")
	ada.waitText(".cohort__modules li", "1 past due without it")
	ada.waitText(".cohort-row", "1 one week behind")
	if !ada.eval(`document.querySelector(".cohort__modules .cohort-bar").getBoundingClientRect().width > 50`) {
		t.Errorf("the module's bar is not drawn")
	}
	if dir := os.Getenv("PACER_SCREENSHOTS"); dir != "" {
		ada.screenshot(filepath.Join(dir, "cohort-overview.png"))
	}
	ada.submit(`.cohort__modules a[data-count="overdue"]`)
	ada.waitText("h1", "Learners at risk")
	ada.waitText("#risk-cohort", "past due on “Week 1” without it: 1 student")
	if got, want := ada.path(), fmt.Sprintf("%s/at-risk?module=%d&state=overdue", course, mod.ID); got != want {
		t.Errorf("the count led to %q, want %q", got, want)
	}
	ada.waitText(".risk-table tbody", "Sam Student")
	if ada.eval(`document.querySelector(".risk-table tbody").innerText.includes("Tia Student")`) {
		t.Errorf("Tia, who did Week 1, is on the list of those past due")
	}
}
