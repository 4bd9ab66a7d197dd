package oneline_test

import (
	"testing"

	"pacer/oneline"
)

func TestProblemRefusesControlsAndBidiAndAcceptsText(t *testing.T) {
	refused := map[string]string{
		"ESC":                 "Title\x1b[2J",
		"VT":                  "Ti\vtle",
		"FF":                  "Ti\ftle",
		"NUL":                 "Ti\x00tle",
		"tab":                 "Ti\ttle",
		"LF":                  "Ti\ntle",
		"CR":                  "Ti\rtle",
		"DEL":                 "Ti\x7ftle",
		"C1 NEL":              "Ti\u0085tle",
		"C1 CSI":              "Ti\u009btle",
		"RLO":                 "invoice\u202Efdp.exe",
		"LRE":                 "a\u202Ab",
		"PDF":                 "a\u202Cb",
		"LRM":                 "a\u200Eb",
		"RLM":                 "a\u200Fb",
		"LRI":                 "a\u2066b",
		"PDI":                 "a\u2069b",
		"ALM":                 "a\u061Cb",
		"line separator":      "a\u2028b",
		"paragraph separator": "a\u2029b",
		"invalid UTF-8":       "a\xffb",
	}
	for name, s := range refused {
		if oneline.Problem(s) == "" {
			t.Errorf("%s: %q accepted", name, s)
		}
		if c := oneline.Clean(s); oneline.Problem(c) != "" {
			t.Errorf("%s: Clean(%q) = %q still refused", name, s, c)
		}
	}
	for _, s := range []string{"Intro to Statistics", "Übung 1: Größen", "שלום עולם", "مرحبا", "日本語のタイトル", "emoji 🎓 ok", "a\u200Db (ZWJ)"} {
		if r := oneline.Problem(s); r != "" {
			t.Errorf("%q refused: %s", s, r)
		}
		if c := oneline.Clean(s); c != s {
			t.Errorf("Clean(%q) = %q", s, c)
		}
	}
}
