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
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "<p>" + template.HTMLEscapeString(src) + "</p>"
	}
	return strings.TrimSpace(r.policy.Sanitize(buf.String()))
}

// Plain strips all markup: for snippets, e-mail subjects and titles.
func (r *Renderer) Plain(src string) string {
	return strings.TrimSpace(bluemonday.StrictPolicy().Sanitize(r.HTML(src)))
}
