package modules

import (
	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
)

// HTTP serves the course, module and item routes.
type HTTP struct {
	svc   *Service
	items *ItemJSON
}

// NewHTTP wraps the service.
func NewHTTP(s *Service) *HTTP { return &HTTP{svc: s, items: NewItemJSON()} }

// Mount adds the routes under /api/v1; every route needs a signed-in caller.
func (h *HTTP) Mount(r fiber.Router) {
	r.Post("/courses", h.createCourse)
	r.Get("/courses", h.listCourses)
	r.Get("/courses/:course", h.getCourse)
	r.Patch("/courses/:course", h.patchCourse)
	r.Post("/courses/:course/enroll", h.enroll)
	r.Delete("/courses/:course/enroll", h.leave)
	r.Get("/courses/:course/members", h.members)
	r.Put("/courses/:course/members/:user", h.setRole)
	r.Delete("/courses/:course/members/:user", h.removeMember)
	r.Delete("/courses/:course", h.deleteCourse)
	r.Post("/courses/:course/copy", h.copyCourse)
	r.Post("/courses/:course/archive", h.archive)
	r.Delete("/courses/:course/archive", h.unarchive)
	r.Post("/courses/:course/invitations", h.invite)
	r.Get("/courses/:course/invitations", h.courseInvitations)
	r.Get("/me/invitations", h.myInvitations)
	r.Post("/invitations/:invitation/accept", h.acceptInvitation)
	r.Delete("/invitations/:invitation", h.deleteInvitation)

	r.Post("/courses/:course/modules", h.createModule)
	r.Get("/courses/:course/modules", h.listModules)
	r.Get("/courses/:course/modules/:module", h.getModule)
	r.Patch("/courses/:course/modules/:module", h.patchModule)
	r.Delete("/courses/:course/modules/:module", h.deleteModule)
	r.Post("/courses/:course/modules/:module/items", h.createItem)
	r.Get("/courses/:course/items/:item", h.getItem)
	r.Patch("/courses/:course/items/:item", h.patchItem)
	r.Delete("/courses/:course/items/:item", h.deleteItem)
	r.Post("/courses/:course/items/:item/complete", h.complete)
	r.Get("/courses/:course/progress", h.progress)
}

func (h *HTTP) createCourse(c *fiber.Ctx) error {
	me, _, err := auth.CallerAndIDs(c)
	if err != nil {
		return err
	}
	var in CourseInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	course, err := h.svc.CreateCourse(c.UserContext(), me, in)
	if err != nil {
		return err
	}
	return api.Created(c, CourseView{Course: course, MyRole: RoleInstructor})
}

