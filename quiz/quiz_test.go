package quiz_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"pacer/errs"
	"pacer/quiz"
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
	d := quiz.DefaultSettings()
	if d.PassPercent != 60 || d.Feedback != quiz.Immediate || d.Score != quiz.Best || d.Attempts != 0 || d.Draw != 0 || d.Shuffle {
		t.Fatalf("defaults = %+v", d)
	}
	three, fb := 3, quiz.OnSubmit
	got, err := quiz.SettingsPatch{Attempts: &three, Feedback: &fb}.Apply(d)
	if err != nil || got.Attempts != 3 || got.Feedback != quiz.OnSubmit || got.PassPercent != 60 {
		t.Fatalf("patch = %+v, %v", got, err)
	}
	neg, bogus, big := -1, "sometimes", 101
	_, err = quiz.SettingsPatch{Attempts: &neg, Feedback: &bogus, PassPercent: &big, Score: &bogus}.Apply(d)
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
		q     quiz.Question
		field string
	}{
		{"unknown kind", quiz.Question{Kind: "essay", Prompt: "?"}, "kind"},
		{"no prompt", quiz.Question{Kind: quiz.Numeric, Answer: &quiz.Key{Value: f(1)}}, "prompt"},
		{"single with two right", quiz.Question{Kind: quiz.Single, Prompt: "?", Choices: []quiz.Choice{{Text: "a", Correct: true}, {Text: "b", Correct: true}}}, "choices"},
		{"single with one choice", quiz.Question{Kind: quiz.Single, Prompt: "?", Choices: []quiz.Choice{{Text: "a", Correct: true}}}, "choices"},
		{"multiple with none right", quiz.Question{Kind: quiz.Multiple, Prompt: "?", Choices: []quiz.Choice{{Text: "a"}, {Text: "b"}}}, "choices"},
		{"empty choice", quiz.Question{Kind: quiz.Multiple, Prompt: "?", Choices: []quiz.Choice{{Text: "a", Correct: true}, {Text: " "}}}, "choices[1]"},
		{"numeric without value", quiz.Question{Kind: quiz.Numeric, Prompt: "?", Answer: &quiz.Key{}}, "answer.value"},
		{"negative tolerance", quiz.Question{Kind: quiz.Numeric, Prompt: "?", Answer: &quiz.Key{Value: f(1), Tolerance: -1}}, "answer.tolerance"},
		{"text without accepted", quiz.Question{Kind: quiz.Text, Prompt: "?", Answer: &quiz.Key{Accepted: []string{" "}}}, "answer.accepted"},
		{"negative points", quiz.Question{Kind: quiz.Numeric, Prompt: "?", Points: -1, Answer: &quiz.Key{Value: f(1)}}, "points"},
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
	good := quiz.Question{Kind: quiz.Single, Prompt: " Pick ", Choices: []quiz.Choice{{Text: "a"}, {Text: "b", Correct: true}}, Answer: &quiz.Key{Value: f(3)}}
	good.Normalize(false)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if good.Points != 1 || good.Prompt != "Pick" || good.Choices[1].ID != 2 || good.Answer != nil {
		t.Fatalf("normalized = %+v", good)
	}
}

