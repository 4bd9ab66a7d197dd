package engagement_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"pacer/notify"
	"pacer/pacertest"
)

const days = 24 * time.Hour

func TestEscalationLadder(t *testing.T) {
	env := pacertest.New(t)
	// Week 1 has nothing to do, so in week 2 the only flag is inactivity.
	c := newCourse(t, env, scheduledCourse(7*days, 3*days), weekModule{"Week 2", 2}, weekModule{"Week 3", 3})
	ann, bob, dan := c.student("Ann"), c.student("Bob"), c.student("Dan")
	env.Clock.Set(date(5, 9, 0, 0))
	cid := c.student("Cid")

	t.Run("newly flagged learners get one nudge with their next step", func(t *testing.T) {
		env.Clock.Set(date(11, 9, 0, 0)) // a week after Ann, Bob and Dan enrolled
		if n := run(t, env); n != 3 {
			t.Fatalf("changed %d, want 3", n)
		}
		for _, u := range []pacertest.User{ann, bob, dan} {
			ns := notes(t, env, u, notify.KindInactiveNudge, notify.KindBehindNudge)
			if len(ns) != 1 || ns[0].Kind != notify.KindInactiveNudge {
				t.Fatalf("%s's nudges: %+v", u.Name, ns)
			}
			contains(t, "nudge", ns[0].Title+" | "+ns[0].Body, "You have not started Test course yet",
				"It is 7 days since you could begin. Next: “Reading 1” in Week 2, due Mon 18 Jan 2027, 00:00 UTC.")
			if ns[0].Link != fmt.Sprintf("/courses/%d/items/%d", c.id, c.items[0]) {
				t.Fatalf("nudge link %q", ns[0].Link)
			}
		}
		if ns := notes(t, env, cid, notify.KindInactiveNudge); len(ns) != 0 {
			t.Fatalf("Cid enrolled a day later and was nudged: %+v", ns)
		}
	})
	t.Run("a second run at the same instant changes nothing", func(t *testing.T) {
		if n := run(t, env); n != 0 {
			t.Fatalf("changed %d, want 0", n)
		}
		if ns := notes(t, env, ann, notify.KindInactiveNudge); len(ns) != 1 {
			t.Fatalf("Ann has %d nudges", len(ns))
		}
	})
	t.Run("within the cooldown nothing more happens", func(t *testing.T) {
		env.Clock.Set(date(12, 9, 0, 0))
		if n := run(t, env); n != 1 { // Cid is flagged and nudged now
			t.Fatalf("changed %d, want 1 (Cid)", n)
		}
		env.Clock.Set(date(14, 8, 59, 59))
		if n := run(t, env); n != 0 {
			t.Fatalf("changed %d, want 0", n)
		}
		if ns := notes(t, env, c.teacher, notify.KindStaffDigest); len(ns) != 0 {
			t.Fatalf("staff told too early: %+v", ns)
		}
	})
	env.Clock.Set(date(13, 10, 0, 0))
	c.open(t, bob, 0) // Bob comes back

	t.Run("still flagged a period after the nudge: staff get one digest", func(t *testing.T) {
		env.Clock.Set(date(14, 9, 0, 0))
		if n := run(t, env); n != 3 { // Ann and Dan escalated, Bob cleared
			t.Fatalf("changed %d, want 3", n)
		}
		for _, staff := range []pacertest.User{c.teacher, c.ta} {
			ds := notes(t, env, staff, notify.KindStaffDigest)
			if len(ds) != 1 {
				t.Fatalf("%s got %d digests, want 1", staff.Name, len(ds))
			}
			contains(t, "digest", ds[0].Title+" | "+ds[0].Body, "2 learners in Test course need attention",
				"Ann: no activity for 10 days (none since enrolling)", "Dan: no activity for 10 days")
			if ds[0].Link != fmt.Sprintf("/courses/%d/at-risk", c.id) {
				t.Fatalf("digest link %q", ds[0].Link)
			}
			contains(t, "digest", ds[0].Body, "Ann", "Dan")
		}
		if n := run(t, env); n != 0 {
			t.Fatalf("second run changed %d", n)
		}
		if ds := notes(t, env, c.teacher, notify.KindStaffDigest); len(ds) != 1 {
			t.Fatalf("staff got %d digests after a second run", len(ds))
		}
	})
	t.Run("a new flag is nudged again and escalated again a period later", func(t *testing.T) {
		env.Clock.Set(date(18, 0, 0, 1)) // Week 2 is past due
		run(t, env)
		ns := notes(t, env, ann, notify.KindInactiveNudge, notify.KindBehindNudge)
		if got := kindsOf(ns); !reflect.DeepEqual(got, []string{"inactive_nudge", "behind_nudge"}) {
			t.Fatalf("Ann's nudges: %q", got)
		}
		contains(t, "behind nudge", ns[1].Title+" | "+ns[1].Body, "You are 1 week behind in Test course",
			"Week 2 is past due.", "You have not been active for 13 days.", "Next: “Reading 1” in Week 2")
		// Cid, nudged on the 12th, has now been away a period longer.
		ds := notes(t, env, c.teacher, notify.KindStaffDigest)
		if len(ds) != 2 {
			t.Fatalf("staff got %d digests, want 2", len(ds))
		}
		contains(t, "Cid's digest", ds[1].Title+" | "+ds[1].Body, "1 learner in Test course needs attention", "Cid: no activity for 12 days")
		// A cooldown later Ann is still behind, so staff hear of it; and
		// she has missed the deadline since, which is new, so she is
		// nudged about that in the same run.
		env.Clock.Set(date(21, 0, 0, 1))
		run(t, env)
		ds = notes(t, env, c.teacher, notify.KindStaffDigest)
		if len(ds) != 3 {
			t.Fatalf("staff got %d digests, want 3", len(ds))
		}
		contains(t, "third digest", ds[2].Title+" | "+ds[2].Body, "3 learners",
			"Ann: no activity for 16 days (none since enrolling); 1 module behind: Week 2; 1 missed deadline: Week 2", "Dan: ")
		ns = notes(t, env, ann, notify.KindInactiveNudge, notify.KindBehindNudge)
		if len(ns) != 3 {
			t.Fatalf("Ann has %d nudges, want 3", len(ns))
		}
		contains(t, "missed nudge", ns[2].Body, "The deadline of Week 2 has passed")
		if n := run(t, env); n != 0 {
			t.Fatalf("second run changed %d", n)
		}
	})
	t.Run("nudges and digests are e-mailed", func(t *testing.T) {
		mails, err := env.Server.Outbox.Mails(ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) != 3 || mails[0].Kind != notify.KindInactiveNudge || mails[1].Kind != notify.KindBehindNudge {
			t.Fatalf("Ann's mail: %+v", mails)
		}
		staff, _ := env.Server.Outbox.Mails(c.teacher.ID)
		if len(staff) != 3 || staff[0].Kind != notify.KindStaffDigest {
			t.Fatalf("teacher's mail: %+v", staff)
		}
	})
}

