package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"pacer/discussion"
)

// wireDiscussion builds the discussion service (which installs its course
// and item hooks), mounts its routes and registers its stop.
func (s *Server) wireDiscussion(v1 fiber.Router) error {
	// Staff follow their course's threads through the staff index, which a
	// data directory from before it existed gets once, here.
	if err := s.Courses.BuildStaffIndex(context.Background()); err != nil {
		return err
	}
	s.Discussion = discussion.New(discussion.Config{Tx: s.Tx, Store: s.Stores.Discussion,
		Courses: s.Courses, Users: s.Auth, Notify: s.Notify, Markdown: s.Markdown, Now: s.now, Log: s.log, Limits: s.limits,
		// Replicas on one database queue replies into one queue.
		SharedQueue: s.PG != nil})
	s.Discussion.Audit = s.Audit
	// Read marks are buffered, and replies' notifications delivered in
	// batches: by the scheduler, as this process's own work (every
	// ReadFlushEvery and DeliverEvery), and before the store closes.
	if err := s.Discussion.Start(context.Background(), s.Scheduler); err != nil {
		return err
	}
	s.OnStop(s.Discussion.Stop)
	discussion.NewHTTP(s.Discussion).Mount(v1)
	return nil
}
