package quiz

import (
	"errors"
	"slices"
	"testing"
	"time"

	"pacer/errs"
)

func f(v float64) *float64 { return &v }
func s(v string) *string   { return &v }

func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid {
		t.Fatalf("err = %v, want a validation error", err)
	}
	return e.Fields
}

func TestSettingsDefaultsAndPatch(t *testing.T) {
	d := DefaultSettings()
	if d.PassPercent != 60 || d.Feedback != Immediate || d.Score != Best || d.Attempts != 0 || d.Draw != 0 || d.Shuffle {
		t.Fatalf("defaults = %+v", d)
	}
	three, fb := 3, OnSubmit
	got, err := SettingsPatch{Attempts: &three, Feedback: &fb}.Apply(d)
	if err != nil || got.Attempts != 3 || got.Feedback != OnSubmit || got.PassPercent != 60 {
		t.Fatalf("patch = %+v, %v", got, err)
	}
	neg, bogus, big := -1, "sometimes", 101
	_, err = SettingsPatch{Attempts: &neg, Feedback: &bogus, PassPercent: &big, Score: &bogus}.Apply(d)
	bad := fields(t, err)
	for _, k := range []string{"quiz.attempts", "quiz.feedback", "quiz.pass_percent", "quiz.score"} {
		if bad[k] == "" {
			t.Errorf("no error for %s in %v", k, bad)
		}
	}
}

func TestQuestionValidation(t *testing.T) {
	cases := []struct {
		name  string
		q     Question
		field string
	}{
		{"unknown kind", Question{Kind: "essay", Prompt: "?"}, "kind"},
		{"no prompt", Question{Kind: Numeric, Answer: &Key{Value: f(1)}}, "prompt"},
		{"single with two right", Question{Kind: Single, Prompt: "?", Choices: []Choice{{Text: "a", Correct: true}, {Text: "b", Correct: true}}}, "choices"},
		{"single with one choice", Question{Kind: Single, Prompt: "?", Choices: []Choice{{Text: "a", Correct: true}}}, "choices"},
		{"multiple with none right", Question{Kind: Multiple, Prompt: "?", Choices: []Choice{{Text: "a"}, {Text: "b"}}}, "choices"},
		{"empty choice", Question{Kind: Multiple, Prompt: "?", Choices: []Choice{{Text: "a", Correct: true}, {Text: " "}}}, "choices[1]"},
		{"numeric without value", Question{Kind: Numeric, Prompt: "?", Answer: &Key{}}, "answer.value"},
		{"negative tolerance", Question{Kind: Numeric, Prompt: "?", Answer: &Key{Value: f(1), Tolerance: -1}}, "answer.tolerance"},
		{"text without accepted", Question{Kind: Text, Prompt: "?", Answer: &Key{Accepted: []string{" "}}}, "answer.accepted"},
		{"negative points", Question{Kind: Numeric, Prompt: "?", Points: -1, Answer: &Key{Value: f(1)}}, "points"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			q.Normalize(q.Points != 0)
			if bad := fields(t, q.Validate()); bad[c.field] == "" {
				t.Fatalf("fields = %v, want %s", bad, c.field)
			}
		})
	}
	good := Question{Kind: Single, Prompt: " Pick ", Choices: []Choice{{Text: "a"}, {Text: "b", Correct: true}}, Answer: &Key{Value: f(3)}}
	good.Normalize(false)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if good.Points != 1 || good.Prompt != "Pick" || good.Choices[1].ID != 2 || good.Answer != nil {
		t.Fatalf("normalized = %+v", good)
	}
}

