package engagement_test

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"pacer/calendar"
	"pacer/engagement"
)

var (
	now   = time.Date(2027, 1, 20, 12, 0, 0, 0, time.UTC)
	day   = 24 * time.Hour
	week  = 7 * day
	start = time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
)

func at(t time.Time) *time.Time { return &t }

// mod is a module of one item, due at due (nil: no due time).
func mod(title string, week int, due *time.Time, done bool) engagement.ModuleFacts {
	m := engagement.ModuleFacts{ID: uint64(week + 1), Title: title, Week: week, DueAt: due, Required: 1}
	if done {
		m.Completed = 1
	}
	return m
}

func scheduled(grace, late time.Duration) calendar.CourseTimes {
	return calendar.CourseTimes{Pacing: calendar.PacingScheduled, StartsAt: at(start), Location: time.UTC,
		GraceSeconds: int64(grace / time.Second), LateSeconds: int64(late / time.Second)}
}

func selfPaced() calendar.CourseTimes {
	return calendar.CourseTimes{Pacing: calendar.PacingSelfPaced, Location: time.UTC, LateSeconds: 2 * 86400}
}

func TestFlagRules(t *testing.T) {
	base := engagement.Facts{Times: scheduled(0, 2*day), InactiveAfter: week, EnrolledAt: start.Add(-day)}
	with := func(edit func(f *engagement.Facts)) engagement.Facts {
		f := base
		edit(&f)
		return f
	}
	cases := []struct {
		name        string
		facts       engagement.Facts
		wantFlags   []string
		wantReasons []string
	}{
		{"a learner active exactly inactive_after ago is inactive",
			with(func(f *engagement.Facts) { f.LastActiveAt = at(now.Add(-week)) }),
			[]string{"inactive"}, []string{"no activity for 7 days"}},
		{"a learner active one second less than inactive_after ago is not inactive",
			with(func(f *engagement.Facts) { f.LastActiveAt = at(now.Add(-week + time.Second)) }),
			nil, nil},
		{"a learner never active counts from enrolment",
			with(func(f *engagement.Facts) { f.Times = selfPaced(); f.EnrolledAt = now.Add(-9 * day) }),
			[]string{"inactive"}, []string{"no activity for 9 days (none since enrolling)"}},
		{"nobody is inactive in a scheduled course that has not started",
			with(func(f *engagement.Facts) { f.Times.StartsAt = at(now.Add(day)); f.EnrolledAt = now.Add(-30 * day) }),
			nil, nil},
		{"a scheduled course's start is where idleness begins",
			with(func(f *engagement.Facts) { f.Times.StartsAt = at(now.Add(-week)); f.EnrolledAt = now.Add(-30 * day) }),
			[]string{"inactive"}, []string{"no activity for 7 days (none since enrolling)"}},
		{"inactive_after 0 turns the inactive flag off",
			with(func(f *engagement.Facts) { f.InactiveAfter = 0; f.EnrolledAt = now.Add(-300 * day) }),
			nil, nil},
		{"a learner who finished everything is never inactive",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now.Add(-30 * day))
				f.Modules = []engagement.ModuleFacts{mod("Week 1", 1, at(now.Add(-week)), true)}
			}),
			nil, nil},
		{"a module due exactly now is not behind yet",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{mod("Week 3", 3, at(now), false)}
			}),
			nil, nil},
		{"a module due one second ago and not done is behind",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{mod("Week 3", 3, at(now.Add(-time.Second)), false)}
			}),
			[]string{"behind"}, []string{"1 module behind: Week 3"}},
		{"grace keeps a learner on time until due plus grace",
			with(func(f *engagement.Facts) {
				f.Times = scheduled(time.Hour, 2*day)
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{mod("Week 3", 3, at(now.Add(-time.Hour)), false)}
			}),
			nil, nil},
		{"two modules behind are named in order",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{
					mod("Week 2", 2, at(now.Add(-week-time.Hour)), true),
					mod("Week 3", 3, at(now.Add(-time.Hour)), false),
					mod("Week 4", 4, at(now.Add(-time.Minute)), false),
					mod("Week 5", 5, at(now.Add(week)), false),
				}
			}),
			[]string{"behind"}, []string{"2 modules behind: Week 3, Week 4"}},
		{"an extended due time in the future is not behind",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				m := mod("Week 3", 3, at(now.Add(day)), false)
				m.Extended = true
				f.Modules = []engagement.ModuleFacts{m}
			}),
			nil, nil},
		{"a module without a due time is never behind",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{mod("Extras", 0, nil, false)}
			}),
			nil, nil},
		{"work exactly at its cut-off is behind but not missed",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{mod("Week 2", 2, at(now.Add(-2*day)), false)}
			}),
			[]string{"behind"}, []string{"1 module behind: Week 2"}},
		{"work one second past its cut-off is a missed deadline",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{mod("Week 2", 2, at(now.Add(-2*day-time.Second)), false)}
			}),
			[]string{"behind", "missed_deadline"}, []string{"1 module behind: Week 2", "1 missed deadline: Week 2"}},
		{"done work past its cut-off flags nothing",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now)
				f.Modules = []engagement.ModuleFacts{mod("Week 2", 2, at(now.Add(-3*day)), true)}
			}),
			nil, nil},
		{"a self-paced learner is judged on their own due times",
			with(func(f *engagement.Facts) {
				f.Times = selfPaced()
				f.EnrolledAt = now.Add(-8 * day)
				f.LastActiveAt = at(now.Add(-time.Hour))
				f.Modules = []engagement.ModuleFacts{mod("Week 1", 1, at(now.Add(-day)), false)}
			}),
			[]string{"behind"}, []string{"1 module behind: Week 1"}},
		{"all three flags together",
			with(func(f *engagement.Facts) {
				f.LastActiveAt = at(now.Add(-9 * day))
				f.Modules = []engagement.ModuleFacts{mod("Week 1", 1, at(now.Add(-9*day)), false)}
			}),
			[]string{"inactive", "behind", "missed_deadline"},
			[]string{"no activity for 9 days", "1 module behind: Week 1", "1 missed deadline: Week 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := engagement.Assess(c.facts, now)
			if !reflect.DeepEqual(a.Flags, c.wantFlags) {
				t.Errorf("flags = %q, want %q", a.Flags, c.wantFlags)
			}
			if !reflect.DeepEqual(a.Reasons, c.wantReasons) {
				t.Errorf("reasons = %q, want %q", a.Reasons, c.wantReasons)
			}
			if a.Risk < 0 || a.Risk > 1 {
				t.Errorf("risk %v outside 0..1", a.Risk)
			}
		})
	}
}

