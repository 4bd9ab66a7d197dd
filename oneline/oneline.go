// Package oneline is the one rule for single-line text: names and titles
// (API.md, "Conventions"). Such text ends up in places that give control
// characters a meaning: terminals and logs (ESC sequences), iCalendar
// feeds and e-mail headers (line breaks), and any page or client that
// renders bidirectional text, where U+202E makes "exe.pdf" read as
// "fdp.exe". Every service's validation asks Problem, so the rule is the
// same for course, module, item, board and thread titles and user names.
package oneline

import (
	"strings"
	"unicode/utf8"
)

// Reason is what Problem answers for text it refuses, for a client to
// show next to the field.
const Reason = "must be one line of text without control characters or bidirectional overrides"

// Problem returns "" when s may be stored as a single line of text, and
// Reason otherwise: when s is not valid UTF-8 or holds a refused
// character (see Refused).
func Problem(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, Refused) >= 0 {
		return Reason
	}
	return ""
}

// Refused reports whether r may not appear in single-line text: C0
// controls (tab and line breaks included), DEL, C1 controls, the line and
// paragraph separators, and the bidirectional marks, embeddings, overrides
// and isolates.
func Refused(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, // ARABIC LETTER MARK
		r == 0x200e, r == 0x200f, // LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK
		r >= 0x202a && r <= 0x202e, // embeddings, pop, overrides
		r >= 0x2066 && r <= 0x2069, // isolates
		r == 0x2028, r == 0x2029:   // line and paragraph separators
		return true
	}
	return false
}

// Clean returns s with every refused character (and invalid byte) replaced
// by a space, for output of text stored before the rule held.
func Clean(s string) string {
	if Problem(s) == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == utf8.RuneError || Refused(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}