func (h *HTTP) listCourses(c *fiber.Ctx) error {
	me, _, err := auth.CallerAndIDs(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Courses(c.UserContext(), me)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

func (h *HTTP) getCourse(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	v, err := h.svc.Course(c.UserContext(), p[0], me)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (h *HTTP) patchCourse(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	var in CourseInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	course, err := h.svc.UpdateCourse(c.UserContext(), me, p[0], in)
	if err != nil {
		return err
	}
	return c.JSON(CourseView{Course: course, MyRole: RoleInstructor})
}

type enrollBody struct {
	EnrollKey string `json:"enroll_key"`
}

func (h *HTTP) enroll(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	var in enrollBody
	if len(c.Body()) > 0 {
		if err := api.Decode(c, &in); err != nil {
			return err
		}
	}
	e, err := h.svc.Enroll(c.UserContext(), p[0], me, in.EnrollKey, api.ClientIP(c))
	if err != nil {
		return err
	}
	return api.Created(c, e)
}

func (h *HTTP) leave(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	if err := h.svc.Leave(c.UserContext(), p[0], me); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) members(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	list, err := h.svc.Members(c.UserContext(), p[0], me)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

type roleBody struct {
	Role string `json:"role"`
}

func (h *HTTP) setRole(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "user")
	if err != nil {
		return err
	}
	var in roleBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	m, err := h.svc.SetRole(c.UserContext(), p[0], me, p[1], in.Role, auth.From(c).IsAdmin)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

type inviteBody struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

func (h *HTTP) invite(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	var in inviteBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	inv, err := h.svc.Invite(c.UserContext(), p[0], me, in.Email, in.Role)
	if err != nil {
		return err
	}
	return api.Created(c, inv)
}

func (h *HTTP) courseInvitations(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	list, err := h.svc.CourseInvitations(c.UserContext(), p[0], me)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

func (h *HTTP) myInvitations(c *fiber.Ctx) error {
	me, _, err := auth.CallerAndIDs(c)
	if err != nil {
		return err
	}
	list, err := h.svc.MyInvitations(c.UserContext(), me)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

func (h *HTTP) acceptInvitation(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "invitation")
	if err != nil {
		return err
	}
	e, err := h.svc.AcceptInvitation(c.UserContext(), p[0], me)
	if err != nil {
		return err
	}
	return api.Created(c, e)
}

func (h *HTTP) deleteInvitation(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "invitation")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteInvitation(c.UserContext(), p[0], me); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) createModule(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	var in ModuleInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	m, err := h.svc.CreateModule(c.UserContext(), me, p[0], in)
	if err != nil {
		return err
	}
	return api.Created(c, m)
}

func (h *HTTP) listModules(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	list, err := h.svc.ListModules(c.UserContext(), me, p[0])
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

func (h *HTTP) getModule(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "module")
	if err != nil {
		return err
	}
	m, err := h.svc.GetModule(c.UserContext(), me, p[0], p[1])
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (h *HTTP) patchModule(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "module")
	if err != nil {
		return err
	}
	var in ModuleInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	m, err := h.svc.UpdateModule(c.UserContext(), me, p[0], p[1], in)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (h *HTTP) deleteModule(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "module")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteModule(c.UserContext(), me, p[0], p[1]); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) createItem(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "module")
	if err != nil {
		return err
	}
	var in ItemInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	it, err := h.svc.CreateItem(c.UserContext(), me, p[0], p[1], in)
	if err != nil {
		return err
	}
	return api.Created(c, it)
}

func (h *HTTP) getItem(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	it, err := h.svc.GetItem(c.UserContext(), me, p[0], p[1])
	if err != nil {
		return err
	}
	raw, err := h.items.View(it)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(raw)
}

func (h *HTTP) patchItem(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	var in ItemInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	it, err := h.svc.UpdateItem(c.UserContext(), me, p[0], p[1], in)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (h *HTTP) deleteItem(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteItem(c.UserContext(), me, p[0], p[1]); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) complete(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	if _, err := h.svc.Complete(c.UserContext(), me, p[0], p[1]); err != nil {
		return err
	}
	r, err := h.svc.Progress(c.UserContext(), me, p[0], 0)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (h *HTTP) progress(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	user, err := api.QueryID(c, "user")
	if err != nil {
		return err
	}
	r, err := h.svc.Progress(c.UserContext(), me, p[0], user)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (h *HTTP) removeMember(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "user")
	if err != nil {
		return err
	}
	if err := h.svc.RemoveMember(c.UserContext(), p[0], me, p[1]); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *HTTP) deleteCourse(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteCourse(c.UserContext(), me, p[0]); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *HTTP) copyCourse(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	var in CopyInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	course, err := h.svc.CopyCourse(c.UserContext(), me, p[0], in)
	if err != nil {
		return err
	}
	return api.Created(c, CourseView{Course: course, MyRole: RoleInstructor})
}

func (h *HTTP) archive(c *fiber.Ctx) error   { return h.setArchived(c, true) }
func (h *HTTP) unarchive(c *fiber.Ctx) error { return h.setArchived(c, false) }

func (h *HTTP) setArchived(c *fiber.Ctx, archived bool) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	if err := h.svc.SetArchived(c.UserContext(), me, p[0], archived); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
