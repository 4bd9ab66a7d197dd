package quiz_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
)

// world is a course with one quiz item, its instructor and two students.
type world struct {
	e                    *pacertest.Env
	teacher, ann, bob    pacertest.User
	course, module, item uint64
}

func setup(t *testing.T, quiz map[string]any, module map[string]any) *world {
	t.Helper()
	e := pacertest.New(t)
	w := &world{e: e, teacher: e.Register("teacher"), ann: e.Register("ann"), bob: e.Register("bob")}
	w.course = e.Course(w.teacher, map[string]any{"policy": map[string]any{"late_penalty_percent_per_day": 10}})
	e.Enroll(w.ann, w.course)
	e.Enroll(w.bob, w.course)
	w.module = e.Module(w.teacher, w.course, module)
	fields := map[string]any{"kind": "quiz", "title": "Check", "body": "Try it", "points": 20}
	if quiz != nil {
		fields["quiz"] = quiz
	}
	w.item = e.Item(w.teacher, w.course, w.module, fields)
	return w
}

func (w *world) path(format string, args ...any) string {
	return fmt.Sprintf("/api/v1/courses/%d", w.course) + fmt.Sprintf(format, args...)
}

// questions adds one question of each kind: 1 point each except the
// multiple one (2).
func (w *world) questions(t *testing.T) (single, multiple, numeric, text uint64) {
	t.Helper()
	add := func(body map[string]any) uint64 {
		r := w.e.Do("POST", w.path("/items/%d/questions", w.item), w.teacher.Token, body)
		if r.Status != 201 {
			t.Fatalf("add question: %d %s", r.Status, r.Body)
		}
		return r.ID()
	}
	single = add(map[string]any{"kind": "single", "prompt": "2 + 2?", "explanation": "Count **on**.",
		"choices": []map[string]any{{"text": "3", "feedback": "One short."}, {"text": "4", "correct": true}}})
	multiple = add(map[string]any{"kind": "multiple", "prompt": "Primes?", "points": 2,
		"choices": []map[string]any{{"text": "2", "correct": true}, {"text": "3", "correct": true}, {"text": "4"}}})
	numeric = add(map[string]any{"kind": "numeric", "prompt": "Pi?", "answer": map[string]any{"value": 3.14, "tolerance": 0.01}})
	text = add(map[string]any{"kind": "text", "prompt": "Capital of France?", "answer": map[string]any{"accepted": []string{"Paris"}}})
	return
}

// noKey fails when a learner's view of an attempt names any part of the
// answer key or a judgement.
func noKey(t *testing.T, where string, raw []byte) {
	t.Helper()
	body := string(raw)
	for _, k := range []string{`"correct"`, `"accepted"`, `"tolerance"`, `"explanation`, `"feedback_html"`, `"score":`, "Count <strong>on", "One short"} {
		if strings.Contains(body, k) {
			t.Errorf("%s shows %s before the feedback mode allows: %s", where, k, body)
		}
	}
}

