package deadlines_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"pacer/deadlines"
	"pacer/errs"
	"pacer/pacertest"
)

type submission struct {
	ID             uint64     `json:"id"`
	UserID         uint64     `json:"user_id"`
	UserName       string     `json:"user_name"`
	Status         string     `json:"status"`
	PenaltyPercent float64    `json:"penalty_percent"`
	SubmittedAt    time.Time  `json:"submitted_at"`
	Body           string     `json:"body"`
	BodyHTML       string     `json:"body_html"`
	Attempt        int        `json:"attempt"`
	Current        bool       `json:"current"`
	Score          *float64   `json:"score"`
	FinalScore     *float64   `json:"final_score"`
	Feedback       string     `json:"feedback"`
	FeedbackHTML   string     `json:"feedback_html"`
	MediaID        uint64     `json:"media_id"`
	DueAt          *time.Time `json:"due_at"`
}

func TestLockingFollowsTheWindowAndPrerequisites(t *testing.T) {
	f := newFixture(t)
	env := f.env

	t.Run("before the course starts Week 1 is locked with its opening time as the reason", func(t *testing.T) {
		m := f.modules(t, f.ann)[f.week1]
		if m.State != "locked" || m.LockedReason != "opens 2027-01-11T00:00:00Z" {
			t.Fatalf("week 1 = %+v", m)
		}
		r := env.Do("GET", f.path("/items/%d", f.essay), f.ann.Token, nil)
		if r.Status != 403 || r.ErrCode() != "forbidden" || !strings.Contains(string(r.Body), "opens 2027-01-11T00:00:00Z") {
			t.Fatalf("locked item: %d %s", r.Status, r.Body)
		}
		if r := f.submit(f.ann, f.essay, "early"); r.Status != 403 {
			t.Fatalf("submit to a locked module: %d %s", r.Status, r.Body)
		}
	})
	t.Run("at the exact opening instant Week 1 is open", func(t *testing.T) {
		env.Clock.Set(courseStart)
		if m := f.modules(t, f.ann)[f.week1]; m.State != "open" || m.DueAt == nil || !m.DueAt.Equal(week1Due) {
			t.Fatalf("week 1 = %+v", m)
		}
	})
	t.Run("once Week 2's time has come it stays locked until Week 1 is complete", func(t *testing.T) {
		env.Clock.Set(week1Due.Add(time.Minute))
		m := f.modules(t, f.ann)[f.week2]
		if m.State != "locked" || m.LockedReason != "complete 'Week 1' first" {
			t.Fatalf("week 2 = %+v", m)
		}
		r := env.Do("GET", f.path("/items/%d", f.notes), f.ann.Token, nil)
		if r.Status != 403 || !strings.Contains(string(r.Body), "complete 'Week 1' first") {
			t.Fatalf("item of week 2: %d %s", r.Status, r.Body)
		}
		if r := f.submit(f.ann, f.essay, "my essay"); r.Status != 201 {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", f.path("/items/%d", f.page), f.ann.Token, nil); r.Status != 200 {
			t.Fatalf("read page: %d %s", r.Status, r.Body)
		}
		if m := f.modules(t, f.ann)[f.week2]; m.State != "open" {
			t.Fatalf("week 2 after week 1 = %+v", m)
		}
	})
	t.Run("staff are never locked out", func(t *testing.T) {
		env.Clock.Set(pacertest.Start)
		if r := env.Do("GET", f.path("/items/%d", f.notes), f.inst.Token, nil); r.Status != 200 {
			t.Fatalf("staff read: %d %s", r.Status, r.Body)
		}
	})
}

