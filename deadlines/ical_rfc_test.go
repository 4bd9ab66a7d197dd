package deadlines_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

// contentLine is one unfolded line of an iCalendar stream (RFC 5545 §3.1):
// a name, parameters and a value.
type contentLine struct {
	name   string
	params []string // names, in order
	value  string
}

var (
	icalName  = regexp.MustCompile(`^[A-Za-z0-9-]+`)
	paramText = regexp.MustCompile(`^[^";:,\x00-\x08\x0a-\x1f\x7f]*`)
	quoted    = regexp.MustCompile(`^"[^"\x00-\x08\x0a-\x1f\x7f]*"`)
)

// parseContentLine reads a content line strictly by the RFC's grammar.
func parseContentLine(t *testing.T, l string) contentLine {
	t.Helper()
	var c contentLine
	c.name = icalName.FindString(l)
	if c.name == "" {
		t.Fatalf("no name in %q", l)
	}
	rest := l[len(c.name):]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		p := icalName.FindString(rest)
		if p == "" || !strings.HasPrefix(rest[len(p):], "=") {
			t.Fatalf("bad parameter in %q", l)
		}
		c.params = append(c.params, strings.ToUpper(p))
		rest = rest[len(p)+1:]
		for {
			v := quoted.FindString(rest)
			if v == "" {
				v = paramText.FindString(rest)
			}
			rest = rest[len(v):]
			if !strings.HasPrefix(rest, ",") {
				break
			}
			rest = rest[1:]
		}
	}
	if !strings.HasPrefix(rest, ":") {
		t.Fatalf("no ':' after the parameters of %q", l)
	}
	c.value = rest[1:]
	for _, r := range c.value {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			t.Fatalf("control character %U in the value of %q", r, l)
		}
	}
	return c
}

// textEscapes matches a TEXT value whose every backslash starts one of the
// RFC's escapes and whose ';' and ',' are all escaped.
var textEscapes = regexp.MustCompile(`^(?:[^\\;,]|\\[\\;,nN])*$`)

func TestCalendarFeedIsRFC5545Exact(t *testing.T) {
	f := newFixture(t)
	env := f.env
	env.Clock.Set(courseStart.Add(time.Hour))
	// Titles with every character TEXT must escape, and long enough, with
	// multi-byte characters, to be folded.
	courseTitle := `Statistik, Teil 1; "Grundlagen" \ Übungen — größere Überschrift mit Umlauten äöü und 🎓🎓🎓 zum Falten`
	moduleTitle := `Woche 1: Mittelwert, Median; Varianz \ Streuung — ÄÖÜ äöü ß 日本語のタイトル`
	if r := env.Do("PATCH", f.path(""), f.inst.Token, map[string]any{"title": courseTitle}); r.Status != 200 {
		t.Fatalf("rename course: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", f.path("/modules/%d", f.week1), f.inst.Token, map[string]any{"title": moduleTitle}); r.Status != 200 {
		t.Fatalf("rename module: %d %s", r.Status, r.Body)
	}
	r := env.Do("GET", feedPath(t, env, f.ann), "", nil)
	if r.Status != 200 {
		t.Fatalf("feed: %d %s", r.Status, r.Body)
	}
	raw := string(r.Body)

	t.Run("every line ends in CRLF and is at most 75 octets", func(t *testing.T) {
		if !strings.HasSuffix(raw, "\r\n") {
			t.Fatalf("the stream does not end in CRLF: %q", raw[max(0, len(raw)-20):])
		}
		if !strings.Contains(raw, "\r\n ") {
			t.Fatal("no line was folded: the titles are too short to test folding")
		}
		for i, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
			if strings.ContainsAny(l, "\r\n") {
				t.Fatalf("line %d holds a bare CR or LF: %q", i+1, l)
			}
			if len(l) > 75 {
				t.Fatalf("line %d is %d octets: %q", i+1, len(l), l)
			}
		}
	})

	// Unfold: a CRLF followed by one space or tab joins two lines.
	unfolded := strings.NewReplacer("\r\n ", "", "\r\n\t", "").Replace(raw)
	var lines []contentLine
	for _, l := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		lines = append(lines, parseContentLine(t, l))
	}

	t.Run("no parameter is given twice", func(t *testing.T) {
		for _, c := range lines {
			seen := map[string]bool{}
			for _, p := range c.params {
				if seen[p] {
					t.Errorf("%s repeats %s: %v", c.name, p, c.params)
				}
				seen[p] = true
			}
		}
	})

	t.Run("REFRESH-INTERVAL carries VALUE=DURATION once", func(t *testing.T) {
		n := 0
		for _, c := range lines {
			if c.name == "REFRESH-INTERVAL" {
				n++
				if len(c.params) != 1 || c.params[0] != "VALUE" || c.value != "PT1H" {
					t.Errorf("REFRESH-INTERVAL %v %q", c.params, c.value)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d REFRESH-INTERVAL lines", n)
		}
	})

	t.Run("text values are escaped", func(t *testing.T) {
		for _, c := range lines {
			switch c.name {
			case "SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "X-WR-CALDESC":
				if !textEscapes.MatchString(c.value) {
					t.Errorf("%s is not escaped TEXT: %q", c.name, c.value)
				}
			}
		}
	})

	t.Run("golang-ical reads back the exact titles", func(t *testing.T) {
		cal, err := ics.ParseCalendar(strings.NewReader(raw))
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		want := courseTitle + ": " + moduleTitle + " is due"
		found := false
		for _, e := range cal.Events() {
			if p := e.GetProperty(ics.ComponentPropertySummary); p != nil && ics.FromText(p.Value) == want {
				found = true
			}
		}
		if !found {
			t.Fatalf("no event with the summary %q", want)
		}
	})
}
