package jobs

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
)

// MountAdmin adds the job routes to a group that already requires an
// administrator: GET /jobs and POST /jobs/:job/run (audited, RunFor).
func (s *Scheduler) MountAdmin(admin fiber.Router) {
	admin.Get("/jobs", func(c *fiber.Ctx) error {
		list, err := s.Jobs(c.UserContext())
		if err != nil {
			return err
		}
		return c.JSON(api.Items(list))
	})
	admin.Post("/jobs/:job/run", func(c *fiber.Ctx) error {
		var actor uint64
		if id := auth.From(c); id != nil {
			actor = id.UserID
		}
		res, err := s.RunFor(c.UserContext(), strings.Clone(c.Params("job")), actor, api.ClientIP(c))
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
}
