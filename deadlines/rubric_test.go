package deadlines_test

import (
	"fmt"
	"strings"
	"testing"

	"pacer/pacertest"
)

func TestRubricsGradeAssignments(t *testing.T) {
	e := pacertest.New(t)
	teacher, ann := e.Register("teacher"), e.Register("ann")
	course := e.Course(teacher, nil)
	e.Enroll(ann, course)
	mod := e.Module(teacher, course, nil)
	base := fmt.Sprintf("/api/v1/courses/%d", course)
	items := fmt.Sprintf("%s/modules/%d/items", base, mod)
	rubric := map[string]any{"criteria": []map[string]any{
		{"title": "Argument", "levels": []map[string]any{{"title": "Strong", "points": 6}, {"title": "Weak", "points": 2}}},
		{"title": "Style", "levels": []map[string]any{{"title": "Clear", "points": 4}, {"title": "Unclear", "points": 1}}},
	}}
	for name, body := range map[string]map[string]any{
		"a rubric above the points": {"kind": "assignment", "title": "A", "points": 9, "rubric": rubric},
		"a level without points": {"kind": "assignment", "title": "A", "points": 10, "rubric": map[string]any{"criteria": []map[string]any{
			{"title": "X", "levels": []map[string]any{{"title": "L"}}}}}},
		"a criterion without a title": {"kind": "assignment", "title": "A", "rubric": map[string]any{"criteria": []map[string]any{
			{"title": " ", "levels": []map[string]any{{"title": "L", "points": 1}}}}}},
		"a rubric on a page":          {"kind": "page", "title": "P", "rubric": rubric},
		"quiz settings on an essay":   {"kind": "assignment", "title": "A", "quiz": map[string]any{"attempts": 1}},
		"a rubric that is not a list": {"kind": "assignment", "title": "A", "rubric": "good"},
	} {
		if r := e.Do("POST", items, teacher.Token, body); r.Status != 400 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	r := e.Do("POST", items, teacher.Token, map[string]any{"kind": "assignment", "title": "Essay", "points": 10, "rubric": rubric})
	if r.Status != 201 || !strings.Contains(string(r.Body), `"rubric":{"criteria":[{"id":1,"title":"Argument","levels":[{"id":1,"title":"Strong","points":6}`) {
		t.Fatalf("create with a rubric: %d %s", r.Status, r.Body)
	}
	essay := r.ID()
	plain := e.Item(teacher, course, mod, map[string]any{"kind": "assignment", "title": "Plain", "points": 10})

	// The learner sees the rubric before handing in.
	if r := e.Do("GET", fmt.Sprintf("%s/items/%d", base, essay), ann.Token, nil); !strings.Contains(string(r.Body), `"title":"Unclear"`) {
		t.Fatalf("the learner's item: %s", r.Body)
	}
	sub := e.Do("POST", fmt.Sprintf("%s/items/%d/submissions", base, essay), ann.Token, map[string]any{"body": "mine"}).ID()
	other := e.Do("POST", fmt.Sprintf("%s/items/%d/submissions", base, plain), ann.Token, map[string]any{"body": "mine"}).ID()
	grade := func(id uint64, body map[string]any) pacertest.Resp {
		return e.Do("PATCH", fmt.Sprintf("%s/submissions/%d", base, id), teacher.Token, body)
	}
	pick := func(c, l int) map[string]any { return map[string]any{"criterion_id": c, "level_id": l} }
	for name, c := range map[string]struct {
		id   uint64
		body map[string]any
	}{
		"a criterion left out":       {sub, map[string]any{"rubric": []any{pick(1, 1)}}},
		"a level that is not there":  {sub, map[string]any{"rubric": []any{pick(1, 1), pick(2, 3)}}},
		"a criterion twice":          {sub, map[string]any{"rubric": []any{pick(1, 1), pick(1, 2), pick(2, 1)}}},
		"score and rubric together":  {sub, map[string]any{"score": 5, "rubric": []any{pick(1, 1), pick(2, 1)}}},
		"an adjustment alone":        {sub, map[string]any{"score": 5, "adjustment": 1}},
		"a rubric grade without one": {other, map[string]any{"rubric": []any{pick(1, 1)}}},
		"above the points":           {sub, map[string]any{"rubric": []any{pick(1, 1), pick(2, 1)}, "adjustment": 1}},
	} {
		if r := grade(c.id, c.body); r.Status != 400 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	r = grade(sub, map[string]any{"rubric": []any{pick(1, 1), pick(2, 2)}, "adjustment": -0.5, "feedback": "Tidy the prose."})
	m := r.Map()
	if r.Status != 200 || m["score"] != 6.5 || m["final_score"] != 6.5 || m["adjustment"] != -0.5 ||
		!strings.Contains(string(r.Body), `"rubric":[{"criterion_id":1,"level_id":1,"points":6},{"criterion_id":2,"level_id":2,"points":1}]`) {
		t.Fatalf("rubric grade: %d %s", r.Status, r.Body)
	}
	// The learner sees the filled rubric with their grade.
	own := e.Do("GET", fmt.Sprintf("%s/items/%d/submissions", base, essay), ann.Token, nil)
	if !strings.Contains(string(own.Body), `"level_id":2`) || !strings.Contains(string(own.Body), `"score":6.5`) {
		t.Fatalf("the learner's submission: %s", own.Body)
	}
	// Removing the rubric leaves the grade given with it.
	if r := e.Do("PATCH", fmt.Sprintf("%s/items/%d", base, essay), teacher.Token, map[string]any{"rubric": map[string]any{"criteria": []any{}}}); r.Status != 200 || strings.Contains(string(r.Body), `"rubric"`) {
		t.Fatalf("removing the rubric: %d %s", r.Status, r.Body)
	}
}
