package discussion_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPreviewIsLimitedPerUserAndByTheRendersRunningAtOnce(t *testing.T) {
	c := newClass(t)
	env := c.env
	body := map[string]any{"body": "| a | b |\n|---|---|\n| 1 | 2 |"}

	t.Run("a preview that finds every render slot busy gets 429 with Retry-After", func(t *testing.T) {
		free := env.Server.Discussion.HoldRenders()
		r := env.Do("POST", "/api/v1/markdown/preview", c.ann.Token, body)
		free()
		if r.Status != 429 || r.ErrCode() != "rate_limited" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("preview while renders are busy: %d %s (Retry-After %q)", r.Status, r.Body, r.Header.Get("Retry-After"))
		}
		if r := env.Do("POST", "/api/v1/markdown/preview", c.ann.Token, body); r.Status != 200 {
			t.Fatalf("preview once a slot is free: %d %s", r.Status, r.Body)
		}
	})

	t.Run("each user has a budget of previews a minute", func(t *testing.T) {
		env.Clock.Advance(time.Minute)
		for i := 0; i < 30; i++ {
			if r := env.Do("POST", "/api/v1/markdown/preview", c.bob.Token, body); r.Status != 200 {
				t.Fatalf("preview %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		r := env.Do("POST", "/api/v1/markdown/preview", c.bob.Token, body)
		if r.Status != 429 || !strings.Contains(string(r.Body), "rate_limited") {
			t.Fatalf("31st preview in a minute: %d %s", r.Status, r.Body)
		}
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if r := env.Do("POST", "/api/v1/markdown/preview", c.ann.Token, body); r.Status != 200 {
			t.Fatalf("another user's preview: %d %s", r.Status, r.Body)
		}
		env.Clock.Advance(time.Minute)
		if r := env.Do("POST", "/api/v1/markdown/preview", c.bob.Token, body); r.Status != 200 {
			t.Fatalf("a preview in the next minute: %d %s", r.Status, r.Body)
		}
	})
}
