package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/errgroup"

	"pacer/cache"
	"pacer/discussion"
	"pacer/errs"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

// A thread page's first read (Discussion.ReaderThread) in a read marked
// txn.Cached goes in the round trip the cached reads asking at the same
// time share: it holds no connection of its own, each page gets its own
// thread and reader's row, and every row and revision it is answered with
// is at least as new as every commit made before it asked, and of one
// snapshot with each other.
func TestThreadPagesAtOnceShareARoundTripAndSeeEveryEarlierCommit(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	s := postgres.NewDiscussion(db)
	b := pgBoard(t, s)
	const threads, users = 3, 4
	var ids [threads]uint64
	for i := range ids {
		ids[i] = pgThread(t, s, b).ID
	}
	// A cache of each reader's mark, bumped with every move: a read that
	// hits it must find the same mark in its reader row.
	c := cache.New[uint64]("test.mark", 100, postgres.NewRevisions(db))
	var committed [threads][users]atomic.Int64
	move := func(th, u int, post uint64) error {
		return db.Write(ctx, func(ctx context.Context) error {
			if err := c.Bump(ctx, ids[th], uint64(u)); err != nil {
				return err
			}
			return s.MoveReadMarks(ctx, []discussion.ReadMark{{Thread: ids[th], User: uint64(u), Post: post}})
		})
	}

	var hits atomic.Int64
	read := func(th, u int) (discussion.ReaderThread, uint64, error) {
		var r discussion.ReaderThread
		var cached uint64
		runs := 0
		err := db.Read(txn.Cached(ctx), func(ctx context.Context) error {
			runs++
			if err := cache.Prefetch(ctx, c.Ahead(ids[th], uint64(u))); err != nil {
				return err
			}
			var err error
			if r, err = s.ReaderThread(ctx, ids[th], uint64(u)); err != nil {
				return err
			}
			if runs == 1 {
				if st := postgres.TxStatus(ctx); st != '-' {
					return fmt.Errorf("a cached read's reader row held a connection (status %c)", st)
				}
			}
			cached, err = c.Read(ctx, ids[th], uint64(u), func(ctx context.Context) (uint64, error) {
				var m int64
				err := postgres.Q(ctx, db).QueryRow(ctx,
					"SELECT coalesce((SELECT post_id FROM discussion_read_marks WHERE thread_id = $1 AND user_id = $2), 0)",
					int64(ids[th]), int64(u)).Scan(&m)
				return uint64(m), err
			})
			return err
		})
		if runs == 1 {
			hits.Add(1)
		}
		return r, cached, err
	}

	var g errgroup.Group
	stop := make(chan struct{})
	g.Go(func() error {
		defer close(stop)
		for n := 1; n <= 40; n++ {
			th, u := n%threads, n%users
			if err := move(th, u, uint64(n)); err != nil {
				return err
			}
			committed[th][u].Store(int64(n))
		}
		return nil
	})
	for r := range 8 {
		g.Go(func() error {
			// Reads go on a little after the last write: those hit the
			// cache.
			after := 0
			for i := 0; after < 12; i++ {
				select {
				case <-stop:
					after++
				default:
				}
				th, u := (r+i)%threads, (r*i)%users
				floor := committed[th][u].Load()
				row, cached, err := read(th, u)
				if err != nil {
					return err
				}
				if row.Thread.ID != ids[th] || row.Board.ID != b.ID {
					return fmt.Errorf("asked thread %d, got thread %d of board %d", ids[th], row.Thread.ID, row.Board.ID)
				}
				if int64(row.ReadMark) < floor {
					return fmt.Errorf("thread %d user %d: mark %d read after %d had committed", th, u, row.ReadMark, floor)
				}
				if cached != row.ReadMark {
					return fmt.Errorf("thread %d user %d: the cache said %d, the row %d", th, u, cached, row.ReadMark)
				}
			}
			return nil
		})
	}
	// A page of a thread that does not exist, asked among the others.
	g.Go(func() error {
		for {
			select {
			case <-stop:
				return nil
			default:
			}
			err := db.Read(txn.Cached(ctx), func(ctx context.Context) error {
				_, err := s.ReaderThread(ctx, ids[threads-1]+1000, 1)
				return err
			})
			if !errs.Is(err, errs.NotFound) {
				return fmt.Errorf("a missing thread read %v, want not found", err)
			}
		}
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if hits.Load() == 0 {
		t.Fatal("no read was answered in one run")
	}
}
