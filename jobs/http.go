package jobs

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/audit"
	"pacer/auth"
)

// MountAdmin adds the job routes to a group that already requires an
// administrator: GET /jobs and POST /jobs/:job/run. Each run asked for is
// audited (a lost entry is logged, the run having happened).
func (s *Scheduler) MountAdmin(admin fiber.Router, log *audit.Log) {
	admin.Get("/jobs", func(c *fiber.Ctx) error {
		list, err := s.Jobs(c.UserContext())
		if err != nil {
			return err
		}
		return c.JSON(api.Items(list))
	})
	admin.Post("/jobs/:job/run", func(c *fiber.Ctx) error {
		res, err := s.Run(strings.Clone(c.Params("job")))
		if err != nil {
			return err
		}
		if id := auth.From(c); id != nil {
			log.RecordAfter(c.UserContext(), audit.Entry{ActorID: id.UserID, Action: "job_run", Detail: res.Job, IP: api.ClientIP(c)})
		}
		return c.JSON(res)
	})
}
