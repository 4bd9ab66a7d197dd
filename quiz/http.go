package quiz

import (
	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
)

// Mount adds the quiz routes under /api/v1.
func (s *Service) Mount(r fiber.Router) {
	r.Post("/courses/:course/items/:item/questions", s.addQuestion)
	r.Get("/courses/:course/items/:item/questions", s.listQuestions)
	r.Patch("/courses/:course/questions/:question", s.updateQuestion)
	r.Delete("/courses/:course/questions/:question", s.deleteQuestion)

	r.Post("/courses/:course/items/:item/attempts", s.start)
	r.Get("/courses/:course/items/:item/attempts", s.attemptsHandler)
	r.Get("/courses/:course/attempts/:attempt", s.getAttempt)
	r.Put("/courses/:course/attempts/:attempt/answers/:question", s.saveAnswer)
	r.Post("/courses/:course/attempts/:attempt/submit", s.submit)
}

func (s *Service) addQuestion(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	var in QuestionInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	out, err := s.AddQuestion(c.UserContext(), me, ids[0], ids[1], in)
	if err != nil {
		return err
	}
	return api.Created(c, out)
}

func (s *Service) listQuestions(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	out, err := s.Questions(c.UserContext(), me, ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.JSON(api.Items(out))
}

func (s *Service) updateQuestion(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "question")
	if err != nil {
		return err
	}
	var in QuestionInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	out, err := s.UpdateQuestion(c.UserContext(), me, ids[0], ids[1], in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Service) deleteQuestion(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "question")
	if err != nil {
		return err
	}
	if err := s.DeleteQuestion(c.UserContext(), me, ids[0], ids[1]); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (s *Service) start(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	out, created, err := s.Start(c.UserContext(), me, ids[0], ids[1])
	if err != nil {
		return err
	}
	if created {
		return api.Created(c, out)
	}
	return c.JSON(out)
}

func (s *Service) attemptsHandler(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "item")
	if err != nil {
		return err
	}
	user, err := api.QueryID(c, "user")
	if err != nil {
		return err
	}
	out, err := s.Attempts(c.UserContext(), me, ids[0], ids[1], user)
	if err != nil {
		return err
	}
	return c.JSON(api.Items(out))
}

func (s *Service) getAttempt(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "attempt")
	if err != nil {
		return err
	}
	out, err := s.Attempt(c.UserContext(), me, ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Service) saveAnswer(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "attempt", "question")
	if err != nil {
		return err
	}
	var in Response
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	out, err := s.SaveAnswer(c.UserContext(), me, ids[0], ids[1], ids[2], in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Service) submit(c *fiber.Ctx) error {
	me, ids, err := auth.CallerAndIDs(c, "course", "attempt")
	if err != nil {
		return err
	}
	out, err := s.Submit(c.UserContext(), me, ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.JSON(out)
}
