package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"pacer/quiz"
)

// wireQuiz builds the quiz service, makes quiz items known to the course
// service, mounts the routes, and schedules the job that submits attempts
// whose time ran out (a learner's own next request does it first when
// they come back).
func (s *Server) wireQuiz(v1 fiber.Router) error {
	svc := quiz.New(quiz.Config{Tx: s.Tx, Store: s.Stores.Quiz, Courses: s.Courses, MD: s.Markdown, Now: s.now})
	svc.Install(context.Background())
	if err := s.Scheduler.Register(quiz.JobSubmitExpired, svc.SubmitExpired); err != nil {
		return err
	}
	svc.Mount(v1)
	s.Quiz = svc
	return nil
}
