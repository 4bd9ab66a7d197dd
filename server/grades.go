package server

import (
	"github.com/gofiber/fiber/v2"

	"pacer/grades"
)

// wireGrades builds the gradebook over the services that own the grades
// (assignments, quizzes) and mounts its routes.
func (s *Server) wireGrades(v1 fiber.Router) error {
	s.Grades = grades.New(grades.Config{Tx: s.Tx, Courses: s.Courses, Deadlines: s.Deadlines, Quiz: s.Quiz, Users: s.Auth, Now: s.now})
	s.Grades.Mount(v1)
	return nil
}
