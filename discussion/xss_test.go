package discussion_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestNoBodyRendersAnythingThatRuns posts each hostile body as a thread, a
// reply, an edit and a preview and checks that the stored HTML carries
// nothing that could run script or load a script-capable document.
func TestNoBodyRendersAnythingThatRuns(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "XSS", "safe")
	cases := []struct{ name, body string }{
		{"a script tag", `<script>alert(1)</script>`},
		{"a script tag split over lines", "<scr\nipt>alert(1)</script>"},
		{"an image with onerror", `<img src=x onerror=alert(1)>`},
		{"an event handler on a link", `<a href="https://example.com" onclick="alert(1)">x</a>`},
		{"a javascript link", `[click](javascript:alert(1))`},
		{"a mixed-case javascript link", `[click](JaVaScRiPt:alert(1))`},
		{"an entity-encoded javascript link", `[click](&#106;avascript:alert(1))`},
		{"a hex entity-encoded javascript link", `[click](&#x6A;&#x61;&#x76;&#x61;script:alert(1))`},
		{"a javascript link with a tab", "[click](java\tscript:alert(1))"},
		{"a javascript link with an encoded colon", `[click](javascript&colon;alert(1))`},
		{"a percent-encoded javascript link", `[click](%6Aavascript:alert(1))`},
		{"a javascript autolink", `<javascript:alert(1)>`},
		{"a javascript reference link", "[click][x]\n\n[x]: javascript:alert(1)"},
		{"a javascript image", `![img](javascript:alert(1))`},
		{"an inline svg", `<svg onload=alert(1)><script>alert(1)</script></svg>`},
		{"an svg data url image", `![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`},
		{"a data url link", `[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`},
		{"a vbscript link", `[x](vbscript:msgbox(1))`},
		{"nested markdown links", `[[inner](javascript:alert(1))](https://example.com)`},
		{"a link in an image title", `![x](https://example.com/a.png "x\" onerror=\"alert(1)")`},
		{"an iframe", `<iframe src="https://evil.example"></iframe>`},
		{"a style attribute", `<p style="background:url(javascript:alert(1))">x</p>`},
		{"a form", `<form action="https://evil.example"><input name=x></form>`},
		{"an object", `<object data="javascript:alert(1)"></object>`},
		{"a meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`},
		{"html inside a table", "| a |\n|---|\n| <img src=x onerror=alert(1)> |"},
	}
	check := func(t *testing.T, where, h string) {
		t.Helper()
		if problem := dangerous(h); problem != "" {
			t.Errorf("%s renders %s: %s", where, problem, h)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.env.Clock.Advance(10 * time.Second)
			r := c.env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", c.general), c.ann.Token, map[string]any{"title": "t", "body": tc.body})
			if r.Status != 201 {
				t.Fatalf("thread: %d %s", r.Status, r.Body)
			}
			check(t, "an opening post", c.view(c.ann, r.ID(), "").Items[0].BodyHTML)

			rr := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), c.ann.Token, map[string]any{"body": tc.body})
			var p postJSON
			rr.Decode(&p)
			check(t, "a reply", p.BodyHTML)

			er := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), c.ann.Token, map[string]any{"body": "x " + tc.body})
			er.Decode(&p)
			check(t, "an edit", p.BodyHTML)

			pr := c.env.Do("POST", "/api/v1/markdown/preview", c.ann.Token, map[string]any{"body": tc.body})
			var prev struct {
				HTML string `json:"html"`
			}
			pr.Decode(&prev)
			check(t, "a preview", prev.HTML)
		})
	}
}

// dangerous parses rendered HTML and names the first thing in it that could
// run script: an element outside a small allow-list, an event handler or
// style attribute, or a URL attribute whose scheme is not http, https or
// mailto. Text that merely reads "javascript:" is harmless and allowed.
func dangerous(h string) string {
	nodes, err := html.ParseFragment(strings.NewReader(h), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return "unparseable HTML"
	}
	allowed := map[string]bool{"p": true, "a": true, "img": true, "em": true, "strong": true, "del": true, "code": true,
		"pre": true, "br": true, "ul": true, "ol": true, "li": true, "blockquote": true, "table": true, "thead": true,
		"tbody": true, "tr": true, "th": true, "td": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
		"h6": true, "hr": true}
	var walk func(n *html.Node) string
	walk = func(n *html.Node) string {
		if n.Type == html.ElementNode {
			if !allowed[n.Data] {
				return "element <" + n.Data + ">"
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction":
					return "attribute " + key
				case key == "href" || key == "src" || key == "action" || key == "xlink:href":
					if !safeURL(a.Val) {
						return key + "=" + a.Val
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if p := walk(c); p != "" {
				return p
			}
		}
		return ""
	}
	for _, n := range nodes {
		if p := walk(n); p != "" {
			return p
		}
	}
	return ""
}

// safeURL accepts relative URLs and http, https and mailto ones, looking
// past whitespace and control characters that browsers ignore in schemes.
func safeURL(u string) bool {
	clean := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToLower(u))
	colon := strings.IndexByte(clean, ':')
	if colon < 0 || strings.ContainsAny(clean[:colon], "/?#") {
		return true
	}
	switch clean[:colon] {
	case "http", "https", "mailto":
		return true
	}
	return false
}

func TestTheXSSCheckerCatchesWhatItLooksFor(t *testing.T) {
	for _, h := range []string{
		`<script>alert(1)</script>`,
		`<img src="x" onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" JaVa&#x09;Script:alert(1)">x</a>`,
		`<img src="data:image/svg+xml;base64,xx">`,
		`<svg></svg>`,
		`<p style="x">y</p>`,
	} {
		if dangerous(h) == "" {
			t.Errorf("the checker lets %s through", h)
		}
	}
	for _, h := range []string{`<p>javascript:alert(1)</p>`, `<a href="https://example.com/a:b" rel="nofollow">x</a>`, `<a href="/threads/1#post-2">x</a>`} {
		if p := dangerous(h); p != "" {
			t.Errorf("the checker refuses harmless %s: %s", h, p)
		}
	}
}
