package deadlines_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"pacer/deadlines"
	"pacer/pacertest"
)

type submissionList struct {
	Items []submission `json:"items"`
}

// Issue 13: a text-only resubmission erased the graded attempt, its file
// and its score ("Not graded yet", "attempt 2" with nothing else).
func TestResubmissionKeepsTheGradedAttempt(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Server.Deadlines.MediaCheck = func(_ context.Context, _, _, _ uint64) error { return nil }
	env.Clock.Set(courseStart.Add(time.Hour))
	var first submission
	r := env.Do("POST", f.path("/items/%d/submissions", f.essay), f.ann.Token, map[string]any{"body": "my analysis", "media_id": 7})
	r.Decode(&first)
	if r.Status != 201 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", f.path("/submissions/%d", first.ID), f.inst.Token, map[string]any{"score": 8.5, "feedback": "Good **IQR**."}); r.Status != 200 {
		t.Fatalf("grade: %d %s", r.Status, r.Body)
	}
	env.Clock.Advance(time.Hour)
	var second submission
	f.submit(f.ann, f.essay, "text only").Decode(&second)
	if second.ID == first.ID || second.Attempt != 2 || !second.Current || second.Score != nil {
		t.Fatalf("resubmission = %+v", second)
	}

	for who, u := range map[string]string{"the learner": f.ann.Token, "staff": f.inst.Token} {
		var l submissionList
		env.Do("GET", f.path("/items/%d/submissions", f.essay), u, nil).Decode(&l)
		if len(l.Items) != 2 {
			t.Fatalf("%s sees %d attempts, want 2: %+v", who, len(l.Items), l.Items)
		}
		cur, old := l.Items[0], l.Items[1]
		if !cur.Current || cur.Attempt != 2 || cur.Score != nil || cur.Body != "text only" {
			t.Errorf("%s: current = %+v", who, cur)
		}
		if old.Current || old.Attempt != 1 || old.ID != first.ID || old.Score == nil || *old.Score != 8.5 ||
			old.MediaID != 7 || old.Body != "my analysis" || old.Feedback != "Good **IQR**." {
			t.Errorf("%s: attempt 1 = %+v", who, old)
		}
	}
	var one submission
	if r := env.Do("GET", f.path("/submissions/%d", first.ID), f.ann.Token, nil); r.Status != 200 {
		t.Fatalf("the learner reads attempt 1: %d %s", r.Status, r.Body)
	} else if r.Decode(&one); one.Score == nil || *one.Score != 8.5 || one.Current {
		t.Fatalf("attempt 1 = %s", r.Body)
	}

	st, err := env.Server.Deadlines.Assignment(context.Background(), f.ann.ID, f.course, f.essay)
	if err != nil {
		t.Fatal(err)
	}
	if st.Grade == nil || st.Grade.ID != first.ID || *st.Grade.FinalScore != 8.5 || !st.NeedsGrading || len(st.Attempts) != 2 {
		t.Fatalf("the item's grade = %+v, needs grading %v, %d attempts", st.Grade, st.NeedsGrading, len(st.Attempts))
	}
	// Grading the new attempt makes it the one that counts.
	env.Do("PATCH", f.path("/submissions/%d", second.ID), f.inst.Token, map[string]any{"score": 9})
	st, _ = env.Server.Deadlines.Assignment(context.Background(), f.ann.ID, f.course, f.essay)
	if st.Grade == nil || st.Grade.ID != second.ID || st.NeedsGrading {
		t.Fatalf("after grading attempt 2: %+v, needs grading %v", st.Grade, st.NeedsGrading)
	}
	// Deleting the assignment removes every attempt.
	if r := env.Do("DELETE", f.path("/items/%d", f.essay), f.inst.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", f.path("/submissions/%d", first.ID), f.inst.Token, nil); r.Status != 404 {
		t.Fatalf("an earlier attempt of a deleted item: %d %s", r.Status, r.Body)
	}
}

