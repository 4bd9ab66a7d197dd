package frontend

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/errs"
	"pacer/modules"
	"pacer/quiz"
)

// mountQuiz adds the quiz pages: the quiz's part of the item page, the
// instructor's editor (settings and questions), and the attempt page where
// a learner answers one question at a time and reads the result. Every
// form works without JavaScript; app.js only runs the countdown.
func (f *Frontend) mountQuiz(r fiber.Router) {
	if f.Quiz == nil {
		return
	}
	f.itemKinds[quiz.KindQuiz] = ItemKind{Load: f.loadQuiz}

	r.Get("/courses/:course/modules/:module/quizzes/new", f.signedIn, f.newQuizPage)
	r.Post("/courses/:course/modules/:module/quizzes/new", f.signedIn, f.csrf, f.createQuiz)
	r.Get("/courses/:course/items/:item/quiz", f.signedIn, f.quizEditor)
	r.Post("/courses/:course/items/:item/quiz", f.signedIn, f.csrf, f.saveQuizSettings)
	r.Post("/courses/:course/items/:item/questions", f.signedIn, f.csrf, f.addQuestion)
	r.Get("/courses/:course/questions/:question/edit", f.signedIn, f.editQuestionPage)
	r.Post("/courses/:course/questions/:question/edit", f.signedIn, f.csrf, f.updateQuestion)
	r.Post("/courses/:course/questions/:question/move", f.signedIn, f.csrf, f.moveQuestion)
	r.Post("/courses/:course/questions/:question/delete", f.signedIn, f.csrf, f.deleteQuestion)

	r.Post("/courses/:course/items/:item/attempts", f.signedIn, f.csrf, f.startAttempt)
	r.Get("/courses/:course/attempts/:attempt", f.signedIn, f.attemptPage)
	r.Post("/courses/:course/attempts/:attempt/answers/:question", f.signedIn, f.csrf, f.saveAnswer)
	r.Post("/courses/:course/attempts/:attempt/submit", f.signedIn, f.csrf, f.submitAttempt)
}

// quizSettings is an item's quiz settings.
func quizSettings(it modules.Item) quiz.Settings {
	if it.Quiz == nil {
		return quiz.DefaultSettings()
	}
	return quiz.Settings(*it.Quiz)
}

// feedbackLabel says a feedback mode in words.
func feedbackLabel(mode string) string {
	switch mode {
	case quiz.OnSubmit:
		return "Answers are marked when you submit."
	case quiz.AfterDue:
		return "Your score comes when you submit; which answers were right, after the due time."
	}
	return "Each answer is marked as soon as you save it."
}

// QuizView is the quiz's part of the item page.
type QuizView struct {
	Settings quiz.Settings
	Feedback string
	// Attempts are the learner's own (staff: none), newest first; Open
	// is their open attempt, if any.
	Attempts []quiz.AttemptView
	Open     *quiz.AttemptView
	Used     int
	Left     int // attempts left; -1 unlimited
	Best     *quiz.AttemptView
	// Questions counts the quiz's questions (staff).
	Questions int
}

func (f *Frontend) loadQuiz(c *fiber.Ctx, p *ItemPage) error {
	v := &QuizView{Settings: quizSettings(p.Item.Item), Left: -1}
	v.Feedback = feedbackLabel(v.Settings.Feedback)
	if p.Staff {
		qs, err := f.Quiz.Questions(c.UserContext(), caller(c), p.Course.ID, p.Item.ID)
		if err != nil {
			return err
		}
		v.Questions = len(qs)
		p.Extra = v
		return nil
	}
	list, err := f.Quiz.Attempts(c.UserContext(), caller(c), p.Course.ID, p.Item.ID, 0)
	if err != nil {
		return err
	}
	v.Attempts = list
	for i := range list {
		a := &list[i]
		if a.Status == quiz.StatusOpen {
			v.Open = a
			continue
		}
		v.Used++
		if a.FinalScore != nil && (v.Best == nil || *a.FinalScore > *v.Best.FinalScore) {
			v.Best = a
		}
	}
	if v.Settings.Score == quiz.Last {
		v.Best = nil
		for i := range list {
			if list[i].Status == quiz.StatusSubmitted {
				v.Best = &list[i]
				break
			}
		}
	}
	if v.Settings.Attempts > 0 {
		v.Left = max(0, v.Settings.Attempts-v.Used)
	}
	p.Extra = v
	return nil
}