func TestNudgeCooldown(t *testing.T) {
	env := pacertest.New(t)
	// Inactive after one day; at most one nudge every three days.
	c := newCourse(t, env, selfPacedCourse(1*days, 3*days), weekModule{"Unit", 0}, weekModule{"More", 0})
	ann := c.student("Ann")
	t0 := env.Clock.Now()
	nudges := func() int { return len(notes(t, env, ann, notify.KindInactiveNudge)) }

	env.Clock.Set(t0.Add(days))
	run(t, env)
	if nudges() != 1 {
		t.Fatalf("nudges %d after a day away, want 1", nudges())
	}
	env.Clock.Set(t0.Add(days + 12*time.Hour))
	c.open(t, ann, 0) // back, so the flag clears
	run(t, env)
	if r := c.flagsOf(t, ann); len(r.Flags) != 0 {
		t.Fatalf("flags %q after coming back", r.Flags)
	}
	env.Clock.Set(t0.Add(2*days + 12*time.Hour)) // away a day again, within the cooldown
	run(t, env)
	if r := c.flagsOf(t, ann); !reflect.DeepEqual(r.Flags, []string{"inactive"}) || nudges() != 1 {
		t.Fatalf("flags %q nudges %d: flagged again but nudged within the cooldown", r.Flags, nudges())
	}
	env.Clock.Set(t0.Add(4*days - time.Second))
	run(t, env)
	if nudges() != 1 {
		t.Fatalf("nudged one second before the cooldown ended")
	}
	env.Clock.Set(t0.Add(4 * days))
	run(t, env)
	if nudges() != 2 {
		t.Fatalf("nudges %d when the cooldown ended, want 2", nudges())
	}
	run(t, env)
	if nudges() != 2 {
		t.Fatalf("a double run nudged twice")
	}
}

