package discussion_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"pacer/discussion"
)

// FuzzTerms checks what the index relies on for any input: words are
// non-empty, valid UTF-8, lower-case, at most 64 bytes, free of the 0x00 key
// separator and of anything that separates words, and distinct.
func FuzzTerms(f *testing.F) {
	for _, s := range []string{"Hello, world", "Größe\x00über", "日本語", strings.Repeat("é", 80), "\xff\xfe", "a\u0301b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, w := range discussion.Terms(s) {
			switch {
			case w == "" || !utf8.ValidString(w) || len(w) > 64 || strings.ContainsRune(w, 0):
				t.Fatalf("bad term %q from %q", w, s)
			case strings.ToLower(w) != w && len(w) < 64:
				t.Fatalf("term %q is not lower-case", w)
			case seen[w]:
				t.Fatalf("term %q twice", w)
			}
			for _, r := range w {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
					t.Fatalf("term %q holds separator %q", w, r)
				}
			}
			seen[w] = true
		}
	})
}
