package server

import (
	"github.com/gofiber/fiber/v2"

	"pacer/discussion"
)

// wireDiscussion builds the discussion service (which installs its course
// and item hooks) and mounts its routes.
func (s *Server) wireDiscussion(v1 fiber.Router) error {
	s.Discussion = discussion.New(s.DB, s.Courses, s.Notify, s.Markdown, s.now)
	s.Discussion.Audit = s.Audit
	discussion.NewHTTP(s.Discussion).Mount(v1)
	return nil
}