func TestJudge(t *testing.T) {
	single := quiz.Question{Kind: quiz.Single, Points: 2, Choices: []quiz.Choice{{ID: 1, Text: "a", Feedback: "no"}, {ID: 2, Text: "b", Correct: true, Feedback: "yes"}}}
	multi := quiz.Question{Kind: quiz.Multiple, Points: 3, Choices: []quiz.Choice{{ID: 1, Correct: true}, {ID: 2, Correct: true}, {ID: 3}, {ID: 4, Correct: true}}}
	num := quiz.Question{Kind: quiz.Numeric, Points: 1, Answer: &quiz.Key{Value: f(0.3), Tolerance: 0}}
	tol := quiz.Question{Kind: quiz.Numeric, Points: 1, Answer: &quiz.Key{Value: f(10), Tolerance: 0.5}}
	text := quiz.Question{Kind: quiz.Text, Points: 1, Answer: &quiz.Key{Accepted: []string{"New  York", "NYC"}}}
	cases := []struct {
		name    string
		q       quiz.Question
		r       *quiz.Response
		correct bool
		score   float64
	}{
		{"unanswered", single, nil, false, 0},
		{"single right", single, &quiz.Response{ChoiceIDs: []int{2}}, true, 2},
		{"single wrong", single, &quiz.Response{ChoiceIDs: []int{1}}, false, 0},
		{"multiple all right", multi, &quiz.Response{ChoiceIDs: []int{1, 2, 4}}, true, 3},
		{"multiple two of three", multi, &quiz.Response{ChoiceIDs: []int{1, 2}}, false, 2},
		{"multiple two right one wrong", multi, &quiz.Response{ChoiceIDs: []int{1, 2, 3}}, false, 1},
		{"multiple one right one wrong", multi, &quiz.Response{ChoiceIDs: []int{1, 3}}, false, 0},
		{"multiple only wrong never negative", multi, &quiz.Response{ChoiceIDs: []int{3}}, false, 0},
		{"numeric float sum", num, &quiz.Response{Value: f(0.1 + 0.2)}, true, 1},
		{"numeric off", num, &quiz.Response{Value: f(0.31)}, false, 0},
		{"within tolerance", tol, &quiz.Response{Value: f(10.5)}, true, 1},
		{"outside tolerance", tol, &quiz.Response{Value: f(10.51)}, false, 0},
		{"text folded", text, &quiz.Response{Text: s("  new york ")}, true, 1},
		{"text other accepted", text, &quiz.Response{Text: s("nyc")}, true, 1},
		{"text wrong", text, &quiz.Response{Text: s("Boston")}, false, 0},
		{"text empty never matches", quiz.Question{Kind: quiz.Text, Points: 1, Answer: &quiz.Key{Accepted: []string{"x"}}}, &quiz.Response{Text: s(" ")}, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := c.q.Judge(c.r)
			if j.Correct != c.correct || j.Score != c.score {
				t.Fatalf("Judge = %+v, want correct %v score %v", j, c.correct, c.score)
			}
		})
	}
	if j := single.Judge(&quiz.Response{ChoiceIDs: []int{1}}); !slices.Equal(j.Feedback, []string{"no"}) {
		t.Fatalf("feedback of the choice picked = %q", j.Feedback)
	}
}

func TestCheckRefusesMisfits(t *testing.T) {
	single := quiz.Question{Kind: quiz.Single, Choices: []quiz.Choice{{ID: 1}, {ID: 2, Correct: true}}}
	for name, r := range map[string]quiz.Response{
		"two picks of a single": {ChoiceIDs: []int{1, 2}},
		"no such choice":        {ChoiceIDs: []int{3}},
		"a number for choices":  {Value: f(1)},
	} {
		if err := single.Check(r); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: Check = %v", name, err)
		}
	}
	if err := (quiz.Question{Kind: quiz.Numeric}).Check(quiz.Response{Text: s("1")}); !errs.Is(err, errs.Invalid) {
		t.Errorf("text for a numeric: %v", err)
	}
	if err := single.Check(quiz.Response{ChoiceIDs: []int{2}}); err != nil {
		t.Errorf("a good pick: %v", err)
	}
}

func TestDrawIsStableAndDrawsFromThePool(t *testing.T) {
	ids := []uint64{10, 20, 30, 40, 50}
	choices := []int{4, 0, 3, 0, 2}
	all := quiz.Draw(quiz.DefaultSettings(), ids, choices, 7)
	if len(all) != 5 || all[0].QuestionID != 10 || all[4].QuestionID != 50 || all[0].Choices != nil {
		t.Fatalf("no draw, no shuffle = %+v", all)
	}
	st := quiz.DefaultSettings()
	st.Draw, st.Shuffle = 3, true
	a, b := quiz.Draw(st, ids, choices, 42), quiz.Draw(st, ids, choices, 42)
	if !slices.EqualFunc(a, b, func(x, y quiz.Drawn) bool { return x.QuestionID == y.QuestionID && slices.Equal(x.Choices, y.Choices) }) {
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
		c := quiz.Draw(st, ids, choices, seed)
		differs = c[0].QuestionID != a[0].QuestionID || c[1].QuestionID != a[1].QuestionID
	}
	if !differs {
		t.Fatal("twenty seeds drew the same questions")
	}
	// A draw without shuffle keeps the quiz's order.
	st.Shuffle = false
	d := quiz.Draw(st, ids, choices, 3)
	if !slices.IsSortedFunc(d, func(x, y quiz.Drawn) int { return int(x.QuestionID) - int(y.QuestionID) }) {
		t.Fatalf("unshuffled draw out of order: %+v", d)
	}
}

