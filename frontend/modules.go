package frontend

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/modules"
)

func (f *Frontend) mountModules(r fiber.Router) {
	r.Get("/courses/:course/modules/new", f.signedIn, f.newModulePage)
	r.Post("/courses/:course/modules/new", f.signedIn, f.csrf, f.createModule)
	r.Get("/courses/:course/modules/:module", f.signedIn, f.modulePage)
	r.Get("/courses/:course/modules/:module/edit", f.signedIn, f.editModulePage)
	r.Post("/courses/:course/modules/:module/edit", f.signedIn, f.csrf, f.updateModule)
	r.Post("/courses/:course/modules/:module/delete", f.signedIn, f.csrf, f.deleteModule)
	r.Post("/courses/:course/modules/:module/move", f.signedIn, f.csrf, f.moveModule)
}

type modulePage struct {
	Course     modules.Course
	Module     ModuleRow
	Staff      bool
	Instructor bool
	Student    bool
	Prev, Next *modules.ModuleView
	Kinds      []string
}

func (f *Frontend) modulePage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	if err := a.RequireMember(); err != nil {
		return err
	}
	mid, err := api.ParamID(c, "module")
	if err != nil {
		return err
	}
	uid := caller(c)
	m, err := f.Courses.GetModule(c.UserContext(), uid, a.Course.ID, mid)
	if err != nil {
		return err
	}
	mods, err := f.Courses.ListModules(c.UserContext(), uid, a.Course.ID)
	if err != nil {
		return err
	}
	p := modulePage{Course: a.Course, Staff: a.Staff(), Instructor: a.Role() == modules.RoleInstructor,
		Student: a.Student(), Kinds: authorableKinds}
	for _, w := range buildTimeline(a.Course, mods, a.Staff(), f.Now(), userLoc(c)) {
		for _, row := range w.Modules {
			if row.ID == m.ID {
				p.Module = row
			}
		}
	}
	p.Module.ModuleView.Items = m.Items
	for i := range mods {
		if mods[i].ID != m.ID {
			continue
		}
		if i > 0 {
			p.Prev = &mods[i-1]
		}
		if i+1 < len(mods) {
			p.Next = &mods[i+1]
		}
	}
	return f.render(c, fiber.StatusOK, "modules/show", p)
}

type moduleFormPage struct {
	Form   *Form
	Course modules.Course
	Module modules.Module
	New    bool
	// Others are the modules that may be prerequisites.
	Others []modules.ModuleView
	Loc    *time.Location
}

func moduleValues(m modules.Module, loc *time.Location) *Form {
	v := map[string]string{"title": m.Title, "summary": m.Summary,
		"opens_at": localInput(m.OpensAt, loc), "due_at": localInput(m.DueAt, loc)}
	if m.Week > 0 {
		v["week"] = strconv.Itoa(m.Week)
	}
	if m.Published {
		v["published"] = "1"
	}
	form := NewForm(v)
	for _, id := range m.Prerequisites {
		form.Values.Add("prerequisites", strconv.FormatUint(id, 10))
	}
	return form
}

// moduleInput reads the module form; every field is sent, so an empty date
// or week clears it.
func moduleInput(v url.Values, loc *time.Location, form *Form) modules.ModuleInput {
	in := modules.ModuleInput{
		Title:     optString(v, "title"),
		Summary:   optString(v, "summary"),
		Published: boolPtr(checkbox(v, "published")),
	}
	if n, set, ok := formInt(v, "week"); !ok || n > 10000 || n < -10000 {
		form.Errors["week"] = "Enter a week number, or leave it empty."
	} else if set {
		in.Week = modules.Nullable[int]{Set: true, Value: int(n)}
	} else {
		in.Week = modules.Nullable[int]{Set: true, Null: true}
	}
	for _, name := range []string{"opens_at", "due_at"} {
		dst := &in.OpensAt
		if name == "due_at" {
			dst = &in.DueAt
		}
		s := strings.TrimSpace(v.Get(name))
		if s == "" {
			*dst = modules.Nullable[time.Time]{Set: true, Null: true}
			continue
		}
		t, err := parseLocal(s, loc)
		if err != nil {
			form.Errors[name] = "Enter a date and time, or leave it empty."
			continue
		}
		*dst = modules.Nullable[time.Time]{Set: true, Value: t}
	}
	pre := []uint64{}
	for _, s := range v["prerequisites"] {
		id, err := api.ParseID(s)
		if err != nil {
			form.Errors["prerequisites"] = "Choose modules from the list."
			continue
		}
		pre = append(pre, id)
	}
	in.Prerequisites = &pre
	return in
}