func TestJudge(t *testing.T) {
	single := Question{Kind: Single, Points: 2, Choices: []Choice{{ID: 1, Text: "a", Feedback: "no"}, {ID: 2, Text: "b", Correct: true, Feedback: "yes"}}}
	multi := Question{Kind: Multiple, Points: 3, Choices: []Choice{{ID: 1, Correct: true}, {ID: 2, Correct: true}, {ID: 3}, {ID: 4, Correct: true}}}
	num := Question{Kind: Numeric, Points: 1, Answer: &Key{Value: f(0.3), Tolerance: 0}}
	tol := Question{Kind: Numeric, Points: 1, Answer: &Key{Value: f(10), Tolerance: 0.5}}
	text := Question{Kind: Text, Points: 1, Answer: &Key{Accepted: []string{"New  York", "NYC"}}}
	cases := []struct {
		name    string
		q       Question
		r       *Response
		correct bool
		score   float64
	}{
		{"unanswered", single, nil, false, 0},
		{"single right", single, &Response{ChoiceIDs: []int{2}}, true, 2},
		{"single wrong", single, &Response{ChoiceIDs: []int{1}}, false, 0},
		{"multiple all right", multi, &Response{ChoiceIDs: []int{1, 2, 4}}, true, 3},
		{"multiple two of three", multi, &Response{ChoiceIDs: []int{1, 2}}, false, 2},
		{"multiple two right one wrong", multi, &Response{ChoiceIDs: []int{1, 2, 3}}, false, 1},
		{"multiple one right one wrong", multi, &Response{ChoiceIDs: []int{1, 3}}, false, 0},
		{"multiple only wrong never negative", multi, &Response{ChoiceIDs: []int{3}}, false, 0},
		{"numeric float sum", num, &Response{Value: f(0.1 + 0.2)}, true, 1},
		{"numeric off", num, &Response{Value: f(0.31)}, false, 0},
		{"within tolerance", tol, &Response{Value: f(10.5)}, true, 1},
		{"outside tolerance", tol, &Response{Value: f(10.51)}, false, 0},
		{"text folded", text, &Response{Text: s("  new york ")}, true, 1},
		{"text other accepted", text, &Response{Text: s("nyc")}, true, 1},
		{"text wrong", text, &Response{Text: s("Boston")}, false, 0},
		{"text empty never matches", Question{Kind: Text, Points: 1, Answer: &Key{Accepted: []string{"x"}}}, &Response{Text: s(" ")}, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := c.q.Judge(c.r)
			if j.Correct != c.correct || j.Score != c.score {
				t.Fatalf("Judge = %+v, want correct %v score %v", j, c.correct, c.score)
			}
		})
	}
	if j := single.Judge(&Response{ChoiceIDs: []int{1}}); !slices.Equal(j.Feedback, []string{"no"}) {
		t.Fatalf("feedback of the choice picked = %q", j.Feedback)
	}
}

func TestCheckRefusesMisfits(t *testing.T) {
	single := Question{Kind: Single, Choices: []Choice{{ID: 1}, {ID: 2, Correct: true}}}
	for name, r := range map[string]Response{
		"two picks of a single": {ChoiceIDs: []int{1, 2}},
		"no such choice":        {ChoiceIDs: []int{3}},
		"a number for choices":  {Value: f(1)},
	} {
		if err := single.Check(r); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: Check = %v", name, err)
		}
	}
	if err := (Question{Kind: Numeric}).Check(Response{Text: s("1")}); !errs.Is(err, errs.Invalid) {
		t.Errorf("text for a numeric: %v", err)
	}
	if err := single.Check(Response{ChoiceIDs: []int{2}}); err != nil {
		t.Errorf("a good pick: %v", err)
	}
}

func TestDrawIsStableAndDrawsFromThePool(t *testing.T) {
	ids := []uint64{10, 20, 30, 40, 50}
	choices := []int{4, 0, 3, 0, 2}
	all := Draw(DefaultSettings(), ids, choices, 7)
	if len(all) != 5 || all[0].QuestionID != 10 || all[4].QuestionID != 50 || all[0].Choices != nil {
		t.Fatalf("no draw, no shuffle = %+v", all)
	}
	st := DefaultSettings()
	st.Draw, st.Shuffle = 3, true
	a, b := Draw(st, ids, choices, 42), Draw(st, ids, choices, 42)
	if !slices.EqualFunc(a, b, func(x, y Drawn) bool { return x.QuestionID == y.QuestionID && slices.Equal(x.Choices, y.Choices) }) {
		t.Fatalf("same seed drew %+v then %+v", a, b)
	}
	if len(a) != 3 {
		t.Fatalf("drew %d, want 3", len(a))
	}
	seen := map[uint64]bool{}
	for _, d := range a {
		if seen[d.QuestionID] || !slices.Contains(ids, d.QuestionID) {
			t.Fatalf("drew %+v", a)
		}
		seen[d.QuestionID] = true
		i := slices.Index(ids, d.QuestionID)
		if choices[i] > 1 {
			got := slices.Clone(d.Choices)
			slices.Sort(got)
			if len(got) != choices[i] || got[0] != 1 || got[len(got)-1] != choices[i] {
				t.Fatalf("choices of %d = %v", d.QuestionID, d.Choices)
			}
		}
	}
	// Different seeds reach different draws.
	differs := false
	for seed := uint64(1); seed < 20 && !differs; seed++ {
		c := Draw(st, ids, choices, seed)
		differs = c[0].QuestionID != a[0].QuestionID || c[1].QuestionID != a[1].QuestionID
	}
	if !differs {
		t.Fatal("twenty seeds drew the same questions")
	}
	// A draw without shuffle keeps the quiz's order.
	st.Shuffle = false
	d := Draw(st, ids, choices, 3)
	if !slices.IsSortedFunc(d, func(x, y Drawn) int { return int(x.QuestionID) - int(y.QuestionID) }) {
		t.Fatalf("unshuffled draw out of order: %+v", d)
	}
}

