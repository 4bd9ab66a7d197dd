package frontend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pacer/demo"
	"pacer/notify"
)

// TestBrowserScreenshots saves full-page screenshots of the main pages, on a
// desktop and a 390 px phone, light and dark, for people to look at. It runs
// only when PACER_SCREENSHOTS names a directory:
//
//	PACER_SCREENSHOTS=/tmp/shots go test ./frontend/ -run Screenshots
func TestBrowserScreenshots(t *testing.T) {
	dir := os.Getenv("PACER_SCREENSHOTS")
	if dir == "" {
		t.Skip("set PACER_SCREENSHOTS=DIR to save screenshots of the pages")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
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
	course := fmt.Sprintf("/courses/%d", list[0].ID)
	mods, err := a.Srv.Courses.ListModules(context.Background(), teacher.ID, list[0].ID)
	if err != nil || len(mods) < 3 {
		t.Fatalf("demo modules: %v", err)
	}
	second, err := a.Srv.Courses.GetModule(context.Background(), teacher.ID, list[0].ID, mods[1].ID)
	if err != nil || len(second.Items) == 0 {
		t.Fatalf("demo module: %v", err)
	}
	third, _ := a.Srv.Courses.GetModule(context.Background(), teacher.ID, list[0].ID, mods[2].ID)
	module := fmt.Sprintf("%s/modules/%d", course, second.ID)
	item := fmt.Sprintf("%s/items/%d", course, second.Items[0].ID)

	for _, n := range []notify.Notification{
		{UserID: student.ID, CourseID: list[0].ID, Kind: notify.KindModuleOpened, Title: "Week 2 is open", Body: second.Title + " is open now. It is due in a week.", Link: module},
		{UserID: student.ID, CourseID: list[0].ID, Kind: notify.KindDeadlineSoon, Title: "Due soon: " + second.Title, Body: "Two items left.", Link: module},
	} {
		if _, err := a.Srv.Notify.Add(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}

	type shot struct {
		who, name, path string
	}
	shots := []shot{
		{"anon", "home", "/"},
		{"anon", "signin", "/signin"},
		{"anon", "catalogue", "/courses"},
		{"student", "dashboard", "/dashboard"},
		{"student", "course", course},
		{"student", "module", module},
		{"student", "item", item},
		{"teacher", "dashboard", "/dashboard"},
		{"teacher", "course", course},
		{"teacher", "module", module},
		{"teacher", "members", course + "/members"},
		{"teacher", "settings", course + "/edit"},
		{"teacher", "module-form", module + "/edit"},
		{"teacher", "item-form", item + "/edit"},
		{"teacher", "account", "/account"},
		{"teacher", "notifications", "/notifications"},
		{"student", "notifications", "/notifications"},
		{"student", "catalogue", "/courses"},
	}
	if len(third.Items) > 0 {
		shots = append(shots, shot{"student", "locked-item", fmt.Sprintf("%s/items/%d", course, third.Items[0].ID)})
	}
	browsers := map[string]*browser{"anon": a.browser(), "student": a.browser(), "teacher": a.browser()}
	browsers["student"].Name = "student"
	browsers["student"].signIn(student.Email, student.Password)
	browsers["teacher"].Name = "teacher"
	browsers["teacher"].signIn(teacher.Email, teacher.Password)

	only := os.Getenv("PACER_SCREENSHOTS_ONLY")
	for _, scheme := range []string{"light", "dark"} {
		for _, size := range []struct {
			name string
			w, h int64
		}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
			for _, s := range shots {
				name := fmt.Sprintf("%s-%s-%s-%s.png", s.who, s.name, size.name, scheme)
				if only != "" && !strings.Contains(name, only) {
					continue
				}
				b := browsers[s.who]
				b.viewport(size.w, size.h, size.name == "phone")
				b.colorScheme(scheme)
				b.visit(s.path)
				b.screenshot(filepath.Join(dir, name))
			}
		}
	}
}
