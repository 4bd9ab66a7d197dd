package audit

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/errs"
)

// Mount adds GET /admin/audit to an administrators' group.
func (l *Log) Mount(admin fiber.Router) {
	admin.Get("/audit", func(c *fiber.Ctx) error {
		p, err := api.ParsePage(c)
		if err != nil {
			return err
		}
		f := Filter{Action: strings.Clone(c.Query("action"))}
		for name, dst := range map[string]*uint64{"actor": &f.ActorID, "course": &f.CourseID} {
			if v := c.Query(name); v != "" {
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil || n == 0 {
					return errs.Field(name, "must be a positive integer")
				}
				*dst = n
			}
		}
		list, err := l.List(c.UserContext(), p, f)
		if err != nil {
			return err
		}
		return c.JSON(list)
	})
}
