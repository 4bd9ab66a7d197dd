package deadlines

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
)

// HTTP serves the deadline, extension, submission, calendar and job routes.
type HTTP struct {
	svc *Service
}

// NewHTTP wraps the service.
func NewHTTP(svc *Service) *HTTP { return &HTTP{svc: svc} }

// Mount adds the routes under /api/v1. Each handler asks auth.Caller for
// the caller, so unknown paths stay 404 rather than 401.
func (h *HTTP) Mount(r fiber.Router) {
	r.Post("/courses/:course/extensions", h.createExtension)
	r.Get("/courses/:course/extensions", h.listExtensions)
	r.Delete("/courses/:course/extensions/:extension", h.deleteExtension)

	r.Post("/courses/:course/items/:item/submissions", h.submit)
	r.Get("/courses/:course/items/:item/submissions", h.listSubmissions)
	r.Get("/courses/:course/submissions/:submission", h.getSubmission)
	r.Patch("/courses/:course/submissions/:submission", h.grade)

	r.Get("/me/deadlines", h.deadlines)
	r.Get("/me/calendar-token", h.calendarToken)
	r.Post("/me/calendar-token", h.rotateCalendarToken)
}

// MountFeed adds the public calendar feed, outside /api/v1: calendar apps
// fetch it with the secret token in the path and no other credentials.
func (h *HTTP) MountFeed(app fiber.Router) {
	app.Get("/calendar/:file", h.feed)
}

func (h *HTTP) createExtension(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	var in ExtensionInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	ext, err := h.svc.CreateExtension(c.UserContext(), me, p[0], in)
	if err != nil {
		return err
	}
	return api.Created(c, ext)
}

func (h *HTTP) listExtensions(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	user, err := api.QueryID(c, "user")
	if err != nil {
		return err
	}
	module, err := api.QueryID(c, "module")
	if err != nil {
		return err
	}
	list, err := h.svc.ListExtensions(c.UserContext(), me, p[0], user, module)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

func (h *HTTP) deleteExtension(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "extension")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteExtension(c.UserContext(), me, p[0], p[1]); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) submit(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	var in SubmissionInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	sub, err := h.svc.Submit(c.UserContext(), me, p[0], p[1], in)
	if err != nil {
		return err
	}
	return api.Created(c, sub)
}

func (h *HTTP) listSubmissions(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	page, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	list, err := h.svc.ListSubmissions(c.UserContext(), me, p[0], p[1], page)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h *HTTP) getSubmission(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "submission")
	if err != nil {
		return err
	}
	sub, err := h.svc.GetSubmission(c.UserContext(), me, p[0], p[1])
	if err != nil {
		return err
	}
	return c.JSON(sub)
}

func (h *HTTP) grade(c *fiber.Ctx) error {
	me, p, err := auth.CallerAndIDs(c, "course", "submission")
	if err != nil {
		return err
	}
	var in GradeInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	sub, err := h.svc.Grade(c.UserContext(), me, p[0], p[1], in)
	if err != nil {
		return err
	}
	return c.JSON(sub)
}

func (h *HTTP) deadlines(c *fiber.Ctx) error {
	me, _, err := auth.CallerAndIDs(c)
	if err != nil {
		return err
	}
	list, err := h.svc.Deadlines(c.UserContext(), me)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(list))
}

type urlAnswer struct {
	URL string `json:"url"`
}

func (h *HTTP) calendarToken(c *fiber.Ctx) error {
	me, _, err := auth.CallerAndIDs(c)
	if err != nil {
		return err
	}
	url, err := h.svc.CalendarURL(c.UserContext(), me)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(urlAnswer{URL: url})
}

func (h *HTTP) rotateCalendarToken(c *fiber.Ctx) error {
	me, _, err := auth.CallerAndIDs(c)
	if err != nil {
		return err
	}
	url, err := h.svc.RotateCalendar(c.UserContext(), me)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(urlAnswer{URL: url})
}

func (h *HTTP) feed(c *fiber.Ctx) error {
	token, ok := strings.CutSuffix(c.Params("file"), ".ics")
	if !ok {
		return errs.NotFoundf("calendar")
	}
	body, err := h.svc.Feed(c.UserContext(), token)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.SendString(body)
}
