package grades

import (
	"bytes"
	"encoding/csv"
	"strconv"
)

// CSV writes the gradebook as RFC 4180 text: a header `name, email, the
// column titles…, total, percent`, then one line per student with each
// item's final score (empty while there is none; 0 once missed).
func (b Book) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	head := []string{"name", "email"}
	for _, c := range b.Columns {
		head = append(head, c.Title)
	}
	head = append(head, "total", "percent")
	line := func(fields []string) {
		for i, f := range fields {
			fields[i] = defuse(f)
		}
		_ = w.Write(fields) // a bytes.Buffer does not fail
	}
	line(head)
	for _, r := range b.Rows {
		fields := []string{r.Name, r.Email}
		for _, c := range r.Cells {
			switch {
			case c.FinalScore != nil:
				fields = append(fields, number(*c.FinalScore))
			case c.Status == Missed:
				fields = append(fields, "0")
			default:
				fields = append(fields, "")
			}
		}
		fields = append(fields, number(r.Total), number(r.Percent))
		line(fields)
	}
	w.Flush()
	return buf.Bytes()
}

// defuse keeps a spreadsheet from reading a cell as a formula: one that
// starts with =, +, - or @ gets a leading apostrophe. Scores are written
// by number(), which never starts with one (a negative grade does not
// exist), so only text people typed (names, titles) is ever changed.
func defuse(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
