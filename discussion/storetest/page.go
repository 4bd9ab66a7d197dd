package storetest

import (
	"context"
	"maps"
	"testing"

	"pacer/discussion"
)

// readerThread checks that a thread is read with its board and one
// reader's state in it, each as the point reads answer it.
func readerThread(t *testing.T, open Open) {
	s, tx := open(t)
	b := addBoard(t, s, 1, "A")
	th, _ := addThread(t, s, b, "T")
	th, r := reply(t, s, th, 8)
	other, _ := addThread(t, s, b, "Other")

	got := get[discussion.ReaderThread](t)(s.ReaderThread(bg, th.ID, 8))
	want := discussion.ReaderThread{Thread: th, Board: b, Follows: true}
	if got != want {
		t.Errorf("ReaderThread of a reader who did nothing = %+v, want %+v", got, want)
	}

	must(t, s.AddParticipant(bg, th.ID, 8))
	must(t, s.MoveReadMarks(bg, []discussion.ReadMark{{Thread: th.ID, User: 8, Post: r.ID}}))
	must(t, s.SetSubscription(bg, th.ID, 8, discussion.Subscription{State: discussion.SubFollowed, Notification: 77}))
	must(t, s.SetFollows(bg, 1, 8, false))
	// Another reader's and another thread's state are not the reader's.
	must(t, s.AddParticipant(bg, other.ID, 9))
	must(t, s.MoveReadMarks(bg, []discussion.ReadMark{{Thread: th.ID, User: 9, Post: th.OpeningPostID}}))
	must(t, s.SetSubscription(bg, other.ID, 8, discussion.Subscription{State: discussion.SubOn}))

	got = get[discussion.ReaderThread](t)(s.ReaderThread(bg, th.ID, 8))
	want = discussion.ReaderThread{Thread: th, Board: b, ReadMark: r.ID,
		Subscription: discussion.Subscription{State: discussion.SubFollowed, Notification: 77}, Participant: true}
	if got != want {
		t.Errorf("ReaderThread = %+v, want %+v", got, want)
	}
	got = get[discussion.ReaderThread](t)(s.ReaderThread(bg, th.ID, 9))
	want = discussion.ReaderThread{Thread: th, Board: b, ReadMark: th.OpeningPostID, Follows: true}
	if got != want {
		t.Errorf("ReaderThread of another reader = %+v, want %+v", got, want)
	}
	got = get[discussion.ReaderThread](t)(s.ReaderThread(bg, other.ID, 8))
	want = discussion.ReaderThread{Thread: other, Board: b, Subscription: discussion.Subscription{State: discussion.SubOn}}
	if got != want {
		t.Errorf("ReaderThread of another thread = %+v, want %+v", got, want)
	}

	_, err := s.ReaderThread(bg, 999, 8)
	notFound(t, "ReaderThread of a missing thread", err)

	// In a transaction, it sees what the transaction wrote.
	err = tx.Write(bg, func(ctx context.Context) error {
		if err := s.SetSubscription(ctx, th.ID, 8, discussion.Subscription{State: discussion.SubOff}); err != nil {
			return err
		}
		got, err := s.ReaderThread(ctx, th.ID, 8)
		if err != nil {
			return err
		}
		if got.Subscription.State != discussion.SubOff {
			t.Errorf("ReaderThread in a transaction missed its own write: %+v", got.Subscription)
		}
		return nil
	})
	must(t, err)
}

// postSources checks that the sources of several posts are read at once,
// as PostSource reads each.
func postSources(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	th, p := addThread(t, s, b, "T")
	th, r1 := reply(t, s, th, 8)
	_, r2 := reply(t, s, th, 9)
	// A deleted post keeps no source.
	r2.Deleted = true
	must(t, s.SavePost(bg, r2, ""))
	got := get[map[uint64]string](t)(s.PostSources(bg, []uint64{p.ID, r1.ID, r2.ID, 999}))
	want := map[uint64]string{p.ID: "T source", r1.ID: "reply"}
	if !maps.Equal(got, want) {
		t.Errorf("PostSources = %v, want %v", got, want)
	}
	for _, id := range []uint64{p.ID, r1.ID, r2.ID, 999} {
		if src := get[string](t)(s.PostSource(bg, id)); src != got[id] {
			t.Errorf("PostSource(%d) = %q, PostSources gave %q", id, src, got[id])
		}
	}
	if got := get[map[uint64]string](t)(s.PostSources(bg, nil)); len(got) != 0 {
		t.Errorf("PostSources of none = %v", got)
	}
}