// Issue 13: grade feedback was shown as raw Markdown to the learner and in
// the notification.
func TestFeedbackIsRendered(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(time.Hour))
	var sub submission
	f.submit(f.ann, f.essay, "x").Decode(&sub)
	r := env.Do("PATCH", f.path("/submissions/%d", sub.ID), f.inst.Token,
		map[string]any{"score": 7, "feedback": "Explain the **IQR** <script>alert(1)</script>"})
	var g submission
	r.Decode(&g)
	if r.Status != 200 || !strings.Contains(g.FeedbackHTML, "<strong>IQR</strong>") || strings.Contains(g.FeedbackHTML, "<script") ||
		g.Feedback != "Explain the **IQR** <script>alert(1)</script>" {
		t.Fatalf("graded = %d %s", r.Status, r.Body)
	}
	var l submissionList
	env.Do("GET", f.path("/items/%d/submissions", f.essay), f.ann.Token, nil).Decode(&l)
	if len(l.Items) != 1 || !strings.Contains(l.Items[0].FeedbackHTML, "<strong>IQR</strong>") {
		t.Fatalf("the learner's list = %+v", l.Items)
	}
	ns := notifications(t, env, f.ann)
	if len(ns) == 0 || ns[0].Kind != "graded" || !strings.Contains(ns[0].Body, "Explain the IQR") || strings.Contains(ns[0].Body, "**") ||
		strings.Contains(ns[0].Body, "<script") {
		t.Fatalf("graded notification = %+v", ns)
	}
}

