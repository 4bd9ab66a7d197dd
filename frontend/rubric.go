package frontend

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"pacer/deadlines"
	"pacer/modules"
)

// A rubric is written on the assignment form as text, one criterion per
// line, so that the form works without JavaScript:
//
//	Argument: Strong = 6; Adequate = 4; Weak = 2
//
// rubricText writes a rubric that way.
func rubricText(r *modules.Rubric) string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range r.Criteria {
		b.WriteString(c.Title + ": ")
		for i, l := range c.Levels {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(l.Title + " = " + formatNumber(l.Points))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// parseRubric reads the rubric field into the API's rubric object (empty
// text: no rubric), or says what is wrong with which line.
func parseRubric(text string) (json.RawMessage, string) {
	type level struct {
		Title  string  `json:"title"`
		Points float64 `json:"points"`
	}
	type criterion struct {
		Title  string  `json:"title"`
		Levels []level `json:"levels"`
	}
	in := struct {
		Criteria []criterion `json:"criteria"`
	}{Criteria: []criterion{}}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		title, rest, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Sprintf("Line %d: write the criterion, a colon, then its levels.", n+1)
		}
		c := criterion{Title: strings.TrimSpace(title)}
		for _, part := range strings.Split(rest, ";") {
			name, pts, ok := strings.Cut(part, "=")
			p, err := strconv.ParseFloat(strings.TrimSpace(pts), 64)
			if !ok || err != nil {
				return nil, fmt.Sprintf("Line %d: give each level as “name = points”.", n+1)
			}
			c.Levels = append(c.Levels, level{Title: strings.TrimSpace(name), Points: p})
		}
		in.Criteria = append(in.Criteria, c)
	}
	raw, _ := json.Marshal(in)
	return raw, ""
}

// rubricGrade reads a grading form's rubric picks (level_<criterion>) and
// adjustment; ok is false when the form holds no picks.
func rubricGrade(v url.Values) (picks []deadlines.RubricMark, adjustment *float64, ok bool, problem string) {
	for k, vals := range v {
		id, found := strings.CutPrefix(k, "level_")
		if !found || len(vals) == 0 {
			continue
		}
		c, err1 := strconv.Atoi(id)
		l, err2 := strconv.Atoi(vals[0])
		if err1 != nil || err2 != nil {
			return nil, nil, true, "Pick one level per criterion."
		}
		picks = append(picks, deadlines.RubricMark{CriterionID: c, LevelID: l})
	}
	if a, set, good := formFloat(v, "adjustment"); !good {
		return nil, nil, true, "Give the adjustment as a number."
	} else if set {
		adjustment = &a
	}
	return picks, adjustment, len(picks) > 0 || v.Has("rubric"), ""
}

// rubricPicked reports whether a submission's rubric grade picked level
// of criterion (for the grading form and the learner's filled rubric).
func rubricPicked(marks []deadlines.RubricMark, criterion, level int) bool {
	for _, m := range marks {
		if m.CriterionID == criterion && m.LevelID == level {
			return true
		}
	}
	return false
}