// itemPagePath is an item's page.
func itemPagePath(course, item uint64) string {
	return fmt.Sprintf("/courses/%d/items/%d", course, item)
}

// attemptPath is an attempt's page.
func attemptPath(course, attempt uint64) string {
	return fmt.Sprintf("/courses/%d/attempts/%d", course, attempt)
}

// quizFormPage is the dot of the new-quiz form and the editor's settings.
type quizFormPage struct {
	Form   *Form
	Course modules.Course
	Module modules.ModuleView
	Item   modules.Item
	New    bool
	// Editor only:
	Questions []quiz.QuestionView
	Question  *Form // the add-question form
	// FeedbackModes are the options of the settings form's feedback select.
	FeedbackModes []Option
}

// Option is one option of a select.
type Option struct{ Value, Label string }

var feedbackModes = []Option{
	{quiz.Immediate, "Immediately, as each answer is saved"},
	{quiz.OnSubmit, "When the attempt is submitted"},
	{quiz.AfterDue, "Score on submit; right answers after the due time"},
}

// quizValues is the settings form filled from an item.
func quizValues(it modules.Item) *Form {
	st := quizSettings(it)
	v := map[string]string{"title": it.Title, "body": it.Body, "points": formatNumber(it.Points),
		"attempts": strconv.Itoa(st.Attempts), "pass_percent": strconv.Itoa(st.PassPercent),
		"feedback": st.Feedback, "score": st.Score, "draw": strconv.Itoa(st.Draw)}
	if st.TimeLimitSeconds > 0 {
		v["time_limit_minutes"] = formatNumber(float64(st.TimeLimitSeconds) / 60)
	}
	if it.Points == 0 {
		v["points"] = ""
	}
	if it.Published {
		v["published"] = "1"
	}
	if st.Shuffle {
		v["shuffle"] = "1"
	}
	return NewForm(v)
}

// quizInput reads the settings form; false when a number does not parse
// (form.Errors says which).
func quizInput(v url.Values, form *Form) (modules.ItemInput, bool) {
	in := modules.ItemInput{Title: optString(v, "title"), Body: optString(v, "body"), Published: boolPtr(checkbox(v, "published"))}
	bad := func(field, msg string) {
		form.Errors[field] = msg
		form.Error = "Please correct the marked fields."
	}
	points, set, ok := formFloat(v, "points")
	switch {
	case !ok:
		bad("points", "Give the points as a number.")
	case set:
		in.Points = &points
	default:
		zero := 0.0
		in.Points = &zero
	}
	st := quiz.SettingsPatch{Feedback: optString(v, "feedback"), Score: optString(v, "score"), Shuffle: boolPtr(checkbox(v, "shuffle"))}
	ints := map[string]**int{"attempts": &st.Attempts, "pass_percent": &st.PassPercent, "draw": &st.Draw}
	for name, dst := range ints {
		n, set, ok := formInt(v, name)
		switch {
		case !ok:
			bad(name, "Give a whole number.")
		case set:
			i := int(n)
			*dst = &i
		default:
			zero := 0
			*dst = &zero
		}
	}
	mins, set, ok := formFloat(v, "time_limit_minutes")
	secs := 0
	switch {
	case !ok || mins < 0:
		bad("time_limit_minutes", "Give the minutes as a number, or leave it empty for no limit.")
	case set:
		secs = int(mins*60 + 0.5)
	}
	st.TimeLimitSeconds = &secs
	raw, _ := json.Marshal(st)
	in.Quiz = raw
	return in, form.Error == ""
}