// Issue 13: an extension to 2020-01-01 was granted, notified and mailed.
func TestExtensionMustGiveMoreTime(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(24 * time.Hour))
	for name, due := range map[string]string{
		"in the past":                           "2020-01-01T00:00:00Z",
		"a minute ago":                          env.Clock.Now().Add(-time.Minute).Format(time.RFC3339),
		"before the module's own due time":      week1Due.Add(-time.Hour).Format(time.RFC3339),
		"now, which gives no time":              env.Clock.Now().Format(time.RFC3339),
		"a day before the learner's week 2 due": week2Due.Add(-24 * time.Hour).Format(time.RFC3339),
	} {
		module := f.week1
		if strings.Contains(name, "week 2") {
			module = f.week2
		}
		r := env.Do("POST", f.path("/extensions"), f.inst.Token, map[string]any{"user_id": f.ann.ID, "module_id": module, "due_at": due})
		var e struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		r.Decode(&e)
		if r.Status != 400 || e.Error.Code != "validation_failed" || e.Error.Fields["due_at"] == "" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if n := countKind(notifications(t, env, f.ann), "extension_granted"); n != 0 {
		t.Fatalf("refused extensions notified the learner %d times", n)
	}
	r := env.Do("POST", f.path("/extensions"), f.inst.Token, map[string]any{"user_id": f.ann.ID, "module_id": f.week1,
		"due_at": week1Due.Add(time.Hour).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("a real extension: %d %s", r.Status, r.Body)
	}
}

// Issue 13: learners whose due time had not come were counted missing.
func TestPendingIsMissingOnlyAfterTheCutoff(t *testing.T) {
	f := newFixture(t)
	env := f.env
	bob := env.Register("Bob")
	env.Enroll(bob, f.course)
	cara := env.Register("Cara")
	env.Enroll(cara, f.course)
	env.Clock.Set(courseStart.Add(time.Hour))
	f.submit(f.ann, f.essay, "done")
	states := func() map[uint64]string {
		t.Helper()
		ps, err := env.Server.Deadlines.PendingList(context.Background(), f.inst.ID, f.course, f.essay)
		if err != nil {
			t.Fatal(err)
		}
		out := map[uint64]string{}
		for _, p := range ps {
			out[p.UserID] = p.State
		}
		return out
	}
	if s := states(); len(s) != 2 || s[bob.ID] != deadlines.PendingNotYet || s[cara.ID] != deadlines.PendingNotYet {
		t.Fatalf("before the due time: %v", s)
	}
	// Cara has an extension past the cut-off of the others.
	if r := env.Do("POST", f.path("/extensions"), f.inst.Token, map[string]any{"user_id": cara.ID, "module_id": f.week1,
		"due_at": week1Cutoff.Add(24 * time.Hour).Format(time.RFC3339)}); r.Status != 201 {
		t.Fatalf("extension: %d %s", r.Status, r.Body)
	}
	env.Clock.Set(week1Due.Add(time.Hour)) // late work is still accepted
	if s := states(); s[bob.ID] != deadlines.PendingNotYet || s[cara.ID] != deadlines.PendingNotYet {
		t.Fatalf("after the due time, before the cut-off: %v", s)
	}
	env.Clock.Set(week1Cutoff.Add(time.Second))
	if s := states(); s[bob.ID] != deadlines.PendingMissing || s[cara.ID] != deadlines.PendingNotYet {
		t.Fatalf("after the cut-off: %v", s)
	}
	if _, err := env.Server.Deadlines.PendingList(context.Background(), f.ann.ID, f.course, f.essay); err == nil {
		t.Fatal("a student read the pending list")
	}
}

// Staff hear of work arriving: one unread notification per item counts
// the new submissions, and the to-grade list counts what waits.
func TestSubmittedNotifiesStaffOncePerItem(t *testing.T) {
	f := newFixture(t)
	env := f.env
	ta := env.Register("Tara")
	env.SetRole(f.inst, f.course, ta, "ta")
	bob := env.Register("Bob")
	env.Enroll(bob, f.course)
	env.Clock.Set(courseStart.Add(time.Hour))
	f.submit(f.ann, f.essay, "a")
	env.Clock.Advance(time.Minute)
	var bobSub submission
	f.submit(bob, f.essay, "b").Decode(&bobSub)
	for _, u := range []pacertest.User{f.inst, ta} {
		ns := notifications(t, env, u)
		if countKind(ns, "submitted") != 1 || ns[0].Title != "2 new submissions to Essay" ||
			ns[0].Link != f.path("/items/%d/submissions", f.essay)[len("/api/v1"):] {
			t.Fatalf("%s: %+v", u.Name, ns)
		}
	}
	if n := countKind(notifications(t, env, f.ann), "submitted"); n != 0 {
		t.Fatalf("a learner got %d submitted notifications", n)
	}
	// Once read, the next submission starts a new one.
	if r := env.Do("POST", "/api/v1/notifications/read", f.inst.Token, map[string]any{"all": true}); r.Status != 200 && r.Status != 204 {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	env.Clock.Advance(time.Minute)
	f.submit(f.ann, f.essay, "a2")
	ns := notifications(t, env, f.inst)
	if countKind(ns, "submitted") != 2 || ns[0].Title != "New submission to Essay" || !strings.Contains(ns[0].Body, "Ann") {
		t.Fatalf("after reading: %+v", ns)
	}

	list, err := env.Server.Deadlines.ToGradeList(context.Background(), f.inst.ID, 0)
	if err != nil || len(list) != 1 || list[0].Count != 2 || list[0].ItemID != f.essay || !list[0].LatestAt.Equal(env.Clock.Now()) {
		t.Fatalf("to grade = %+v, %v", list, err)
	}
	env.Do("PATCH", f.path("/submissions/%d", bobSub.ID), f.inst.Token, map[string]any{"score": 5})
	if list, _ := env.Server.Deadlines.ToGradeList(context.Background(), f.inst.ID, f.course); len(list) != 1 || list[0].Count != 1 {
		t.Fatalf("after grading bob: %+v", list)
	}
	if list, _ := env.Server.Deadlines.ToGradeList(context.Background(), f.ann.ID, 0); len(list) != 0 {
		t.Fatalf("a learner's to-grade list: %+v", list)
	}
}

// Issue 13: a student who leaves keeps their work for staff. Leaving ends
// the membership, not the record of what was handed in and graded: staff
// still list and read it, and enrolling again shows the learner the same
// attempt and grade.
func TestALearnerWhoLeavesKeepsTheirWorkForStaff(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(time.Hour))
	var sub submission
	f.submit(f.ann, f.essay, "my analysis").Decode(&sub)
	if r := env.Do("PATCH", f.path("/submissions/%d", sub.ID), f.inst.Token, map[string]any{"score": 7}); r.Status != 200 {
		t.Fatalf("grade: %d %s", r.Status, r.Body)
	}
	if r := env.Do("DELETE", f.path("/enroll"), f.ann.Token, nil); r.Status != 204 {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}
	var l submissionList
	env.Do("GET", f.path("/items/%d/submissions", f.essay), f.inst.Token, nil).Decode(&l)
	if len(l.Items) != 1 || l.Items[0].ID != sub.ID || l.Items[0].Score == nil || *l.Items[0].Score != 7 {
		t.Fatalf("staff list after the learner left: %+v", l.Items)
	}
	if r := env.Do("GET", f.path("/submissions/%d", sub.ID), f.inst.Token, nil); r.Status != 200 {
		t.Fatalf("staff read the work of a learner who left: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", f.path("/submissions/%d", sub.ID), f.ann.Token, nil); r.Status != 404 {
		t.Errorf("a learner who left still reads the course's records: %d", r.Status)
	}
	env.Enroll(f.ann, f.course)
	st, err := env.Server.Deadlines.Assignment(context.Background(), f.ann.ID, f.course, f.essay)
	if err != nil {
		t.Fatal(err)
	}
	if st.Grade == nil || st.Grade.ID != sub.ID || *st.Grade.FinalScore != 7 {
		t.Errorf("after enrolling again the grade is %+v, want attempt %d scored 7", st.Grade, sub.ID)
	}
}

// A resubmission leaves the item completed when the first attempt
// completed it: its completed_at stays the first attempt's, whether the
// item's progress is read from the cache (a write fills it until it writes,
// on PostgreSQL) or from the record.
func TestAResubmissionKeepsTheItemsCompletionTime(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(time.Hour))
	f.submit(f.ann, f.essay, "first")
	completedAt := func() string {
		t.Helper()
		var p struct {
			Items []struct {
				ItemID      uint64  `json:"item_id"`
				Status      string  `json:"status"`
				CompletedAt *string `json:"completed_at"`
			} `json:"items"`
		}
		r := env.Do("GET", f.path("/progress"), f.ann.Token, nil)
		if r.Status != 200 {
			t.Fatalf("progress: %d %s", r.Status, r.Body)
		}
		r.Decode(&p)
		for _, it := range p.Items {
			if it.ItemID == f.essay && it.Status == "completed" && it.CompletedAt != nil {
				return *it.CompletedAt
			}
		}
		t.Fatalf("the essay is not completed: %s", r.Body)
		return ""
	}
	first := completedAt()
	for range 2 {
		env.Clock.Advance(time.Hour)
		f.submit(f.ann, f.essay, "again")
		if got := completedAt(); got != first {
			t.Fatalf("completed_at moved from %s to %s on a resubmission", first, got)
		}
	}
	// And after another item's completion, which changed the learner's
	// progress in between.
	env.Clock.Advance(time.Hour)
	if r := env.Do("POST", f.path("/items/%d/complete", f.page), f.ann.Token, nil); r.Status != 200 {
		t.Fatalf("complete the page: %d %s", r.Status, r.Body)
	}
	f.submit(f.ann, f.essay, "once more")
	if got := completedAt(); got != first {
		t.Fatalf("completed_at moved from %s to %s on a resubmission after another completion", first, got)
	}
}
