package notify

// The HTTP routes of notifications, e-mail preferences and the outbox; the
// rest of the package knows nothing of fiber.

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
)

// Mount adds the notification routes under /api/v1.
func (s *Service) Mount(r fiber.Router) {
	r.Get("/notifications", s.list)
	r.Post("/notifications/read", s.read)
}

func (s *Service) list(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	out, err := s.List(c.UserContext(), id.UserID, p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type readBody struct {
	IDs []uint64 `json:"ids"`
	All bool     `json:"all"`
}

func (s *Service) read(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	var in readBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	if !in.All && len(in.IDs) == 0 {
		return errs.Field("ids", "give ids or all: true")
	}
	if len(in.IDs) > 1000 {
		return errs.Field("ids", "at most 1000")
	}
	if err := s.MarkRead(c.UserContext(), id.UserID, in.IDs, in.All); err != nil {
		return err
	}
	return api.NoContent(c)
}

// Mount adds the preference routes under /api/v1.
func (o *Outbox) Mount(r fiber.Router) {
	r.Get("/me/email-preferences", o.getPrefs)
	r.Put("/me/email-preferences", o.putPrefs)
	r.Patch("/me/email-preferences", o.putPrefs)
}

func (o *Outbox) getPrefs(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	v, err := o.Preferences(id.UserID)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (o *Outbox) putPrefs(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	var in map[string]bool
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	v, err := o.SetPreferences(id.UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// MountAdmin adds GET /outbox to the admin group.
func (o *Outbox) MountAdmin(admin fiber.Router) {
	admin.Get("/outbox", func(c *fiber.Ctx) error {
		p, err := api.ParsePage(c)
		if err != nil {
			return err
		}
		out, err := o.Page(strings.Clone(c.Query("state")), p)
		if err != nil {
			return err
		}
		return c.JSON(out)
	})
}
