package markdown

import (
	"strings"
	"testing"
)

// hostile lists Markdown that tries to run script. None of the needles may
// survive rendering.
var hostile = []struct{ name, src string }{
	{"a script tag is dropped", "<script>alert(1)</script>"},
	{"a script tag inside a paragraph is dropped", "hello <script>alert(1)</script> world"},
	{"an event handler on an image is dropped", `<img src=x onerror=alert(1)>`},
	{"an event handler on a div is dropped", `<div onmouseover="alert(1)">hover</div>`},
	{"a javascript: link is neutralised", "[click](javascript:alert(1))"},
	{"an upper-case JavaScript: link is neutralised", "[click](JaVaScRiPt:alert(1))"},
	{"an entity-encoded javascript: link is neutralised", "[click](&#106;avascript:alert(1))"},
	{"a hex-entity javascript: link is neutralised", "[click](&#x6A;&#x61;vascript:alert(1))"},
	{"a javascript: autolink is neutralised", "<javascript:alert(1)>"},
	{"a javascript: image is neutralised", "![x](javascript:alert(1))"},
	{"a data: URL link is neutralised", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"},
	{"an svg with onload is dropped", `<svg onload=alert(1)>`},
	{"an iframe is dropped", `<iframe src="javascript:alert(1)"></iframe>`},
	{"a reference-style javascript: link is neutralised", "[a][b]\n\n[b]: javascript:alert(1)"},
	{"a nested link with a javascript: inner link is neutralised", "[[x](javascript:alert(1))](http://ok)"},
	{"a style attribute is dropped", `<p style="background:url(javascript:alert(1))">x</p>`},
	{"a tab-split javascript scheme is neutralised", "[x](java\tscript:alert(1))"},
	{"a vbscript: link is neutralised", "[x](vbscript:msgbox(1))"},
	{"an object tag is dropped", `<object data="javascript:alert(1)"></object>`},
	{"a form with formaction is dropped", `<form><button formaction="javascript:alert(1)">x</button></form>`},
}

// Text that merely reads "javascript:" is harmless; only attribute values
// can run it, so the needles look for those.
var needles = []string{"<script", "onerror", "onload", "onmouseover", `="javascript:`, `="vbscript:`, `="data:`, "<iframe", "<svg", "<object", "style=", "formaction"}

func TestHostileMarkdownRendersNothingExecutable(t *testing.T) {
	r := New()
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			out := strings.ToLower(r.HTML(tc.src))
			for _, n := range needles {
				if strings.Contains(out, n) {
					t.Fatalf("rendered %q contains %q", out, n)
				}
			}
		})
	}
}

func TestOrdinaryMarkdownIsKept(t *testing.T) {
	r := New()
	out := r.HTML("# Title\n\nSome *emphasis* and a [link](https://example.org).\n\n| a | b |\n|---|---|\n| 1 | 2 |")
	for _, want := range []string{"<h1", "<em>emphasis</em>", `href="https://example.org"`, "<table>", `rel="nofollow noreferrer"`} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered %q lacks %q", out, want)
		}
	}
}

func TestPlainStripsMarkup(t *testing.T) {
	r := New()
	if got := r.Plain("**Hello** <b>there</b>"); got != "Hello there" {
		t.Fatalf("Plain = %q", got)
	}
}
