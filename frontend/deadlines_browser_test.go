package frontend_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pacer/auth"
	"pacer/modules"
)

// TestBrowserStudentSubmitsLateToAWeekWindow is issue 3's browser test: a
// student sees a week locked with its reason (its opening time, and a week
// that needs the one before), submits the assignment of a week whose due
// time passed a day ago, and sees it marked late with its penalty; the
// next week then unlocks.
func TestBrowserStudentSubmitsLateToAWeekWindow(t *testing.T) {
	a := startApp(t)
	now := a.Clock.Now()
	// The course started eight days ago: Week 1 was due yesterday (late
	// work is accepted for two days, 10 % per started day), Week 2 is open
	// but needs Week 1, Week 3 opens in six days.
	start := now.Add(-8 * 24 * time.Hour)

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
	module := func(title string, week int, pre ...uint64) modules.Module {
		in := modules.ModuleInput{Title: str(title)}
		in.Week.Set, in.Week.Value = true, week
		if pre != nil {
			in.Prerequisites = &pre
		}
		m, err := a.Srv.Courses.CreateModule(context.Background(), ada.ID, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	w1 := module("Week 1: Looking at data", 1)
	w2 := module("Week 2: Summaries", 2, w1.ID)
	w3 := module("Week 3: Spread", 3)
	kind, points := modules.KindAssignment, 10.0
	essay, err := a.Srv.Courses.CreateItem(context.Background(), ada.ID, c.ID, w1.ID, modules.ItemInput{Kind: &kind, Title: str("Describe a data set"),
		Body: str("Pick a data set and describe its **variables**."), Points: &points})
	if err != nil {
		t.Fatal(err)
	}
	page := modules.KindPage
	for _, m := range []modules.Module{w2, w3} {
		if _, err := a.Srv.Courses.CreateItem(context.Background(), ada.ID, c.ID, m.ID, modules.ItemInput{Kind: &page, Title: str("Reading for " + m.Title)}); err != nil {
			t.Fatal(err)
		}
	}

	sam := a.browser()
	sam.signUp("Sam Student")
	course := fmt.Sprintf("/courses/%d", c.ID)
	sam.visit(course)
	sam.submit("form[action='" + course + "/enroll'] button[type=submit]")
	sam.waitText(".flash", "You are enrolled")

	// The locked weeks say why.
	w3Opens := start.Add(14 * 24 * time.Hour).UTC().Format("Mon 2 Jan 2006, 15:04 MST")
	sam.waitText(fmt.Sprintf("#module-%d .lock-note", w3.ID), "Opens "+w3Opens)
	sam.waitText(fmt.Sprintf("#module-%d .lock-note", w2.ID), "Complete 'Week 1: Looking at data' first")
	sam.waitText(fmt.Sprintf("#module-%d .badges", w1.ID), "Overdue")

	// The assignment says submitting now is late, and takes the work.
	sam.visit(fmt.Sprintf("%s/items/%d", course, essay.ID))
	sam.waitText(".item h1", "Describe a data set")
	sam.waitText("[data-accepts]", "Late now: 10% penalty")
	sam.fill("#f-body", "The data set has *three* variables.")
	sam.submit("form.submit-form button[type=submit]")
	sam.waitText(".flash", "Submitted late: a 10% penalty applies.")
	sam.waitText("[data-submission]", "Late · 10% penalty")
	sam.waitText("[data-item-status]", "Completed")

	// With Week 1 done, Week 2 opens.
	sam.visit(course)
	sam.waitText(fmt.Sprintf("#module-%d .badges", w1.ID), "Completed")
	sam.waitText(fmt.Sprintf("#module-%d .badges", w2.ID), "Open")

	// The deadlines page agrees.
	sam.visit("/deadlines")
	sam.waitText("#done-h + .item-list", "Week 1: Looking at data")
	sam.waitText("#upcoming-h + .item-list", "Week 2: Summaries")
}
