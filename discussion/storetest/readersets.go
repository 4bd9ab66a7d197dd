package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"pacer/discussion"
)

// readerSets: ReadMarks and Participants answer for a set of users at
// once what ReadMark and Participant answer for one, and read nothing of
// other threads or of users not asked about.
func readerSets(t *testing.T, open Open) {
	s, run := open(t)
	b := addBoard(t, s, 1, "A")
	th, p := addThread(t, s, b, "T")
	other, _ := addThread(t, s, b, "Other")
	if marks := marksIn(t, s, th.ID, []uint64{8, 9}); len(marks) != 0 {
		t.Errorf("ReadMarks before any = %v, want none", marks)
	}
	if parts := get[map[uint64]bool](t)(s.Participants(bg, th.ID, []uint64{8, 9})); len(parts) != 0 {
		t.Errorf("Participants before any = %v, want none", parts)
	}
	if marks := marksIn(t, s, th.ID, nil); len(marks) != 0 {
		t.Errorf("ReadMarks of nobody = %v", marks)
	}
	if parts := get[map[uint64]bool](t)(s.Participants(bg, th.ID, nil)); len(parts) != 0 {
		t.Errorf("Participants of nobody = %v", parts)
	}

	th, r := reply(t, s, th, 9)
	must(t, s.MoveReadMarks(bg, []discussion.ReadMark{
		{Thread: th.ID, User: 8, Post: r.ID}, {Thread: th.ID, User: 9, Post: p.ID}, {Thread: th.ID, User: 10, Post: r.ID},
		{Thread: other.ID, User: 11, Post: other.OpeningPostID},
	}))
	must(t, s.AddParticipant(bg, th.ID, 9))
	must(t, s.AddParticipant(bg, th.ID, 10))
	must(t, s.AddParticipant(bg, other.ID, 11))

	marks := marksIn(t, s, th.ID, []uint64{8, 9, 11, 12})
	if want := map[uint64]uint64{8: r.ID, 9: p.ID}; !maps.Equal(marks, want) {
		t.Errorf("ReadMarks = %v, want %v (user 10 was not asked about, 11's mark is in another thread)", marks, want)
	}
	for _, u := range []uint64{8, 9, 11, 12} {
		if one := get[uint64](t)(s.ReadMark(bg, th.ID, u)); one != marks[u] {
			t.Errorf("ReadMarks gave %d for %d, ReadMark %d", marks[u], u, one)
		}
	}
	parts := get[map[uint64]bool](t)(s.Participants(bg, th.ID, []uint64{12, 11, 9, 8}))
	if want := map[uint64]bool{9: true}; !maps.Equal(parts, want) {
		t.Errorf("Participants = %v, want %v (10 was not asked about, 11 replied in another thread)", parts, want)
	}

	// Several threads at once: each thread's marks of the users asked
	// about in it, by thread.
	both := get[map[uint64]map[uint64]uint64](t)(s.ReadMarks(bg, map[uint64][]uint64{
		other.ID: {8, 11}, th.ID: {8, 9, 11, 12}, 999: {8}}))
	if len(both) != 2 || !maps.Equal(both[th.ID], marks) || !maps.Equal(both[other.ID], map[uint64]uint64{11: other.OpeningPostID}) {
		t.Errorf("ReadMarks of two threads (and one that does not exist) = %v", both)
	}
	if one := get[map[uint64]map[uint64]uint64](t)(s.ReadMarks(bg, map[uint64][]uint64{other.ID: {8, 9}})); len(one) != 0 {
		t.Errorf("ReadMarks of users without a mark in that thread = %v, want none (8 and 9 have marks in another)", one)
	}

	// A user asked about twice counts once.
	if marks := marksIn(t, s, th.ID, []uint64{8, 8}); !maps.Equal(marks, map[uint64]uint64{8: r.ID}) {
		t.Errorf("ReadMarks asked twice about one user = %v", marks)
	}
	if parts := get[map[uint64]bool](t)(s.Participants(bg, th.ID, []uint64{9, 9})); !maps.Equal(parts, map[uint64]bool{9: true}) {
		t.Errorf("Participants asked twice about one user = %v", parts)
	}

	// Both join the caller's transaction: they see its writes.
	err := run.Write(bg, func(ctx context.Context) error {
		if err := s.MoveReadMarks(ctx, []discussion.ReadMark{{Thread: th.ID, User: 12, Post: r.ID}}); err != nil {
			return err
		}
		if err := s.AddParticipant(ctx, th.ID, 12); err != nil {
			return err
		}
		all, err := s.ReadMarks(ctx, map[uint64][]uint64{th.ID: {12}})
		if err != nil {
			return err
		}
		marks := all[th.ID]
		parts, err := s.Participants(ctx, th.ID, []uint64{12})
		if err != nil {
			return err
		}
		if marks[12] != r.ID || !parts[12] {
			t.Errorf("inside the transaction: ReadMarks %v, Participants %v, want its own writes", marks, parts)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v", err)
	}
	if parts := get[map[uint64]bool](t)(s.Participants(bg, th.ID, []uint64{12})); len(parts) != 0 {
		t.Errorf("a rolled-back participant is read: %v", parts)
	}
}

// following: Following answers for a set of staff at once what Follows
// answers for one, course by course.
func following(t *testing.T, open Open) {
	s, run := open(t)
	if on := get[map[uint64]bool](t)(s.Following(bg, 1, nil)); len(on) != 0 {
		t.Errorf("Following of nobody = %v", on)
	}
	if on := get[map[uint64]bool](t)(s.Following(bg, 1, []uint64{8, 9})); !maps.Equal(on, map[uint64]bool{8: true, 9: true}) {
		t.Errorf("Following before anyone turned it off = %v, want 8 and 9", on)
	}
	must(t, s.SetFollows(bg, 1, 8, false))
	must(t, s.SetFollows(bg, 2, 9, false))
	on := get[map[uint64]bool](t)(s.Following(bg, 1, []uint64{7, 8, 9, 9}))
	if want := map[uint64]bool{7: true, 9: true}; !maps.Equal(on, want) {
		t.Errorf("Following = %v, want %v (8 turned it off here, 9 in another course)", on, want)
	}
	for _, u := range []uint64{7, 8, 9} {
		if one := get[bool](t)(s.Follows(bg, 1, u)); one != on[u] {
			t.Errorf("Following says %v for %d, Follows %v", on[u], u, one)
		}
	}
	// It joins the caller's transaction.
	err := run.Write(bg, func(ctx context.Context) error {
		if err := s.SetFollows(ctx, 1, 8, true); err != nil {
			return err
		}
		on, err := s.Following(ctx, 1, []uint64{8})
		if err != nil {
			return err
		}
		if !on[8] {
			t.Error("Following inside the transaction missed its own SetFollows")
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v", err)
	}
	if on := get[map[uint64]bool](t)(s.Following(bg, 1, []uint64{8})); on[8] {
		t.Error("a rolled-back SetFollows is read")
	}
}

// setSubscriptions: SetSubscriptions stores several users' subscriptions
// to a thread as SetSubscription stores one, leaving other users' and
// other threads' entries alone.
func setSubscriptions(t *testing.T, open Open) {
	s, run := open(t)
	b := addBoard(t, s, 1, "A")
	th, _ := addThread(t, s, b, "T")
	other, _ := addThread(t, s, b, "Other")
	must(t, s.SetSubscriptions(bg, th.ID, nil))
	must(t, s.SetSubscription(bg, th.ID, 4, discussion.Subscription{State: discussion.SubOn, Notification: 40}))
	must(t, s.SetSubscription(bg, th.ID, 5, discussion.Subscription{State: discussion.SubOn}))
	must(t, s.SetSubscription(bg, th.ID, 6, discussion.Subscription{State: discussion.SubOff}))
	must(t, s.SetSubscription(bg, other.ID, 5, discussion.Subscription{State: discussion.SubOn}))
	must(t, s.SetSubscriptions(bg, th.ID, []discussion.Subscriber{
		{User: 9, Subscription: discussion.Subscription{State: discussion.SubFollowed, Notification: 90}},
		{User: 5, Subscription: discussion.Subscription{State: discussion.SubOn, Notification: 50}},
		{User: 6, Subscription: discussion.Subscription{}},
		{User: 7, Subscription: discussion.Subscription{State: discussion.SubOff}},
	}))
	want := map[uint64]discussion.Subscription{
		4: {State: discussion.SubOn, Notification: 40},
		5: {State: discussion.SubOn, Notification: 50},
		7: {State: discussion.SubOff},
		9: {State: discussion.SubFollowed, Notification: 90},
	}
	got := map[uint64]discussion.Subscription{}
	for _, sb := range subscribersOf(t, s, th.ID) {
		got[sb.User] = sb.Subscription
	}
	if !maps.Equal(got, want) {
		t.Errorf("Subscribers after SetSubscriptions = %v, want %v (6's entry removed)", got, want)
	}
	if sub := get[discussion.Subscription](t)(s.Subscription(bg, other.ID, 5)); sub != (discussion.Subscription{State: discussion.SubOn}) {
		t.Errorf("another thread's entry changed: %+v", sub)
	}
	// Several threads' entries at once, by thread, each in user order.
	both := get[map[uint64][]discussion.Subscriber](t)(s.Subscribers(bg, []uint64{other.ID, th.ID, 999}))
	users := ids(both[th.ID], func(s discussion.Subscriber) uint64 { return s.User })
	if len(both) != 2 || !slices.Equal(users, []uint64{4, 5, 7, 9}) || len(both[other.ID]) != 1 || both[other.ID][0].User != 5 {
		t.Errorf("Subscribers of two threads (and one that does not exist) = %v", both)
	}
	// It joins the caller's transaction.
	err := run.Write(bg, func(ctx context.Context) error {
		if err := s.SetSubscriptions(ctx, th.ID, []discussion.Subscriber{{User: 4, Subscription: discussion.Subscription{State: discussion.SubOff}}}); err != nil {
			return err
		}
		sub, err := s.Subscription(ctx, th.ID, 4)
		if err != nil {
			return err
		}
		if sub.State != discussion.SubOff {
			t.Errorf("inside the transaction: %+v, want its own write", sub)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v", err)
	}
	if sub := get[discussion.Subscription](t)(s.Subscription(bg, th.ID, 4)); sub != want[4] {
		t.Errorf("after a rollback: %+v, want %+v", sub, want[4])
	}
}

// subscribersOf is Subscribers of one thread.
func subscribersOf(t *testing.T, s discussion.Store, thread uint64) []discussion.Subscriber {
	t.Helper()
	all := get[map[uint64][]discussion.Subscriber](t)(s.Subscribers(bg, []uint64{thread}))
	if len(all) > 1 {
		t.Fatalf("Subscribers of thread %d answered for %d threads", thread, len(all))
	}
	return all[thread]
}

// marksIn is ReadMarks of one thread.
func marksIn(t *testing.T, s discussion.Store, thread uint64, users []uint64) map[uint64]uint64 {
	t.Helper()
	all := get[map[uint64]map[uint64]uint64](t)(s.ReadMarks(bg, map[uint64][]uint64{thread: users}))
	if len(all) > 1 {
		t.Fatalf("ReadMarks of thread %d answered for %d threads", thread, len(all))
	}
	return all[thread]
}
