package frontend

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
	"pacer/modules"
)

func (f *Frontend) mountItems(r fiber.Router) {
	r.Get("/courses/:course/modules/:module/items/new", f.signedIn, f.newItemPage)
	r.Post("/courses/:course/modules/:module/items/new", f.signedIn, f.csrf, f.createItem)
	r.Get("/courses/:course/items/:item", f.signedIn, f.itemPage)
	r.Post("/courses/:course/items/:item/complete", f.signedIn, f.csrf, f.completeItem)
	r.Get("/courses/:course/items/:item/edit", f.signedIn, f.editItemPage)
	r.Post("/courses/:course/items/:item/edit", f.signedIn, f.csrf, f.updateItem)
	r.Post("/courses/:course/items/:item/delete", f.signedIn, f.csrf, f.deleteItem)
	r.Post("/courses/:course/items/:item/move", f.signedIn, f.csrf, f.moveItem)
}

// ItemKind is what the item page does for one kind of item. The page's
// template shows the kind's partial (templates/partials/items/<kind>.html)
// with the ItemPage as its dot; Load may put what that partial needs in
// ItemPage.Extra.
type ItemKind struct {
	// Load fills p.Extra (the lecture's media and watch position, the
	// learner's submission ...). nil loads nothing.
	Load func(c *fiber.Ctx, p *ItemPage) error
	// Completable kinds get a "Mark complete" button for students.
	Completable bool
}

// itemKindTable lists the kinds the item page knows. A feature that owns a
// kind replaces its entry (and its partial) with the real thing, for
// example {Load: f.loadLecture} with loadLecture in its own file.
func (f *Frontend) itemKindTable() map[string]ItemKind {
	return map[string]ItemKind{
		modules.KindPage:       {Completable: true},
		modules.KindFile:       {Completable: true, Load: f.loadFile},
		modules.KindLecture:    {Load: f.loadLecture},
		modules.KindAssignment: {},
		modules.KindDiscussion: {Load: f.loadDiscussionItem},
	}
}

// authorableKinds are the kinds instructors can create from the module page
// today; a feature adds its kind here together with its form fields.
var authorableKinds = []string{modules.KindPage, modules.KindDiscussion}

// ItemPage is the dot of the item page and of each kind's partial.
type ItemPage struct {
	Course     modules.Course
	Module     modules.ModuleView
	Item       modules.ItemView
	Staff      bool
	Instructor bool
	Student    bool
	// Loc is whose clock the item's times are written on.
	Loc        Zones
	Completed  bool
	CanMark    bool
	Prev, Next *modules.ItemView
	NextModule *modules.ModuleView
	// Left lists the module's other items a student has not completed, and
	// LeftCount counts them with this item when it is not done either; the
	// pager of the module's last item shows them instead of "Finished".
	Left      []modules.ItemView
	LeftCount int
	// Extra is the kind's own data, from ItemKind.Load.
	Extra any
	// CSRF is the form token, for forms inside a kind's partial.
	CSRF string
}

// moduleOfItem finds the module that holds an item of the course, for
// the lock check before the item itself is opened. Access is still checked
// by the service calls that follow.
func (f *Frontend) moduleOfItem(courseID, itemID uint64) (uint64, error) {
	it, err := f.Courses.Item(context.Background(), courseID, itemID)
	return it.ModuleID, err
}

func (f *Frontend) itemPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	if err := a.RequireMember(); err != nil {
		return err
	}
	iid, err := api.ParamID(c, "item")
	if err != nil {
		return err
	}
	uid := caller(c)
	mid, err := f.moduleOfItem(a.Course.ID, iid)
	if err != nil {
		return err
	}
	m, err := f.Courses.GetModule(c.UserContext(), uid, a.Course.ID, mid)
	if err != nil {
		return err
	}
	// A locked module is explained in words with dates in the reader's
	// time zone, rather than the API's terse reason.
	if a.Student() && m.State == modules.StateLocked {
		return errs.Forbid(fmt.Sprintf("“%s” is locked. %s", m.Title, lockNote(m, f.Now(), userLoc(c), a.Course.Location())))
	}
	// GetItem marks a page viewed (done) for a student.
	it, err := f.Courses.GetItem(c.UserContext(), uid, a.Course.ID, iid)
	if err != nil {
		return err
	}
	p := &ItemPage{Course: a.Course, Module: m, Item: it, Staff: a.Staff(), Instructor: a.Role() == modules.RoleInstructor,
		Student: a.Student(), Loc: Zones{Reader: userLoc(c), Course: a.Course.Location()}, Completed: it.Status == modules.StatusCompleted}
	if id := auth.From(c); id != nil {
		p.CSRF = f.Auth.CSRFToken(c.UserContext(), id)
	}
	kind := f.itemKinds[it.Kind]
	p.CanMark = p.Student && kind.Completable && !p.Completed
	for i := range m.Items {
		if m.Items[i].ID != it.ID {
			// m was read before GetItem marked this item viewed, so this
			// item's own status comes from it, not from m.
			if p.Student && m.Items[i].Status != modules.StatusCompleted {
				p.Left = append(p.Left, m.Items[i])
			}
			continue
		}
		if i > 0 {
			p.Prev = &m.Items[i-1]
		}
		if i+1 < len(m.Items) {
			p.Next = &m.Items[i+1]
		}
	}
	p.LeftCount = len(p.Left)
	if p.Student && !p.Completed {
		p.LeftCount++
	}
	if p.Next == nil {
		mods, err := f.Courses.ListModules(c.UserContext(), uid, a.Course.ID)
		if err != nil {
			return err
		}
		for i := range mods {
			if mods[i].ID == m.ID && i+1 < len(mods) && mods[i+1].State != modules.StateLocked {
				p.NextModule = &mods[i+1]
			}
		}
	}
	if kind.Load != nil {
		if err := kind.Load(c, p); err != nil {
			return err
		}
	}
	return f.render(c, fiber.StatusOK, "items/show", p)
}

