package grades_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
)

type book struct {
	Columns []struct {
		ItemID uint64 `json:"item_id"`
		Title  string
		Kind   string
		Points float64
		DueAt  *time.Time `json:"due_at"`
	}
	Rows []row
}

type row struct {
	UserID uint64 `json:"user_id"`
	Name   string
	Email  string
	Cells  []struct {
		ItemID     uint64 `json:"item_id"`
		Status     string
		Score      *float64
		FinalScore *float64 `json:"final_score"`
	}
	Total       float64
	TotalPoints float64 `json:"total_points"`
	Percent     float64
}

func (r row) cell(i int) (string, float64) {
	c := r.Cells[i]
	if c.FinalScore == nil {
		return c.Status, -1
	}
	return c.Status, *c.FinalScore
}

// TestTheGradebookCountsAssignmentsAndQuizzes: an assignment graded,
// regraded and awaiting a regrade, a quiz's best attempt, and work never
// handed in that turns to missed at the learner's cut-off; totals count
// only what is graded or missed; the CSV guards against formulas; each
// student sees only their own row.
func TestTheGradebookCountsAssignmentsAndQuizzes(t *testing.T) {
	e := pacertest.New(t)
	teacher, ann, bob, eve := e.Register("teacher"), e.Register("Ann"), e.Register("Bob"), e.Register("Eve")
	// A name that a spreadsheet would run as a formula.
	if r := e.Do("PATCH", "/api/v1/me", eve.Token, map[string]any{"name": "=HYPERLINK(1)"}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	course := e.Course(teacher, nil)
	for _, u := range []pacertest.User{ann, bob, eve} {
		e.Enroll(u, course)
	}
	due := pacertest.Start.Add(24 * time.Hour)
	mod := e.Module(teacher, course, map[string]any{"due_at": due.Format(time.RFC3339)})
	essay := e.Item(teacher, course, mod, map[string]any{"kind": "assignment", "title": "Essay", "points": 10})
	check := e.Item(teacher, course, mod, map[string]any{"kind": "quiz", "title": "Check", "points": 20})
	e.Item(teacher, course, mod, nil) // a page: not graded
	e.Item(teacher, course, mod, map[string]any{"kind": "assignment", "title": "Ungraded practice"})
	base := fmt.Sprintf("/api/v1/courses/%d", course)
	q := e.Do("POST", fmt.Sprintf("%s/items/%d/questions", base, check), teacher.Token, map[string]any{"kind": "numeric", "prompt": "2+2?", "answer": map[string]any{"value": 4}})
	if q.Status != 201 {
		t.Fatalf("question: %d %s", q.Status, q.Body)
	}
	question := q.ID()

	submit := func(u pacertest.User, body string) uint64 {
		t.Helper()
		r := e.Do("POST", fmt.Sprintf("%s/items/%d/submissions", base, essay), u.Token, map[string]any{"body": body})
		if r.Status != 201 {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		return r.ID()
	}
	grade := func(sub uint64, score float64) {
		t.Helper()
		if r := e.Do("PATCH", fmt.Sprintf("%s/submissions/%d", base, sub), teacher.Token, map[string]any{"score": score, "feedback": "ok"}); r.Status != 200 {
			t.Fatalf("grade: %d %s", r.Status, r.Body)
		}
	}
	take := func(u pacertest.User, answer float64) {
		t.Helper()
		a := e.Do("POST", fmt.Sprintf("%s/items/%d/attempts", base, check), u.Token, nil).ID()
		e.Do("PUT", fmt.Sprintf("%s/attempts/%d/answers/%d", base, a, question), u.Token, map[string]any{"value": answer})
		if r := e.Do("POST", fmt.Sprintf("%s/attempts/%d/submit", base, a), u.Token, nil); r.Status != 200 {
			t.Fatalf("submit attempt: %d %s", r.Status, r.Body)
		}
	}
	grade(submit(ann, "mine"), 8)
	take(ann, 3) // 0 of 20
	take(ann, 4) // 20 of 20: the best counts
	grade(submit(bob, "first"), 6)
	submit(bob, "second") // waits for a grade; the 6 still counts

	var b book
	r := e.Do("GET", base+"/gradebook", teacher.Token, nil)
	r.Decode(&b)
	if r.Status != 200 || len(b.Columns) != 2 || b.Columns[0].Title != "Essay" || b.Columns[1].Kind != "quiz" || b.Columns[1].Points != 20 ||
		b.Columns[0].DueAt == nil || !b.Columns[0].DueAt.Equal(due) {
		t.Fatalf("columns: %d %s", r.Status, r.Body)
	}
	if len(b.Rows) != 3 || b.Rows[0].Name != "=HYPERLINK(1)" || b.Rows[1].Name != "Ann" || b.Rows[2].Name != "Bob" {
		t.Fatalf("rows by name: %s", r.Body)
	}
	a, bo, ev := b.Rows[1], b.Rows[2], b.Rows[0]
	if st, f := a.cell(0); st != "graded" || f != 8 {
		t.Errorf("Ann's essay: %s %v", st, f)
	}
	if st, f := a.cell(1); st != "graded" || f != 20 {
		t.Errorf("Ann's quiz (best of two): %s %v", st, f)
	}
	if a.Total != 28 || a.TotalPoints != 30 || a.Percent != 93.33 {
		t.Errorf("Ann's totals: %v of %v, %v%%", a.Total, a.TotalPoints, a.Percent)
	}
	if st, f := bo.cell(0); st != "needs_grading" || f != 6 {
		t.Errorf("Bob's essay: %s %v, want needs_grading with the older 6 counting", st, f)
	}
	if st, f := bo.cell(1); st != "not_submitted" || f != -1 {
		t.Errorf("Bob's quiz: %s %v", st, f)
	}
	if bo.Total != 6 || bo.TotalPoints != 10 || bo.Percent != 60 {
		t.Errorf("Bob's totals: %v of %v, %v%%", bo.Total, bo.TotalPoints, bo.Percent)
	}
	if st, _ := ev.cell(0); st != "not_submitted" || ev.TotalPoints != 0 || ev.Percent != 0 {
		t.Errorf("Eve before the cut-off: %s, %v points, %v%%", st, ev.TotalPoints, ev.Percent)
	}

	// Past everyone's cut-off (due + the course's late window), what was
	// never handed in is missed and counts its points.
	e.Clock.Set(due.Add(3 * 24 * time.Hour))
	teacher = e.Login(teacher)
	r = e.Do("GET", base+"/gradebook?sort=total", teacher.Token, nil)
	r.Decode(&b)
	if b.Rows[0].Name != "Ann" || b.Rows[2].Name != "=HYPERLINK(1)" {
		t.Fatalf("sorted by total: %s", r.Body)
	}
	ev = b.Rows[2]
	if st, _ := ev.cell(0); st != "missed" || ev.TotalPoints != 30 || ev.Percent != 0 {
		t.Errorf("Eve after the cut-off: %s, %v points", st, ev.TotalPoints)
	}
	if st, _ := b.Rows[1].cell(1); st != "missed" || b.Rows[1].TotalPoints != 30 || b.Rows[1].Percent != 20 {
		t.Errorf("Bob's quiz after the cut-off: %s; %v points, %v%%", st, b.Rows[1].TotalPoints, b.Rows[1].Percent)
	}
	if r := e.Do("GET", base+"/gradebook?sort=mood", teacher.Token, nil); r.Status != 400 {
		t.Errorf("an unknown sort: %d", r.Status)
	}

	csv := e.Do("GET", base+"/gradebook.csv", teacher.Token, nil)
	if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", csv.Status, csv.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSuffix(string(csv.Body), "\r\n"), "\r\n")
	if len(lines) != 4 || lines[0] != "name,email,Essay,Check,total,percent" ||
		!strings.HasPrefix(lines[1], `'=HYPERLINK(1),`) || !strings.HasSuffix(lines[1], ",0,0,0,0") ||
		!strings.HasPrefix(lines[2], "Ann,") || !strings.HasSuffix(lines[2], ",8,20,28,93.33") ||
		!strings.HasSuffix(lines[3], ",6,0,6,20") {
		t.Fatalf("csv lines:\n%s", csv.Body)
	}

	// A student reads their own row only; the gradebook is staff's.
	ann = e.Login(ann)
	var own struct {
		Columns []any
		Row     row
	}
	r = e.Do("GET", base+"/grades", ann.Token, nil)
	r.Decode(&own)
	if r.Status != 200 || len(own.Columns) != 2 || own.Row.UserID != ann.ID || own.Row.Total != 28 {
		t.Fatalf("own grades: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/gradebook", "/gradebook.csv"} {
		if r := e.Do("GET", base+path, ann.Token, nil); r.Status != 403 {
			t.Errorf("a student reading %s: %d", path, r.Status)
		}
	}
	if r := e.Do("GET", base+"/grades", teacher.Token, nil); r.Status != 403 {
		t.Errorf("staff reading /grades: %d", r.Status)
	}
	outsider := e.Register("Out")
	if r := e.Do("GET", base+"/gradebook", outsider.Token, nil); r.Status != 404 {
		t.Errorf("an outsider: %d", r.Status)
	}
}
