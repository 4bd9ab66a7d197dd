package storetest

import (
	"slices"
	"testing"

	"pacer/discussion"
)

func readers(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	th, p := addThread(t, s, b, "T")
	if ok := get[bool](t)(s.Participant(bg, th.ID, 8)); ok {
		t.Error("a participant before replying")
	}
	must(t, s.AddParticipant(bg, th.ID, 8))
	must(t, s.AddParticipant(bg, th.ID, 8))
	if ok := get[bool](t)(s.Participant(bg, th.ID, 8)); !ok {
		t.Error("not a participant after AddParticipant")
	}
	if ok := get[bool](t)(s.Participant(bg, th.ID, 9)); ok {
		t.Error("another user counts as a participant")
	}

	if m := get[uint64](t)(s.ReadMark(bg, th.ID, 8)); m != 0 {
		t.Errorf("ReadMark before any = %d", m)
	}
	th, r := reply(t, s, th, 9)
	must(t, s.MoveReadMarks(bg, []discussion.ReadMark{{Thread: th.ID, User: 8, Post: r.ID}, {Thread: th.ID, User: 9, Post: p.ID}}))
	// Marks only move forward, and a thread that is gone takes none.
	must(t, s.MoveReadMarks(bg, []discussion.ReadMark{{Thread: th.ID, User: 8, Post: p.ID}, {Thread: 999, User: 8, Post: 5}}))
	if m := get[uint64](t)(s.ReadMark(bg, th.ID, 8)); m != r.ID {
		t.Errorf("ReadMark = %d, want %d (marks never move back)", m, r.ID)
	}
	if m := get[uint64](t)(s.ReadMark(bg, th.ID, 9)); m != p.ID {
		t.Errorf("ReadMark of another user = %d, want %d", m, p.ID)
	}
	if m := get[uint64](t)(s.ReadMark(bg, 999, 8)); m != 0 {
		t.Errorf("a mark was kept for a missing thread: %d", m)
	}

	if on := get[bool](t)(s.Follows(bg, 1, 8)); !on {
		t.Error("staff do not follow a course by default")
	}
	must(t, s.SetFollows(bg, 1, 8, false))
	if on := get[bool](t)(s.Follows(bg, 1, 8)); on {
		t.Error("still following after turning it off")
	}
	if on := get[bool](t)(s.Follows(bg, 2, 8)); !on {
		t.Error("turning following off for one course turned it off for another")
	}
	must(t, s.SetFollows(bg, 1, 8, true))
	if on := get[bool](t)(s.Follows(bg, 1, 8)); !on {
		t.Error("not following after turning it back on")
	}
}

func subscriptions(t *testing.T, open Open) {
	s, _ := open(t)
	b := addBoard(t, s, 1, "A")
	th, _ := addThread(t, s, b, "T")
	other, _ := addThread(t, s, b, "Other")
	if sub := get[discussion.Subscription](t)(s.Subscription(bg, th.ID, 8)); sub != (discussion.Subscription{}) {
		t.Errorf("Subscription before any = %+v, want SubNone", sub)
	}
	want := map[uint64]discussion.Subscription{
		5: {State: discussion.SubOn},
		8: {State: discussion.SubOn, Notification: 77},
		9: {State: discussion.SubOff},
		3: {State: discussion.SubFollowed, Notification: 12},
	}
	for u, sub := range want {
		must(t, s.SetSubscription(bg, th.ID, u, sub))
	}
	must(t, s.SetSubscription(bg, other.ID, 4, discussion.Subscription{State: discussion.SubOn}))
	for u, sub := range want {
		if got := get[discussion.Subscription](t)(s.Subscription(bg, th.ID, u)); got != sub {
			t.Errorf("Subscription of %d = %+v, want %+v", u, got, sub)
		}
	}
	subs := subscribersOf(t, s, th.ID)
	if users := ids(subs, func(s discussion.Subscriber) uint64 { return s.User }); !slices.Equal(users, []uint64{3, 5, 8, 9}) {
		t.Fatalf("Subscribers = %v, want users 3, 5, 8, 9 in order", users)
	}
	for _, sb := range subs {
		if sb.Subscription != want[sb.User] {
			t.Errorf("Subscribers gave %+v for %d, want %+v", sb.Subscription, sb.User, want[sb.User])
		}
	}
	// A changed notification replaces the one before; dropping it leaves
	// the state.
	must(t, s.SetSubscription(bg, th.ID, 8, discussion.Subscription{State: discussion.SubOn}))
	if got := get[discussion.Subscription](t)(s.Subscription(bg, th.ID, 8)); got != (discussion.Subscription{State: discussion.SubOn}) {
		t.Errorf("after dropping the notification: %+v", got)
	}
}
