package frontend

import (
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
	r.Post("/courses/:course/members", f.signedIn, f.csrf, f.addMember)
	r.Post("/courses/:course/members/:user/role", f.signedIn, f.csrf, f.changeRole)
}

type membersPage struct {
	Course     modules.Course
	Members    []modules.MemberView
	Instructor bool
	Me         uint64
	Form       *Form
	ByEmail    bool
	Roles      []string
	Counts     map[string]int
}

var roles = []string{modules.RoleStudent, modules.RoleTA, modules.RoleInstructor}

func (f *Frontend) renderMembers(c *fiber.Ctx, status int, a modules.Access, form *Form) error {
	ms, err := f.Courses.Members(a.Course.ID, caller(c))
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
	return f.render(c, status, "courses/members", membersPage{Course: a.Course, Members: ms,
		Instructor: a.Role() == modules.RoleInstructor, Me: caller(c), Form: form,
		ByEmail: f.UserByEmail != nil, Roles: roles, Counts: counts})
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

// addMember adds a user by account number or, when the server can look one
// up, by e-mail address.
func (f *Frontend) addMember(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "members")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	who := strings.TrimSpace(v.Get("user"))
	var uid uint64
	switch {
	case who == "":
		form.Errors["user"] = "Enter an account number or e-mail address."
	case strings.Contains(who, "@") && f.UserByEmail != nil:
		if uid, err = f.UserByEmail(who); err != nil {
			if !errs.Is(err, errs.NotFound) {
				return err
			}
			form.Errors["user"] = "No account uses that e-mail address. Ask them to sign up first."
		}
	default:
		if uid, err = api.ParseID(strings.TrimPrefix(who, "#")); err != nil {
			form.Errors["user"] = "Enter an account number (shown on the person’s Account page)."
		}
	}
	if uid != 0 {
		if _, err := f.Courses.SetRole(a.Course.ID, caller(c), uid, v.Get("role")); err != nil {
			switch {
			case errs.Is(err, errs.NotFound):
				form.Errors["user"] = "No account has that number."
			case form.fail(err, nil):
			default:
				return err
			}
		}
	}
	if len(form.Errors) > 0 || form.Error != "" {
		return f.renderMembers(c, fiber.StatusBadRequest, a, form)
	}
	f.flash(c, "success", "Member added.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/members", a.Course.ID))
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
	m, err := f.Courses.SetRole(a.Course.ID, caller(c), uid, v.Get("role"))
	switch {
	case err == nil:
		f.flash(c, "success", m.Name+" is now "+roleWithArticle(m.Role)+" in this course.")
	case errs.Is(err, errs.Conflict), errs.Is(err, errs.Invalid):
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
