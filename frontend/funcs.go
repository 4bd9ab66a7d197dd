package frontend

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// funcs are the helpers every template may call. Keep them small and pure;
// anything that reads the store belongs in a handler.
func (f *Frontend) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": f.assets.url,
		// trusted marks HTML that the markdown package rendered and
		// sanitised (body_html, description_html, summary_html). Never
		// give it anything else.
		"trusted":      func(s string) template.HTML { return template.HTML(s) },
		"excerpt":      f.excerpt,
		"dict":         dict,
		"list":         func(v ...any) []any { return v },
		"when":         f.when,
		"day":          day,
		"at":           f.at,
		"atDay":        f.atDay,
		"inCourse":     inCourse,
		"iso":          iso,
		"lockText":     f.lockText,
		"pct":          pct,
		"add":          func(a, b int) int { return a + b },
		"plural":       plural,
		"minutes":      minutes,
		"num":          formatNumber,
		"deref":        deref,
		"picked":       picked,
		"rubricPicked": rubricPicked,
		"role":         roleLabel,
		"kind":         kindLabel,
		"upper":        strings.ToUpper,
		"lower":        strings.ToLower,
		"initial":      initial,
		"coursePath": func(id uint64) string {
			return fmt.Sprintf("/courses/%d", id)
		},
		"modulePath": func(course, module uint64) string {
			return fmt.Sprintf("/courses/%d/modules/%d", course, module)
		},
		"itemPath": func(course, item uint64) string {
			return fmt.Sprintf("/courses/%d/items/%d", course, item)
		},
	}
}

// dict builds a map from key, value pairs, to pass several values to a
// partial: {{template "field" dict "Form" .Data.Form "Name" "title"}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict needs key, value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// excerpt is the plain text of Markdown, cut at a word boundary.
func (f *Frontend) excerpt(md string, n int) string {
	s := html.UnescapeString(f.Markdown.Plain(md))
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

// instant accepts the time shapes the services use.
func instant(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	}
	return time.Time{}, false
}

// pct turns a 0..1 share into a whole percentage.
func pct(v any) int {
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case *float64:
		if n != nil {
			x = *n
		}
	case int:
		x = float64(n)
	}
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return int(math.Min(100, math.Round(x*100)))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func roleLabel(r string) string {
	switch r {
	case "ta":
		return "TA"
	case "instructor":
		return "Instructor"
	case "student":
		return "Student"
	}
	return r
}

func kindLabel(k string) string {
	switch k {
	case "page":
		return "Reading"
	case "lecture":
		return "Lecture"
	case "assignment":
		return "Assignment"
	case "discussion":
		return "Discussion"
	case "file":
		return "File"
	case "quiz":
		return "Quiz"
	}
	return k
}

// deref is the value a pointer points at (templates print a nil one as
// its zero).
func deref(v any) any {
	switch p := v.(type) {
	case *bool:
		return p != nil && *p
	case *float64:
		if p == nil {
			return 0.0
		}
		return *p
	case *string:
		if p == nil {
			return ""
		}
		return *p
	}
	return v
}

// minutes says a duration in seconds in words: "45 minutes", "1 h 30 min".
func minutes(secs int) string {
	m := (secs + 59) / 60
	if m < 60 {
		return plural(m, "minute", "minutes")
	}
	if m%60 == 0 {
		return plural(m/60, "hour", "hours")
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

// initial is the first letter of a name, for avatars.
func initial(s string) string {
	r, _ := utf8.DecodeRuneInString(strings.TrimSpace(s))
	if r == utf8.RuneError {
		return "?"
	}
	return strings.ToUpper(string(r))
}

// localInput formats an instant for <input type="datetime-local"> in loc.
func localInput(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// parseLocal reads a datetime-local value as a wall-clock time in loc.
func parseLocal(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("bad time")
}
