package storetest

import (
	"context"
	"errors"
	"testing"

	"pacer/discussion"
)

func joinsTransaction(t *testing.T, open Open) {
	s, tx := open(t)
	b := addBoard(t, s, 1, "A")
	var th discussion.ThreadRecord
	err := tx.Write(bg, func(ctx context.Context) error {
		var err error
		th, _, err = s.AddThread(ctx, discussion.ThreadRecord{CourseID: 1, BoardID: b.ID, Title: "inside", CreatedAt: at},
			discussion.PostRecord{CourseID: 1, CreatedAt: at}, "src")
		if err != nil {
			return err
		}
		// The same transaction sees its own writes.
		if _, err := s.Thread(ctx, th.ID); err != nil {
			return err
		}
		if n, err := s.CountThreads(ctx, b.ID); err != nil || n != 1 {
			t.Errorf("CountThreads inside the transaction = %d, %v", n, err)
		}
		if err := s.QueueReply(ctx, th.ID, th.OpeningPostID); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v", err)
	}
	_, err = s.Thread(bg, th.ID)
	notFound(t, "a thread of a rolled-back transaction", err)
	if n := get[int](t)(s.CountThreads(bg, b.ID)); n != 0 {
		t.Errorf("a rolled-back thread is listed (%d)", n)
	}
	if n := get[int](t)(s.CountQueued(bg)); n != 0 {
		t.Errorf("a rolled-back reply is queued (%d)", n)
	}
	// A read joins the caller's read transaction too.
	err = tx.Read(bg, func(ctx context.Context) error {
		_, err := s.Board(ctx, b.ID)
		return err
	})
	must(t, err)
}

func rerun(t *testing.T, open Open) {
	s, tx := open(t)
	b := addBoard(t, s, 1, "A")
	th, _ := addThread(t, s, b, "T")
	work := func(fail bool) error {
		return tx.Write(bg, func(ctx context.Context) error {
			t0, err := s.Thread(ctx, th.ID)
			if err != nil {
				return err
			}
			id, err := s.NewPostID(ctx)
			if err != nil {
				return err
			}
			p := discussion.PostRecord{ID: id, CourseID: 1, ThreadID: th.ID, ParentID: th.OpeningPostID, AuthorID: 8, CreatedAt: at}
			if err := s.AddParticipant(ctx, th.ID, 8); err != nil {
				return err
			}
			if err := s.SavePost(ctx, p, "r"); err != nil {
				return err
			}
			nt := t0
			nt.ReplyCount++
			nt.LastPostID, nt.Rev = id, t0.Rev+1
			if err := s.SaveThread(ctx, t0, nt); err != nil {
				return err
			}
			if err := s.QueueReply(ctx, th.ID, id); err != nil {
				return err
			}
			if err := s.AddPostings(ctx, []discussion.Posting{{Course: 1, Term: "r", Post: id, Thread: th.ID}}); err != nil {
				return err
			}
			if _, err := s.AddReport(ctx, discussion.ReportRecord{CourseID: 1, ThreadID: th.ID, PostID: id, ReporterID: 9, CreatedAt: at}); err != nil {
				return err
			}
			if fail {
				return errAbort
			}
			return nil
		})
	}
	if err := work(true); !errors.Is(err, errAbort) {
		t.Fatalf("the failed attempt returned %v", err)
	}
	must(t, work(false))
	posts, _, err := s.ThreadPosts(bg, th.ID, 0)
	must(t, err)
	if len(posts) != 2 {
		t.Errorf("the thread has %d posts, want the opening post and one reply", len(posts))
	}
	if got := get[discussion.ThreadRecord](t)(s.Thread(bg, th.ID)); got.ReplyCount != 1 || got.Rev != th.Rev+1 {
		t.Errorf("the thread after a failed and a good attempt: %+v", got)
	}
	if list := get[[]discussion.ThreadRecord](t)(s.BoardThreads(bg, b.ID)); len(list) != 1 {
		t.Errorf("the board lists the thread %d times", len(list))
	}
	if q, _, _ := s.QueuedReplies(bg, 10); len(q) != 1 {
		t.Errorf("%d replies queued, want 1", len(q))
	}
	if hits, _, _ := match(t, s, 1, []string{"r"}, 0); len(hits) != 1 {
		t.Errorf("%d posts match, want 1", len(hits))
	}
	if rs, _, _ := s.CourseReports(bg, 1, discussion.ReportsAll, nil, 10); len(rs) != 1 {
		t.Errorf("%d reports, want 1", len(rs))
	}
}
