package frontend_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pacer/demo"
	"pacer/notify"
)

// demoSite seeds the sample course and signs in its instructor and a
// student, each in a browser of their own, and lists the course's main
// pages.
type demoSite struct {
	app                            *app
	teacher, student               *browser
	course, module                 string
	item                           string
	teacherOnly, both              []string
	teacherID, studentID, courseID uint64
}

func seedDemo(t *testing.T) *demoSite {
	t.Helper()
	a := startApp(t)
	accounts, err := demo.Seed(a.Srv)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	var teacher, student demo.Account
	for _, acc := range accounts {
		switch acc.Role {
		case "instructor":
			teacher = acc
		case "student":
			student = acc
		}
	}
	list, err := a.Srv.Courses.Courses(context.Background(), teacher.ID)
	if err != nil || len(list) == 0 {
		t.Fatalf("demo course: %v", err)
	}
	mods, err := a.Srv.Courses.ListModules(context.Background(), teacher.ID, list[0].ID)
	if err != nil || len(mods) < 2 {
		t.Fatalf("demo modules: %v", err)
	}
	first, err := a.Srv.Courses.GetModule(context.Background(), teacher.ID, list[0].ID, mods[0].ID)
	if err != nil || len(first.Items) == 0 {
		t.Fatalf("demo module: %v", err)
	}
	d := &demoSite{app: a, course: fmt.Sprintf("/courses/%d", list[0].ID), teacherID: teacher.ID, studentID: student.ID, courseID: list[0].ID}
	d.module = fmt.Sprintf("%s/modules/%d", d.course, first.ID)
	d.item = fmt.Sprintf("%s/items/%d", d.course, first.Items[0].ID)
	d.both = []string{"/dashboard", "/courses", "/deadlines", "/notifications", "/account",
		d.course, d.course + "/discussions", d.course + "/discussions/search?q=median", d.course + "/files", d.module, d.item}
	d.teacherOnly = []string{d.course + "/members", d.course + "/edit", d.course + "/at-risk",
		d.course + "/extensions", d.course + "/media", d.module + "/edit", d.item + "/edit"}
	d.teacher, d.student = a.browser(), a.browser()
	d.teacher.Name, d.student.Name = "teacher", "student"
	d.teacher.signIn(teacher.Email, teacher.Password)
	d.student.signIn(student.Email, student.Password)
	return d
}

// TestBrowserPagesHaveLandmarksAndHeadingsInOrder keeps two of axe-core's
// best-practice rules that the WCAG gate does not cover: all content sits
// in a landmark (the course band was outside every landmark on most course
// pages) and heading levels do not skip (they did on /deadlines).
func TestBrowserPagesHaveLandmarksAndHeadingsInOrder(t *testing.T) {
	d := seedDemo(t)
	anon := d.app.browser()
	anon.Name = "visitor"
	rules := axeRunOnly{Type: "rule", Values: []string{"region", "heading-order", "landmark-unique",
		"landmark-one-main", "landmark-no-duplicate-banner", "landmark-no-duplicate-contentinfo", "page-has-heading-one"}}
	check := func(b *browser, path string) {
		t.Helper()
		b.visit(path)
		list, ok := b.axeViolations(rules)
		if !ok {
			t.Skip("axe-core is not available here: set PACER_AXE_JS")
		}
		if len(list) > 0 {
			t.Errorf("%s sees best-practice violations on %s:\n  %s", b.Name, path, strings.Join(list, "\n  "))
		}
	}
	for _, p := range []string{"/", "/signin", "/signup", "/courses"} {
		check(anon, p)
	}
	for _, p := range d.both {
		check(d.student, p)
		check(d.teacher, p)
	}
	for _, p := range d.teacherOnly {
		check(d.teacher, p)
	}
	// A learner who enrols late sees a missed week on /deadlines.
	d.app.Clock.Advance(60 * 24 * time.Hour)
	check(d.student, "/deadlines")
}

// TestBrowserPhoneMenuFitsA390PixelScreen opens the main pages on a
// 390×844 phone: nothing may stick out sideways (the menu used to be a
// strip that scrolled on its own, with Account and the unread badge past
// the right edge), and Account, the badge and every course tab must be on
// screen.
func TestBrowserPhoneMenuFitsA390PixelScreen(t *testing.T) {
	d := seedDemo(t)
	for _, uid := range []uint64{d.studentID, d.teacherID} {
		if _, err := d.app.Srv.Notify.Add(context.Background(), notify.Notification{UserID: uid, CourseID: d.courseID, Kind: notify.KindModuleOpened,
			Title: "Week 2 is open", Body: "It is due in a week.", Link: d.module}); err != nil {
			t.Fatal(err)
		}
	}
	d.student.viewport(390, 844, true)
	d.teacher.viewport(390, 844, true)
	onScreen := `((sel) => { const e = document.querySelector(sel); if (!e) return false;
		const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
		return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth && s.visibility !== "hidden"; })`
	anon := d.app.browser()
	anon.Name = "visitor"
	anon.viewport(390, 844, true)
	for _, p := range []string{"/", "/signin", "/signup", "/courses"} {
		anon.visit(p)
		if w := step(anon, "read the page width", chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); w > 390 {
			t.Errorf("a visitor on %s: the page is %d px wide on a 390 px screen", p, w)
		}
		if !anon.eval(onScreen + `("a[href='/signup']")`) {
			t.Errorf("a visitor on %s: Create account is not on the 390 px screen", p)
		}
	}
	for _, b := range []*browser{d.student, d.teacher} {
		pages := d.both
		if b == d.teacher {
			pages = append(pages, d.teacherOnly...)
		}
		for _, p := range pages {
			b.visit(p)
			if w := step(b, "read the page width", chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); w > 390 {
				t.Errorf("%s on %s: the page is %d px wide on a 390 px screen", b.Name, p, w)
			}
			for _, sel := range []string{".site-nav a[href='/account']", ".site-nav a[href='/notifications'] .count", "form[action='/signout'] button"} {
				if !b.eval(onScreen + fmt.Sprintf("(%q)", sel)) {
					t.Errorf("%s on %s: %s is not on the 390 px screen", b.Name, p, sel)
				}
			}
			// Every course tab is on screen, none hidden in a strip that
			// scrolls on its own.
			if off := b.eval(`[...document.querySelectorAll(".tabs a")].some(a => { const r = a.getBoundingClientRect();
				return r.left < 0 || r.right > window.innerWidth; })`); off {
				t.Errorf("%s on %s: a course tab is past the edge of the 390 px screen", b.Name, p)
			}
		}
	}
}
