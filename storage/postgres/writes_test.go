package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"pacer/deadlines"
	"pacer/discussion"
	"pacer/errs"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

// Replies that lock their thread, with their post and thread writes sent
// along with the commit, lose no update and take post ids that grow in the
// order they commit: each writer's id is above the last post of the
// thread as it found it, and the thread's last post is its largest id.
func TestLockedRepliesTakeGrowingIDs(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	s := postgres.NewDiscussion(db)
	th := pgThread(t, s, pgBoard(t, s))
	const writers, each = 6, 4
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := db.Write(txn.Locking(ctx), func(ctx context.Context) error {
					old, _, id, err := s.LockThreadToReply(ctx, th.ID)
					if err != nil {
						return err
					}
					if id <= old.LastPostID {
						t.Errorf("post id %d taken after the thread's last post %d", id, old.LastPostID)
					}
					if err := s.SavePost(ctx, discussion.PostRecord{ID: id, CourseID: 1, ThreadID: th.ID, ParentID: th.OpeningPostID,
						Depth: 1, AuthorID: uint64(20 + w), CreatedAt: pgAt}, "r"); err != nil {
						return err
					}
					nt := old
					nt.ReplyCount++
					nt.LastPostID, nt.Rev = id, old.Rev+1
					return s.SaveThread(ctx, old, nt)
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Thread(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	posts, _, err := s.ThreadPosts(ctx, th.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.ReplyCount != writers*each || len(posts) != writers*each+1 {
		t.Fatalf("after %d replies: reply count %d, %d posts", writers*each, got.ReplyCount, len(posts))
	}
	if last := posts[len(posts)-1].ID; got.LastPostID != last {
		t.Errorf("the thread's last post is %d, its largest post id %d", got.LastPostID, last)
	}
	err = db.Write(txn.Locking(ctx), func(ctx context.Context) error {
		_, _, _, err := s.LockThreadToReply(ctx, th.ID+99)
		return err
	})
	if !errs.Is(err, errs.NotFound) {
		t.Errorf("LockThreadToReply of a missing thread: %v, want not found", err)
	}
}

// A write sent with the next statement (a reply's post, thread, queue
// entry) that fails fails the transaction: at that statement when one
// follows, at the COMMIT otherwise; and nothing of the transaction stays.
func TestDeferredWritesFailTheTransaction(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	s := postgres.NewDiscussion(db)
	th := pgThread(t, s, pgBoard(t, s))
	const fkViolation = "23503"
	code := func(err error) string {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return pe.Code
		}
		return ""
	}
	bad := discussion.PostRecord{ID: 1 << 40, CourseID: 1, ThreadID: th.ID + 99, Depth: 1, AuthorID: 7, CreatedAt: pgAt}

	// At the commit.
	err := db.Write(ctx, func(ctx context.Context) error {
		if err := s.QueueReply(ctx, th.ID, th.OpeningPostID); err != nil {
			return err
		}
		return s.SavePost(ctx, bad, "x")
	})
	if code(err) != fkViolation {
		t.Errorf("a post of a missing thread committed: %v", err)
	}
	if n, err := s.CountQueued(ctx); err != nil || n != 0 {
		t.Errorf("%d replies queued (%v) by a transaction that failed", n, err)
	}

	// At the next statement, which reports it.
	var readErr error
	err = db.Write(ctx, func(ctx context.Context) error {
		if err := s.SavePost(ctx, bad, "x"); err != nil {
			return err
		}
		_, readErr = s.Thread(ctx, th.ID)
		return nil
	})
	if code(readErr) != fkViolation || code(err) != fkViolation {
		t.Errorf("the statement after a failed write: %v; the transaction: %v", readErr, err)
	}
	if _, err := s.Post(ctx, bad.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("Post of the failed write: %v, want not found", err)
	}
}

// A learner's attempt is sent with the transaction's next round trip and
// its id and number are set from its result: with the COMMIT when nothing
// follows it (a submission: one round trip fewer), with the next statement
// otherwise, which then reads it.
func TestAnAttemptGoesWithTheNextRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	s := postgres.NewDeadlines(db)
	attempt := func(body string) deadlines.Submission {
		return deadlines.Submission{CourseID: 1, ItemID: 50, ModuleID: 100, UserID: 10, Body: body, Status: "on_time", SubmittedAt: pgAt}
	}
	first := attempt("a")
	var inside uint64
	err := db.Write(ctx, func(ctx context.Context) error {
		if err := s.AddAttempt(ctx, &first); err != nil {
			return err
		}
		inside = first.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside != 0 || first.ID == 0 || first.Attempt != 1 || !first.Current {
		t.Errorf("inside the transaction id %d; after it id %d, number %d: want 0, then set, number 1", inside, first.ID, first.Attempt)
	}

	second := attempt("b")
	err = db.Write(ctx, func(ctx context.Context) error {
		if err := s.AddAttempt(ctx, &second); err != nil {
			return err
		}
		before := second.ID
		got, err := s.Attempts(ctx, 1, 50, 10)
		if err != nil {
			return err
		}
		if before != 0 || len(got) != 2 || got[0].ID != second.ID || second.Attempt != 2 {
			t.Errorf("before the next statement id %d; that statement read %+v; the attempt was set to id %d number %d",
				before, got, second.ID, second.Attempt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
