package server

import (
	"github.com/gofiber/fiber/v2"

	"pacer/announcements"
)

// wireAnnouncements builds the announcement service and mounts its
// routes. Its notifications become e-mail through the outbox hook that
// wireEngagement installs on the notify service.
func (s *Server) wireAnnouncements(v1 fiber.Router) error {
	s.Announcements = announcements.New(announcements.Config{Tx: s.Tx, Store: s.Stores.Announcements, Auth: s.Auth,
		Courses: s.Courses, Notify: s.Notify, Markdown: s.Markdown, Now: s.now})
	s.Announcements.Mount(v1)
	return nil
}