func (f *Frontend) completeItem(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	iid, err := api.ParamID(c, "item")
	if err != nil {
		return err
	}
	if _, err := f.Courses.Complete(c.UserContext(), caller(c), a.Course.ID, iid); err != nil {
		return err
	}
	f.flash(c, "success", "Marked complete.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/items/%d", a.Course.ID, iid))
}

type itemFormPage struct {
	Form   *Form
	Course modules.Course
	Module modules.ModuleView
	Item   modules.Item
	Kind   string
	New    bool
}

func itemValues(it modules.Item) *Form {
	v := map[string]string{"title": it.Title, "body": it.Body, "kind": it.Kind}
	if it.Published {
		v["published"] = "1"
	}
	return NewForm(v)
}

func (f *Frontend) newItemPage(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	kind := c.Query("kind", modules.KindPage)
	if !authorable(kind) {
		return errs.NotFoundf("item kind")
	}
	return f.render(c, fiber.StatusOK, "items/form", itemFormPage{Form: itemValues(modules.Item{Kind: kind, Published: true}),
		Course: a.Course, Module: m, Kind: kind, New: true})
}

func authorable(kind string) bool {
	for _, k := range authorableKinds {
		if k == kind {
			return true
		}
	}
	return false
}

func (f *Frontend) createItem(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	kind := v.Get("kind")
	if !authorable(kind) {
		return errs.Field("kind", "cannot be created here")
	}
	form := &Form{Values: v, Errors: map[string]string{}}
	in := modules.ItemInput{Kind: &kind, Title: optString(v, "title"), Body: optString(v, "body"),
		Published: boolPtr(checkbox(v, "published"))}
	it, err := f.Courses.CreateItem(c.UserContext(), caller(c), a.Course.ID, m.ID, in)
	if err != nil {
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "items/form", itemFormPage{Form: form, Course: a.Course, Module: m, Kind: kind, New: true})
		}
		return err
	}
	f.flash(c, "success", kindLabel(kind)+" “"+it.Title+"” added.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/items/%d", a.Course.ID, it.ID))
}

// loadStaffItem loads the :item of the URL for the course's instructors.
func (f *Frontend) loadStaffItem(c *fiber.Ctx) (modules.Access, modules.ItemView, modules.ModuleView, error) {
	a, err := f.instructorCourse(c)
	if err != nil {
		return a, modules.ItemView{}, modules.ModuleView{}, err
	}
	iid, err := api.ParamID(c, "item")
	if err != nil {
		return a, modules.ItemView{}, modules.ModuleView{}, err
	}
	it, err := f.Courses.GetItem(c.UserContext(), caller(c), a.Course.ID, iid)
	if err != nil {
		return a, it, modules.ModuleView{}, err
	}
	m, err := f.Courses.GetModule(c.UserContext(), caller(c), a.Course.ID, it.ModuleID)
	return a, it, m, err
}

func (f *Frontend) editItemPage(c *fiber.Ctx) error {
	a, it, m, err := f.loadStaffItem(c)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "items/form", itemFormPage{Form: itemValues(it.Item), Course: a.Course,
		Module: m, Item: it.Item, Kind: it.Kind})
}

func (f *Frontend) updateItem(c *fiber.Ctx) error {
	a, it, m, err := f.loadStaffItem(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in := modules.ItemInput{Title: optString(v, "title"), Body: optString(v, "body"), Published: boolPtr(checkbox(v, "published"))}
	if _, err := f.Courses.UpdateItem(c.UserContext(), caller(c), a.Course.ID, it.ID, in); err != nil {
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "items/form", itemFormPage{Form: form, Course: a.Course, Module: m, Item: it.Item, Kind: it.Kind})
		}
		return err
	}
	f.flash(c, "success", "Saved.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/items/%d", a.Course.ID, it.ID))
}

func (f *Frontend) deleteItem(c *fiber.Ctx) error {
	a, it, m, err := f.loadStaffItem(c)
	if err != nil {
		return err
	}
	if err := f.Courses.DeleteItem(c.UserContext(), caller(c), a.Course.ID, it.ID); err != nil {
		return err
	}
	f.flash(c, "success", "“"+it.Title+"” was deleted.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/modules/%d", a.Course.ID, m.ID))
}

func (f *Frontend) moveItem(c *fiber.Ctx) error {
	a, it, m, err := f.loadStaffItem(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	pos := it.Position
	switch v.Get("dir") {
	case "up":
		pos--
	case "down":
		pos++
	}
	if pos >= 1 && pos != it.Position {
		if _, err := f.Courses.UpdateItem(c.UserContext(), caller(c), a.Course.ID, it.ID, modules.ItemInput{Position: &pos}); err != nil {
			return err
		}
	}
	return f.redirect(c, fmt.Sprintf("/courses/%d/modules/%d#item-%d", a.Course.ID, m.ID, it.ID))
}
