package deadlines_test

import (
	"strings"
	"testing"
	"time"

	"pacer/notify"
	"pacer/pacertest"
)

// TestRemindersAreWrittenInTheLearnersZone checks issue 13's rule in the
// e-mails: a Week 1 due at midnight in Berlin (23:00 UTC) reaches a learner
// in UTC as 23:00 UTC with the course time beside it, and a learner in
// Berlin as midnight CET alone; the extension notice follows the same rule.
func TestRemindersAreWrittenInTheLearnersZone(t *testing.T) {
	env := newEnv(t)
	inst, ann, ben := env.Register("Ines"), env.Register("Ann"), env.Register("Ben")
	if r := env.Do("PATCH", "/api/v1/me", ben.Token, map[string]any{"timezone": "Europe/Berlin"}); r.Status != 200 {
		t.Fatalf("Ben's zone: %d %s", r.Status, r.Body)
	}
	course := env.Course(inst, map[string]any{"title": "Statistics", "pacing": "scheduled",
		"starts_at": "2027-01-10T23:00:00Z", "timezone": "Europe/Berlin",
		"policy": map[string]any{"grace_seconds": 0, "late_seconds": 0}})
	week1 := env.Module(inst, course, map[string]any{"title": "Week 1", "week": 1})
	env.Item(inst, course, week1, map[string]any{"kind": "page", "title": "Reading"})
	env.Enroll(ann, course)
	env.Enroll(ben, course)
	due := time.Date(2027, 1, 17, 23, 0, 0, 0, time.UTC)

	if n := run(t, env, "deadline_reminders", due.Add(-ReminderBefore)); n != 2 {
		t.Fatalf("reminders: %d, want 2", n)
	}
	mail := func(u pacertest.User, kind string) notify.Email {
		t.Helper()
		ms, err := env.Server.Outbox.Mails(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Kind == kind {
				return m
			}
		}
		t.Fatalf("%s has no %s mail among %d", u.Name, kind, len(ms))
		return notify.Email{}
	}
	a, b := mail(ann, notify.KindDeadlineSoon), mail(ben, notify.KindDeadlineSoon)
	if want := "Week 1 of Statistics is due on Sun 17 Jan 2027, 23:00 UTC (Mon 18 Jan 2027, 00:00 CET course time)."; !strings.Contains(a.Text, want) || !strings.Contains(a.HTML, want) {
		t.Errorf("Ann's reminder does not say %q:\n%s", want, a.Text)
	}
	if want := "Week 1 of Statistics is due on Mon 18 Jan 2027, 00:00 CET."; !strings.Contains(b.Text, want) || strings.Contains(b.Text, "course time") {
		t.Errorf("Ben's reminder does not say just %q:\n%s", want, b.Text)
	}

	inst = env.Login(inst)
	if r := env.Do("POST", "/api/v1/courses/"+itoa(course)+"/extensions", inst.Token, map[string]any{
		"user_id": ann.ID, "module_id": week1, "due_at": "2027-01-20T11:30:00Z"}); r.Status != 201 {
		t.Fatalf("extension: %d %s", r.Status, r.Body)
	}
	if e, want := mail(ann, notify.KindExtensionGranted), "now due for you on Wed 20 Jan 2027, 11:30 UTC (Wed 20 Jan 2027, 12:30 CET course time)."; !strings.Contains(e.Text, want) {
		t.Errorf("Ann's extension mail does not say %q:\n%s", want, e.Text)
	}
}
