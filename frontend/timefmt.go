package frontend

import (
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/auth"
	"pacer/timetext"
)

// Zones is whose clock a page writes instants on: always the reader's own
// zone (named in the text), with the course's zone given on hover where it
// reads differently. render fills View.Zones for every page: the signed-in
// reader's zone (a signed-out visitor reads the course's, or UTC), and on a
// course page that course's zone. A list that spans courses sets Course
// per row with inCourse.
type Zones struct {
	Reader *time.Location
	// Course is nil for times that belong to no course.
	Course *time.Location
}

// zonesOf is the page's zones: the caller's own, and the course of the
// course header when there is one.
func zonesOf(c *fiber.Ctx, h *CourseHeader) Zones {
	z := Zones{Reader: userLoc(c)}
	if h != nil {
		z.Course = h.Loc
	}
	if auth.From(c) == nil && z.Course != nil {
		z.Reader = z.Course
	}
	return z
}

// zoneArg reads the zone argument of a template function: Zones, or a
// bare *time.Location taken as the reader's.
func zoneArg(v any) Zones {
	switch z := v.(type) {
	case Zones:
		return z
	case *Zones:
		if z != nil {
			return *z
		}
	case *time.Location:
		return Zones{Reader: z}
	}
	return Zones{Reader: time.UTC}
}

// inCourse is z for a time of the course in loc: the dashboard's cards and
// the deadlines list, where every row has its own course.
func inCourse(z any, loc *time.Location) Zones {
	zz := zoneArg(z)
	zz.Course = loc
	return zz
}

// when is an instant as text in the reader's zone, named: "Mon 11 Jan,
// 10:00 CET" (the year only when it is not this year). For attributes and
// sentences; in markup use at, which adds the machine form and the course
// time.
func (f *Frontend) when(v any, z any) string {
	t, ok := instant(v)
	if !ok {
		return ""
	}
	return timetext.Short(t, zoneArg(z).Reader, f.Now())
}

// day is the date of an instant in the reader's zone: "Mon 11 Jan 2027".
func day(v any, z any) string {
	t, ok := instant(v)
	if !ok {
		return ""
	}
	return timetext.Date(t, zoneArg(z).Reader)
}

// at is an instant as a <time> element: the reader's time, named, with the
// course time as its title when that reads differently.
//
//	{{at .DueAt $.Zones}} → <time datetime="2026-12-06T23:00:00Z" title="Mon 7 Dec 2026, 00:00 CET course time">Sun 6 Dec, 23:00 UTC</time>
func (f *Frontend) at(v any, z any) template.HTML {
	t, ok := instant(v)
	if !ok {
		return ""
	}
	zz := zoneArg(z)
	return timeElement(t, timetext.Short(t, zz.Reader, f.Now()), courseTitle(t, zz))
}

// atDay is at for a date: the reader's day, with the full time (and the
// course time where it differs) on hover.
func (f *Frontend) atDay(v any, z any) template.HTML {
	t, ok := instant(v)
	if !ok {
		return ""
	}
	zz := zoneArg(z)
	title := timetext.Long(t, zz.Reader)
	if ct := courseTitle(t, zz); ct != "" {
		title += " · " + ct
	}
	return timeElement(t, timetext.Date(t, zz.Reader), title)
}

func courseTitle(t time.Time, z Zones) string {
	if z.Course == nil || !timetext.Differs(t, orUTC(z.Reader), z.Course) {
		return ""
	}
	return timetext.Long(t, z.Course) + " course time"
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// timeElement writes the element; every piece is escaped.
func timeElement(t time.Time, text, title string) template.HTML {
	var b strings.Builder
	b.WriteString(`<time datetime="`)
	b.WriteString(iso(t))
	b.WriteString(`"`)
	if title != "" {
		b.WriteString(` title="`)
		b.WriteString(template.HTMLEscapeString(title))
		b.WriteString(`"`)
	}
	b.WriteString(">")
	b.WriteString(template.HTMLEscapeString(text))
	b.WriteString("</time>")
	return template.HTML(b.String())
}

// lockText turns a stored lock reason into words for people: "opens
// 2027-01-18T00:00:00Z" becomes "Opens Mon 18 Jan, 01:00 CET" in the
// reader's zone; other reasons read as a sentence.
func (f *Frontend) lockText(reason string, z any) string {
	if at, ok := strings.CutPrefix(reason, "opens "); ok {
		if t, err := time.Parse(time.RFC3339, at); err == nil {
			return "Opens " + timetext.Short(t, zoneArg(z).Reader, f.Now())
		}
	}
	return sentence(reason)
}

// iso is the machine-readable form for <time datetime="...">.
func iso(v any) string {
	t, ok := instant(v)
	if !ok {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
