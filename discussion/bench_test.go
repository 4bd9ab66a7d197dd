package discussion_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"pacer/api"
	"pacer/discussion"
)

func ptr[T any](v T) *T { return &v }

// BenchmarkReplyWith200Subscribers posts a reply (stored, queued for
// delivery, the thread's list entry moved) to a thread with 200
// subscribers, and delivers the queue after every reply or after every 64
// (the delivery notifies subscribers and adds the search postings). The
// first delivery notifies each subscriber; later ones find every
// subscriber's reply notification still unread and add none, so the loop
// measures the steady state of a busy thread. "as_wired" keeps the
// notification hooks the server installs (the e-mail digest batching of
// package notify); "in_app_only" leaves them out, to show this package's own
// share.
func BenchmarkReplyWith200Subscribers(b *testing.B) {
	for _, mode := range []struct {
		name  string
		mail  bool
		every int
	}{{"as_wired/delivered_each", true, 1}, {"as_wired/delivered_per_64", true, 64}, {"in_app_only/delivered_each", false, 1}} {
		b.Run(mode.name, func(b *testing.B) {
			c := newClass(b)
			svc := c.env.Server.Discussion
			if !mode.mail {
				c.env.Server.Notify.Added = nil
			}
			thread, _ := c.thread(c.ann, c.general, "Busy thread", "Everyone is subscribed")
			for i := range 199 {
				u := c.env.Register(fmt.Sprintf("Student %d", i))
				c.env.Enroll(u, c.course)
				if err := svc.SetSubscribed(context.Background(), u.ID, thread, true); err != nil {
					b.Fatal(err)
				}
			}
			body := "I think the **second** approach works better, because the residuals look like noise. See [the notes](https://example.com/notes) for week 2."
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if _, err := svc.Reply(context.Background(), c.bob.ID, thread, discussion.ReplyInput{Body: ptr(body)}); err != nil {
					b.Fatal(err)
				}
				if n++; n%mode.every == 0 {
					if err := svc.DeliverReplies(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := svc.DeliverReplies(context.Background()); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkThreadPageOf50Replies reads the first page (the opening post and
// 49 replies by ten authors) of a thread of 200 replies.
func BenchmarkThreadPageOf50Replies(b *testing.B) {
	c := newClass(b)
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Long thread", "Start")
	var authors []uint64
	for i := range 10 {
		u := c.env.Register(fmt.Sprintf("Writer %d", i))
		c.env.Enroll(u, c.course)
		authors = append(authors, u.ID)
	}
	err := svc.SeedReplies(thread, 200, func(i int) (uint64, string) {
		return authors[i%len(authors)], fmt.Sprintf("Reply %d with a *little* Markdown and a [link](https://example.com/%d).", i, i)
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := svc.Thread(context.Background(), c.bob.ID, thread, api.Page{Limit: 50})
		if err != nil || len(p.Items) != 50 {
			b.Fatalf("%v %d", err, len(p.Items))
		}
	}
}

// BenchmarkSearchOver50000Posts searches a course of 50,000 posts (50
// threads of 1,000 replies, 14 words each from a vocabulary of 5,000, plus
// "alpha" in 10 %, "beta" in 5 % and "gamma" in 0.2 % of posts).
func BenchmarkSearchOver50000Posts(b *testing.B) {
	c := newClass(b)
	svc := c.env.Server.Discussion
	rng := rand.New(rand.NewPCG(1, 2))
	for th := range 50 {
		thread, _ := c.thread(c.instr, c.general, fmt.Sprintf("Thread %d", th), "Discuss")
		err := svc.SeedReplies(thread, 1000, func(i int) (uint64, string) {
			words := make([]string, 0, 16)
			for range 14 {
				words = append(words, fmt.Sprintf("lorem%d", rng.IntN(5000)))
			}
			if rng.IntN(100) < 10 {
				words = append(words, "alpha")
			}
			if rng.IntN(100) < 5 {
				words = append(words, "beta")
			}
			if rng.IntN(1000) < 2 {
				words = append(words, "gamma")
			}
			return 0, strings.Join(words, " ")
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []string{"alpha", "alpha beta", "alpha gamma", "lorem42 alpha"} {
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Search(context.Background(), c.bob.ID, c.course, q, api.Page{Limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
			hits, seeks, read, err := svc.SearchStats(c.bob.ID, c.course, q, 50)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(hits.Items)), "hits")
			b.ReportMetric(float64(seeks), "seeks")
			b.ReportMetric(float64(read), "posts_read")
		})
	}
}