func TestSubmissionJudgedAtTheBoundaries(t *testing.T) {
	cases := []struct {
		name    string
		at      time.Time
		status  string
		penalty float64
	}{
		{"work at the exact due time is on time", week1Due, "on_time", 0},
		{"work one second late is late by one started day", week1Due.Add(time.Second), "late", 10},
		{"work exactly one day late is one day's penalty", week1Due.Add(24 * time.Hour), "late", 10},
		{"work a day and a second late is two days' penalty", week1Due.Add(24*time.Hour + time.Second), "late", 20},
		{"work at the exact cut-off is still accepted", week1Cutoff, "late", 20},
		{"work one second before the due time is on time", week1Due.Add(-time.Second), "on_time", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.env.Clock.Set(tc.at)
			r := f.submit(f.ann, f.essay, "essay")
			if r.Status != 201 {
				t.Fatalf("submit: %d %s", r.Status, r.Body)
			}
			var s submission
			r.Decode(&s)
			if s.Status != tc.status || s.PenaltyPercent != tc.penalty || !s.SubmittedAt.Equal(tc.at) {
				t.Fatalf("got %+v, want %s with %v %%", s, tc.status, tc.penalty)
			}
		})
	}
	t.Run("work one second after the cut-off is refused with deadline_passed and nothing is stored", func(t *testing.T) {
		f := newFixture(t)
		f.env.Clock.Set(week1Cutoff.Add(time.Second))
		r := f.submit(f.ann, f.essay, "too late")
		if r.Status != 409 || r.ErrCode() != "deadline_passed" {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		l := f.env.Do("GET", f.path("/items/%d/submissions", f.essay), f.inst.Token, nil)
		if !strings.Contains(string(l.Body), `"items":[]`) {
			t.Fatalf("a refused submission was stored: %s", l.Body)
		}
	})
	t.Run("grace time counts as on time up to its last second", func(t *testing.T) {
		f := newFixture(t)
		r := f.env.Do("PATCH", f.path(""), f.inst.Token, map[string]any{"policy": map[string]any{"grace_seconds": 3600}})
		if r.Status != 200 {
			t.Fatalf("patch course: %d %s", r.Status, r.Body)
		}
		f.env.Clock.Set(week1Due.Add(time.Hour))
		var s submission
		f.submit(f.ann, f.essay, "x").Decode(&s)
		if s.Status != "on_time" {
			t.Fatalf("at due+grace: %+v", s)
		}
		f.env.Clock.Set(week1Due.Add(time.Hour + time.Second))
		f.submit(f.ann, f.essay, "x").Decode(&s)
		if s.Status != "late" || s.PenaltyPercent != 10 {
			t.Fatalf("at due+grace+1s: %+v", s)
		}
	})
}

func TestSubmissionReplacesAndCompletes(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(time.Hour))
	var first, second submission
	f.submit(f.ann, f.essay, "draft").Decode(&first)
	env.Clock.Set(week1Due.Add(2 * time.Hour))
	r := f.submit(f.ann, f.essay, "final *version*")
	r.Decode(&second)
	if r.Status != 201 || second.ID == first.ID || second.Attempt != 2 || second.Status != "late" || second.PenaltyPercent != 10 {
		t.Fatalf("resubmission = %d %+v (first %+v)", r.Status, second, first)
	}
	if !strings.Contains(second.BodyHTML, "<em>version</em>") {
		t.Fatalf("body_html = %q", second.BodyHTML)
	}
	l := env.Do("GET", f.path("/items/%d/submissions", f.essay), f.inst.Token, nil)
	var list struct {
		Items []submission `json:"items"`
	}
	l.Decode(&list)
	if len(list.Items) != 2 || list.Items[0].Body != "final *version*" || list.Items[0].UserName != "Ann" ||
		!list.Items[0].Current || list.Items[1].Body != "draft" || list.Items[1].Current || list.Items[1].Attempt != 1 {
		t.Fatalf("staff list = %s", l.Body)
	}
	p := env.Do("GET", f.path("/progress"), f.ann.Token, nil)
	if !strings.Contains(string(p.Body), `"status":"completed"`) {
		t.Fatalf("the assignment is not complete after submitting: %s", p.Body)
	}
}