// quizFieldNames maps the API's settings fields to the form's.
var quizFieldNames = map[string]string{"quiz.attempts": "attempts", "quiz.pass_percent": "pass_percent",
	"quiz.feedback": "feedback", "quiz.score": "score", "quiz.draw": "draw", "quiz.time_limit_seconds": "time_limit_minutes"}

func (f *Frontend) newQuizPage(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "quiz/settings", quizFormPage{Form: quizValues(modules.Item{Published: true, Points: 10}),
		Course: a.Course, Module: m, New: true, FeedbackModes: feedbackModes})
}

func (f *Frontend) createQuiz(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	page := quizFormPage{Form: form, Course: a.Course, Module: m, New: true, FeedbackModes: feedbackModes}
	in, ok := quizInput(v, form)
	if !ok {
		return f.render(c, fiber.StatusBadRequest, "quiz/settings", page)
	}
	kind := quiz.KindQuiz
	in.Kind = &kind
	it, err := f.Courses.CreateItem(c.UserContext(), caller(c), a.Course.ID, m.ID, in)
	if err != nil {
		if form.fail(err, quizFieldNames) {
			return f.render(c, errStatus(err), "quiz/settings", page)
		}
		return err
	}
	f.flash(c, "success", "Quiz “"+it.Title+"” added. Now add its questions.")
	return f.redirect(c, itemPagePath(a.Course.ID, it.ID)+"/quiz")
}

// editorPage is the quiz editor: its settings, its questions in order,
// and a form to add one.
func (f *Frontend) editorPage(c *fiber.Ctx, a modules.Access, it modules.ItemView, m modules.ModuleView, settings, question *Form, status int) error {
	qs, err := f.Quiz.Questions(c.UserContext(), caller(c), a.Course.ID, it.ID)
	if err != nil {
		return err
	}
	if settings == nil {
		settings = quizValues(it.Item)
	}
	if question == nil {
		question = NewForm(map[string]string{"kind": quiz.Single, "points": "1"})
	}
	return f.render(c, status, "quiz/editor", quizFormPage{Form: settings, Course: a.Course, Module: m, Item: it.Item,
		Questions: qs, Question: question, FeedbackModes: feedbackModes})
}

// loadQuizItem is the :item of the URL for its instructors, when it is a
// quiz.
func (f *Frontend) loadQuizItem(c *fiber.Ctx) (modules.Access, modules.ItemView, modules.ModuleView, error) {
	a, it, m, err := f.loadStaffItem(c)
	if err == nil && it.Kind != quiz.KindQuiz {
		err = errs.NotFoundf("quiz")
	}
	return a, it, m, err
}

func (f *Frontend) quizEditor(c *fiber.Ctx) error {
	a, it, m, err := f.loadQuizItem(c)
	if err != nil {
		return err
	}
	return f.editorPage(c, a, it, m, nil, nil, fiber.StatusOK)
}

