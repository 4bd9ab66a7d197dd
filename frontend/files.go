package frontend

import (
	"github.com/gofiber/fiber/v2"

	"pacer/errs"
	"pacer/media"
	"pacer/modules"
)

// The course's Files page: every file item a member may open, by module,
// with its download link. A student sees the files of published items in
// modules that are not locked, exactly the items they could open; staff
// see every file item, drafts included.

func (f *Frontend) mountFiles(r fiber.Router) {
	r.Get("/courses/:course/files", f.signedIn, f.filesPage)
}

// fileRow is one file item of the Files page.
type fileRow struct {
	Item  modules.ItemView
	Media media.View
	Size  string
}

// fileModule is one module's files.
type fileModule struct {
	Module modules.ModuleView
	Files  []fileRow
}

type filesPage struct {
	Course  modules.Course
	Modules []fileModule
	Staff   bool
}

func (f *Frontend) filesPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "files")
	if err != nil {
		return err
	}
	if err := a.RequireMember(); err != nil {
		return err
	}
	uid := caller(c)
	p := filesPage{Course: a.Course, Staff: a.Staff()}
	mods, err := f.Courses.ListModules(c.UserContext(), uid, a.Course.ID)
	if err != nil {
		return err
	}
	for _, mv := range mods {
		if a.Student() && mv.State == modules.StateLocked {
			continue
		}
		m, err := f.Courses.GetModule(c.UserContext(), uid, a.Course.ID, mv.ID)
		if err != nil {
			return err
		}
		fm := fileModule{Module: m}
		for _, it := range m.Items {
			if it.Kind != modules.KindFile || it.MediaID == 0 || f.Media == nil {
				continue
			}
			// The media service checks the item's gate again: a file the
			// caller may not open is left out, never shown.
			l, err := f.Media.Lecture(c.UserContext(), uid, a.Course.ID, it.ID)
			if errs.Is(err, errs.Forbidden) || errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			fm.Files = append(fm.Files, fileRow{Item: it, Media: l.Media, Size: byteSize(l.Media.Size)})
		}
		if len(fm.Files) > 0 {
			p.Modules = append(p.Modules, fm)
		}
	}
	return f.render(c, fiber.StatusOK, "files/index", p)
}
