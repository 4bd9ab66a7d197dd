package frontend

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pacer/announcements"
	"pacer/api"
	"pacer/modules"
)

// mountAnnouncements adds the course's announcements page (every member)
// and its posting form (staff).
func (f *Frontend) mountAnnouncements(r fiber.Router) {
	r.Get("/courses/:course/announcements", f.signedIn, f.announcementsPage)
	r.Post("/courses/:course/announcements", f.signedIn, f.csrf, f.postAnnouncement)
}

// homeAnnouncements is how many announcements the course home shows.
const homeAnnouncements = 3

type announcementsPage struct {
	Course modules.Course
	Staff  bool
	Items  []announcements.Announcement
	Next   string
	Form   *Form
}

func (f *Frontend) renderAnnouncements(c *fiber.Ctx, status int, a modules.Access, form *Form) error {
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	list, err := f.Announcements.List(c.UserContext(), caller(c), a.Course.ID, p)
	if err != nil {
		return err
	}
	if form == nil {
		form = NewForm(nil)
	}
	return f.render(c, status, "announcements", announcementsPage{Course: a.Course, Staff: a.Staff(),
		Items: list.Items, Next: list.NextCursor, Form: form})
}

func (f *Frontend) announcementsPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "announcements")
	if err != nil {
		return err
	}
	if err := a.RequireMember(); err != nil {
		return err
	}
	return f.renderAnnouncements(c, fiber.StatusOK, a, nil)
}

func (f *Frontend) postAnnouncement(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "announcements")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	v, err := readForm(c)
	if err != nil {
		return err
	}
	form := &Form{Values: v, Errors: map[string]string{}}
	_, err = f.Announcements.Create(c.UserContext(), caller(c), a.Course.ID, announcements.Input{Title: v.Get("title"), Body: v.Get("body")})
	if err != nil {
		if !form.fail(err, nil) {
			return err
		}
		return f.renderAnnouncements(c, errStatus(err), a, form)
	}
	f.flash(c, "success", "Announcement posted. Every member of the course is told.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/announcements", a.Course.ID))
}

// latestAnnouncements are the newest few announcements for the course
// home of a member.
func (f *Frontend) latestAnnouncements(c *fiber.Ctx, course uint64) ([]announcements.Announcement, error) {
	if f.Announcements == nil {
		return nil, nil
	}
	list, err := f.Announcements.List(c.UserContext(), caller(c), course, api.Page{Limit: homeAnnouncements})
	return list.Items, err
}
