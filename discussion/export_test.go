package discussion

import (
	"context"

	"pacer/api"
)

// SearchStats runs a search and reports how many index seeks it made and
// how many posts it read.
func (s *Service) SearchStats(caller, course uint64, q string, limit int) (Hits, int, int, error) {
	h, st, err := s.search(context.Background(), caller, course, q, api.Page{Limit: limit})
	return h, st.Seeks, st.PostsRead, err
}

// SeedReplies writes n replies in transactions of a thousand, bypassing
// the HTTP layer, the flood limit and notifications, so that tests and
// benchmarks can build large threads quickly. post(i) gives the i-th
// reply's author (0: the thread's author) and body.
func (s *Service) SeedReplies(thread uint64, n int, post func(i int) (uint64, string)) error {
	const batch = 1000
	for start := 0; start < n; start += batch {
		err := s.tx.Write(context.Background(), func(ctx context.Context) error {
			t, err := s.store.Thread(ctx, thread)
			if err != nil {
				return err
			}
			for i := start; i < min(start+batch, n); i++ {
				id, err := s.store.NewPostID(ctx)
				if err != nil {
					return err
				}
				author, src := post(i)
				if author == 0 {
					author = t.AuthorID
				}
				html := s.md.HTML(src)
				p := PostRecord{ID: id, CourseID: t.CourseID, ThreadID: t.ID, ParentID: t.OpeningPostID, Depth: 1,
					AuthorID: author, BodyHTML: html, Snippet: snippet(html), CreatedAt: s.now().UTC()}
				if err := s.store.SavePost(ctx, p, src); err != nil {
					return err
				}
				if err := s.store.AddPostings(ctx, postings(t, p)); err != nil {
					return err
				}
				old := t
				t.ReplyCount++
				t.LastPostID = id
				if err := s.saveThread(ctx, old, t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// FlushIfDue is what each run of the scheduled flush (Start) does.
func (s *Service) FlushIfDue() error { return s.flushIfDue(context.Background()) }

// FlushTick and DeliverTick are one run of the scheduled flush and
// delivery (Start), errors and all.
func (s *Service) FlushTick()   { s.flushTick(context.Background()) }
func (s *Service) DeliverTick() { s.deliverTick(context.Background()) }

// DeliverIfDue is what each run of the scheduled delivery of replies does.
func (s *Service) DeliverIfDue() error { return s.deliverIfDue(context.Background()) }

// Deliveries counts the transactions that have delivered queued replies.
func (s *Service) Deliveries() int64 { return s.queue.Deliveries() }

// ReadFlushes counts the transactions that have written buffered read
// marks.
func (s *Service) ReadFlushes() int64 { return s.reads.flushes.Load() }

// Queued counts the replies waiting to be delivered.
func (s *Service) Queued() (n int, err error) {
	return s.store.CountQueued(context.Background())
}

// HoldRenders takes every slot of the preview renders, as that many slow
// previews would, and makes a preview that finds them taken give up at
// once rather than wait; it returns the function that frees the slots.
func (s *Service) HoldRenders() func() {
	s.renders = api.NewGate(s.renders.Size(), 0)
	var leave []func()
	for i := 0; i < s.renders.Size(); i++ {
		l, err := s.renders.Enter()
		if err != nil {
			panic(err)
		}
		leave = append(leave, l)
	}
	return func() {
		for _, l := range leave {
			l()
		}
	}
}

// HoldReading is what a transaction that reads the mark buffer inside
// itself holds (reply delivery); the returned function releases it.
func (s *Service) HoldReading() func() { return s.reads.reading() }

// BufferedMark is a user's buffered mark in a thread (0: none).
func (s *Service) BufferedMark(user, thread uint64) uint64 { return s.reads.mark(user, thread) }
