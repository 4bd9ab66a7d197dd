package grades

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pacer/auth"
)

// Mount adds the gradebook routes under /api/v1.
func (s *Service) Mount(r fiber.Router) {
	r.Get("/courses/:course/gradebook", s.gradebook)
	r.Get("/courses/:course/gradebook.csv", s.gradebookCSV)
	r.Get("/courses/:course/grades", s.grades)
}

func (s *Service) gradebook(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	b, err := s.Gradebook(c.UserContext(), me, ids[0], c.Query("sort"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (s *Service) gradebookCSV(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	b, err := s.Gradebook(c.UserContext(), me, ids[0], c.Query("sort"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="gradebook-%d.csv"`, ids[0]))
	return c.Send(b.CSV())
}

func (s *Service) grades(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course")
	if err != nil {
		return err
	}
	o, err := s.Grades(c.UserContext(), me, ids[0])
	if err != nil {
		return err
	}
	return c.JSON(o)
}