func TestRiskFormula(t *testing.T) {
	active := func(days ...int) []uint32 {
		out := make([]uint32, engagement.HistoryDays)
		for _, d := range days {
			out[d] = 3
		}
		return out
	}
	base := engagement.Facts{Times: selfPaced(), InactiveAfter: week, EnrolledAt: now.Add(-60 * day)}
	cases := []struct {
		name string
		edit func(f *engagement.Facts)
		want float64
	}{
		{"an active learner on track with a steady pace is 0", func(f *engagement.Facts) {
			f.LastActiveAt = at(now)
			f.Activity = active(0, 8, 15, 22, 29)
		}, 0},
		{"exactly at the threshold the idle term is half", func(f *engagement.Facts) {
			f.LastActiveAt = at(now.Add(-week))
		}, 0.175}, // 0.35 × 0.5
		{"twice the threshold the idle term is full", func(f *engagement.Facts) {
			f.LastActiveAt = at(now.Add(-2 * week))
		}, 0.35},
		{"behind on one of two modules due", func(f *engagement.Facts) {
			f.LastActiveAt = at(now)
			f.Modules = []engagement.ModuleFacts{mod("Week 1", 1, at(now.Add(-day)), true), mod("Week 2", 2, at(now.Add(-time.Hour)), false)}
		}, 0.15}, // 0.30 × 1/2
		{"one missed deadline adds half the missed weight", func(f *engagement.Facts) {
			f.LastActiveAt = at(now)
			f.Modules = []engagement.ModuleFacts{mod("Week 1", 1, at(now.Add(-5*day)), false)}
		}, 0.4}, // 0.30 × 1 + 0.20 × 0.5
		{"a learner who used to be active every week and stopped", func(f *engagement.Facts) {
			f.LastActiveAt = at(now.Add(-8 * day))
			f.Activity = active(8, 9, 15, 16, 22, 23, 29, 30)
		}, 0.35}, // idle 0.35 × 8/14 = 0.2 + pace 0.15 × 1
		{"everything at once is 1", func(f *engagement.Facts) {
			f.LastActiveAt = at(now.Add(-30 * day))
			f.Activity = active(30, 31, 32, 33)
			f.Modules = []engagement.ModuleFacts{mod("Week 1", 1, at(now.Add(-20*day)), false),
				mod("Week 2", 2, at(now.Add(-19*day)), false), mod("Week 3", 3, at(now.Add(-18*day)), false),
				mod("Week 4", 4, at(now.Add(-17*day)), false), mod("Week 5", 5, at(now.Add(-16*day)), false),
				mod("Week 6", 6, at(now.Add(-15*day)), false), mod("Week 7", 7, at(now.Add(-14*day)), false),
				mod("Week 8", 8, at(now.Add(-13*day)), false)}
		}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := base
			c.edit(&f)
			a := engagement.Assess(f, now)
			// Risk is rounded to 2 decimals; a value on a rounding tie
			// may land on either side.
			if math.Abs(a.Risk-c.want) > 0.0051 {
				t.Errorf("risk = %v, want %v (assessment %+v)", a.Risk, c.want, a)
			}
		})
	}
}

func TestPaceReason(t *testing.T) {
	days := make([]uint32, engagement.HistoryDays)
	for _, d := range []int{0, 7, 8, 9, 10, 14, 15, 16, 17, 21, 22, 23, 24, 28, 29, 30, 31} {
		days[d] = 1
	}
	f := engagement.Facts{Times: selfPaced(), InactiveAfter: week, EnrolledAt: now.Add(-60 * day), LastActiveAt: at(now), Activity: days}
	a := engagement.Assess(f, now)
	if a.RecentDays != 1 || a.EarlierWeekly != 4 || a.PaceDrop != 0.75 {
		t.Fatalf("recent %d earlier %v drop %v, want 1, 4, 0.75", a.RecentDays, a.EarlierWeekly, a.PaceDrop)
	}
	if len(a.Flags) != 0 || len(a.Reasons) != 1 || !strings.Contains(a.Reasons[0], "active on 1 day in the last week, against 4 a week before") {
		t.Fatalf("flags %q reasons %q", a.Flags, a.Reasons)
	}

	t.Run("a learner enrolled less than two weeks ago has no earlier pace", func(t *testing.T) {
		f := f
		f.EnrolledAt = now.Add(-13 * day)
		if a := engagement.Assess(f, now); a.EarlierWeekly != 0 || a.PaceDrop != 0 {
			t.Fatalf("earlier %v drop %v, want 0", a.EarlierWeekly, a.PaceDrop)
		}
	})
}
