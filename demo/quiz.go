package demo

import (
	"context"

	"pacer/modules"
	"pacer/quiz"
	"pacer/server"
)

// seedQuiz adds a short check to week 2: one question of each kind, marked
// as each answer is saved, two attempts, the best counting.
func seedQuiz(s *server.Server, teacher, course, week2 uint64) error {
	ctx := context.Background()
	it, err := s.Courses.CreateItem(ctx, teacher, course, week2, modules.ItemInput{
		Kind:   ptr(quiz.KindQuiz),
		Title:  ptr("Check: centre and spread"),
		Body:   ptr("Four quick questions. You see at once whether each answer is right, and why."),
		Points: ptr(20.0),
		Quiz:   []byte(`{"attempts": 2, "pass_percent": 75, "feedback": "immediate", "score": "best"}`),
	})
	if err != nil {
		return err
	}
	four := 4.0
	questions := []quiz.QuestionInput{
		{Kind: ptr(quiz.Single), Prompt: ptr("Which is the **median** of 2, 3, 4, 5 and 36?"),
			Choices:     []quiz.Choice{{Text: "10", Feedback: "That is the mean: the 36 pulls it up."}, {Text: "4", Correct: true}, {Text: "36", Feedback: "That is the largest value."}},
			Explanation: ptr("Sort the values; the median is the middle one.")},
		{Kind: ptr(quiz.Multiple), Prompt: ptr("Which of these are measures of **spread**?"),
			Choices:     []quiz.Choice{{Text: "Interquartile range", Correct: true}, {Text: "Standard deviation", Correct: true}, {Text: "Mode"}},
			Explanation: ptr("The mode is a centre, like the mean and the median.")},
		{Kind: ptr(quiz.Numeric), Prompt: ptr("What is the mean of 2, 4 and 6?"), Answer: &quiz.Key{Value: &four},
			Explanation: ptr("(2 + 4 + 6) ÷ 3 = 4.")},
		{Kind: ptr(quiz.Text), Prompt: ptr("Name the centre that resists outliers."), Answer: &quiz.Key{Accepted: []string{"median", "the median"}},
			Explanation: ptr("The median does not move when the largest value grows.")},
	}
	for _, q := range questions {
		if _, err := s.Quiz.AddQuestion(ctx, teacher, course, it.ID, q); err != nil {
			return err
		}
	}
	return nil
}
