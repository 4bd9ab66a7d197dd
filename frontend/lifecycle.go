package frontend

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/errs"
	"pacer/modules"
)

// Course lifecycle forms of the course settings page: copy the course for
// a new term, archive it (and undo that), delete a course that never
// started.
func (f *Frontend) mountLifecycle(r fiber.Router) {
	r.Post("/courses/:course/copy", f.signedIn, f.csrf, f.copyCourse)
	r.Post("/courses/:course/archive", f.signedIn, f.csrf, f.archiveCourse)
	r.Post("/courses/:course/unarchive", f.signedIn, f.csrf, f.unarchiveCourse)
	r.Post("/courses/:course/delete", f.signedIn, f.csrf, f.deleteCourse)
	r.Post("/courses/:course/members/:user/remove", f.signedIn, f.csrf, f.removeMember)
}

// removeMember takes someone out of the course from the members page.
func (f *Frontend) removeMember(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "members")
	if err != nil {
		return err
	}
	uid, err := api.ParamID(c, "user")
	if err != nil {
		return err
	}
	members := fmt.Sprintf("/courses/%d/members", a.Course.ID)
	err = f.Courses.RemoveMember(c.UserContext(), a.Course.ID, caller(c), uid)
	var e *errs.Error
	switch {
	case errors.As(err, &e) && e.Kind == errs.Conflict:
		f.flash(c, "error", sentence(e.Message))
		return f.redirect(c, members)
	case err != nil:
		return err
	}
	f.flash(c, "success", "Removed from the course. Their work is kept if they come back.")
	return f.redirect(c, members)
}

// lifecycleFail shows a refusal a person can act on (409, 400, 403) as a
// message on the settings page; anything else goes to the error page.
func (f *Frontend) lifecycleFail(c *fiber.Ctx, courseID uint64, err error) error {
	var e *errs.Error
	if errors.As(err, &e) && (e.Kind == errs.Conflict || e.Kind == errs.Invalid || e.Kind == errs.Forbidden) {
		msg := e.Message
		for k, v := range e.Fields {
			msg = k + " " + v
		}
		f.flash(c, "error", sentence(msg))
		return f.redirect(c, fmt.Sprintf("/courses/%d/edit", courseID))
	}
	return err
}

func (f *Frontend) copyCourse(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "edit")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	v, _ := readForm(c)
	in := modules.CopyInput{Title: optString(v, "title")}
	if s := strings.TrimSpace(v.Get("starts_at")); s != "" {
		t, err := parseLocal(s, a.Course.Location())
		if err != nil {
			f.flash(c, "error", "Enter the new start as a date and time, like 2027-01-04 09:00.")
			return f.redirect(c, fmt.Sprintf("/courses/%d/edit", a.Course.ID))
		}
		in.StartsAt = &t
	}
	course, err := f.Courses.CopyCourse(c.UserContext(), caller(c), a.Course.ID, in)
	if err != nil {
		return f.lifecycleFail(c, a.Course.ID, err)
	}
	f.flash(c, "success", "“"+course.Title+"” is a copy of “"+a.Course.Title+"”, with its modules, items and boards and nobody else in it yet. Check its dates, then publish it.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/edit", course.ID))
}

func (f *Frontend) archiveCourse(c *fiber.Ctx) error   { return f.setArchived(c, true) }
func (f *Frontend) unarchiveCourse(c *fiber.Ctx) error { return f.setArchived(c, false) }

func (f *Frontend) setArchived(c *fiber.Ctx, archived bool) error {
	a, err := f.loadCourse(c, "edit")
	if err != nil {
		return err
	}
	if err := f.Courses.SetArchived(c.UserContext(), caller(c), a.Course.ID, archived); err != nil {
		return err
	}
	if archived {
		f.flash(c, "success", a.Course.Title+" is archived: its members can still read it, nobody can change it, and it has left the catalogue.")
	} else {
		f.flash(c, "success", a.Course.Title+" is no longer archived.")
	}
	return f.redirect(c, fmt.Sprintf("/courses/%d", a.Course.ID))
}

func (f *Frontend) deleteCourse(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "edit")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	v, _ := readForm(c)
	if !checkbox(v, "confirm") {
		f.flash(c, "error", "Tick the box to confirm that the course should be deleted.")
		return f.redirect(c, fmt.Sprintf("/courses/%d/edit", a.Course.ID))
	}
	if err := f.Courses.DeleteCourse(c.UserContext(), caller(c), a.Course.ID); err != nil {
		return f.lifecycleFail(c, a.Course.ID, err)
	}
	f.flash(c, "success", a.Course.Title+" is deleted.")
	return f.redirect(c, "/dashboard")
}

// copyDefaults are the copy form's suggestions: the title with the next
// year when it names one, and the start a year on.
func copyDefaults(c modules.Course) *Form {
	title := c.Title + " (copy)"
	start := ""
	if c.StartsAt != nil {
		next := c.StartsAt.AddDate(0, 0, 364)
		start = localInput(&next, c.Location())
		y := fmt.Sprint(c.StartsAt.In(c.Location()).Year())
		if strings.Contains(c.Title, y) {
			title = strings.Replace(c.Title, y, fmt.Sprint(next.In(c.Location()).Year()), 1)
		}
	}
	return NewForm(map[string]string{"title": title, "starts_at": start})
}