func TestCatchUpAfterDowntime(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*days, 3*days),
		weekModule{"Week 1", 1}, weekModule{"Week 2", 2}, weekModule{"Week 3", 3})
	ann, bob := c.student("Ann"), c.student("Bob")
	env.Clock.Set(date(5, 9, 0, 0))
	c.open(t, bob, 0)

	// The server was off for five weeks: no run at all.
	env.Clock.Set(time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC))
	if n := run(t, env); n != 2 {
		t.Fatalf("first run after downtime changed %d, want 2", n)
	}
	for _, u := range []pacertest.User{ann, bob} {
		ns := notes(t, env, u, notify.KindInactiveNudge, notify.KindBehindNudge)
		if len(ns) != 1 || ns[0].Kind != notify.KindBehindNudge {
			t.Fatalf("%s: %d nudges after downtime (%q), want one behind_nudge", u.Name, len(ns), kindsOf(ns))
		}
	}
	contains(t, "Ann's catch-up nudge", notes(t, env, ann, notify.KindBehindNudge)[0].Body,
		"Week 1, Week 2, Week 3 are past due.", "The deadline of Week 1, Week 2, Week 3 has passed")
	if n := run(t, env); n != 0 {
		t.Fatalf("a second run changed %d", n)
	}
	if ds := notes(t, env, c.teacher, notify.KindStaffDigest); len(ds) != 0 {
		t.Fatalf("staff told before the learners had a period to react: %d digests", len(ds))
	}
	env.Clock.Set(time.Date(2027, 2, 13, 9, 0, 0, 0, time.UTC))
	run(t, env)
	ds := notes(t, env, c.teacher, notify.KindStaffDigest)
	if len(ds) != 1 {
		t.Fatalf("%d digests a period later, want 1", len(ds))
	}
	contains(t, "digest", ds[0].Body, "Ann:", "Bob:", "3 missed deadlines: Week 1, Week 2, Week 3")
}

func TestLeaversAreForgotten(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*days, 3*days), weekModule{"Week 2", 2})
	ann := c.student("Ann")
	env.Clock.Set(date(11, 9, 0, 0))
	if n := run(t, env); n != 1 {
		t.Fatalf("changed %d", n)
	}
	ann = env.Login(ann)
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", c.id), ann.Token, nil); r.Status != 204 {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}
	if n := run(t, env); n != 1 {
		t.Fatalf("changed %d after Ann left, want 1 (her record removed)", n)
	}
	if rows := c.atRisk(t, ""); len(rows) != 0 {
		t.Fatalf("rows after leaving: %+v", rows)
	}
}

func TestJobsRunFromTheScheduler(t *testing.T) {
	env := pacertest.New(t)
	c := newCourse(t, env, scheduledCourse(7*days, 3*days), weekModule{"Week 2", 2})
	c.student("Ann")
	admin := env.Admin()
	var jobs struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	env.Do("GET", "/api/v1/admin/jobs", admin.Token, nil).Decode(&jobs)
	names := map[string]bool{}
	for _, j := range jobs.Items {
		names[j.Name] = true
	}
	if !names["flag_inactive"] || !names["mail_outbox"] {
		t.Fatalf("jobs %+v", jobs.Items)
	}
	env.Clock.Set(date(11, 9, 0, 0))
	admin = env.Login(admin)
	r := env.Do("POST", "/api/v1/admin/jobs/flag_inactive/run", admin.Token, nil)
	if r.Status != 200 || r.Map()["changed"] != float64(1) {
		t.Fatalf("run flag_inactive: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", "/api/v1/admin/jobs/flag_inactive/run", admin.Token, nil); r.Map()["changed"] != float64(0) {
		t.Fatalf("second run: %s", r.Body)
	}
	if r := env.Do("POST", "/api/v1/admin/jobs/mail_outbox/run", admin.Token, nil); r.Status != 200 || r.Map()["changed"] != float64(1) {
		t.Fatalf("run mail_outbox (logs the nudge's mail): %d %s", r.Status, r.Body)
	}
}
