package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"pacer/discussion"
	"pacer/txn"
)

// serialUpgrade: locking work that calls txn.Serial is run again until
// Serial lets it on, and what it wrote in a weaker run is not kept.
func serialUpgrade(t *testing.T, open Open) {
	s, tx := open(t)
	b := addBoard(t, s, 1, "A")
	th, _ := addThread(t, s, b, "T")
	runs := 0
	err := tx.Write(txn.Locking(bg), func(ctx context.Context) error {
		runs++
		if err := s.AddParticipant(ctx, th.ID, uint64(100+runs)); err != nil {
			return err
		}
		return txn.Serial(ctx)
	})
	must(t, err)
	if runs < 1 || runs > 2 {
		t.Fatalf("the work ran %d times, want once (serializable engine) or twice (weaker, then serializable)", runs)
	}
	if runs == 2 && get[bool](t)(s.Participant(bg, th.ID, 101)) {
		t.Errorf("the weaker run's write was kept")
	}
	if !get[bool](t)(s.Participant(bg, th.ID, uint64(100+runs))) {
		t.Errorf("the serializable run's write was lost")
	}
	if err := txn.Serial(bg); err != nil {
		t.Errorf("Serial outside a transaction = %v", err)
	}
	// An error of the work's own is not retried as an upgrade.
	err = tx.Write(txn.Locking(bg), func(context.Context) error { return errAbort })
	if !errors.Is(err, errAbort) {
		t.Errorf("Write returned %v, want the work's error", err)
	}
}

// subscribeReplier: replying subscribes who had no choice or only
// followed by default, keeping their notification, and leaves an opt-out
// and a subscription alone.
func subscribeReplier(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	th, _ := addThread(t, s, b, "T")
	must(t, s.SetSubscription(bg, th.ID, 3, discussion.Subscription{State: discussion.SubFollowed, Notification: 12}))
	must(t, s.SetSubscription(bg, th.ID, 8, discussion.Subscription{State: discussion.SubOn, Notification: 77}))
	must(t, s.SetSubscription(bg, th.ID, 9, discussion.Subscription{State: discussion.SubOff}))
	want := map[uint64]discussion.Subscription{
		3: {State: discussion.SubOn, Notification: 12},
		5: {State: discussion.SubOn},
		8: {State: discussion.SubOn, Notification: 77},
		9: {State: discussion.SubOff},
	}
	for u := range want {
		must(t, s.SubscribeReplier(bg, th.ID, u))
		must(t, s.SubscribeReplier(bg, th.ID, u)) // twice: the same
	}
	for u, sub := range want {
		if got := get[discussion.Subscription](t)(s.Subscription(bg, th.ID, u)); got != sub {
			t.Errorf("after SubscribeReplier, %d has %+v, want %+v", u, got, sub)
		}
	}
}

// lockedToReply: writers marked txn.Locking that lock a thread before
// they read it (LockThreadToReply) lose no update however many run at
// once (on an engine that runs them at a weaker isolation, this is what
// the lock is for). It returns the thread, its board and a post id drawn
// once the lock is held, so that replies running at once commit ids in
// the order they took the lock: every writer's id is above
// the last post id the writer before it committed (an id drawn before
// the lock would fall below it when another writer took the lock first).
// A missing thread is not found.
func lockedToReply(t *testing.T, open Open) {
	s, tx := open(t)
	b := addBoard(t, s, 1, "A")
	th, _ := addThread(t, s, b, "T")
	err := tx.Write(txn.Locking(bg), func(ctx context.Context) error {
		_, _, _, err := s.LockThreadToReply(ctx, th.ID+99)
		return err
	})
	notFound(t, "LockThreadToReply of a missing id", err)
	const writers, each = 8, 5
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := tx.Write(txn.Locking(bg), func(ctx context.Context) error {
					old, board, id, err := s.LockThreadToReply(ctx, th.ID)
					if err != nil {
						return err
					}
					if board.ID != b.ID || board.CourseID != b.CourseID || board.Title != b.Title {
						return fmt.Errorf("board %+v, want %+v", board, b)
					}
					if id <= old.LastPostID {
						return fmt.Errorf("post id %d drawn at or below the last committed post %d", id, old.LastPostID)
					}
					nt := old
					nt.ReplyCount++
					nt.LastPostID, nt.Rev = id, old.Rev+1
					return s.SaveThread(ctx, old, nt)
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("a replier failed: %v", err)
	}
	got := get[discussion.ThreadRecord](t)(s.Thread(bg, th.ID))
	if got.ReplyCount != writers*each || got.Rev != th.Rev+writers*each {
		t.Errorf("after %d locked replies: reply count %d, rev %d; want %d and %d (an update was lost)",
			writers*each, got.ReplyCount, got.Rev, writers*each, th.Rev+writers*each)
	}
}
