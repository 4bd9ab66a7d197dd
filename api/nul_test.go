package api

import "testing"

func TestHasEscapedNUL(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"a":"\u0000"}`:    true,
		`{"a":"x\u0000y"}`:  true,
		`{"a":"\\u0000"}`:   false, // the text \u0000, typed
		`{"a":"\\\u0000"}`:  true,  // a backslash, then NUL
		`{"a":"u0000"}`:     false,
		`{"a":"\u00001"}`:   true,
		`{"a":"fine"}`:      false,
		`{"\u0000":"x"}`:    true,
		`{"a":"\\\\u0000"}`: false,
	} {
		if got := hasEscapedNUL([]byte(raw)); got != want {
			t.Errorf("hasEscapedNUL(%s) = %v, want %v", raw, got, want)
		}
	}
}
