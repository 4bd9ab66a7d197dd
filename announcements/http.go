package announcements

import (
	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
)

// Mount adds the announcement routes under /api/v1.
func (s *Service) Mount(r fiber.Router) {
	r.Post("/courses/:course/announcements", s.create)
	r.Get("/courses/:course/announcements", s.list)
}

func (s *Service) create(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	var in Input
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	out, err := s.Create(c.UserContext(), me, ids[0], in)
	if err != nil {
		return err
	}
	return api.Created(c, out)
}

func (s *Service) list(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	out, err := s.List(c.UserContext(), me, ids[0], p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