func (f *Frontend) saveQuizSettings(c *fiber.Ctx) error {
	a, it, m, err := f.loadQuizItem(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in, ok := quizInput(v, form)
	if !ok {
		return f.editorPage(c, a, it, m, form, nil, fiber.StatusBadRequest)
	}
	if _, err := f.Courses.UpdateItem(c.UserContext(), caller(c), a.Course.ID, it.ID, in); err != nil {
		if form.fail(err, quizFieldNames) {
			return f.editorPage(c, a, it, m, form, nil, errStatus(err))
		}
		return err
	}
	f.flash(c, "success", "Quiz settings saved.")
	return f.redirect(c, itemPagePath(a.Course.ID, it.ID)+"/quiz")
}

// choiceRows is how many choice rows the question form offers.
const choiceRows = 6

// questionInput reads the question form.
func questionInput(v url.Values, form *Form) (quiz.QuestionInput, bool) {
	bad := func(field, msg string) {
		form.Errors[field] = msg
		form.Error = "Please correct the marked fields."
	}
	in := quiz.QuestionInput{Kind: optString(v, "kind"), Prompt: optString(v, "prompt"), Explanation: optString(v, "explanation")}
	if p, set, ok := formFloat(v, "points"); !ok {
		bad("points", "Give the points as a number.")
	} else if set {
		in.Points = &p
	}
	switch v.Get("kind") {
	case quiz.Single, quiz.Multiple:
		in.Choices = []quiz.Choice{}
		right := v["correct"]
		for i := 1; i <= choiceRows; i++ {
			n := strconv.Itoa(i)
			text := strings.TrimSpace(v.Get("choice_" + n))
			if text == "" {
				continue
			}
			correct := false
			for _, r := range right {
				correct = correct || r == n
			}
			in.Choices = append(in.Choices, quiz.Choice{Text: text, Correct: correct, Feedback: v.Get("feedback_" + n)})
		}
	case quiz.Numeric:
		val, set, ok := formFloat(v, "value")
		if !ok || !set {
			bad("value", "Give the right answer as a number.")
		}
		tol, _, ok := formFloat(v, "tolerance")
		if !ok {
			bad("tolerance", "Give the tolerance as a number, or leave it empty for an exact answer.")
		}
		in.Answer = &quiz.Key{Value: &val, Tolerance: tol}
	case quiz.Text:
		var accepted []string
		for _, line := range strings.Split(v.Get("accepted"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				accepted = append(accepted, line)
			}
		}
		in.Answer = &quiz.Key{Accepted: accepted}
	}
	return in, form.Error == ""
}

// questionFieldNames maps the API's question fields to the form's.
var questionFieldNames = map[string]string{"answer.value": "value", "answer.tolerance": "tolerance",
	"answer.accepted": "accepted", "choices": "choices"}

// questionValues is the question form filled from a question.
func questionValues(q quiz.QuestionView) *Form {
	v := url.Values{}
	v.Set("kind", q.Kind)
	v.Set("prompt", q.Prompt)
	v.Set("points", formatNumber(q.Points))
	v.Set("explanation", q.Explanation)
	for _, ch := range q.Choices {
		n := strconv.Itoa(ch.ID)
		v.Set("choice_"+n, ch.Text)
		v.Set("feedback_"+n, ch.Feedback)
		if ch.Correct {
			v.Add("correct", n)
		}
	}
	if a := q.Answer; a != nil {
		if a.Value != nil {
			v.Set("value", formatNumber(*a.Value))
			v.Set("tolerance", formatNumber(a.Tolerance))
		}
		v.Set("accepted", strings.Join(a.Accepted, "\n"))
	}
	return &Form{Values: v, Errors: map[string]string{}}
}

func (f *Frontend) addQuestion(c *fiber.Ctx) error {
	a, it, m, err := f.loadQuizItem(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in, ok := questionInput(v, form)
	if !ok {
		return f.editorPage(c, a, it, m, nil, form, fiber.StatusBadRequest)
	}
	q, err := f.Quiz.AddQuestion(c.UserContext(), caller(c), a.Course.ID, it.ID, in)
	if err != nil {
		if form.fail(err, questionFieldNames) {
			return f.editorPage(c, a, it, m, nil, form, errStatus(err))
		}
		return err
	}
	f.flash(c, "success", fmt.Sprintf("Question %d added.", q.Position+1))
	return f.redirect(c, fmt.Sprintf("%s/quiz#q-%d", itemPagePath(a.Course.ID, it.ID), q.ID))
}

// questionPage is the dot of the edit-question page.
type questionPage struct {
	Form     *Form
	Course   modules.Course
	Item     modules.Item
	Question quiz.QuestionView
}

// loadQuestion finds the :question of the URL among its quiz's questions,
// for the course's instructors.
func (f *Frontend) loadQuestion(c *fiber.Ctx) (modules.Access, modules.Item, quiz.QuestionView, error) {
	var q quiz.QuestionView
	a, err := f.instructorCourse(c)
	if err != nil {
		return a, modules.Item{}, q, err
	}
	qid, err := api.ParamID(c, "question")
	if err != nil {
		return a, modules.Item{}, q, err
	}
	it, err := f.Quiz.QuestionItem(c.UserContext(), caller(c), a.Course.ID, qid)
	if err != nil {
		return a, it, q, err
	}
	qs, err := f.Quiz.Questions(c.UserContext(), caller(c), a.Course.ID, it.ID)
	if err != nil {
		return a, it, q, err
	}
	for _, x := range qs {
		if x.ID == qid {
			return a, it, x, nil
		}
	}
	return a, it, q, errs.NotFoundf("question")
}

func (f *Frontend) editQuestionPage(c *fiber.Ctx) error {
	a, it, q, err := f.loadQuestion(c)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "quiz/question", questionPage{Form: questionValues(q), Course: a.Course, Item: it, Question: q})
}

func (f *Frontend) updateQuestion(c *fiber.Ctx) error {
	a, it, q, err := f.loadQuestion(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	page := questionPage{Form: form, Course: a.Course, Item: it, Question: q}
	in, ok := questionInput(v, form)
	if !ok {
		return f.render(c, fiber.StatusBadRequest, "quiz/question", page)
	}
	if in.Choices == nil {
		in.Choices = []quiz.Choice{} // a kind without choices drops them
	}
	if _, err := f.Quiz.UpdateQuestion(c.UserContext(), caller(c), a.Course.ID, q.ID, in); err != nil {
		if form.fail(err, questionFieldNames) {
			return f.render(c, errStatus(err), "quiz/question", page)
		}
		return err
	}
	f.flash(c, "success", "Question saved.")
	return f.redirect(c, fmt.Sprintf("%s/quiz#q-%d", itemPagePath(a.Course.ID, it.ID), q.ID))
}

func (f *Frontend) moveQuestion(c *fiber.Ctx) error {
	a, it, q, err := f.loadQuestion(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	pos := q.Position
	switch v.Get("dir") {
	case "up":
		pos--
	case "down":
		pos++
	}
	if pos >= 0 && pos != q.Position {
		if _, err := f.Quiz.UpdateQuestion(c.UserContext(), caller(c), a.Course.ID, q.ID, quiz.QuestionInput{Position: &pos}); err != nil {
			return err
		}
	}
	return f.redirect(c, fmt.Sprintf("%s/quiz#q-%d", itemPagePath(a.Course.ID, it.ID), q.ID))
}

func (f *Frontend) deleteQuestion(c *fiber.Ctx) error {
	a, it, q, err := f.loadQuestion(c)
	if err != nil {
		return err
	}
	if err := f.Quiz.DeleteQuestion(c.UserContext(), caller(c), a.Course.ID, q.ID); err != nil {
		return err
	}
	f.flash(c, "success", fmt.Sprintf("Question %d deleted.", q.Position+1))
	return f.redirect(c, itemPagePath(a.Course.ID, it.ID)+"/quiz")
}

func (f *Frontend) startAttempt(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	iid, err := api.ParamID(c, "item")
	if err != nil {
		return err
	}
	v, _, err := f.Quiz.Start(c.UserContext(), caller(c), a.Course.ID, iid)
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			f.flash(c, "error", sentence(errMessage(err)))
			return f.redirect(c, itemPagePath(a.Course.ID, iid))
		}
		return err
	}
	return f.redirect(c, attemptPath(a.Course.ID, v.ID))
}

// attemptPageData is the dot of the attempt page.
type attemptPageData struct {
	Course   modules.Course
	Item     modules.Item
	Attempt  quiz.AttemptView
	Settings quiz.Settings
	Feedback string
	Open     bool
	Staff    bool
	// Answered counts the questions with a saved answer.
	Answered int
	// Now is the server's clock, from which the countdown starts.
	Now time.Time
	// DueAt is the learner's due time (after_due waits for it).
	DueAt *time.Time
}

func (f *Frontend) attemptPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	if err := a.RequireMember(); err != nil {
		return err
	}
	aid, err := api.ParamID(c, "attempt")
	if err != nil {
		return err
	}
	at, err := f.Quiz.Attempt(c.UserContext(), caller(c), a.Course.ID, aid)
	if err != nil {
		return err
	}
	it, err := f.Courses.Item(c.UserContext(), a.Course.ID, at.ItemID)
	if err != nil {
		return err
	}
	st := quizSettings(it)
	d := attemptPageData{Course: a.Course, Item: it, Attempt: at, Settings: st, Feedback: feedbackLabel(st.Feedback),
		Open: at.Status == quiz.StatusOpen && at.UserID == caller(c), Staff: a.Staff(), Now: f.Now().UTC()}
	for _, q := range at.Questions {
		if q.Answer != nil {
			d.Answered++
		}
	}
	if m, err := f.Courses.GetModule(c.UserContext(), caller(c), a.Course.ID, it.ModuleID); err == nil {
		d.DueAt = m.DueAt
	}
	return f.render(c, fiber.StatusOK, "quiz/attempt", d)
}

