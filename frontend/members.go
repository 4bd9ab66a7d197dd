package frontend

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/errs"
	"pacer/modules"
)

func (f *Frontend) mountMembers(r fiber.Router) {
	r.Get("/courses/:course/members", f.signedIn, f.membersPage)
	r.Post("/courses/:course/invitations", f.signedIn, f.csrf, f.invite)
	r.Post("/courses/:course/invitations/:invitation/revoke", f.signedIn, f.csrf, f.revokeInvitation)
	r.Post("/courses/:course/members/:user/role", f.signedIn, f.csrf, f.changeRole)
	r.Post("/invitations/:invitation/accept", f.signedIn, f.csrf, f.acceptInvitation)
	r.Post("/invitations/:invitation/decline", f.signedIn, f.csrf, f.declineInvitation)
}

type membersPage struct {
	Course      modules.Course
	Members     []modules.MemberView
	Invitations []modules.SentInvitation
	Instructor  bool
	Me          uint64
	Form        *Form
	Roles       []string
	Counts      map[string]int
}

var roles = []string{modules.RoleStudent, modules.RoleTA, modules.RoleInstructor}

func (f *Frontend) renderMembers(c *fiber.Ctx, status int, a modules.Access, form *Form) error {
	ms, err := f.Courses.Members(c.UserContext(), a.Course.ID, caller(c))
	if err != nil {
		return err
	}
	rank := map[string]int{modules.RoleInstructor: 0, modules.RoleTA: 1, modules.RoleStudent: 2}
	sort.SliceStable(ms, func(i, j int) bool {
		if rank[ms[i].Role] != rank[ms[j].Role] {
			return rank[ms[i].Role] < rank[ms[j].Role]
		}
		return strings.ToLower(ms[i].Name) < strings.ToLower(ms[j].Name)
	})
	counts := map[string]int{}
	for _, m := range ms {
		counts[m.Role]++
	}
	if form == nil {
		form = NewForm(map[string]string{"role": modules.RoleStudent})
	}
	p := membersPage{Course: a.Course, Members: ms, Instructor: a.Role() == modules.RoleInstructor, Me: caller(c),
		Form: form, Roles: roles, Counts: counts}
	if p.Instructor {
		if p.Invitations, err = f.Courses.CourseInvitations(c.UserContext(), a.Course.ID, caller(c)); err != nil {
			return err
		}
	}
	return f.render(c, status, "courses/members", p)
}

func (f *Frontend) membersPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "members")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	return f.renderMembers(c, fiber.StatusOK, a, nil)
}

// invite invites someone by e-mail address. The page says the same whether
// or not the address has an account, as the API does.
func (f *Frontend) invite(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "members")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	inv, err := f.Courses.Invite(c.UserContext(), a.Course.ID, caller(c), v.Get("email"), v.Get("role"))
	if err != nil {
		if errs.Is(err, errs.RateLimited) {
			form.Error = "You have sent many invitations in the last hour. Try again later."
		} else if !form.fail(err, nil) {
			return err
		}
		return f.renderMembers(c, fiber.StatusBadRequest, a, form)
	}
	f.flash(c, "success", "Invitation sent to "+inv.Email+". They join once they accept it.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/members", a.Course.ID))
}

func (f *Frontend) revokeInvitation(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "members")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	id, err := api.ParamID(c, "invitation")
	if err != nil {
		return err
	}
	// The invitation must be of this course: another course's is 404 here
	// even to one who teaches both.
	if !f.courseHasInvitation(a.Course.ID, id, caller(c)) {
		return errs.NotFoundf("invitation")
	}
	if err := f.Courses.DeleteInvitation(c.UserContext(), id, caller(c)); err != nil {
		return err
	}
	f.flash(c, "success", "Invitation withdrawn.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/members", a.Course.ID))
}

func (f *Frontend) courseHasInvitation(course, id, user uint64) bool {
	list, err := f.Courses.CourseInvitations(context.Background(), course, user)
	if err != nil {
		return false
	}
	for _, inv := range list {
		if inv.ID == id {
			return true
		}
	}
	return false
}

func (f *Frontend) acceptInvitation(c *fiber.Ctx) error {
	id, err := api.ParamID(c, "invitation")
	if err != nil {
		return err
	}
	switch _, err := f.Courses.AcceptInvitation(c.UserContext(), id, caller(c)); {
	case err == nil:
		f.flash(c, "success", "Invitation accepted. The course is now on your dashboard.")
	case errs.Is(err, errs.Conflict):
		f.flash(c, "info", "You are already a member of that course.")
	default:
		return err
	}
	return f.redirect(c, "/dashboard")
}

func (f *Frontend) declineInvitation(c *fiber.Ctx) error {
	id, err := api.ParamID(c, "invitation")
	if err != nil {
		return err
	}
	if err := f.Courses.DeleteInvitation(c.UserContext(), id, caller(c)); err != nil {
		return err
	}
	f.flash(c, "info", "Invitation declined.")
	return f.redirect(c, "/dashboard")
}

func (f *Frontend) changeRole(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "members")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	uid, err := api.ParamID(c, "user")
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	m, err := f.Courses.SetRole(c.UserContext(), a.Course.ID, caller(c), uid, v.Get("role"), false)
	switch {
	case err == nil:
		f.flash(c, "success", m.Name+" is now "+roleWithArticle(m.Role)+" in this course.")
	case errs.Is(err, errs.Conflict), errs.Is(err, errs.Invalid), errs.Is(err, errs.NotFound):
		f.flash(c, "error", sentence(api.Classify(err).Message))
	default:
		return err
	}
	return f.redirect(c, fmt.Sprintf("/courses/%d/members", a.Course.ID))
}

func roleWithArticle(r string) string {
	switch r {
	case modules.RoleInstructor:
		return "an instructor"
	case modules.RoleTA:
		return "a TA"
	}
	return "a student"
}
