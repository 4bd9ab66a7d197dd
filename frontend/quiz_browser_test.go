package frontend_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"pacer/auth"
	"pacer/modules"
	"pacer/quiz"
)

// TestBrowserALearnerTakesATimedQuiz: an instructor writes a question in
// the quiz editor; a learner starts the timed quiz, sees the countdown
// running on the server's time, answers with the keyboard, is marked at
// once (immediate feedback) and submits. Every page passes axe.
func TestBrowserALearnerTakesATimedQuiz(t *testing.T) {
	a := startApp(t)
	ctx := context.Background()
	ada, err := a.Srv.Auth.CreateUser(ctx, auth.NewUser{Email: "ada@example.test", Password: "correct horse battery", Name: "Ada Lovelace"}, false)
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	yes := true
	c, err := a.Srv.Courses.CreateCourse(ctx, ada.ID, modules.CourseInput{Title: str("Statistics"), Published: &yes})
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.Srv.Courses.CreateModule(ctx, ada.ID, c.ID, modules.ModuleInput{Title: str("Week 1")})
	if err != nil {
		t.Fatal(err)
	}
	kind, points := quiz.KindQuiz, 10.0
	it, err := a.Srv.Courses.CreateItem(ctx, ada.ID, c.ID, m.ID, modules.ItemInput{Kind: &kind, Title: str("Check yourself"),
		Points: &points, Quiz: []byte(`{"time_limit_seconds": 600}`)})
	if err != nil {
		t.Fatal(err)
	}

	teacher := a.browser()
	teacher.signIn("ada@example.test", "correct horse battery")
	teacher.visit(fmt.Sprintf("/courses/%d/items/%d/quiz", c.ID, it.ID))
	teacher.fill("#f-prompt", "Which is the **median** of 1, 2, 9?")
	teacher.fill("#f-choice_1", "4")
	teacher.fill("#f-feedback_1", "That is the mean.")
	teacher.fill("#f-choice_2", "2")
	teacher.check("#f-correct_2")
	teacher.fill("#f-explanation", "The middle value of the sorted list.")
	teacher.submit("form[action$='/questions'] button[type=submit]")
	teacher.waitText(".flash", "Question 1 added")
	teacher.waitText(".question-list .prose strong", "median")

	sam := a.browser()
	sam.signUp("Sam Student")
	sam.visit("/courses")
	sam.submit(fmt.Sprintf("form[action='/courses/%d/enroll'] button[type=submit]", c.ID))
	sam.waitText(".flash", "You are enrolled")
	sam.visit(fmt.Sprintf("/courses/%d/items/%d", c.ID, it.ID))
	sam.waitText(".quiz .facts", "10 minutes per attempt")
	sam.submit(".quiz form button[type=submit]")
	sam.waitText("[data-countdown-left]", "left.")
	if !sam.eval(`/^(9|10):\d\d left\.$/.test(document.querySelector("[data-countdown-left]").textContent)`) {
		t.Errorf("the countdown shows %q", sam.text("[data-countdown-left]"))
	}
	// The wrong choice, by keyboard: focus the first radio, Space picks it.
	sam.do("pick the first choice", chromedp.SendKeys(chromedp.CSS(".quiz-question input[type=radio]"), " "))
	if !sam.eval(`document.querySelector(".quiz-question input[type=radio]").checked`) {
		t.Fatal("the space bar did not pick the focused choice")
	}
	sam.submit(".quiz-question form button[type=submit]")
	sam.waitText(".flash", "Answer saved")
	sam.waitText(".quiz-judgement", "Not right")
	sam.waitText(".quiz-judgement .prose", "That is the mean.")
	sam.waitText(".quiz-judgement details", "middle value")
	sam.submit(".quiz-submit button[type=submit]")
	sam.waitText(".flash", "Attempt submitted")
	sam.waitText("[data-result] .grade", "0 of 1 (0%)")

	// The quiz's grade reaches the gradebook and the learner's grades
	// (both pages checked by axe as they load).
	teacher.visit(fmt.Sprintf("/courses/%d/gradebook", c.ID))
	teacher.waitText(".gradebook tbody th", "Sam Student")
	teacher.waitText(".gradebook tbody td", "Graded")
	sam.visit(fmt.Sprintf("/courses/%d/grades", c.ID))
	sam.waitText("[data-total]", "0 of 10 points so far")
}
