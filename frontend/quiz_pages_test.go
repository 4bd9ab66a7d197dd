package frontend_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
)

// TestInstructorsBuildAQuizAndLearnersTakeItThroughThePages drives the
// quiz pages without JavaScript: the new-quiz form, the editor's question
// forms, the preview, a learner's attempt answered one form at a time, and
// the result; no page shows a learner the key before the mode allows.
func TestInstructorsBuildAQuizAndLearnersTakeItThroughThePages(t *testing.T) {
	env := pacertest.New(t)
	ines, ann := env.Register("Ines"), env.Register("Ann")
	id, mod, _ := course(t, env, ines, ann)
	staff := signedIn(t, env, ines)

	newQuiz := fmt.Sprintf("/courses/%d/modules/%d/quizzes/new", id, mod)
	tok := staff.token(newQuiz)
	p := staff.post(newQuiz, form("_csrf", tok, "title", "Week 1 check", "body", "Five minutes.", "points", "10",
		"published", "1", "attempts", "2", "score", "best", "pass_percent", "50", "feedback", "on_submit", "draw", "0", "time_limit_minutes", "10"))
	if p.Status != 303 && p.Status != 302 {
		t.Fatalf("new quiz: %d\n%s", p.Status, snippet(p.Body))
	}
	editor := p.Header.Get("Location")
	if !strings.HasSuffix(editor, "/quiz") {
		t.Fatalf("new quiz redirects to %q, want its editor", editor)
	}
	item := strings.TrimSuffix(editor, "/quiz")
	questions := item + "/questions"

	// A single-answer question with two right choices is refused, the
	// form kept; then a good one and a numeric one.
	p = staff.post(questions, form("_csrf", tok, "kind", "single", "prompt", "Pick *one*", "points", "1",
		"choice_1", "Alpha", "correct", "1", "choice_2", "Beta", "correct", "2"))
	wantStatus(t, "two right answers", p, 400)
	if !p.has("exactly one correct choice") || !p.has(`value="Alpha"`) {
		t.Errorf("the refused question form does not say why or keep the text:\n%s", snippet(p.Body))
	}
	p = staff.post(questions, form("_csrf", tok, "kind", "single", "prompt", "Pick *one*", "points", "1",
		"choice_1", "Alpha", "feedback_1", "Not alpha.", "choice_2", "Beta", "correct", "2", "explanation", "Beta is **it**."))
	if p.Status != 303 && p.Status != 302 {
		t.Fatalf("add question: %d\n%s", p.Status, snippet(p.Body))
	}
	staff.post(questions, form("_csrf", tok, "kind", "numeric", "prompt", "Two plus two?", "points", "1", "value", "4", "tolerance", ""))
	p = staff.get(editor)
	if !p.has("<em>one</em>") || !p.has("Two plus two?") || !p.has("Move down") {
		t.Fatalf("the editor does not list the questions:\n%s", snippet(p.Body))
	}

	// The learner starts, answers the first question wrong and the
	// second right, without seeing any marking (on_submit).
	learner := signedIn(t, env, ann)
	itemPage := learner.get(item)
	if !itemPage.has("Start the quiz") || !itemPage.has("Answers are marked when you submit") {
		t.Fatalf("the item page offers no start:\n%s", snippet(itemPage.Body))
	}
	ltok := learner.token(item)
	p = learner.post(item+"/attempts", form("_csrf", ltok))
	attempt := p.Header.Get("Location")
	if !strings.Contains(attempt, "/attempts/") {
		t.Fatalf("start redirects to %q", attempt)
	}
	p = learner.get(attempt)
	if !p.has("<fieldset") || !p.has("<legend>") || !p.has(`type="radio"`) || !p.has("data-countdown") {
		t.Fatalf("the attempt page lacks its forms or countdown:\n%s", snippet(p.Body))
	}
	for _, leak := range []string{"Not alpha.", "Beta is", "badge--completed\">Right"} {
		if p.has(leak) {
			t.Errorf("an open on_submit attempt shows %q", leak)
		}
	}
	ids := questionIDs(p.Body)
	if len(ids) != 2 {
		t.Fatalf("question ids on the page: %v", ids)
	}
	answer := func(q string, kv ...string) page {
		t.Helper()
		return learner.post(attempt+"/answers/"+q, form(append([]string{"_csrf", ltok}, kv...)...))
	}
	// The page lists questions in the quiz's order (no shuffle).
	answer(ids[0], "kind", "single", "choice", "1")
	answer(ids[1], "kind", "numeric", "value", "4")
	p = learner.get(attempt)
	if !p.has("2 of 2 questions answered") || p.has("Not alpha.") {
		t.Fatalf("after saving:\n%s", snippet(p.Body))
	}
	p = learner.post(attempt+"/submit", form("_csrf", ltok))
	p = learner.get(attempt)
	if !p.has("1 of 2 (50%)") || !p.has("Passed") || !p.has("Not alpha.") || !p.has("Beta is <strong>it</strong>") {
		t.Fatalf("the result page:\n%s", snippet(p.Body))
	}
	if p := learner.get(item); !p.has("Your grade: 5 of 10") || !p.has("1 attempt left") {
		t.Fatalf("the item page after one attempt:\n%s", snippet(p.Body))
	}

	// A timed attempt whose time ran out is submitted when the page is
	// next read.
	p = learner.post(item+"/attempts", form("_csrf", ltok))
	second := p.Header.Get("Location")
	env.Clock.Advance(11 * time.Minute)
	learner = signedIn(t, env, env.Login(ann))
	if p := learner.get(second); !p.has("the time ran out") {
		t.Fatalf("an expired attempt's page:\n%s", snippet(p.Body))
	}
}