func TestTotalGradeAndCounted(t *testing.T) {
	st := DefaultSettings()
	r := Total(st, []float64{1, 0.5, 0}, []float64{1, 1, 2})
	if r.Score != 1.5 || r.MaxScore != 4 || r.Percent != 37.5 || r.Passed {
		t.Fatalf("Total = %+v", r)
	}
	if r := Total(st, []float64{2.4, 0}, []float64{3, 1}); !r.Passed || r.Percent != 60 {
		t.Fatalf("at the pass mark = %+v", r)
	}
	if r := Total(st, nil, nil); !r.Passed {
		t.Fatalf("nothing at stake = %+v", r)
	}
	if g := Grade(Result{Score: 3, MaxScore: 4}, 20, 0); g != 15 {
		t.Fatalf("scaled = %v", g)
	}
	if g := Grade(Result{Score: 3, MaxScore: 4}, 20, 10); g != 13.5 {
		t.Fatalf("scaled with penalty = %v", g)
	}
	if g := Grade(Result{Score: 3, MaxScore: 4}, 0, 0); g != 3 {
		t.Fatalf("no item points = %v", g)
	}
	finals := []float64{5, 9, 7}
	if i := Counted(st, finals); i != 1 {
		t.Fatalf("best = %d", i)
	}
	st.Score = Last
	if i := Counted(st, finals); i != 2 {
		t.Fatalf("last = %d", i)
	}
	if i := Counted(st, nil); i != -1 {
		t.Fatalf("none = %d", i)
	}
}

func TestReveal(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	st := DefaultSettings()
	cases := []struct {
		mode      string
		submitted bool
		due       *time.Time
		want      bool
	}{
		{Immediate, false, nil, true},
		{OnSubmit, false, nil, false},
		{OnSubmit, true, &future, true},
		{AfterDue, true, &future, false},
		{AfterDue, false, &past, false},
		{AfterDue, true, &past, true},
		{AfterDue, true, &now, true},
		{AfterDue, true, nil, true},
		{"", true, nil, false},
	}
	for _, c := range cases {
		st.Feedback = c.mode
		if got := Reveal(st, c.submitted, c.due, now); got != c.want {
			t.Errorf("Reveal(%s, submitted %v, due %v) = %v", c.mode, c.submitted, c.due, got)
		}
	}
	st.TimeLimitSeconds = 600
	if c := Closes(st, now); c == nil || !c.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("Closes = %v", c)
	}
	if c := Closes(DefaultSettings(), now); c != nil {
		t.Fatalf("untimed closes %v", c)
	}
}

func TestStruggling(t *testing.T) {
	fail, pass := Outcome{}, Outcome{Passed: true}
	abandoned := Outcome{Timed: true, Answered: 1, Questions: 4}
	finishedTimed := Outcome{Timed: true, Answered: 3, Questions: 4}
	cases := []struct {
		name string
		as   []Outcome
		want string
	}{
		{"none", nil, ""},
		{"one fail", []Outcome{fail}, ""},
		{"two fails", []Outcome{fail, fail}, FailedTwice},
		{"fail pass fail", []Outcome{fail, pass, fail}, ""},
		{"two fails then a pass", []Outcome{fail, fail, pass}, ""},
		{"abandoned", []Outcome{abandoned}, Abandoned},
		{"finished a timed one and failed", []Outcome{finishedTimed}, ""},
		{"abandoned then failed", []Outcome{abandoned, fail}, FailedTwice},
	}
	for _, c := range cases {
		if got := Struggling(c.as); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
