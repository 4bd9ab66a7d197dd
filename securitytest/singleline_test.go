package securitytest_test

import (
	"fmt"
	"strings"
	"testing"

	"pacer/pacertest"
)

// hostileLines are single-line values with a control character or a
// bidirectional override inside: each must be refused wherever a name or
// title is written (API.md, "Conventions").
var hostileLines = map[string]string{
	"ESC":    "Title \x1b[31mred",
	"VT":     "Title\vmore",
	"FF":     "Title\fmore",
	"NUL":    "Title\x00more",
	"CR":     "Title\rmore",
	"LF":     "Title\nBCC: x@example.test",
	"tab":    "Title\tmore",
	"DEL":    "Title\x7fmore",
	"C1 CSI": "Title\u009bmore",
	"U+202E": "invoice\u202Efdp.exe",
	"U+202A": "a\u202Ab",
	"U+200E": "a\u200Eb",
	"U+200F": "a\u200Fb",
	"U+2066": "a\u2066b",
	"U+2069": "a\u2069b",
	"U+2028": "a\u2028b",
}

// singleLine reports whether the contract lets s be a name or a title: no
// control characters (C0, DEL, C1), no line or paragraph separators, no
// bidirectional marks, embeddings, overrides or isolates.
func singleLine(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x061c || r == 0x200e || r == 0x200f ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
	}) < 0
}

func TestSingleLineFieldsRefuseControlAndBidiCharacters(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	course := env.Course(ins, nil)
	module := env.Module(ins, course, map[string]any{"title": "Week"})
	item := env.Item(ins, course, module, map[string]any{"kind": "page", "title": "Page"})
	var boards struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", course), ins.Token, nil).Decode(&boards)
	board := boards.Items[0].ID

	type write struct {
		what, method, path, token, field string
		body                             func(v string) map[string]any
	}
	writes := []write{
		{"register", "POST", "/api/v1/auth/register", "", "name", func(v string) map[string]any {
			return map[string]any{"email": fmt.Sprintf("new%d@example.test", len(v)), "password": "long enough pw", "name": v}
		}},
		{"PATCH /me", "PATCH", "/api/v1/me", ins.Token, "name", func(v string) map[string]any { return map[string]any{"name": v} }},
		{"new course", "POST", "/api/v1/courses", ins.Token, "title", func(v string) map[string]any { return map[string]any{"title": v} }},
		{"course edit", "PATCH", fmt.Sprintf("/api/v1/courses/%d", course), ins.Token, "title", func(v string) map[string]any { return map[string]any{"title": v} }},
		{"new module", "POST", fmt.Sprintf("/api/v1/courses/%d/modules", course), ins.Token, "title", func(v string) map[string]any { return map[string]any{"title": v} }},
		{"module edit", "PATCH", fmt.Sprintf("/api/v1/courses/%d/modules/%d", course, module), ins.Token, "title", func(v string) map[string]any { return map[string]any{"title": v} }},
		{"new item", "POST", fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", course, module), ins.Token, "title", func(v string) map[string]any {
			return map[string]any{"kind": "page", "title": v}
		}},
		{"item edit", "PATCH", fmt.Sprintf("/api/v1/courses/%d/items/%d", course, item), ins.Token, "title", func(v string) map[string]any { return map[string]any{"title": v} }},
		{"new board", "POST", fmt.Sprintf("/api/v1/courses/%d/boards", course), ins.Token, "title", func(v string) map[string]any { return map[string]any{"title": v} }},
		{"new thread", "POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), ins.Token, "title", func(v string) map[string]any {
			return map[string]any{"title": v, "body": "body"}
		}},
		{"new announcement", "POST", fmt.Sprintf("/api/v1/courses/%d/announcements", course), ins.Token, "title", func(v string) map[string]any {
			return map[string]any{"title": v, "body": "body"}
		}},
	}
	tried := 0
	for _, w := range writes {
		for name, v := range hostileLines {
			tried++
			r := env.Do(w.method, w.path, w.token, w.body(v))
			var e struct {
				Error struct {
					Code   string            `json:"code"`
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			if r.Status == 400 {
				r.Decode(&e)
			}
			if r.Status != 400 || e.Error.Code != "validation_failed" || e.Error.Fields[w.field] == "" {
				t.Errorf("%s with %s in %s: %d %s, want 400 validation_failed naming %s", w.what, name, w.field, r.Status, r.Body, w.field)
			}
		}
	}
	// Ordinary text of every script is still welcome.
	for _, ok := range []string{"Übung 1: Größen", "שלום עולם", "مرحبا بكم", "日本語のタイトル", "🎓 Final"} {
		if r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/modules", course), ins.Token, map[string]any{"title": ok}); r.Status != 201 {
			t.Errorf("module titled %q: %d %s", ok, r.Status, r.Body)
		}
	}
	t.Logf("%d hostile writes refused", tried)
}
