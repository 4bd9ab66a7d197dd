package server

import (
	"github.com/gofiber/fiber/v2"

	"pacer/announcements"
	"pacer/storage/bolt"
)

// wireAnnouncements builds the announcement service and mounts its
// routes. Its notifications become e-mail through the outbox hook that
// wireEngagement installs on the notify service.
func (s *Server) wireAnnouncements(v1 fiber.Router) error {
	s.Announcements = announcements.New(announcements.Config{Tx: s.DB, Store: bolt.NewAnnouncements(s.DB), Auth: s.Auth,
		Courses: s.Courses, Notify: s.Notify, Markdown: s.Markdown, Now: s.now})
	s.Announcements.Mount(v1)
	return nil
}
