package discussion_test

import (
	"fmt"
	"slices"
	"testing"

	"pacer/discussion"
)

func TestTermsSplitWordsInAnyScript(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Hello, WORLD! hello", []string{"hello", "world"}},
		{"Größe ÜBER naïve café", []string{"größe", "über", "naïve", "café"}},
		{"Привет, МИР", []string{"привет", "мир"}},
		{"x1=y2; 3.14", []string{"x1", "y2", "3", "14"}},
		{"e-mail's_snake", []string{"e", "mail", "s", "snake"}},
		{"日本語 テキスト", []string{"日本語", "テキスト"}},
		{"   ", nil},
	} {
		if got := discussion.Terms(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Terms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSearchFindsPostsWithEveryWordOfTheQuery(t *testing.T) {
	c := newClass(t)
	thread, opening := c.thread(c.ann, c.general, "Linear regression homework", "Where do I start?")
	r1 := c.reply(c.bob, thread, 0, "Plot the residuals first.")
	r2 := c.reply(c.ta, thread, 0, "Residuals should look like noise; then check the REGRESSION coefficients.")
	r3 := c.reply(c.ann, thread, 0, "Привет мир, naïve question")
	other, otherOpening := c.thread(c.bob, c.general, "Other topic", "Nothing about residuals here? Well, residuals.")
	_ = other
	for _, tc := range []struct {
		q    string
		want []uint64
	}{
		{"residuals", []uint64{otherOpening, r2, r1}},
		{"RESIDUALS regression", []uint64{r2}},
		{"regression", []uint64{r2, opening}},
		{"homework start", []uint64{opening}},
		{"мир", []uint64{r3}},
		{"NAÏVE", []uint64{r3}},
		{"residuals unicorn", []uint64{}},
		{"unicorn", []uint64{}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			if got := c.search(c.bob, tc.q); !slices.Equal(got, tc.want) {
				t.Fatalf("search %q = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
	t.Run("an edit replaces the words a post is found by", func(t *testing.T) {
		c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", r1), c.bob.Token, map[string]any{"body": "Plot the fitted values."})
		if got := c.search(c.bob, "residuals"); slices.Contains(got, r1) {
			t.Fatalf("old words still find the post: %v", got)
		}
		if got := c.search(c.bob, "fitted"); !slices.Equal(got, []uint64{r1}) {
			t.Fatalf("new words do not find it: %v", got)
		}
	})
	t.Run("results come in pages", func(t *testing.T) {
		var all []uint64
		cursor := ""
		for {
			q := fmt.Sprintf("/api/v1/courses/%d/search?q=residuals&limit=1", c.course)
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			var h struct {
				Items      []hitJSON `json:"items"`
				NextCursor string    `json:"next_cursor"`
			}
			c.env.Do("GET", q, c.bob.Token, nil).Decode(&h)
			for _, x := range h.Items {
				all = append(all, x.PostID)
				if x.Title == "" || x.ThreadID == 0 {
					t.Errorf("hit without title or thread: %+v", x)
				}
			}
			if h.NextCursor == "" {
				break
			}
			cursor = h.NextCursor
		}
		if !slices.Equal(all, []uint64{otherOpening, r2}) {
			t.Fatalf("paged results %v", all)
		}
	})
	t.Run("another course's posts are not found", func(t *testing.T) {
		course2 := c.env.Course(c.ed, nil)
		r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/search?q=residuals", course2), c.ed.Token, nil)
		var h struct {
			Items []hitJSON `json:"items"`
		}
		r.Decode(&h)
		if r.Status != 200 || len(h.Items) != 0 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
}

// TestSearchReadsOnlyThePostingsOfTheQuerysWords builds a thread of 3,000
// posts where one word is everywhere and another in three posts, and checks
// that a search for both reads three posts and seeks a handful of times.
func TestSearchReadsOnlyThePostingsOfTheQuerysWords(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Big", "Start")
	svc := c.env.Server.Discussion
	err := svc.SeedReplies(thread, 3000, func(i int) (uint64, string) {
		if i%1000 == 7 {
			return 0, fmt.Sprintf("common rare words %d", i)
		}
		return 0, fmt.Sprintf("common filler %d", i)
	})
	if err != nil {
		t.Fatal(err)
	}
	hits, seeks, read, err := svc.SearchStats(c.bob.ID, c.course, "rare common", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits.Items) != 3 {
		t.Fatalf("hits: %+v", hits)
	}
	if read != 3 || seeks > 20 {
		t.Fatalf("a search for 3 posts among 3,000 read %d posts with %d seeks", read, seeks)
	}
}
