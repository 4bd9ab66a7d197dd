package calendar

import (
	"testing"
	"time"
	_ "time/tzdata" // hermetic: do not depend on the host's zoneinfo
)

// --- helpers -------------------------------------------------------------

func calendarLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// at parses an RFC 3339 instant written out in a test table.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

// atp is at as a pointer; "" gives nil.
func atp(t testing.TB, s string) *time.Time {
	t.Helper()
	if s == "" {
		return nil
	}
	v := at(t, s)
	return &v
}

// show renders an optional instant as RFC 3339 in UTC, or "nil".
func show(p *time.Time) string {
	if p == nil {
		return "nil"
	}
	return p.UTC().Format(time.RFC3339Nano)
}

func mustBeUTC(t *testing.T, what string, p *time.Time) {
	t.Helper()
	if p != nil && p.Location() != time.UTC {
		t.Errorf("%s = %v is in %v, want UTC", what, *p, p.Location())
	}
}

// --- WeekStart ------------------------------------------------------------

func TestCalendarWeekStart(t *testing.T) {
	tests := []struct {
		name string
		base string
		zone string
		n    int
		want string
	}{
		{"in UTC week 1 starts at the base instant", "2027-01-11T00:00:00Z", "UTC", 1, "2027-01-11T00:00:00Z"},
		{"in UTC week 3 starts fourteen days after the base", "2027-01-11T00:00:00Z", "UTC", 3, "2027-01-25T00:00:00Z"},
		{"week 0 is the week before week 1", "2027-01-11T00:00:00Z", "UTC", 0, "2027-01-04T00:00:00Z"},
		{"in Asia/Kolkata week 3 starts at local midnight, half past six UTC", "2027-01-10T18:30:00Z", "Asia/Kolkata", 3, "2027-01-24T18:30:00Z"},
		{"in Europe/Berlin the week after the spring change starts an hour earlier in UTC", "2027-03-21T23:00:00Z", "Europe/Berlin", 2, "2027-03-28T22:00:00Z"},
		{"in Europe/Berlin the week after the autumn change starts an hour later in UTC", "2027-10-24T22:00:00Z", "Europe/Berlin", 2, "2027-10-31T23:00:00Z"},
		{"in Europe/Berlin week 12 of a January course is already in summer time", "2027-01-10T23:00:00Z", "Europe/Berlin", 12, "2027-03-28T22:00:00Z"},
		{"in America/New_York the week after the spring change starts at 04:00 UTC", "2027-03-08T05:00:00Z", "America/New_York", 2, "2027-03-15T04:00:00Z"},
		{"in America/New_York the week after the autumn change starts at 05:00 UTC", "2027-11-01T04:00:00Z", "America/New_York", 2, "2027-11-08T05:00:00Z"},
		{"in Australia/Sydney the week after summer time ends in April starts an hour later in UTC", "2027-03-28T22:00:00Z", "Australia/Sydney", 2, "2027-04-04T23:00:00Z"},
		{"in Australia/Sydney the week after summer time starts in October starts an hour earlier in UTC", "2027-09-26T23:00:00Z", "Australia/Sydney", 2, "2027-10-03T22:00:00Z"},
		{"in a leap year the week after 21 February starts on 28 February", "2028-02-21T00:00:00Z", "UTC", 2, "2028-02-28T00:00:00Z"},
		{"in a leap year the week spanning 29 February ends on 6 March", "2028-02-21T00:00:00Z", "UTC", 3, "2028-03-06T00:00:00Z"},
		{"in a common year the week after 22 February starts on 1 March", "2027-02-22T00:00:00Z", "UTC", 2, "2027-03-01T00:00:00Z"},
		{"in Europe/Berlin a week crosses the year end at local midnight", "2027-12-19T23:00:00Z", "Europe/Berlin", 3, "2028-01-02T23:00:00Z"},
		{"in UTC a week crosses the year end", "2027-12-27T00:00:00Z", "UTC", 2, "2028-01-03T00:00:00Z"},
		{"in Europe/Berlin a wall time lost to the spring change moves forward by the gap", "2027-03-21T01:30:00Z", "Europe/Berlin", 2, "2027-03-28T01:30:00Z"},
		{"in Europe/Berlin a wall time repeated by the autumn change takes its second occurrence", "2027-10-24T00:30:00Z", "Europe/Berlin", 2, "2027-10-31T01:30:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := WeekStart(at(t, tc.base), calendarLoc(t, tc.zone), tc.n)
			if got.Location() != time.UTC {
				t.Errorf("location = %v, want UTC", got.Location())
			}
			if want := at(t, tc.want); !got.Equal(want) {
				t.Errorf("WeekStart(%s, %s, %d) = %s, want %s", tc.base, tc.zone, tc.n, got.Format(time.RFC3339), tc.want)
			}
		})
	}

	t.Run("a nil location means UTC", func(t *testing.T) {
		got := WeekStart(at(t, "2027-01-11T00:00:00Z"), nil, 2)
		if want := at(t, "2027-01-18T00:00:00Z"); !got.Equal(want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

// A week spanning a DST change keeps its wall-clock time, so it lasts 167 h
// or 169 h in UTC.
func TestCalendarWeekSpanningDSTChange(t *testing.T) {
	tests := []struct {
		name      string
		zone      string
		base      string
		wantEnd   string
		wantHours time.Duration
		wantClock string
	}{
		{"a Berlin week spanning the spring change lasts 167 hours", "Europe/Berlin", "2027-03-21T23:00:00Z", "2027-03-28T22:00:00Z", 167 * time.Hour, "00:00"},
		{"a Berlin week spanning the autumn change lasts 169 hours", "Europe/Berlin", "2027-10-24T22:00:00Z", "2027-10-31T23:00:00Z", 169 * time.Hour, "00:00"},
		{"a New York week spanning the spring change lasts 167 hours", "America/New_York", "2027-03-08T05:00:00Z", "2027-03-15T04:00:00Z", 167 * time.Hour, "00:00"},
		{"a New York week spanning the autumn change lasts 169 hours", "America/New_York", "2027-11-01T04:00:00Z", "2027-11-08T05:00:00Z", 169 * time.Hour, "00:00"},
		{"a Sydney week spanning the April change lasts 169 hours", "Australia/Sydney", "2027-03-28T22:00:00Z", "2027-04-04T23:00:00Z", 169 * time.Hour, "09:00"},
		{"a Sydney week spanning the October change lasts 167 hours", "Australia/Sydney", "2027-09-26T23:00:00Z", "2027-10-03T22:00:00Z", 167 * time.Hour, "09:00"},
		{"a Kolkata week never changes length", "Asia/Kolkata", "2027-03-08T05:00:00Z", "2027-03-15T05:00:00Z", 168 * time.Hour, "10:30"},
		{"a UTC week never changes length", "UTC", "2027-03-08T05:00:00Z", "2027-03-15T05:00:00Z", 168 * time.Hour, "05:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := calendarLoc(t, tc.zone)
			start := WeekStart(at(t, tc.base), loc, 1)
			end := WeekStart(at(t, tc.base), loc, 2)
			if want := at(t, tc.wantEnd); !end.Equal(want) {
				t.Fatalf("end = %s, want %s", end.Format(time.RFC3339), tc.wantEnd)
			}
			if got := end.Sub(start); got != tc.wantHours {
				t.Errorf("length = %v, want %v", got, tc.wantHours)
			}
			for _, v := range []time.Time{start, end} {
				if got := v.In(loc).Format("15:04"); got != tc.wantClock {
					t.Errorf("wall clock at %s = %s, want %s", v.Format(time.RFC3339), got, tc.wantClock)
				}
			}
		})
	}
}

// Invariant over two years of daily starts: every week is 7 calendar days
// with the same wall-clock time, hence 167, 168 or 169 hours long.
func TestCalendarEveryWeekIsSevenCalendarDaysInEachZone(t *testing.T) {
	for _, zone := range []string{"UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"} {
		t.Run("weeks in "+zone+" keep the wall clock for two years of start days", func(t *testing.T) {
			loc := calendarLoc(t, zone)
			for d := 0; d < 731; d++ {
				base := time.Date(2027, 1, 1+d, 0, 0, 0, 0, loc)
				start, end := WeekStart(base, loc, 1), WeekStart(base, loc, 2)
				ls, le := start.In(loc), end.In(loc)
				if ls.Format("15:04") != le.Format("15:04") {
					t.Fatalf("%s: wall clock %s → %s", base, ls.Format("15:04"), le.Format("15:04"))
				}
				if days := time.Date(le.Year(), le.Month(), le.Day(), 0, 0, 0, 0, time.UTC).Sub(
					time.Date(ls.Year(), ls.Month(), ls.Day(), 0, 0, 0, 0, time.UTC)); days != 7*24*time.Hour {
					t.Fatalf("%s: %v apart on the calendar, want 7 days", base, days)
				}
				switch h := end.Sub(start); h {
				case 167 * time.Hour, 168 * time.Hour, 169 * time.Hour:
				default:
					t.Fatalf("%s: week lasts %v", base, h)
				}
			}
		})
	}
}

// --- WeekAt ---------------------------------------------------------------

func TestCalendarWeekAt(t *testing.T) {
	berlin := calendarLoc(t, "Europe/Berlin")
	spring := CourseTimes{Pacing: PacingScheduled, StartsAt: atp(t, "2027-03-21T23:00:00Z"), Location: berlin}
	autumn := CourseTimes{Pacing: PacingScheduled, StartsAt: atp(t, "2027-10-24T22:00:00Z"), Location: berlin}
	self := CourseTimes{Pacing: PacingSelfPaced, StartsAt: atp(t, "2020-01-01T00:00:00Z"), Location: time.UTC}
	enrolled := at(t, "2027-05-05T10:00:00Z")
	tests := []struct {
		name   string
		course CourseTimes
		now    string
		want   int
	}{
		{"before the course starts the learner is in week 0", spring, "2027-03-21T22:59:59Z", 0},
		{"at the course start the learner is in week 1", spring, "2027-03-21T23:00:00Z", 1},
		{"a second before the short spring week ends the learner is still in week 1", spring, "2027-03-28T21:59:59Z", 1},
		{"at the end of the short spring week the learner is in week 2", spring, "2027-03-28T22:00:00Z", 2},
		{"half an hour into week 2 after only 167.5 hours the learner is in week 2", spring, "2027-03-28T22:30:00Z", 2},
		{"after 168.5 hours of the long autumn week the learner is still in week 1", autumn, "2027-10-31T22:30:00Z", 1},
		{"at the end of the long autumn week the learner is in week 2", autumn, "2027-10-31T23:00:00Z", 2},
		{"ten weeks in the learner is in week 11", spring, "2027-05-31T00:00:00Z", 11},
		{"a self-paced learner counts weeks from enrolment, not the course start", self, "2027-05-12T10:00:00Z", 2},
		{"a self-paced learner is in week 0 before enrolment", self, "2027-05-05T09:59:59Z", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := WeekAt(tc.course, enrolled, at(t, tc.now)); got != tc.want {
				t.Errorf("WeekAt(%s) = %d, want %d", tc.now, got, tc.want)
			}
		})
	}
}

// --- LearnerWindow --------------------------------------------------------

func TestCalendarLearnerWindow(t *testing.T) {
	berlin := calendarLoc(t, "Europe/Berlin")
	newYork := calendarLoc(t, "America/New_York")
	sydney := calendarLoc(t, "Australia/Sydney")
	kolkata := calendarLoc(t, "Asia/Kolkata")

	sched := func(start string, loc *time.Location) CourseTimes {
		return CourseTimes{Pacing: PacingScheduled, StartsAt: atp(t, start), Location: loc}
	}
	selfPaced := func(loc *time.Location) CourseTimes {
		// StartsAt is set on purpose: self-paced weeks must ignore it.
		return CourseTimes{Pacing: PacingSelfPaced, StartsAt: atp(t, "2027-01-11T00:00:00Z"), Location: loc}
	}
	utcCourse := sched("2027-01-11T00:00:00Z", time.UTC)
	berlinLocalExplicit := time.Date(2027, 1, 20, 9, 0, 0, 0, berlin)

	tests := []struct {
		name         string
		course       CourseTimes
		module       ModuleTimes
		enrolled     string
		extension    string
		wantOpens    string // "" = nil
		wantDue      string // "" = nil
		wantExtended bool
	}{
		// Scheduled courses, weeks from starts_at.
		{name: "a scheduled UTC course opens week 2 on day 8 and makes it due on day 15",
			course: utcCourse, module: ModuleTimes{Week: 2}, enrolled: "2027-01-20T10:00:00Z",
			wantOpens: "2027-01-18T00:00:00Z", wantDue: "2027-01-25T00:00:00Z"},
		{name: "a scheduled course ignores when the learner enrolled",
			course: utcCourse, module: ModuleTimes{Week: 2}, enrolled: "2026-12-01T07:13:00Z",
			wantOpens: "2027-01-18T00:00:00Z", wantDue: "2027-01-25T00:00:00Z"},
		{name: "a scheduled Berlin course keeps local midnight when week 1 spans the spring change",
			course: sched("2027-03-21T23:00:00Z", berlin), module: ModuleTimes{Week: 1}, enrolled: "2027-03-01T00:00:00Z",
			wantOpens: "2027-03-21T23:00:00Z", wantDue: "2027-03-28T22:00:00Z"},
		{name: "a scheduled Berlin course keeps local midnight when week 1 spans the autumn change",
			course: sched("2027-10-24T22:00:00Z", berlin), module: ModuleTimes{Week: 1}, enrolled: "2027-03-01T00:00:00Z",
			wantOpens: "2027-10-24T22:00:00Z", wantDue: "2027-10-31T23:00:00Z"},
		{name: "a scheduled New York course keeps local midnight when week 2 follows the spring change",
			course: sched("2027-03-08T05:00:00Z", newYork), module: ModuleTimes{Week: 2}, enrolled: "2027-03-01T00:00:00Z",
			wantOpens: "2027-03-15T04:00:00Z", wantDue: "2027-03-22T04:00:00Z"},
		{name: "a scheduled New York course keeps local midnight when week 1 spans the autumn change",
			course: sched("2027-11-01T04:00:00Z", newYork), module: ModuleTimes{Week: 1}, enrolled: "2027-03-01T00:00:00Z",
			wantOpens: "2027-11-01T04:00:00Z", wantDue: "2027-11-08T05:00:00Z"},
		{name: "a scheduled Sydney course keeps 9 am when week 1 spans the end of summer time",
			course: sched("2027-03-28T22:00:00Z", sydney), module: ModuleTimes{Week: 1}, enrolled: "2027-03-01T00:00:00Z",
			wantOpens: "2027-03-28T22:00:00Z", wantDue: "2027-04-04T23:00:00Z"},
		{name: "a scheduled Sydney course keeps 9 am when week 2 spans the start of summer time",
			course: sched("2027-09-19T23:00:00Z", sydney), module: ModuleTimes{Week: 2}, enrolled: "2027-03-01T00:00:00Z",
			wantOpens: "2027-09-26T23:00:00Z", wantDue: "2027-10-03T22:00:00Z"},
		{name: "a scheduled Kolkata course opens week 4 at local midnight three weeks in",
			course: sched("2027-01-10T18:30:00Z", kolkata), module: ModuleTimes{Week: 4}, enrolled: "2027-01-01T00:00:00Z",
			wantOpens: "2027-01-31T18:30:00Z", wantDue: "2027-02-07T18:30:00Z"},
		{name: "a scheduled UTC course in a leap year makes the week spanning 29 February due on 6 March",
			course: sched("2028-02-14T00:00:00Z", time.UTC), module: ModuleTimes{Week: 3}, enrolled: "2028-02-01T00:00:00Z",
			wantOpens: "2028-02-28T00:00:00Z", wantDue: "2028-03-06T00:00:00Z"},
		{name: "a scheduled Berlin course in a leap year makes the week spanning 29 February due on 6 March local",
			course: sched("2028-02-20T23:00:00Z", berlin), module: ModuleTimes{Week: 2}, enrolled: "2028-02-01T00:00:00Z",
			wantOpens: "2028-02-27T23:00:00Z", wantDue: "2028-03-05T23:00:00Z"},
		{name: "a scheduled Berlin course makes the week spanning New Year due on 3 January local",
			course: sched("2027-12-19T23:00:00Z", berlin), module: ModuleTimes{Week: 2}, enrolled: "2027-12-01T00:00:00Z",
			wantOpens: "2027-12-26T23:00:00Z", wantDue: "2028-01-02T23:00:00Z"},
		{name: "a scheduled Sydney course makes the week spanning New Year due on 3 January local",
			course: sched("2027-12-19T13:00:00Z", sydney), module: ModuleTimes{Week: 2}, enrolled: "2027-12-01T00:00:00Z",
			wantOpens: "2027-12-26T13:00:00Z", wantDue: "2028-01-02T13:00:00Z"},

		// Scheduled course without a start: weeks count from enrolment.
		{name: "a scheduled course without a start counts weeks from the enrolment instant",
			course: CourseTimes{Pacing: PacingScheduled, Location: time.UTC}, module: ModuleTimes{Week: 2}, enrolled: "2027-02-03T09:15:00Z",
			wantOpens: "2027-02-10T09:15:00Z", wantDue: "2027-02-17T09:15:00Z"},
		{name: "a scheduled course without a start leaves a module without a week open with no due time",
			course: CourseTimes{Pacing: PacingScheduled, Location: time.UTC}, module: ModuleTimes{}, enrolled: "2027-02-03T09:15:00Z"},
		{name: "an unknown pacing value is treated as scheduled",
			course: CourseTimes{Pacing: "weird", StartsAt: atp(t, "2027-01-11T00:00:00Z"), Location: time.UTC}, module: ModuleTimes{Week: 1}, enrolled: "2027-02-03T09:15:00Z",
			wantOpens: "2027-01-11T00:00:00Z", wantDue: "2027-01-18T00:00:00Z"},

		// Self-paced: weeks from enrolment, wall clock kept across DST.
		{name: "a self-paced Sydney learner's week 1 runs from enrolment and keeps the wall clock across the October change",
			course: selfPaced(sydney), module: ModuleTimes{Week: 1}, enrolled: "2027-09-30T03:17:00Z",
			wantOpens: "2027-09-30T03:17:00Z", wantDue: "2027-10-07T02:17:00Z"},
		{name: "a self-paced New York learner's week 2 keeps the wall clock across the November change",
			course: selfPaced(newYork), module: ModuleTimes{Week: 2}, enrolled: "2027-10-30T16:45:00Z",
			wantOpens: "2027-11-06T16:45:00Z", wantDue: "2027-11-13T17:45:00Z"},
		{name: "a self-paced Berlin learner who enrolled before the spring change has week 1 due an hour earlier in UTC",
			course: selfPaced(berlin), module: ModuleTimes{Week: 1}, enrolled: "2027-03-25T18:00:00Z",
			wantOpens: "2027-03-25T18:00:00Z", wantDue: "2027-04-01T17:00:00Z"},
		{name: "a self-paced Kolkata learner's week 3 opens fourteen days after enrolment",
			course: selfPaced(kolkata), module: ModuleTimes{Week: 3}, enrolled: "2027-12-20T12:34:56Z",
			wantOpens: "2028-01-03T12:34:56Z", wantDue: "2028-01-10T12:34:56Z"},
		{name: "a self-paced module without a week or dates is open from the start with no due time",
			course: selfPaced(time.UTC), module: ModuleTimes{}, enrolled: "2027-02-03T09:15:00Z"},
		{name: "a self-paced module with explicit dates uses them instead of the week",
			course: selfPaced(time.UTC), module: ModuleTimes{Week: 1, OpensAt: atp(t, "2027-03-01T00:00:00Z"), DueAt: atp(t, "2027-03-15T00:00:00Z")}, enrolled: "2027-02-03T09:15:00Z",
			wantOpens: "2027-03-01T00:00:00Z", wantDue: "2027-03-15T00:00:00Z"},
		{name: "a self-paced module with only an explicit due time opens with its enrolment week",
			course: selfPaced(time.UTC), module: ModuleTimes{Week: 2, DueAt: atp(t, "2027-03-15T00:00:00Z")}, enrolled: "2027-02-03T09:15:00Z",
			wantOpens: "2027-02-10T09:15:00Z", wantDue: "2027-03-15T00:00:00Z"},

		// Explicit dates vs week in scheduled courses.
		{name: "a scheduled module without a week or dates opens at the course start with no due time",
			course: utcCourse, module: ModuleTimes{}, enrolled: "2027-02-03T09:15:00Z",
			wantOpens: "2027-01-11T00:00:00Z"},
		{name: "explicit dates win over the week in a scheduled course",
			course: utcCourse, module: ModuleTimes{Week: 2, OpensAt: atp(t, "2027-01-20T08:00:00Z"), DueAt: atp(t, "2027-01-22T17:00:00Z")}, enrolled: "2027-01-01T00:00:00Z",
			wantOpens: "2027-01-20T08:00:00Z", wantDue: "2027-01-22T17:00:00Z"},
		{name: "an explicit due time alone wins over the week's end but the week still opens the module",
			course: utcCourse, module: ModuleTimes{Week: 2, DueAt: atp(t, "2027-01-22T17:00:00Z")}, enrolled: "2027-01-01T00:00:00Z",
			wantOpens: "2027-01-18T00:00:00Z", wantDue: "2027-01-22T17:00:00Z"},
		{name: "an explicit opening time alone wins over the week's start but the week's end is still due",
			course: utcCourse, module: ModuleTimes{Week: 2, OpensAt: atp(t, "2027-01-20T08:00:00Z")}, enrolled: "2027-01-01T00:00:00Z",
			wantOpens: "2027-01-20T08:00:00Z", wantDue: "2027-01-25T00:00:00Z"},
		{name: "an explicit due time on a module without a week opens it at the course start",
			course: utcCourse, module: ModuleTimes{DueAt: atp(t, "2027-02-01T12:00:00Z")}, enrolled: "2027-01-01T00:00:00Z",
			wantOpens: "2027-01-11T00:00:00Z", wantDue: "2027-02-01T12:00:00Z"},
		{name: "an explicit date given in a local zone comes back in UTC",
			course: utcCourse, module: ModuleTimes{OpensAt: &berlinLocalExplicit}, enrolled: "2027-01-01T00:00:00Z",
			wantOpens: "2027-01-20T08:00:00Z"},
		{name: "a negative week is treated as no week",
			course: utcCourse, module: ModuleTimes{Week: -3}, enrolled: "2027-01-01T00:00:00Z",
			wantOpens: "2027-01-11T00:00:00Z"},

		// Extensions.
		{name: "an extension replaces the week's due time and leaves the opening alone",
			course: utcCourse, module: ModuleTimes{Week: 2}, enrolled: "2027-01-01T00:00:00Z", extension: "2027-01-28T12:00:00Z",
			wantOpens: "2027-01-18T00:00:00Z", wantDue: "2027-01-28T12:00:00Z", wantExtended: true},
		{name: "an extension replaces an explicit due time",
			course: utcCourse, module: ModuleTimes{Week: 2, DueAt: atp(t, "2027-01-22T17:00:00Z")}, enrolled: "2027-01-01T00:00:00Z", extension: "2027-01-29T17:00:00Z",
			wantOpens: "2027-01-18T00:00:00Z", wantDue: "2027-01-29T17:00:00Z", wantExtended: true},
		{name: "an extension earlier than the module's due time still wins because it is more specific",
			course: utcCourse, module: ModuleTimes{Week: 2}, enrolled: "2027-01-01T00:00:00Z", extension: "2027-01-21T00:00:00Z",
			wantOpens: "2027-01-18T00:00:00Z", wantDue: "2027-01-21T00:00:00Z", wantExtended: true},
		{name: "an extension gives a due time to a module that had none",
			course: utcCourse, module: ModuleTimes{}, enrolled: "2027-01-01T00:00:00Z", extension: "2027-02-01T00:00:00Z",
			wantOpens: "2027-01-11T00:00:00Z", wantDue: "2027-02-01T00:00:00Z", wantExtended: true},
		{name: "an extension applies to a self-paced learner's week",
			course: selfPaced(sydney), module: ModuleTimes{Week: 1}, enrolled: "2027-09-30T03:17:00Z", extension: "2027-10-10T02:17:00Z",
			wantOpens: "2027-09-30T03:17:00Z", wantDue: "2027-10-10T02:17:00Z", wantExtended: true},
		{name: "an extension given with a zone offset comes back in UTC",
			course: utcCourse, module: ModuleTimes{Week: 2}, enrolled: "2027-01-01T00:00:00Z", extension: "2027-01-28T13:00:00+01:00",
			wantOpens: "2027-01-18T00:00:00Z", wantDue: "2027-01-28T12:00:00Z", wantExtended: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := LearnerWindow(tc.course, tc.module, at(t, tc.enrolled), atp(t, tc.extension))
			if got, want := show(w.OpensAt), show(atp(t, tc.wantOpens)); got != want {
				t.Errorf("OpensAt = %s, want %s", got, want)
			}
			if got, want := show(w.DueAt), show(atp(t, tc.wantDue)); got != want {
				t.Errorf("DueAt = %s, want %s", got, want)
			}
			if w.Extended != tc.wantExtended {
				t.Errorf("Extended = %v, want %v", w.Extended, tc.wantExtended)
			}
			mustBeUTC(t, "OpensAt", w.OpensAt)
			mustBeUTC(t, "DueAt", w.DueAt)
		})
	}

	t.Run("the window does not alias the caller's times", func(t *testing.T) {
		opens, due, ext := at(t, "2027-01-20T08:00:00Z"), at(t, "2027-01-22T17:00:00Z"), at(t, "2027-01-29T17:00:00Z")
		w := LearnerWindow(utcCourse, ModuleTimes{OpensAt: &opens, DueAt: &due}, at(t, "2027-01-01T00:00:00Z"), &ext)
		*w.OpensAt = w.OpensAt.Add(time.Hour)
		*w.DueAt = w.DueAt.Add(time.Hour)
		if !opens.Equal(at(t, "2027-01-20T08:00:00Z")) || !ext.Equal(at(t, "2027-01-29T17:00:00Z")) {
			t.Errorf("caller's times changed: opens %v, extension %v", opens, ext)
		}
	})
}

// --- Cutoff and IsOpen ----------------------------------------------------

func TestCalendarCutoff(t *testing.T) {
	tests := []struct {
		name        string
		grace, late int64
		due         string
		want        string // "" = nil
	}{
		{"a window without a due time has no cut-off", 3600, 172800, "", ""},
		{"with no grace and no late window the cut-off is the due time", 0, 0, "2027-01-25T00:00:00Z", "2027-01-25T00:00:00Z"},
		{"one hour of grace and two days late put the cut-off 49 hours after due", 3600, 172800, "2027-01-25T00:00:00Z", "2027-01-27T01:00:00Z"},
		{"a late window crossing the year end ends in the new year", 0, 172800, "2027-12-31T00:00:00Z", "2028-01-02T00:00:00Z"},
		{"a late window crossing 29 February counts the leap day", 0, 172800, "2028-02-28T12:00:00Z", "2028-03-01T12:00:00Z"},
		{"negative policy seconds count as zero", -3600, -10, "2027-01-25T00:00:00Z", "2027-01-25T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := CourseTimes{Pacing: PacingScheduled, Location: time.UTC, GraceSeconds: tc.grace, LateSeconds: tc.late}
			got := Window{DueAt: atp(t, tc.due)}.Cutoff(c)
			if show(got) != show(atp(t, tc.want)) {
				t.Errorf("Cutoff = %s, want %s", show(got), show(atp(t, tc.want)))
			}
			mustBeUTC(t, "Cutoff", got)
		})
	}

	t.Run("enormous policy seconds do not overflow into the past", func(t *testing.T) {
		c := CourseTimes{Location: time.UTC, GraceSeconds: 1 << 62, LateSeconds: 1 << 62}
		due := at(t, "2027-01-25T00:00:00Z")
		if cut := (Window{DueAt: &due}).Cutoff(c); !cut.After(due.AddDate(500, 0, 0)) {
			t.Errorf("Cutoff = %v, want far after %v", cut, due)
		}
	})
}

func TestCalendarIsOpen(t *testing.T) {
	opens := "2027-01-18T00:00:00Z"
	tests := []struct {
		name  string
		opens string
		now   string
		want  bool
	}{
		{"a window without an opening time is open even long ago", "", "1999-01-01T00:00:00Z", true},
		{"a window is closed one second before it opens", opens, "2027-01-17T23:59:59Z", false},
		{"a window is closed one nanosecond before it opens", opens, "2027-01-17T23:59:59.999999999Z", false},
		{"a window is open at the exact opening instant", opens, "2027-01-18T00:00:00Z", true},
		{"a window is open one second after it opens", opens, "2027-01-18T00:00:01Z", true},
		{"a window stays open after its due time", opens, "2030-01-01T00:00:00Z", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := Window{OpensAt: atp(t, tc.opens), DueAt: atp(t, "2027-01-25T00:00:00Z")}
			if got := w.IsOpen(at(t, tc.now)); got != tc.want {
				t.Errorf("IsOpen(%s) = %v, want %v", tc.now, got, tc.want)
			}
		})
	}

	t.Run("an opening instant compares as an instant whatever the zone of now", func(t *testing.T) {
		w := Window{OpensAt: atp(t, opens)}
		now := time.Date(2027, 1, 18, 5, 30, 0, 0, calendarLoc(t, "Asia/Kolkata")) // 2027-01-18T00:00:00Z
		if !w.IsOpen(now) || w.IsOpen(now.Add(-time.Second)) {
			t.Errorf("IsOpen around %v wrong", now)
		}
	})
}

// --- Judge ----------------------------------------------------------------

func TestCalendarJudge(t *testing.T) {
	// Due 2027-01-25T00:00Z, one hour of grace (→ 01:00Z), two days late
	// (cut-off 2027-01-27T01:00Z), 10 % per started day.
	std := CourseTimes{Pacing: PacingScheduled, Location: time.UTC, GraceSeconds: 3600, LateSeconds: 172800, LatePenaltyPercentPerDay: 10}
	strict := CourseTimes{Pacing: PacingScheduled, Location: time.UTC}
	steep := CourseTimes{Pacing: PacingScheduled, Location: time.UTC, LateSeconds: 10 * 86400, LatePenaltyPercentPerDay: 15}
	fractional := CourseTimes{Pacing: PacingScheduled, Location: time.UTC, LateSeconds: 7 * 86400, LatePenaltyPercentPerDay: 12.5}
	free := CourseTimes{Pacing: PacingScheduled, Location: time.UTC, LateSeconds: 7 * 86400}
	perDay := CourseTimes{Pacing: PacingScheduled, Location: time.UTC, LateSeconds: 30 * 86400, LatePenaltyPercentPerDay: 1}
	due := "2027-01-25T00:00:00Z"

	tests := []struct {
		name       string
		course     CourseTimes
		due        string // "" = no due time
		extended   bool
		submitted  string
		wantStatus string
		wantPct    float64
		wantOK     bool
	}{
		{"work without a due time is on time years later", std, "", false, "2035-06-01T00:00:00Z", "on_time", 0, true},
		{"work a second before the due time is on time", std, due, false, "2027-01-24T23:59:59Z", "on_time", 0, true},
		{"work at the exact due time is on time", std, due, false, "2027-01-25T00:00:00Z", "on_time", 0, true},
		{"work a second after the due time is on time within grace", std, due, false, "2027-01-25T00:00:01Z", "on_time", 0, true},
		{"work a second before the end of grace is on time", std, due, false, "2027-01-25T00:59:59Z", "on_time", 0, true},
		{"work at the exact end of grace is on time", std, due, false, "2027-01-25T01:00:00Z", "on_time", 0, true},
		{"work one nanosecond after grace is late by one started day", std, due, false, "2027-01-25T01:00:00.000000001Z", "late", 10, true},
		{"work one second after grace is late by one started day", std, due, false, "2027-01-25T01:00:01Z", "late", 10, true},
		{"work exactly one day after grace is still late by one day", std, due, false, "2027-01-26T01:00:00Z", "late", 10, true},
		{"work one day and one second after grace is late by two started days", std, due, false, "2027-01-26T01:00:01Z", "late", 20, true},
		{"work a second before the cut-off is late by two days", std, due, false, "2027-01-27T00:59:59Z", "late", 20, true},
		{"work at the exact cut-off is late and accepted", std, due, false, "2027-01-27T01:00:00Z", "late", 20, true},
		{"work a second after the cut-off is refused", std, due, false, "2027-01-27T01:00:01Z", "deadline_passed", 0, false},
		{"work long after the cut-off is refused", std, due, false, "2028-01-01T00:00:00Z", "deadline_passed", 0, false},
		{"with no grace and no late window work at the due time is on time", strict, due, false, "2027-01-25T00:00:00Z", "on_time", 0, true},
		{"with no grace and no late window work a second late is refused", strict, due, false, "2027-01-25T00:00:01Z", "deadline_passed", 0, false},
		{"a steep penalty after six days and a second is capped at 100 percent", steep, due, false, "2027-01-31T00:00:01Z", "late", 100, true},
		{"a steep penalty after exactly six days is 90 percent", steep, due, false, "2027-01-31T00:00:00Z", "late", 90, true},
		{"a fractional penalty is multiplied by the started days", fractional, due, false, "2027-01-27T03:00:00Z", "late", 37.5, true},
		{"a zero penalty rate makes late work late but free", free, due, false, "2027-01-28T00:00:00Z", "late", 0, true},
		{"work before an extended due time is on time although the module's own date is long past", std, "2027-02-10T00:00:00Z", true, "2027-02-09T00:00:00Z", "on_time", 0, true},
		{"work after an extended due time follows the same grace and late rules", std, "2027-02-10T00:00:00Z", true, "2027-02-11T01:00:01Z", "late", 20, true},
		{"a late window crossing 29 February counts the leap day as a day", perDay, "2028-02-28T00:00:00Z", false, "2028-03-01T00:00:01Z", "late", 3, true},
		{"a late window crossing 28 February in a common year has one day fewer", perDay, "2027-02-28T00:00:00Z", false, "2027-03-01T00:00:01Z", "late", 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := Window{DueAt: atp(t, tc.due), Extended: tc.extended}
			status, pct, ok := Judge(tc.course, w, at(t, tc.submitted))
			if status != tc.wantStatus || pct != tc.wantPct || ok != tc.wantOK {
				t.Errorf("Judge(%s) = (%q, %v, %v), want (%q, %v, %v)", tc.submitted, status, pct, ok, tc.wantStatus, tc.wantPct, tc.wantOK)
			}
		})
	}

	t.Run("penalty days are elapsed 24 hour periods even across a DST change", func(t *testing.T) {
		berlin := calendarLoc(t, "Europe/Berlin")
		c := CourseTimes{Pacing: PacingScheduled, Location: berlin, LateSeconds: 7 * 86400, LatePenaltyPercentPerDay: 10}
		// Due Sat 27 Mar 2027 12:00 CET = 11:00Z; 24 h later is Sun 13:00 CEST.
		w := Window{DueAt: atp(t, "2027-03-27T11:00:00Z")}
		if _, pct, _ := Judge(c, w, at(t, "2027-03-28T11:00:00Z")); pct != 10 {
			t.Errorf("24 h late: penalty %v, want 10", pct)
		}
		if _, pct, _ := Judge(c, w, at(t, "2027-03-28T11:00:01Z")); pct != 20 {
			t.Errorf("24 h and 1 s late: penalty %v, want 20", pct)
		}
	})
}

func TestCalendarStartedDaysTable(t *testing.T) {
	// An explicit table of "started days" at every interesting offset past
	// due+grace, with 1 % per day so the penalty equals the day count.
	c := CourseTimes{Location: time.UTC, LateSeconds: 30 * 86400, LatePenaltyPercentPerDay: 1}
	w := Window{DueAt: atp(t, "2027-01-25T00:00:00Z")}
	tests := []struct {
		name      string
		submitted string
		wantDays  float64
	}{
		{"one second late is one started day", "2027-01-25T00:00:01Z", 1},
		{"twelve hours late is one started day", "2027-01-25T12:00:00Z", 1},
		{"twenty-four hours late is one started day", "2027-01-26T00:00:00Z", 1},
		{"twenty-four hours and a second late is two started days", "2027-01-26T00:00:01Z", 2},
		{"forty-eight hours late is two started days", "2027-01-27T00:00:00Z", 2},
		{"five days and an hour late is six started days", "2027-01-30T01:00:00Z", 6},
		{"thirty days late at the cut-off is thirty started days", "2027-02-24T00:00:00Z", 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, pct, ok := Judge(c, w, at(t, tc.submitted))
			if status != StatusLate || !ok || pct != tc.wantDays {
				t.Errorf("Judge(%s) = (%q, %v, %v), want (late, %v, true)", tc.submitted, status, pct, ok, tc.wantDays)
			}
		})
	}
}

// --- DeadlineStatus -------------------------------------------------------

func TestCalendarDeadlineStatus(t *testing.T) {
	// Due 2027-01-25T00:00Z; grace 1 h; late 2 days → cut-off 2027-01-27T01:00Z.
	c := CourseTimes{Pacing: PacingScheduled, Location: time.UTC, GraceSeconds: 3600, LateSeconds: 172800, LatePenaltyPercentPerDay: 10}
	strict := CourseTimes{Pacing: PacingScheduled, Location: time.UTC}
	due := "2027-01-25T00:00:00Z"
	tests := []struct {
		name   string
		course CourseTimes
		due    string
		done   bool
		now    string
		want   string
	}{
		{"a deadline a week away is upcoming", c, due, false, "2027-01-18T00:00:00Z", "upcoming"},
		{"a deadline 48 hours and a second away is upcoming", c, due, false, "2027-01-22T23:59:59Z", "upcoming"},
		{"a deadline exactly 48 hours away is due soon", c, due, false, "2027-01-23T00:00:00Z", "due_soon"},
		{"a deadline 48 hours minus a second away is due soon", c, due, false, "2027-01-23T00:00:01Z", "due_soon"},
		{"a deadline at its exact due instant is due soon", c, due, false, "2027-01-25T00:00:00Z", "due_soon"},
		{"a deadline a second past due is overdue", c, due, false, "2027-01-25T00:00:01Z", "overdue"},
		{"a deadline inside the grace period is overdue", c, due, false, "2027-01-25T00:30:00Z", "overdue"},
		{"a deadline inside the late window is overdue", c, due, false, "2027-01-26T12:00:00Z", "overdue"},
		{"a deadline at the exact cut-off is still overdue", c, due, false, "2027-01-27T01:00:00Z", "overdue"},
		{"a deadline a second past the cut-off is missed", c, due, false, "2027-01-27T01:00:01Z", "missed"},
		{"a deadline without grace or late window is missed a second after due", strict, due, false, "2027-01-25T00:00:01Z", "missed"},
		{"done work is done before its due time", c, due, true, "2027-01-18T00:00:00Z", "done"},
		{"done work is done while overdue", c, due, true, "2027-01-26T00:00:00Z", "done"},
		{"done work is done after the cut-off", c, due, true, "2027-03-01T00:00:00Z", "done"},
		{"a module without a due time is upcoming when not done", c, "", false, "2027-03-01T00:00:00Z", "upcoming"},
		{"a module without a due time is done when done", c, "", true, "2027-03-01T00:00:00Z", "done"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := Window{DueAt: atp(t, tc.due)}
			if got := DeadlineStatus(tc.course, w, tc.done, at(t, tc.now)); got != tc.want {
				t.Errorf("DeadlineStatus(now=%s, done=%v) = %q, want %q", tc.now, tc.done, got, tc.want)
			}
		})
	}

	t.Run("an extension turns a missed deadline back into an upcoming one", func(t *testing.T) {
		m := ModuleTimes{Week: 2}
		course := CourseTimes{Pacing: PacingScheduled, StartsAt: atp(t, "2027-01-11T00:00:00Z"), Location: time.UTC}
		enrolled := at(t, "2027-01-01T00:00:00Z")
		now := at(t, "2027-01-28T00:00:00Z")
		plain := LearnerWindow(course, m, enrolled, nil) // due 2027-01-25
		extended := LearnerWindow(course, m, enrolled, atp(t, "2027-02-05T00:00:00Z"))
		if got := DeadlineStatus(course, plain, false, now); got != "missed" {
			t.Errorf("without extension: %q, want missed", got)
		}
		if got := DeadlineStatus(course, extended, false, now); got != "upcoming" {
			t.Errorf("with extension: %q, want upcoming", got)
		}
	})
}

// --- end to end -----------------------------------------------------------

// A full scenario in a course that runs across the Berlin spring change.
func TestCalendarBerlinCourseAcrossSpringChange(t *testing.T) {
	berlin := calendarLoc(t, "Europe/Berlin")
	c := CourseTimes{Pacing: PacingScheduled, StartsAt: atp(t, "2027-03-14T23:00:00Z"), Location: berlin, // Mon 15 Mar 00:00 CET
		GraceSeconds: 0, LateSeconds: 86400, LatePenaltyPercentPerDay: 25}
	w := LearnerWindow(c, ModuleTimes{Week: 2}, at(t, "2027-03-01T00:00:00Z"), nil)
	if show(w.OpensAt) != "2027-03-21T23:00:00Z" || show(w.DueAt) != "2027-03-28T22:00:00Z" {
		t.Fatalf("week 2 window = %s → %s", show(w.OpensAt), show(w.DueAt))
	}
	steps := []struct {
		name       string
		now        string
		wantOpen   bool
		wantStatus string
		wantJudge  string
		wantPct    float64
	}{
		{"a learner looking on Sunday night of week 1 finds week 2 locked", "2027-03-21T22:59:59Z", false, "upcoming", "on_time", 0},
		{"at local midnight week 2 opens", "2027-03-21T23:00:00Z", true, "upcoming", "on_time", 0},
		{"two days before local midnight of the next Monday week 2 is due soon", "2027-03-26T22:00:00Z", true, "due_soon", "on_time", 0},
		{"at 23:59:59 summer time on Sunday work is on time", "2027-03-28T21:59:59Z", true, "due_soon", "on_time", 0},
		{"at midnight summer time work is on time at the boundary", "2027-03-28T22:00:00Z", true, "due_soon", "on_time", 0},
		{"a second after midnight summer time work is late", "2027-03-28T22:00:01Z", true, "overdue", "late", 25},
		{"a day after the due time work is still accepted", "2027-03-29T22:00:00Z", true, "overdue", "late", 25},
		{"a day and a second after the due time work is refused", "2027-03-29T22:00:01Z", true, "missed", "deadline_passed", 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			now := at(t, s.now)
			if got := w.IsOpen(now); got != s.wantOpen {
				t.Errorf("IsOpen = %v, want %v", got, s.wantOpen)
			}
			if got := DeadlineStatus(c, w, false, now); got != s.wantStatus {
				t.Errorf("DeadlineStatus = %q, want %q", got, s.wantStatus)
			}
			if st, pct, _ := Judge(c, w, now); st != s.wantJudge || pct != s.wantPct {
				t.Errorf("Judge = (%q, %v), want (%q, %v)", st, pct, s.wantJudge, s.wantPct)
			}
		})
	}
}

// --- benchmark ------------------------------------------------------------

var benchWindowSink Window

func BenchmarkLearnerWindow(b *testing.B) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2027, 1, 11, 0, 0, 0, 0, berlin).UTC()
	enrolled := time.Date(2027, 2, 3, 9, 15, 0, 0, time.UTC)
	ext := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		c    CourseTimes
		m    ModuleTimes
		ext  *time.Time
	}{
		{"scheduled/week", CourseTimes{Pacing: PacingScheduled, StartsAt: &start, Location: berlin}, ModuleTimes{Week: 12}, nil},
		{"self_paced/week", CourseTimes{Pacing: PacingSelfPaced, Location: berlin}, ModuleTimes{Week: 12}, nil},
		{"scheduled/explicit+extension", CourseTimes{Pacing: PacingScheduled, StartsAt: &start, Location: berlin}, ModuleTimes{Week: 3, OpensAt: &start, DueAt: &ext}, &ext},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchWindowSink = LearnerWindow(bc.c, bc.m, enrolled, bc.ext)
			}
		})
	}
}
