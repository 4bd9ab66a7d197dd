package discussion_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"pacer/discussion"
)

// TestThreadPagesAreTheJSONOfTheirValue checks that the thread route, which
// writes pages from posts encoded before, answers exactly what json.Marshal
// makes of the same page: for posts of every shape, read twice.
func TestThreadPagesAreTheJSONOfTheirValue(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, `Quotes "and" <tags> & more`, "Top <b>bold</b> & \u2028 done")
	edited := c.reply(c.bob, thread, 0, "to be edited")
	c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", edited), c.bob.Token, map[string]any{"body": "edited <script>alert(1)</script> ünïcödé"})
	deleted := c.reply(c.bob, thread, 0, "to be deleted")
	c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", deleted), c.bob.Token, nil)
	answer := c.reply(c.ta, thread, edited, "nested, endorsed & the answer")
	c.env.Do("POST", fmt.Sprintf("/api/v1/posts/%d/endorse", answer), c.ta.Token, nil)
	c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/answer", thread), c.ann.Token, map[string]any{"post_id": answer})
	c.reply(c.ann, thread, 0, "mine, so I may edit it")

	for _, u := range []struct {
		name  string
		token string
	}{{"Ann", c.ann.Token}, {"Bob", c.bob.Token}, {"the TA", c.ta.Token}, {"Ann again", c.ann.Token}} {
		for _, q := range []string{"", "?limit=2"} {
			r := c.env.Do("GET", fmt.Sprintf("/api/v1/threads/%d%s", thread, q), u.token, nil)
			if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%s%s: %d %q %s", u.name, q, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
			var page discussion.ThreadPage
			if err := json.Unmarshal(r.Body, &page); err != nil {
				t.Fatalf("%s%s: %v", u.name, q, err)
			}
			want, err := json.Marshal(page)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.Body, want) {
				t.Errorf("%s%s: the page\n%s\nis not the JSON of its value\n%s", u.name, q, r.Body, want)
			}
		}
	}
}