func TestSubmissionErrors(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(time.Hour))
	stranger := env.Register("Sam")
	other := env.Course(stranger, map[string]any{"title": "Other"})
	otherMod := env.Module(stranger, other, map[string]any{"title": "O1"})
	otherItem := env.Item(stranger, other, otherMod, map[string]any{"kind": "assignment", "title": "Other essay"})

	cases := []struct {
		name   string
		user   pacertest.User
		path   string
		body   any
		status int
		code   string
	}{
		{"an empty body is a validation error", f.ann, f.path("/items/%d/submissions", f.essay), map[string]any{"body": "   "}, 400, "validation_failed"},
		{"no body at all is a validation error", f.ann, f.path("/items/%d/submissions", f.essay), map[string]any{}, 400, "validation_failed"},
		{"an unknown field is refused", f.ann, f.path("/items/%d/submissions", f.essay), map[string]any{"body": "x", "status": "on_time"}, 400, "bad_request"},
		{"malformed JSON is refused", f.ann, f.path("/items/%d/submissions", f.essay), "{", 400, "bad_request"},
		{"a media id that is not the learner's own upload is refused", f.ann, f.path("/items/%d/submissions", f.essay), map[string]any{"media_id": 3}, 400, "validation_failed"},
		{"staff may not submit", f.inst, f.path("/items/%d/submissions", f.essay), map[string]any{"body": "x"}, 403, "forbidden"},
		{"a non-member gets 404", stranger, f.path("/items/%d/submissions", f.essay), map[string]any{"body": "x"}, 404, "not_found"},
		{"an item of another course is 404", f.ann, f.path("/items/%d/submissions", otherItem), map[string]any{"body": "x"}, 404, "not_found"},
		{"a page takes no submissions", f.ann, f.path("/items/%d/submissions", f.page), map[string]any{"body": "x"}, 409, "conflict"},
		{"a malformed item id is 404", f.ann, f.path("/items/abc/submissions"), map[string]any{"body": "x"}, 404, "not_found"},
		{"an anonymous caller is 401", pacertest.User{}, f.path("/items/%d/submissions", f.essay), map[string]any{"body": "x"}, 401, "unauthenticated"},
		{"a non-member cannot list submissions", stranger, f.path("/items/%d/submissions", f.essay), nil, 404, "not_found"},
		{"a bad cursor is refused", f.inst, f.path("/items/%d/submissions?cursor=zz", f.essay), nil, 400, "validation_failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.body == nil {
				method = "GET"
			}
			r := env.Do(method, tc.path, tc.user.Token, tc.body)
			if r.Status != tc.status || r.ErrCode() != tc.code {
				t.Fatalf("%d %s, want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
	t.Run("a body over the text limit is a validation error", func(t *testing.T) {
		big := strings.Repeat("x", 100_001)
		_, err := env.Server.Deadlines.Submit(context.Background(), f.ann.ID, f.course, f.essay, deadlines.SubmissionInput{Body: &big})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("nothing of the refused requests was stored", func(t *testing.T) {
		r := env.Do("GET", f.path("/items/%d/submissions", f.essay), f.inst.Token, nil)
		if !strings.Contains(string(r.Body), `"items":[]`) {
			t.Fatalf("list = %s", r.Body)
		}
	})
}

func TestSubmissionWithMediaUsesTheHook(t *testing.T) {
	f := newFixture(t)
	f.env.Clock.Set(courseStart.Add(time.Hour))
	f.env.Server.Deadlines.MediaCheck = nil
	r := f.env.Do("POST", f.path("/items/%d/submissions", f.essay), f.ann.Token, map[string]any{"media_id": 7})
	if r.Status != 400 || !strings.Contains(string(r.Body), "file submissions are not available") {
		t.Fatalf("without media: %d %s", r.Status, r.Body)
	}
	type call struct{ course, user, media uint64 }
	var calls []call
	f.env.Server.Deadlines.MediaCheck = func(_ context.Context, course, user, media uint64) error {
		calls = append(calls, call{course, user, media})
		if media != 7 {
			return errs.NotFoundf("media")
		}
		return nil
	}
	r = f.env.Do("POST", f.path("/items/%d/submissions", f.essay), f.ann.Token, map[string]any{"media_id": 9})
	if r.Status != 404 {
		t.Fatalf("a refused media: %d %s", r.Status, r.Body)
	}
	r = f.env.Do("POST", f.path("/items/%d/submissions", f.essay), f.ann.Token, map[string]any{"media_id": 7})
	if r.Status != 201 || !strings.Contains(string(r.Body), `"media_id":7`) {
		t.Fatalf("a file submission: %d %s", r.Status, r.Body)
	}
	// Submissions are written through db.Batch, which runs a refused call
	// again on its own, so the hook may see the refused media twice; what
	// matters is which media it was asked about, in order.
	var distinct []call
	for _, c := range calls {
		if len(distinct) == 0 || distinct[len(distinct)-1] != c {
			distinct = append(distinct, c)
		}
	}
	if len(distinct) != 2 || distinct[0] != (call{f.course, f.ann.ID, 9}) || distinct[1] != (call{f.course, f.ann.ID, 7}) {
		t.Fatalf("hook calls = %+v", calls)
	}
}

func TestSubmissionListsAndGrading(t *testing.T) {
	f := newFixture(t)
	env := f.env
	bob := env.Register("Bob")
	env.Enroll(bob, f.course)
	ta := env.Register("Tara")
	env.SetRole(f.inst, f.course, ta, "ta")
	stranger := env.Register("Sam")

	env.Clock.Set(courseStart.Add(time.Hour))
	var annSub, bobSub submission
	f.submit(f.ann, f.essay, "ann's essay").Decode(&annSub)
	env.Clock.Set(week1Due.Add(time.Hour)) // Bob is late: 10 %
	f.submit(bob, f.essay, "bob's essay").Decode(&bobSub)

	t.Run("staff see every submission, a page at a time", func(t *testing.T) {
		r := env.Do("GET", f.path("/items/%d/submissions?limit=1", f.essay), ta.Token, nil)
		var page struct {
			Items      []submission `json:"items"`
			NextCursor string       `json:"next_cursor"`
		}
		r.Decode(&page)
		if len(page.Items) != 1 || page.Items[0].UserID != f.ann.ID || page.NextCursor == "" {
			t.Fatalf("first page = %s", r.Body)
		}
		r = env.Do("GET", f.path("/items/%d/submissions?limit=1&cursor=%s", f.essay, page.NextCursor), ta.Token, nil)
		r.Decode(&page)
		if len(page.Items) != 1 || page.Items[0].UserID != bob.ID || page.NextCursor != "" {
			t.Fatalf("second page = %s", r.Body)
		}
	})
	t.Run("a student sees only their own submission", func(t *testing.T) {
		r := env.Do("GET", f.path("/items/%d/submissions", f.essay), bob.Token, nil)
		var l struct {
			Items []submission `json:"items"`
		}
		r.Decode(&l)
		if len(l.Items) != 1 || l.Items[0].ID != bobSub.ID {
			t.Fatalf("bob's list = %s", r.Body)
		}
		if r := env.Do("GET", f.path("/submissions/%d", annSub.ID), bob.Token, nil); r.Status != 404 {
			t.Fatalf("bob reads ann's submission: %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", f.path("/submissions/%d", bobSub.ID), bob.Token, nil); r.Status != 200 {
			t.Fatalf("bob reads his own submission: %d %s", r.Status, r.Body)
		}
	})
	t.Run("grading refuses students, strangers and other courses", func(t *testing.T) {
		body := map[string]any{"score": 8, "feedback": "good"}
		if r := env.Do("PATCH", f.path("/submissions/%d", annSub.ID), bob.Token, body); r.Status != 403 && r.Status != 404 {
			t.Fatalf("student grading: %d %s", r.Status, r.Body)
		}
		if r := env.Do("PATCH", f.path("/submissions/%d", bobSub.ID), bob.Token, body); r.Status != 403 {
			t.Fatalf("student grading own: %d %s", r.Status, r.Body)
		}
		if r := env.Do("PATCH", f.path("/submissions/%d", annSub.ID), stranger.Token, body); r.Status != 404 {
			t.Fatalf("stranger grading: %d %s", r.Status, r.Body)
		}
		other := env.Course(stranger, map[string]any{"title": "Other"})
		r := env.Do("PATCH", "/api/v1/courses/"+itoa(other)+"/submissions/"+itoa(annSub.ID), stranger.Token, body)
		if r.Status != 404 {
			t.Fatalf("grading through another course's URL: %d %s", r.Status, r.Body)
		}
		if r := env.Do("PATCH", f.path("/submissions/999"), f.inst.Token, body); r.Status != 404 {
			t.Fatalf("unknown submission: %d %s", r.Status, r.Body)
		}
	})
	t.Run("bad scores are validation errors", func(t *testing.T) {
		for name, body := range map[string]any{
			"no score":                  map[string]any{"feedback": "x"},
			"a negative score":          map[string]any{"score": -1},
			"more than the points":      map[string]any{"score": 10.5},
			"a score of the wrong type": map[string]any{"score": "ten"},
			"an unknown field":          map[string]any{"score": 5, "final_score": 5},
		} {
			if r := env.Do("PATCH", f.path("/submissions/%d", annSub.ID), f.inst.Token, body); r.Status != 400 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
	})
	t.Run("a feedback over the text limit is a validation error", func(t *testing.T) {
		score, big := 5.0, strings.Repeat("x", 100_001)
		_, err := env.Server.Deadlines.Grade(context.Background(), f.inst.ID, f.course, annSub.ID, deadlines.GradeInput{Score: &score, Feedback: &big})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a grade applies the late penalty and tells the learner", func(t *testing.T) {
		r := env.Do("PATCH", f.path("/submissions/%d", bobSub.ID), ta.Token, map[string]any{"score": 8, "feedback": "Clear argument."})
		if r.Status != 200 {
			t.Fatalf("grade: %d %s", r.Status, r.Body)
		}
		var g submission
		r.Decode(&g)
		if g.Score == nil || *g.Score != 8 || g.FinalScore == nil || *g.FinalScore != 7.2 || g.PenaltyPercent != 10 || g.Feedback != "Clear argument." {
			t.Fatalf("graded = %s", r.Body)
		}
		ns := notifications(t, env, bob)
		if countKind(ns, "graded") != 1 || !strings.Contains(ns[0].Body, "7.2 of 10") || ns[0].Link == "" {
			t.Fatalf("bob's notifications = %+v", ns)
		}
		if countKind(notifications(t, env, f.ann), "graded") != 0 {
			t.Fatal("ann was told of bob's grade")
		}
	})
	t.Run("an on-time submission keeps its whole score", func(t *testing.T) {
		r := env.Do("PATCH", f.path("/submissions/%d", annSub.ID), f.inst.Token, map[string]any{"score": 10})
		var g submission
		r.Decode(&g)
		if r.Status != 200 || *g.FinalScore != 10 {
			t.Fatalf("graded = %d %s", r.Status, r.Body)
		}
	})
	t.Run("deleting the assignment removes its submissions", func(t *testing.T) {
		if r := env.Do("DELETE", f.path("/items/%d", f.essay), f.inst.Token, nil); r.Status != 204 {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := env.Do("GET", f.path("/submissions/%d", annSub.ID), f.inst.Token, nil); r.Status != 404 {
			t.Fatalf("submission of a deleted item: %d %s", r.Status, r.Body)
		}
	})
}

func TestFinalScore(t *testing.T) {
	for _, tc := range []struct{ score, penalty, want float64 }{
		{8, 10, 7.2}, {10, 0, 10}, {7, 100, 0}, {9.5, 20, 7.6}, {3, 33.3, 2},
	} {
		if got := deadlines.FinalScore(tc.score, tc.penalty); got != tc.want {
			t.Errorf("FinalScore(%v, %v) = %v, want %v", tc.score, tc.penalty, got, tc.want)
		}
	}
}

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }
