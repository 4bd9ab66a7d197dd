// Package timetext is how Pacer writes instants for people, on pages and in
// e-mails alike. The rule is one: an instant reads in the reader's own time
// zone, with the zone named ("Mon 7 Dec 2026, 00:00 CET"), so nobody has to
// guess whose clock a time is on; where the course's zone reads it
// differently, the course time is given too (beside it in text, on hover on
// pages). Course time zones still decide what a week is (the calendar
// package); they only stop deciding how a time is written.
package timetext

import "time"

// Layouts, in one place so every page and e-mail agrees.
const (
	longLayout  = "Mon 2 Jan 2006, 15:04 MST"
	shortLayout = "Mon 2 Jan, 15:04 MST"
	dateLayout  = "Mon 2 Jan 2006"
)

// Zone is the location of an IANA name; UTC for "" or a name this system
// does not know (names are validated when stored, so that is a fallback,
// not a rule).
func Zone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// Long is an instant with its date, year, time and zone in loc: "Mon 7 Dec
// 2026, 00:00 CET".
func Long(t time.Time, loc *time.Location) string { return t.In(orUTC(loc)).Format(longLayout) }

// Short is Long without the year when it is the year of now in loc: "Mon 7
// Dec, 00:00 CET".
func Short(t time.Time, loc *time.Location, now time.Time) string {
	loc = orUTC(loc)
	if t.In(loc).Year() == now.In(loc).Year() {
		return t.In(loc).Format(shortLayout)
	}
	return t.In(loc).Format(longLayout)
}

// Date is the day of an instant in loc: "Mon 7 Dec 2026".
func Date(t time.Time, loc *time.Location) string { return t.In(orUTC(loc)).Format(dateLayout) }

// Differs reports whether t reads differently on the clocks of a and b (so
// Europe/Berlin and Europe/Paris, both "CET" at the same hour, do not).
func Differs(t time.Time, a, b *time.Location) bool {
	if a == nil || b == nil {
		return false
	}
	return Long(t, a) != Long(t, b)
}

// ForReader is the text form for a person: Long in the reader's zone,
// followed by the course time when it reads differently: "Sun 6 Dec 2026,
// 23:00 UTC (Mon 7 Dec 2026, 00:00 CET course time)". course may be nil
// for times that belong to no course.
func ForReader(t time.Time, reader, course *time.Location) string {
	s := Long(t, reader)
	if Differs(t, orUTC(reader), course) {
		s += " (" + Long(t, course) + " course time)"
	}
	return s
}
