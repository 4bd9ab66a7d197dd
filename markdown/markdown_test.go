package markdown

import (
	"fmt"
	"strings"
	"testing"
	"time"
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

// TestPathologicalMarkdownRendersQuickly: shapes that make the parser
// superlinear (each took seconds at 100 KB before the bounds in
// markdown.go) render in a small fraction of that, and nothing in the
// fallback can run script.
func TestPathologicalMarkdownRendersQuickly(t *testing.T) {
	r := New()
	fill := func(s string) string { return strings.Repeat(s, 100000/len(s)) }
	under := func(s string, delims int) string {
		// Paragraphs of delims delimiters each, as many as the bound allows.
		per := 0
		for _, r := range s {
			if strings.ContainsRune("[]()*_~`<>!\\&", r) {
				per++
			}
		}
		para := strings.Repeat(s, delims/per)
		return strings.Repeat(para+"\n\n", min(maxInlineWork/(delims*delims), 100000/(len(para)+2)))
	}
	cases := map[string]string{
		"_a* repeated": fill("_a*"), "[]( repeated": fill("[]("), "![]( repeated": fill("![]("),
		"nested quotes": fill(">") + " x", "nested lists": fill("- ") + "x", "nested ordered lists": fill("1. ") + "x",
		"a paragraph of reference definitions": fill("[a]: b\n[a]"), "script in the fallback": fill("_a*") + "<script>alert(1)</script>",
		"one _a* paragraph under the bound": under("_a*", 9900), "_a* paragraphs under the bound": under("_a*", 1000),
		"[]( paragraphs under the bound": under("[](", 2000), "*] paragraphs under the bound": under("*]", 300),
		"code fenced by a line that is no fence": "```a`\n" + fill("_a*"), "deep lines under the bound": fill(strings.Repeat("> ", 8) + "a\n"),
		"lists under the bound": fill(strings.Repeat("- ", 8) + "a\n"),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out := strings.ToLower(r.HTML(src))
			// Before the bounds these took up to 15 s; within them the worst
			// takes about 0.4 s here, so 3 s leaves room for a busy machine.
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			for _, n := range needles {
				if strings.Contains(out, n) {
					t.Fatalf("rendered text contains %q", n)
				}
			}
		})
	}
}

func TestLongOrdinaryMarkdownKeepsItsMarkup(t *testing.T) {
	r := New()
	var b strings.Builder
	b.WriteString("# Resources\n\nRead *these* first, then **those**.\n\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "- [Link %d](https://example.org/%d) — *note* `code` (see p. %d)\n", i, i, i)
	}
	b.WriteString("\n> A quote\n> - with a list\n>   - nested\n\n```\n" + strings.Repeat("f(x[i]) * g(y[j]) <> h\n", 800) + "```\n")
	out := r.HTML(b.String())
	for _, want := range []string{"<h1", "<em>these</em>", `href="https://example.org/299"`, "<blockquote>", "<pre><code>"} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
}
