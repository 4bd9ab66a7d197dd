package discussion_test

import (
	"fmt"
	"slices"
	"testing"

	"pacer/pacertest"
)

func ids(p pageJSON) []uint64 {
	var out []uint64
	for _, x := range p.Items {
		out = append(out, x.ID)
	}
	return out
}

// allPages reads every page of a thread with the given page size.
func (c *class) allPages(u pacertest.User, thread uint64, limit int) []uint64 {
	c.env.T.Helper()
	var out []uint64
	cursor := ""
	for range 100 {
		q := fmt.Sprintf("?limit=%d", limit)
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		p := c.view(u, thread, q)
		out = append(out, ids(p)...)
		if p.NextCursor == "" {
			return out
		}
		cursor = p.NextCursor
	}
	c.env.T.Fatal("pages never end")
	return nil
}

func TestQAThreadsHideOtherRepliesFromAStudentUntilTheyReply(t *testing.T) {
	c := newClass(t)
	carl := c.env.Register("Carl")
	c.env.Enroll(carl, c.course)
	qa := c.qaBoard()
	thread, opening := c.thread(c.ann, qa, "How do I compute the median", "Is it the middle value?")
	staffReply := c.reply(c.ta, thread, 0, "Sort the values, then take the middle one")
	bobReply := c.reply(c.bob, thread, 0, "The middle value after sorting")
	// Enough replies by others that a page of two has to skip hidden ones.
	var more []uint64
	for i := range 3 {
		more = append(more, c.reply(c.bob, thread, bobReply, fmt.Sprintf("median detail %d", i)))
	}
	everything := append([]uint64{opening, staffReply, bobReply}, more...)

	t.Run("the asker sees every reply", func(t *testing.T) {
		if got := c.allPages(c.ann, thread, 2); !slices.Equal(got, everything) {
			t.Fatalf("asker sees %v, want %v", got, everything)
		}
	})
	t.Run("staff see every reply", func(t *testing.T) {
		if got := c.allPages(c.instr, thread, 2); !slices.Equal(got, everything) {
			t.Fatalf("instructor sees %v, want %v", got, everything)
		}
	})
	t.Run("a student who has not replied sees only the question, on every page size", func(t *testing.T) {
		for _, limit := range []int{1, 2, 50} {
			if got := c.allPages(carl, thread, limit); !slices.Equal(got, []uint64{opening}) {
				t.Fatalf("limit %d: Carl sees %v, want only %d", limit, got, opening)
			}
		}
		p := c.view(carl, thread, "")
		if !p.Thread.RepliesHidden || p.Thread.AnswerPostID != 0 {
			t.Fatalf("Carl's thread view should say replies are hidden: %+v", p.Thread)
		}
		if p.Thread.ReplyCount != len(everything)-1 {
			t.Fatalf("reply_count %d, want %d", p.Thread.ReplyCount, len(everything)-1)
		}
	})
	t.Run("a hidden post cannot be fetched, replied to or reported", func(t *testing.T) {
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", fmt.Sprintf("/api/v1/posts/%d", staffReply), nil},
			{"POST", fmt.Sprintf("/api/v1/posts/%d/report", staffReply), map[string]any{"reason": "x"}},
		} {
			if got := c.env.Do(r.method, r.path, carl.Token, r.body); got.Status != 404 {
				t.Errorf("%s %s as Carl: %d", r.method, r.path, got.Status)
			}
		}
		got := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), carl.Token, map[string]any{"body": "x", "parent_id": staffReply})
		if got.Status != 400 {
			t.Errorf("reply to a hidden post: %d %s", got.Status, got.Body)
		}
	})
	t.Run("search shows the hidden student only the question", func(t *testing.T) {
		if got := c.search(carl, "median"); !slices.Equal(got, []uint64{opening}) {
			t.Fatalf("Carl's search for median: %v, want only the question %d", got, opening)
		}
		if got := c.search(c.ta, "median"); len(got) != 4 {
			t.Fatalf("TA's search for median: %v, want the question and three details", got)
		}
	})
	t.Run("after replying the student sees everything", func(t *testing.T) {
		own := c.reply(carl, thread, 0, "I think it is the middle value too")
		want := append(slices.Clone(everything), own)
		if got := c.allPages(carl, thread, 2); !slices.Equal(got, want) {
			t.Fatalf("Carl after replying sees %v, want %v", got, want)
		}
		if got := c.search(carl, "middle"); len(got) != 4 {
			t.Fatalf("Carl's search for middle after replying: %v", got)
		}
	})
}

func TestDiscussionBoardsShowEveryReplyToEveryMember(t *testing.T) {
	c := newClass(t)
	thread, opening := c.thread(c.ann, c.general, "Hello", "Hi all")
	r1 := c.reply(c.bob, thread, 0, "Hi Ann")
	if got := ids(c.view(c.ta, thread, "")); !slices.Equal(got, []uint64{opening, r1}) {
		t.Fatalf("TA sees %v", got)
	}
	carl := c.env.Register("Carl")
	c.env.Enroll(carl, c.course)
	if got := ids(c.view(carl, thread, "")); !slices.Equal(got, []uint64{opening, r1}) {
		t.Fatalf("a new student sees %v", got)
	}
}