// questionIDs finds the ids of the questions on an attempt page, in order.
func questionIDs(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `data-question="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// TestTheGradebookPageAndAStudentsGrades: staff see every student's
// grades with links to grade, sorted and downloadable; a student sees
// their own; neither page opens to the other.
func TestTheGradebookPageAndAStudentsGrades(t *testing.T) {
	env := pacertest.New(t)
	ines, ann, bob := env.Register("Ines"), env.Register("Ann"), env.Register("Bob")
	id, mod, _ := course(t, env, ines, ann)
	env.Enroll(bob, id)
	essay := env.Item(ines, id, mod, map[string]any{"kind": "assignment", "title": "Essay <b>one</b>", "points": 10})
	r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", id, essay), ann.Token, map[string]any{"body": "mine"})
	sub := r.ID()
	env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/submissions/%d", id, sub), ines.Token, map[string]any{"score": 7})

	staff := signedIn(t, env, ines)
	book := fmt.Sprintf("/courses/%d/gradebook", id)
	p := staff.get(book)
	wantStatus(t, "the gradebook", p, 200)
	if !p.has("Essay &lt;b&gt;one&lt;/b&gt;") || !p.has(fmt.Sprintf("#submission-%d", sub)) || !p.has("Needs grading") && !p.has("Graded") ||
		!p.has("Not submitted") || !p.has("gradebook.csv") {
		t.Fatalf("the gradebook page:\n%s", snippet(p.Body))
	}
	if !strings.Contains(p.Body[strings.Index(p.Body, "Ann"):], "7") {
		t.Errorf("Ann's 7 is not on her row")
	}
	wantStatus(t, "sorted by total", staff.get(book+"?sort=total"), 200)

	learner := signedIn(t, env, ann)
	wantStatus(t, "a student's gradebook", learner.get(book), 403)
	own := learner.get(fmt.Sprintf("/courses/%d/grades", id))
	if !own.has("7 of 10 points so far (70%)") || own.has("Bob") {
		t.Fatalf("the student's grades:\n%s", snippet(own.Body))
	}
	wantStatus(t, "staff's own grades", staff.get(fmt.Sprintf("/courses/%d/grades", id)), 403)
}
