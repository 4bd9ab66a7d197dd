package frontend

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pacer/discussion"
)

// mountDiscussionFollow adds the staff switch for following every thread
// of a course (shown on the course's discussions page).
func (f *Frontend) mountDiscussionFollow(r fiber.Router) {
	r.Post("/courses/:course/discussions/follow", f.signedIn, f.csrf, f.setFollow)
}

// setFollow turns following every thread of the course on ("on" = 1) or
// off, for the staff member who sends it.
func (f *Frontend) setFollow(c *fiber.Ctx) error {
	a, err := f.discussionCourse(c)
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
	on := v.Get("on") == "1"
	if _, err := f.Discussion.SetFollow(c.UserContext(), caller(c), a.Course.ID, discussion.FollowSettingsInput{FollowThreads: &on}); err != nil {
		return err
	}
	if on {
		f.flash(c, "success", "You follow every thread of this course: you are told of new replies unless you unsubscribe from a thread.")
	} else {
		f.flash(c, "info", "You no longer follow every thread of this course; threads you subscribed to or replied in still notify you.")
	}
	return f.redirect(c, fmt.Sprintf("/courses/%d/discussions", a.Course.ID))
}
