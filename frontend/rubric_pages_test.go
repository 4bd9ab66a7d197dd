package frontend_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"pacer/pacertest"
)

// TestRubricsThroughThePages: an instructor writes a rubric on the
// assignment form, the learner reads it before handing in, staff grade by
// picking levels, and the learner sees the filled rubric with the grade.
func TestRubricsThroughThePages(t *testing.T) {
	env := pacertest.New(t)
	ines, ann := env.Register("Ines"), env.Register("Ann")
	id, mod, _ := course(t, env, ines, ann)
	staff := signedIn(t, env, ines)
	newForm := fmt.Sprintf("/courses/%d/modules/%d/assignments/new", id, mod)
	tok := staff.token(newForm)

	p := staff.post(newForm, form("_csrf", tok, "title", "Essay", "points", "10", "published", "1", "rubric", "Argument: Strong = 6 Weak"))
	wantStatus(t, "a rubric line without points", p, 400)
	if !p.has("Line 1: give each level") {
		t.Errorf("the refused form does not say which line:\n%s", snippet(p.Body))
	}
	p = staff.post(newForm, form("_csrf", tok, "title", "Essay", "points", "10", "published", "1",
		"rubric", "Argument: Strong = 6; Weak = 2\nStyle: Clear = 4; Unclear = 1"))
	item := p.Header.Get("Location")
	if !strings.Contains(item, "/items/") {
		t.Fatalf("create: %d %s", p.Status, snippet(p.Body))
	}

	learner := signedIn(t, env, ann)
	page := learner.get(item)
	if !page.has("How it is graded") || !page.has("Unclear (1)") {
		t.Fatalf("the learner does not see the rubric:\n%s", snippet(page.Body))
	}
	ltok := learner.token(item)
	learner.post(item+"/submit", form("_csrf", ltok, "body", "My essay."))

	subs := staff.get(item + "/submissions")
	if !subs.has(`name="level_1"`) || !subs.has(`name="level_2"`) || !subs.has("<legend>Argument</legend>") {
		t.Fatalf("the grading form has no rubric:\n%s", snippet(subs.Body))
	}
	action := regexp.MustCompile(`/courses/\d+/submissions/\d+/grade`).FindString(subs.Body)
	p = staff.post(action, form("_csrf", tok, "rubric", "1", "level_1", "1", "level_2", "2", "adjustment", "-0.5", "feedback", "Good."))
	if p.Status != 303 {
		t.Fatalf("grading: %d", p.Status)
	}
	if subs := staff.get(item + "/submissions"); !subs.has("Final score: 6.5") {
		t.Fatalf("after grading:\n%s", snippet(subs.Body))
	}
	page = learner.get(item)
	if !page.has("your grade") || !page.has("Strong (6) ✓") || !page.has("Unclear (1) ✓") || page.has("Weak (2) ✓") {
		t.Fatalf("the learner's filled rubric:\n%s", snippet(page.Body))
	}
}
