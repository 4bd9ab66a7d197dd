// Package markdown turns user-written Markdown into HTML that is safe to put
// in a page: goldmark renders it with raw HTML switched off, then bluemonday's
// UGC policy removes anything that could run script. Both steps are kept
// because either alone has been bypassed in the wild.
package markdown

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// Renderer is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a renderer with GitHub-flavoured tables, strikethrough and
// autolinks; links get rel="nofollow noopener" and open in place.
func New() *Renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowURLSchemes("http", "https", "mailto")
	return &Renderer{
		md: goldmark.New(
			goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
			// Raw HTML stays off (goldmark's default): html.WithUnsafe is
			// never set, so <script> in the source is dropped, not passed on.
			goldmark.WithRendererOptions(html.WithHardWraps()),
		),
		policy: p,
	}
}

// HTML renders src. Render errors cannot come from user input with these
// extensions; if one does, the text is shown escaped rather than lost.
func (r *Renderer) HTML(src string) string {
	if tooComplex(src) {
		return escapedParagraphs(src)
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "<p>" + template.HTMLEscapeString(src) + "</p>"
	}
	return strings.TrimSpace(r.policy.Sanitize(buf.String()))
}

// Security fix (denial of service): goldmark v1.8.7 parses some shapes in
// time quadratic in their size. Measured on this machine with 100 KB bodies
// (the largest any field takes): "_a*" repeated 15 s, "[](" repeated 14 s,
// 20,000 nested ">" 13 s, a paragraph of "[a]: b" lines 9 s — so one post
// or one call of the preview route could hold a core for seconds. The work
// grows with the square of the inline delimiters of each paragraph and with
// the nesting of each line, so text past these bounds is shown as escaped
// paragraphs instead: the same words, no markup. Ordinary text, code
// listings included, stays far below them.
const (
	// maxNesting bounds the block quote and list markers that open a line.
	maxNesting = 8
	// maxInlineWork bounds the sum, over paragraphs (and list items,
	// headings, table rows), of the square of their delimiter characters:
	// about 0.1 s of parsing on the worst shape here; one paragraph may hold
	// 10,000 delimiters (a code listing of some 900 lines).
	maxInlineWork = 100_000_000
)

// tooComplex reports whether src is past the bounds above. It runs in time
// linear in len(src). Fenced code is counted like the rest: telling it apart
// as the parser does (containers close fences, HTML blocks hide them) is
// not worth a way around the bound.
func tooComplex(src string) bool {
	work, delims := 0, 0
	end := func() {
		work += delims * delims
		delims = 0
	}
	for len(src) > 0 {
		line := src
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = ""
		}
		if strings.TrimSpace(line) == "" {
			end()
			continue
		}
		depth, rest, item := containers(line)
		if depth > maxNesting {
			return true
		}
		if body := strings.TrimLeft(line, " \t"); item || strings.HasPrefix(body, "#") || strings.HasPrefix(body, "|") {
			// A new list item, a heading or a table row starts its own
			// inline content.
			end()
		}
		for i := 0; i < len(rest); i++ {
			switch rest[i] {
			case '[', ']', '(', ')', '*', '_', '~', '`', '<', '>', '!', '\\', '&':
				delims++
			}
		}
		if work+delims*delims > maxInlineWork {
			return true
		}
	}
	end()
	return work > maxInlineWork
}

// containers counts the block quote and list markers that open a line and
// returns the rest of it, and whether a list item starts there.
func containers(line string) (depth int, rest string, item bool) {
	for {
		s := strings.TrimLeft(line, " \t")
		switch {
		case strings.HasPrefix(s, ">"):
			line = s[1:]
		case len(s) >= 2 && strings.ContainsRune("-*+", rune(s[0])) && (s[1] == ' ' || s[1] == '\t'):
			line, item = s[2:], true
		default:
			n := 0
			for n < len(s) && n < 10 && s[n] >= '0' && s[n] <= '9' {
				n++
			}
			if n == 0 || n+1 >= len(s) || (s[n] != '.' && s[n] != ')') || (s[n+1] != ' ' && s[n+1] != '\t') {
				return depth, line, item
			}
			line, item = s[n+2:], true
		}
		depth++
	}
}

// escapedParagraphs shows text as escaped paragraphs with its line breaks.
func escapedParagraphs(src string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(para), "\n", "<br>\n"))
		b.WriteString("</p>\n")
	}
	return strings.TrimSpace(b.String())
}

// Plain strips all markup: for snippets, e-mail subjects and titles.
func (r *Renderer) Plain(src string) string {
	return strings.TrimSpace(bluemonday.StrictPolicy().Sanitize(r.HTML(src)))
}