func TestQuestionsAreStaffOnlyAndValidated(t *testing.T) {
	w := setup(t, nil, nil)
	w.questions(t)
	r := w.e.Do("GET", w.path("/items/%d/questions", w.item), w.ann.Token, nil)
	if r.Status != 403 {
		t.Fatalf("a student listing questions: %d %s", r.Status, r.Body)
	}
	r = w.e.Do("POST", w.path("/items/%d/questions", w.item), w.ann.Token, map[string]any{"kind": "text", "prompt": "x", "answer": map[string]any{"accepted": []string{"x"}}})
	if r.Status != 403 {
		t.Fatalf("a student adding a question: %d", r.Status)
	}
	r = w.e.Do("POST", w.path("/items/%d/questions", w.item), w.teacher.Token, map[string]any{"kind": "single", "prompt": "x",
		"choices": []map[string]any{{"text": "a", "correct": true}, {"text": "b", "correct": true}}})
	if r.Status != 400 || r.ErrCode() != "validation_failed" {
		t.Fatalf("two right answers to a single: %d %s", r.Status, r.Body)
	}
	r = w.e.Do("GET", w.path("/items/%d/questions", w.item), w.teacher.Token, nil)
	var list struct {
		Items []struct {
			ID       uint64
			Kind     string
			Position int
			Choices  []struct {
				ID      int
				Correct bool
			}
		}
	}
	r.Decode(&list)
	if r.Status != 200 || len(list.Items) != 4 || list.Items[0].Kind != "single" || !list.Items[0].Choices[1].Correct || list.Items[3].Position != 3 {
		t.Fatalf("staff list: %d %s", r.Status, r.Body)
	}
	// Move the last question first; delete the second.
	r = w.e.Do("PATCH", w.path("/questions/%d", list.Items[3].ID), w.teacher.Token, map[string]any{"position": 0})
	if r.Status != 200 {
		t.Fatalf("move: %d %s", r.Status, r.Body)
	}
	if r := w.e.Do("DELETE", w.path("/questions/%d", list.Items[0].ID), w.teacher.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	r = w.e.Do("GET", w.path("/items/%d/questions", w.item), w.teacher.Token, nil)
	r.Decode(&list)
	if len(list.Items) != 3 || list.Items[0].Kind != "text" || list.Items[1].Kind != "multiple" || list.Items[2].Position != 2 {
		t.Fatalf("after move and delete: %s", r.Body)
	}
}

func TestImmediateFeedbackScoresAndCompletes(t *testing.T) {
	w := setup(t, nil, nil)
	single, multiple, numeric, text := w.questions(t)
	r := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.ann.Token, nil)
	if r.Status != 201 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	noKey(t, "a started attempt", r.Body)
	attempt := r.ID()
	if again := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.ann.Token, nil); again.Status != 200 || again.ID() != attempt {
		t.Fatalf("starting again: %d %s, want the open attempt", again.Status, again.Body)
	}
	save := func(q uint64, body map[string]any) map[string]any {
		t.Helper()
		r := w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, q), w.ann.Token, body)
		if r.Status != 200 {
			t.Fatalf("save %d: %d %s", q, r.Status, r.Body)
		}
		return r.Map()
	}
	got := save(single, map[string]any{"choice_ids": []int{1}})
	if got["correct"] != false || got["score"] != 0.0 || !strings.Contains(fmt.Sprint(got["feedback_html"]), "One short") ||
		!strings.Contains(fmt.Sprint(got["explanation_html"]), "<strong>on</strong>") {
		t.Fatalf("immediate judgement of a wrong pick: %v", got)
	}
	save(single, map[string]any{"choice_ids": []int{2}}) // re-answering replaces
	if got := save(multiple, map[string]any{"choice_ids": []int{1}}); got["score"] != 1.0 || got["correct"] != false {
		t.Fatalf("partial credit: %v", got)
	}
	save(numeric, map[string]any{"value": 3.141})
	save(text, map[string]any{"text": "  paris "})
	if r := w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, numeric), w.ann.Token, map[string]any{"text": "x"}); r.Status != 400 {
		t.Fatalf("a text for a numeric question: %d", r.Status)
	}
	if r := w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, text), w.bob.Token, map[string]any{"text": "x"}); r.Status != 404 {
		t.Fatalf("another learner answering: %d", r.Status)
	}
	r = w.e.Do("POST", w.path("/attempts/%d/submit", attempt), w.ann.Token, nil)
	var res struct {
		Status                                               string
		Score, MaxScore, Percent, FinalScore, PenaltyPercent float64 `json:"-"`
		Passed                                               bool
	}
	r.Decode(&res)
	m := r.Map()
	if r.Status != 200 || res.Status != "submitted" || m["score"] != 4.0 || m["max_score"] != 5.0 || m["percent"] != 80.0 || !res.Passed || m["final_score"] != 16.0 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	if r := w.e.Do("POST", w.path("/attempts/%d/submit", attempt), w.ann.Token, nil); r.Status != 409 || r.ErrCode() != "attempt_closed" {
		t.Fatalf("submitting twice: %d %s", r.Status, r.Body)
	}
	if r := w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, text), w.ann.Token, map[string]any{"text": "x"}); r.Status != 409 || r.ErrCode() != "attempt_closed" {
		t.Fatalf("answering a submitted attempt: %d %s", r.Status, r.Body)
	}
	var progress struct {
		Items []struct {
			ItemID uint64 `json:"item_id"`
			Status string
		}
	}
	p := w.e.Do("GET", w.path("/progress"), w.ann.Token, nil)
	p.Decode(&progress)
	if len(progress.Items) != 1 || progress.Items[0].ItemID != w.item || progress.Items[0].Status != "completed" {
		t.Fatalf("a passed attempt did not complete the item: %s", p.Body)
	}
	if r := w.e.Do("GET", w.path("/attempts/%d", attempt), w.bob.Token, nil); r.Status != 404 {
		t.Fatalf("another learner reading the attempt: %d", r.Status)
	}
	if r := w.e.Do("GET", w.path("/attempts/%d", attempt), w.teacher.Token, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"correct":true`) {
		t.Fatalf("staff reading the attempt: %d %s", r.Status, r.Body)
	}
}

func TestOnSubmitAndAfterDueHideTheKey(t *testing.T) {
	due := pacertest.Start.Add(48 * time.Hour)
	for _, mode := range []string{"on_submit", "after_due"} {
		t.Run(mode, func(t *testing.T) {
			w := setup(t, map[string]any{"feedback": mode}, map[string]any{"due_at": due.Format(time.RFC3339)})
			single, _, _, _ := w.questions(t)
			r := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.ann.Token, nil)
			attempt := r.ID()
			s := w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, single), w.ann.Token, map[string]any{"choice_ids": []int{1}})
			noKey(t, "a saved answer", s.Body)
			noKey(t, "an open attempt", w.e.Do("GET", w.path("/attempts/%d", attempt), w.ann.Token, nil).Body)
			noKey(t, "the attempt list", w.e.Do("GET", w.path("/items/%d/attempts", w.item), w.ann.Token, nil).Body)
			r = w.e.Do("POST", w.path("/attempts/%d/submit", attempt), w.ann.Token, nil)
			if r.Status != 200 || r.Map()["max_score"] != 5.0 {
				t.Fatalf("submit: %d %s", r.Status, r.Body)
			}
			if mode == "on_submit" {
				if b := string(r.Body); !strings.Contains(b, `"correct":false`) || !strings.Contains(b, "One short") {
					t.Fatalf("on_submit hides the judgement after submission: %s", r.Body)
				}
				return
			}
			// after_due: the score now, the judgement only after the due time.
			for _, raw := range [][]byte{r.Body, w.e.Do("GET", w.path("/attempts/%d", attempt), w.ann.Token, nil).Body,
				w.e.Do("GET", w.path("/items/%d/attempts", w.item), w.ann.Token, nil).Body} {
				b := string(raw)
				if strings.Contains(b, `"correct"`) || strings.Contains(b, "One short") || strings.Contains(b, "explanation_html") {
					t.Fatalf("after_due shows judgements before the due time: %s", b)
				}
			}
			w.e.Clock.Set(due.Add(time.Minute))
			w.ann = w.e.Login(w.ann)
			if b := w.e.Do("GET", w.path("/attempts/%d", attempt), w.ann.Token, nil).Body; !strings.Contains(string(b), `"correct":false`) {
				t.Fatalf("after the due time: %s", b)
			}
		})
	}
}

func TestAttemptLimitsTimeLimitsAndTheCutoff(t *testing.T) {
	w := setup(t, map[string]any{"attempts": 1, "time_limit_seconds": 600}, map[string]any{"due_at": pacertest.Start.Add(24 * time.Hour).Format(time.RFC3339)})
	single, _, _, _ := w.questions(t)
	r := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.ann.Token, nil)
	if r.Status != 201 || r.Map()["closes_at"] == nil {
		t.Fatalf("a timed start: %d %s", r.Status, r.Body)
	}
	attempt := r.ID()
	w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, single), w.ann.Token, map[string]any{"choice_ids": []int{2}})
	w.e.Clock.Advance(11 * time.Minute)
	r = w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, single), w.ann.Token, map[string]any{"choice_ids": []int{1}})
	if r.Status != 409 || r.ErrCode() != "attempt_closed" {
		t.Fatalf("an answer after closes_at: %d %s", r.Status, r.Body)
	}
	got := w.e.Do("GET", w.path("/attempts/%d", attempt), w.ann.Token, nil).Map()
	if got["status"] != "submitted" || got["expired"] != true || got["score"] != 1.0 {
		t.Fatalf("the expired attempt, submitted with what was saved: %v", got)
	}
	if r := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.ann.Token, nil); r.Status != 409 || r.ErrCode() != "no_attempts_left" {
		t.Fatalf("a second attempt of one allowed: %d %s", r.Status, r.Body)
	}
	// Bob waits past the cut-off (due + the default grace and late window).
	w.e.Clock.Advance(30 * 24 * time.Hour)
	w.bob = w.e.Login(w.bob)
	if r := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.bob.Token, nil); r.Status != 409 || r.ErrCode() != "deadline_passed" {
		t.Fatalf("starting after the cut-off: %d %s", r.Status, r.Body)
	}
}

func TestStaffPreviewIsNeverGraded(t *testing.T) {
	w := setup(t, nil, nil)
	single, _, _, _ := w.questions(t)
	r := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.teacher.Token, nil)
	if r.Status != 201 || r.Map()["preview"] != true {
		t.Fatalf("staff start: %d %s", r.Status, r.Body)
	}
	a := r.ID()
	w.e.Do("PUT", w.path("/attempts/%d/answers/%d", a, single), w.teacher.Token, map[string]any{"choice_ids": []int{2}})
	r = w.e.Do("POST", w.path("/attempts/%d/submit", a), w.teacher.Token, nil)
	if r.Status != 200 || r.Map()["final_score"] != 0.0 {
		t.Fatalf("preview submit: %d %s", r.Status, r.Body)
	}
}

func TestTheSchedulerSubmitsExpiredAttempts(t *testing.T) {
	w := setup(t, map[string]any{"time_limit_seconds": 60}, nil)
	single, _, _, _ := w.questions(t)
	attempt := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.ann.Token, nil).ID()
	w.e.Do("PUT", w.path("/attempts/%d/answers/%d", attempt, single), w.ann.Token, map[string]any{"choice_ids": []int{2}})
	ctx := context.Background()
	if n, err := w.e.Server.Quiz.SubmitExpired(ctx, w.e.Clock.Now()); err != nil || n != 0 {
		t.Fatalf("before the time is up: %d, %v", n, err)
	}
	w.e.Clock.Advance(2 * time.Minute)
	if n, err := w.e.Server.Quiz.SubmitExpired(ctx, w.e.Clock.Now()); err != nil || n != 1 {
		t.Fatalf("after the time is up: %d, %v", n, err)
	}
	got := w.e.Do("GET", w.path("/attempts/%d", attempt), w.ann.Token, nil).Map()
	if got["status"] != "submitted" || got["expired"] != true || got["score"] != 1.0 {
		t.Fatalf("expired attempt: %v", got)
	}
	sub, _ := time.Parse(time.RFC3339, got["submitted_at"].(string))
	if !sub.Equal(pacertest.Start.Add(time.Minute)) {
		t.Fatalf("submitted_at = %v, want its closing time", got["submitted_at"])
	}
	if n, _ := w.e.Server.Quiz.SubmitExpired(ctx, w.e.Clock.Now()); n != 0 {
		t.Fatalf("a second run found %d", n)
	}
}

func TestQuestionsGoWithTheItemAndIntoACopy(t *testing.T) {
	w := setup(t, map[string]any{"attempts": 2}, nil)
	w.questions(t)
	r := w.e.Do("POST", w.path("/copy"), w.teacher.Token, map[string]any{"title": "Copy"})
	if r.Status != 201 {
		t.Fatalf("copy: %d %s", r.Status, r.Body)
	}
	copyID := r.ID()
	var mods struct{ Items []struct{ ID uint64 } }
	w.e.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", copyID), w.teacher.Token, nil).Decode(&mods)
	if len(mods.Items) != 1 {
		t.Fatalf("copied modules: %+v", mods)
	}
	var mod struct{ Items []struct{ ID uint64 } }
	r = w.e.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules/%d", copyID, mods.Items[0].ID), w.teacher.Token, nil)
	r.Decode(&mod)
	if len(mod.Items) != 1 {
		t.Fatalf("copied module: %s", r.Body)
	}
	item := mod.Items[0].ID
	q := w.e.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d/questions", copyID, item), w.teacher.Token, nil)
	if q.Status != 200 || strings.Count(string(q.Body), `"kind"`) != 4 {
		t.Fatalf("copied questions: %d %s", q.Status, q.Body)
	}
	it := w.e.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", copyID, item), w.teacher.Token, nil).Map()
	if settings, _ := it["quiz"].(map[string]any); settings["attempts"] != 2.0 {
		t.Fatalf("copied settings: %v", it["quiz"])
	}
	if r := w.e.Do("DELETE", w.path("/items/%d", w.item), w.teacher.Token, nil); r.Status != 204 {
		t.Fatalf("delete item: %d %s", r.Status, r.Body)
	}
	if r := w.e.Do("GET", w.path("/items/%d/questions", w.item), w.teacher.Token, nil); r.Status != 404 {
		t.Fatalf("questions of a deleted quiz: %d", r.Status)
	}
	if r := w.e.Do("POST", w.path("/items/%d/questions", w.item), w.teacher.Token, map[string]any{"kind": "text", "prompt": "x", "answer": map[string]any{"accepted": []string{"x"}}}); r.Status != 404 {
		t.Fatalf("adding to a deleted quiz: %d", r.Status)
	}
}

func TestQuizSettingsAreChecked(t *testing.T) {
	w := setup(t, nil, nil)
	r := w.e.Do("PATCH", w.path("/items/%d", w.item), w.teacher.Token, map[string]any{"quiz": map[string]any{"feedback": "never", "pass_percent": 120}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "quiz.feedback") || !strings.Contains(string(r.Body), "quiz.pass_percent") {
		t.Fatalf("bad settings: %d %s", r.Status, r.Body)
	}
	r = w.e.Do("PATCH", w.path("/items/%d", w.item), w.teacher.Token, map[string]any{"quiz": map[string]any{"shuffle": true}})
	if s, _ := r.Map()["quiz"].(map[string]any); r.Status != 200 || s["shuffle"] != true || s["pass_percent"] != 60.0 {
		t.Fatalf("a partial patch: %d %s", r.Status, r.Body)
	}
	page := w.e.Item(w.teacher, w.course, w.module, nil)
	r = w.e.Do("PATCH", w.path("/items/%d", page), w.teacher.Token, map[string]any{"quiz": map[string]any{"shuffle": true}})
	if r.Status != 400 {
		t.Fatalf("quiz settings on a page: %d %s", r.Status, r.Body)
	}
}

func TestLateAttemptsCarryThePenaltyAndExtensionsApply(t *testing.T) {
	due := pacertest.Start.Add(time.Hour)
	w := setup(t, nil, map[string]any{"due_at": due.Format(time.RFC3339)})
	single, _, _, _ := w.questions(t)
	// Bob has an extension of the module to three days after the due time.
	ext := w.e.Do("POST", w.path("/extensions"), w.teacher.Token, map[string]any{"user_id": w.bob.ID, "module_id": w.module,
		"due_at": due.Add(72 * time.Hour).Format(time.RFC3339)})
	if ext.Status != 201 {
		t.Fatalf("extension: %d %s", ext.Status, ext.Body)
	}
	w.e.Clock.Set(due.Add(5 * time.Hour)) // five hours late: one started day, 10 %
	w.ann, w.bob = w.e.Login(w.ann), w.e.Login(w.bob)
	for _, c := range []struct {
		who     pacertest.User
		late    bool
		penalty float64
		final   float64
	}{{w.ann, true, 10, 3.6}, {w.bob, false, 0, 4}} {
		a := w.e.Do("POST", w.path("/items/%d/attempts", w.item), c.who.Token, nil).ID()
		w.e.Do("PUT", w.path("/attempts/%d/answers/%d", a, single), c.who.Token, map[string]any{"choice_ids": []int{2}})
		m := w.e.Do("POST", w.path("/attempts/%d/submit", a), c.who.Token, nil).Map()
		// 1 of 5 points, scaled to the item's 20: 4, less the penalty.
		if late, _ := m["late"].(bool); late != c.late || m["penalty_percent"] != c.penalty || m["final_score"] != c.final {
			t.Errorf("%s: late %v, penalty %v, final %v; want %v, %v, %v", c.who.Name, m["late"], m["penalty_percent"], m["final_score"], c.late, c.penalty, c.final)
		}
	}
}

func TestDrawnAndShuffledAttemptsKeepTheirOrder(t *testing.T) {
	w := setup(t, map[string]any{"draw": 3, "shuffle": true}, nil)
	w.questions(t)
	type attempt struct {
		Questions []struct {
			ID      uint64
			Choices []struct{ ID int }
		}
	}
	var first, again attempt
	r := w.e.Do("POST", w.path("/items/%d/attempts", w.item), w.ann.Token, nil)
	r.Decode(&first)
	id := r.ID()
	w.e.Do("GET", w.path("/attempts/%d", id), w.ann.Token, nil).Decode(&again)
	if len(first.Questions) != 3 || fmt.Sprint(first) != fmt.Sprint(again) {
		t.Fatalf("drawn %d questions; the order changed between reads:\n%v\n%v", len(first.Questions), first, again)
	}
	r = w.e.Do("POST", w.path("/attempts/%d/submit", id), w.ann.Token, nil)
	if m := r.Map(); m["max_score"] == 5.0 {
		t.Fatalf("max_score %v counts questions not drawn", m["max_score"])
	}
}
