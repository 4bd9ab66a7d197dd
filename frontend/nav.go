package frontend

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/modules"
)

// NavLink is one link of the site header.
type NavLink struct {
	Label string
	Href  string
	// Current marks the link of the section being shown (aria-current).
	Current bool
	// Badge is a count shown beside the label (unread notifications).
	Badge int
}

// siteNav lists the header links. signedIn links show only to signed-in
// users, the others only to visitors. A feature adds its top-level page
// with one line here.
var siteNav = []struct {
	Label, Href string
	SignedIn    bool
	// Admin links show only to administrators.
	Admin bool
	// Prefix marks the link current for every path under it.
	Prefix string
}{
	{Label: "Dashboard", Href: "/dashboard", SignedIn: true, Prefix: "/dashboard"},
	{Label: "Courses", Href: "/courses", SignedIn: true, Prefix: "/courses"},
	{Label: "Deadlines", Href: "/deadlines", SignedIn: true, Prefix: "/deadlines"},
	{Label: "Notifications", Href: "/notifications", SignedIn: true, Prefix: "/notifications"},
	{Label: "Account", Href: "/account", SignedIn: true, Prefix: "/account"},
	{Label: "Admin", Href: "/admin", SignedIn: true, Admin: true, Prefix: "/admin"},
	{Label: "Courses", Href: "/courses", SignedIn: false, Prefix: "/courses"},
}

func navFor(v *View) []NavLink {
	var out []NavLink
	for _, n := range siteNav {
		if n.SignedIn != (v.User != nil) || n.Admin && !v.User.IsAdmin {
			continue
		}
		l := NavLink{Label: n.Label, Href: n.Href, Current: v.Path == n.Prefix || strings.HasPrefix(v.Path, n.Prefix+"/")}
		if n.Href == "/notifications" {
			l.Badge = v.Unread
		}
		out = append(out, l)
	}
	return out
}

// CourseHeader is the band at the top of every course page: the title, the
// caller's role and the course's tabs.
type CourseHeader struct {
	ID     uint64
	Title  string
	Role   string
	Member bool
	Tabs   []NavLink
	// Loc is the course's time zone, for the page's Zones.
	Loc *time.Location
}

// courseTabs lists the tabs of a course page. Show decides who sees a tab;
// a feature adds its course page with one line here (deadlines,
// discussions, lectures ...).
var courseTabs = []struct {
	Key   string
	Label string
	Path  string // after /courses/:id, "" for the course home
	Show  func(a modules.Access) bool
}{
	{Key: "home", Label: "Overview", Path: "", Show: member},
	{Key: "announcements", Label: "Announcements", Path: "/announcements", Show: member},
	{Key: "discussions", Label: "Discussions", Path: "/discussions", Show: member},
	{Key: "members", Label: "Members", Path: "/members", Show: modules.Access.Staff},
	{Key: "gradebook", Label: "Gradebook", Path: "/gradebook", Show: modules.Access.Staff},
	{Key: "grades", Label: "My grades", Path: "/grades", Show: modules.Access.Student},
	{Key: "at-risk", Label: "At risk", Path: "/at-risk", Show: modules.Access.Staff},
	{Key: "extensions", Label: "Extensions", Path: "/extensions", Show: modules.Access.Staff},
	{Key: "files", Label: "Files", Path: "/files", Show: member},
	{Key: "media", Label: "Uploads", Path: "/media", Show: modules.Access.Staff},
	{Key: "edit", Label: "Settings", Path: "/edit", Show: instructor},
}

func member(a modules.Access) bool     { return a.Member != nil }
func instructor(a modules.Access) bool { return a.Role() == modules.RoleInstructor }

// loadCourse reads the :course of the URL for the signed-in caller and
// prepares the course header with tab `tab` marked current. It answers 404
// for a course the caller may not see. Course pages call it first.
func (f *Frontend) loadCourse(c *fiber.Ctx, tab string) (modules.Access, error) {
	id, err := api.ParamID(c, "course")
	if err != nil {
		return modules.Access{}, err
	}
	caller := auth.From(c)
	if caller == nil {
		return modules.Access{}, errNotSignedIn
	}
	a, err := f.Courses.Access(c.UserContext(), id, caller.UserID)
	if err != nil {
		return a, err
	}
	h := &CourseHeader{ID: a.Course.ID, Title: a.Course.Title, Role: a.Role(), Member: a.Member != nil, Loc: a.Course.Location()}
	for _, t := range courseTabs {
		if t.Show(a) {
			h.Tabs = append(h.Tabs, NavLink{Label: t.Label, Href: fmt.Sprintf("/courses/%d%s", a.Course.ID, t.Path), Current: t.Key == tab})
		}
	}
	c.Locals(courseHeaderKey, h)
	return a, nil
}
