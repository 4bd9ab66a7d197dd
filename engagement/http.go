package engagement

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
)

// Mount adds the engagement routes under /api/v1.
func (s *Service) Mount(r fiber.Router) {
	r.Get("/courses/:course/at-risk", s.atRisk)
	r.Get("/courses/:course/cohort", s.cohort)
	r.Post("/courses/:course/nudges", s.message)
	r.Get("/courses/:course/pace", s.pace)
	r.Get("/me/pace", s.myPace)
}

func (s *Service) atRisk(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	q, err := FilterQuery(c)
	if err != nil {
		return err
	}
	rows, err := s.AtRiskWhere(c.UserContext(), id.UserID, course, q)
	if err != nil {
		return err
	}
	// Rows are judged and ordered afresh at each request, so the cursor
	// is a position in that order; a learner whose risk changed between
	// two pages may move, as in any ranking of live data.
	start := 0
	if p.Cursor != "" {
		if start, err = strconv.Atoi(p.Cursor); err != nil || start < 0 || start > len(rows) {
			return errs.Field("cursor", "invalid")
		}
	}
	out := api.Items(rows[start:min(start+p.Limit, len(rows))])
	if start+p.Limit < len(rows) {
		out.NextCursor = strconv.Itoa(start + p.Limit)
	}
	return c.JSON(out)
}

func (s *Service) message(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	var in MessageInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	res, err := s.Message(c.UserContext(), id.UserID, course, in)
	if err != nil {
		return err
	}
	return api.Created(c, res)
}

func (s *Service) pace(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	user, err := api.QueryID(c, "user")
	if err != nil {
		return err
	}
	p, err := s.Pace(c.UserContext(), id.UserID, course, user)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Service) myPace(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	out, err := s.MyPace(c.UserContext(), id.UserID)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(out))
}

// FilterQuery reads the at-risk filter from a request's query: flag, pace,
// module and state (API and pages alike).
func FilterQuery(c *fiber.Ctx) (Filter, error) {
	module, err := api.QueryID(c, "module")
	if err != nil {
		return Filter{}, err
	}
	return Filter{Flag: strings.Clone(c.Query("flag")), Pace: strings.Clone(c.Query("pace")),
		Module: module, State: strings.Clone(c.Query("state"))}, nil
}

func (s *Service) cohort(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	out, err := s.Cohort(c.UserContext(), id.UserID, course)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