// staffCourse loads the course of the URL for its instructors only: 404 for
// non-members, 403 for everyone else.
func (f *Frontend) instructorCourse(c *fiber.Ctx) (modules.Access, error) {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return a, err
	}
	return a, a.RequireInstructor()
}

func (f *Frontend) newModulePage(c *fiber.Ctx) error {
	a, err := f.instructorCourse(c)
	if err != nil {
		return err
	}
	mods, err := f.Courses.ListModules(c.UserContext(), caller(c), a.Course.ID)
	if err != nil {
		return err
	}
	next := modules.Module{Published: true}
	if n := len(mods); n > 0 && mods[n-1].Week > 0 {
		next.Week = mods[n-1].Week + 1
	} else if n == 0 {
		next.Week = 1
	}
	return f.render(c, fiber.StatusOK, "modules/form", moduleFormPage{Form: moduleValues(next, a.Course.Location()),
		Course: a.Course, New: true, Others: mods, Loc: a.Course.Location()})
}

func (f *Frontend) createModule(c *fiber.Ctx) error {
	a, err := f.instructorCourse(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in := moduleInput(v, a.Course.Location(), form)
	mods, err := f.Courses.ListModules(c.UserContext(), caller(c), a.Course.ID)
	if err != nil {
		return err
	}
	page := moduleFormPage{Form: form, Course: a.Course, New: true, Others: mods, Loc: a.Course.Location()}
	if len(form.Errors) > 0 {
		form.Error = "Please correct the marked fields."
		return f.render(c, fiber.StatusBadRequest, "modules/form", page)
	}
	m, err := f.Courses.CreateModule(c.UserContext(), caller(c), a.Course.ID, in)
	if err != nil {
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "modules/form", page)
		}
		return err
	}
	f.flash(c, "success", "Module created. Add its first item below.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/modules/%d", a.Course.ID, m.ID))
}

func (f *Frontend) loadStaffModule(c *fiber.Ctx) (modules.Access, modules.ModuleView, []modules.ModuleView, error) {
	a, err := f.instructorCourse(c)
	if err != nil {
		return a, modules.ModuleView{}, nil, err
	}
	mid, err := api.ParamID(c, "module")
	if err != nil {
		return a, modules.ModuleView{}, nil, err
	}
	m, err := f.Courses.GetModule(c.UserContext(), caller(c), a.Course.ID, mid)
	if err != nil {
		return a, m, nil, err
	}
	mods, err := f.Courses.ListModules(c.UserContext(), caller(c), a.Course.ID)
	if err != nil {
		return a, m, nil, err
	}
	others := mods[:0:0]
	for _, o := range mods {
		if o.ID != m.ID {
			others = append(others, o)
		}
	}
	return a, m, others, nil
}

func (f *Frontend) editModulePage(c *fiber.Ctx) error {
	a, m, others, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "modules/form", moduleFormPage{Form: moduleValues(m.Module, a.Course.Location()),
		Course: a.Course, Module: m.Module, Others: others, Loc: a.Course.Location()})
}

func (f *Frontend) updateModule(c *fiber.Ctx) error {
	a, m, others, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in := moduleInput(v, a.Course.Location(), form)
	page := moduleFormPage{Form: form, Course: a.Course, Module: m.Module, Others: others, Loc: a.Course.Location()}
	if len(form.Errors) > 0 {
		form.Error = "Please correct the marked fields."
		return f.render(c, fiber.StatusBadRequest, "modules/form", page)
	}
	if _, err := f.Courses.UpdateModule(c.UserContext(), caller(c), a.Course.ID, m.ID, in); err != nil {
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "modules/form", page)
		}
		return err
	}
	f.flash(c, "success", "Module saved.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/modules/%d", a.Course.ID, m.ID))
}

func (f *Frontend) deleteModule(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	if err := f.Courses.DeleteModule(c.UserContext(), caller(c), a.Course.ID, m.ID); err != nil {
		return err
	}
	f.flash(c, "success", "Module “"+m.Title+"” and its items were deleted.")
	return f.redirect(c, fmt.Sprintf("/courses/%d", a.Course.ID))
}

// moveModule moves a module one place up or down in the course.
func (f *Frontend) moveModule(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	pos := m.Position
	switch v.Get("dir") {
	case "up":
		pos--
	case "down":
		pos++
	}
	if pos >= 1 && pos != m.Position {
		if _, err := f.Courses.UpdateModule(c.UserContext(), caller(c), a.Course.ID, m.ID, modules.ModuleInput{Position: &pos}); err != nil {
			return err
		}
	}
	return f.redirect(c, fmt.Sprintf("/courses/%d#module-%d", a.Course.ID, m.ID))
}