// answerInput reads one question's answer form.
func answerInput(v url.Values) (quiz.Response, error) {
	var r quiz.Response
	switch v.Get("kind") {
	case quiz.Single, quiz.Multiple:
		r.ChoiceIDs = []int{}
		for _, s := range v["choice"] {
			n, err := strconv.Atoi(s)
			if err != nil {
				return r, errs.Field("choice_ids", "pick one of the choices")
			}
			r.ChoiceIDs = append(r.ChoiceIDs, n)
		}
	case quiz.Numeric:
		x, set, ok := formFloat(v, "value")
		if !ok {
			return r, errs.Field("value", "give a number")
		}
		if set {
			r.Value = &x
		}
	default:
		t := v.Get("text")
		r.Text = &t
	}
	return r, nil
}

func (f *Frontend) saveAnswer(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	aid, err := api.ParamID(c, "attempt")
	if err != nil {
		return err
	}
	qid, err := api.ParamID(c, "question")
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	back := fmt.Sprintf("%s#q-%d", attemptPath(a.Course.ID, aid), qid)
	r, err := answerInput(v)
	if err == nil {
		_, err = f.Quiz.SaveAnswer(c.UserContext(), caller(c), a.Course.ID, aid, qid, r)
	}
	switch {
	case err == nil:
		f.flash(c, "success", "Answer saved.")
	case errs.Is(err, errs.Conflict):
		f.flash(c, "error", sentence(errMessage(err)))
		back = attemptPath(a.Course.ID, aid)
	case errs.Is(err, errs.Invalid):
		f.flash(c, "error", "That answer was not saved: "+errMessage(err))
	default:
		return err
	}
	return f.redirect(c, back)
}

func (f *Frontend) submitAttempt(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	aid, err := api.ParamID(c, "attempt")
	if err != nil {
		return err
	}
	if _, err := f.Quiz.Submit(c.UserContext(), caller(c), a.Course.ID, aid); err != nil {
		if !errs.Is(err, errs.Conflict) {
			return err
		}
		f.flash(c, "error", sentence(errMessage(err)))
	} else {
		f.flash(c, "success", "Attempt submitted.")
	}
	return f.redirect(c, attemptPath(a.Course.ID, aid))
}

// errMessage is what a refused write says, for a flash: the reason of its
// first field, or its message.
func errMessage(err error) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return "it could not be saved"
	}
	for _, why := range e.Fields {
		return why
	}
	return e.Message
}

// picked reports whether a saved answer picked choice id (for the attempt
// page's radios and check boxes).
func picked(r *quiz.Response, id int) bool {
	return r != nil && slices.Contains(r.ChoiceIDs, id)
}