func TestTotalGradeAndCounted(t *testing.T) {
	st := quiz.DefaultSettings()
	r := quiz.Total(st, []float64{1, 0.5, 0}, []float64{1, 1, 2})
	if r.Score != 1.5 || r.MaxScore != 4 || r.Percent != 37.5 || r.Passed {
		t.Fatalf("Total = %+v", r)
	}
	if r := quiz.Total(st, []float64{2.4, 0}, []float64{3, 1}); !r.Passed || r.Percent != 60 {
		t.Fatalf("at the pass mark = %+v", r)
	}
	if r := quiz.Total(st, nil, nil); !r.Passed {
		t.Fatalf("nothing at stake = %+v", r)
	}
	if g := quiz.Grade(quiz.Result{Score: 3, MaxScore: 4}, 20, 0); g != 15 {
		t.Fatalf("scaled = %v", g)
	}
	if g := quiz.Grade(quiz.Result{Score: 3, MaxScore: 4}, 20, 10); g != 13.5 {
		t.Fatalf("scaled with penalty = %v", g)
	}
	if g := quiz.Grade(quiz.Result{Score: 3, MaxScore: 4}, 0, 0); g != 3 {
		t.Fatalf("no item points = %v", g)
	}
	finals := []float64{5, 9, 7}
	if i := quiz.Counted(st, finals); i != 1 {
		t.Fatalf("best = %d", i)
	}
	st.Score = quiz.Last
	if i := quiz.Counted(st, finals); i != 2 {
		t.Fatalf("last = %d", i)
	}
	if i := quiz.Counted(st, nil); i != -1 {
		t.Fatalf("none = %d", i)
	}
}

func TestReveal(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	st := quiz.DefaultSettings()
	cases := []struct {
		mode      string
		submitted bool
		due       *time.Time
		want      bool
	}{
		{quiz.Immediate, false, nil, true},
		{quiz.OnSubmit, false, nil, false},
		{quiz.OnSubmit, true, &future, true},
		{quiz.AfterDue, true, &future, false},
		{quiz.AfterDue, false, &past, false},
		{quiz.AfterDue, true, &past, true},
		{quiz.AfterDue, true, &now, true},
		{quiz.AfterDue, true, nil, true},
		{"", true, nil, false},
	}
	for _, c := range cases {
		st.Feedback = c.mode
		if got := quiz.Reveal(st, c.submitted, c.due, now); got != c.want {
			t.Errorf("Reveal(%s, submitted %v, due %v) = %v", c.mode, c.submitted, c.due, got)
		}
	}
	st.TimeLimitSeconds = 600
	if c := quiz.Closes(st, now); c == nil || !c.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("Closes = %v", c)
	}
	if c := quiz.Closes(quiz.DefaultSettings(), now); c != nil {
		t.Fatalf("untimed closes %v", c)
	}
}

func TestStruggling(t *testing.T) {
	fail, pass := quiz.Outcome{}, quiz.Outcome{Passed: true}
	abandoned := quiz.Outcome{Timed: true, Answered: 1, Questions: 4}
	finishedTimed := quiz.Outcome{Timed: true, Answered: 3, Questions: 4}
	cases := []struct {
		name string
		as   []quiz.Outcome
		want string
	}{
		{"none", nil, ""},
		{"one fail", []quiz.Outcome{fail}, ""},
		{"two fails", []quiz.Outcome{fail, fail}, quiz.FailedTwice},
		{"fail pass fail", []quiz.Outcome{fail, pass, fail}, ""},
		{"two fails then a pass", []quiz.Outcome{fail, fail, pass}, ""},
		{"abandoned", []quiz.Outcome{abandoned}, quiz.Abandoned},
		{"finished a timed one and failed", []quiz.Outcome{finishedTimed}, ""},
		{"abandoned then failed", []quiz.Outcome{abandoned, fail}, quiz.FailedTwice},
	}
	for _, c := range cases {
		if got := quiz.Struggling(c.as); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
