package timetext_test

import (
	"testing"
	"time"

	"pacer/timetext"
)

func TestTimesReadInTheReadersZoneWithTheCourseTimeBeside(t *testing.T) {
	berlin, paris, utc := timetext.Zone("Europe/Berlin"), timetext.Zone("Europe/Paris"), timetext.Zone("UTC")
	due := time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC) // Mon 7 Dec 00:00 in Berlin
	for _, tc := range []struct {
		name           string
		reader, course *time.Location
		want           string
	}{
		{"a reader in UTC sees their own clock and the course's", utc, berlin,
			"Sun 6 Dec 2026, 23:00 UTC (Mon 7 Dec 2026, 00:00 CET course time)"},
		{"a reader in the course's zone sees it once", berlin, berlin, "Mon 7 Dec 2026, 00:00 CET"},
		{"a zone that reads the same is not repeated", paris, berlin, "Mon 7 Dec 2026, 00:00 CET"},
		{"a time of no course has no course time", utc, nil, "Sun 6 Dec 2026, 23:00 UTC"},
		{"no reader zone reads as UTC", nil, berlin, "Sun 6 Dec 2026, 23:00 UTC (Mon 7 Dec 2026, 00:00 CET course time)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := timetext.ForReader(due, tc.reader, tc.course); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if got := timetext.Short(due, berlin, now); got != "Mon 7 Dec, 00:00 CET" {
		t.Errorf("short this year: %q", got)
	}
	if got := timetext.Short(due, berlin, now.AddDate(-1, 0, 0)); got != "Mon 7 Dec 2026, 00:00 CET" {
		t.Errorf("short another year: %q", got)
	}
	// Summer time is named as such.
	if got := timetext.Long(time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC), berlin); got != "Tue 1 Jun 2027, 12:00 CEST" {
		t.Errorf("summer: %q", got)
	}
	if got := timetext.Date(due, utc); got != "Sun 6 Dec 2026" {
		t.Errorf("date: %q", got)
	}
	if timetext.Zone("Not/AZone") != time.UTC || timetext.Zone("") != time.UTC {
		t.Errorf("unknown zones do not fall back to UTC")
	}
}
