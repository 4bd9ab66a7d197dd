package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"pacer/notify"
)

// unreadAmong: UnreadAmong answers for many refs at once what IsUnread
// answers for one: a notification counts only for its own user and while
// it is unread; unknown ids and repeated refs are no error.
func unreadAmong(t *testing.T, open Open) {
	s, run := open(t)
	among := func(ctx context.Context, refs ...notify.Ref) []uint64 {
		t.Helper()
		got, err := s.UnreadAmong(ctx, refs)
		if err != nil {
			t.Fatalf("UnreadAmong(%v): %v", refs, err)
		}
		return got
	}
	if got := among(bg); len(got) != 0 {
		t.Errorf("UnreadAmong of nothing = %v", got)
	}
	a := add(t, s, note(1, 0))
	b := add(t, s, note(1, 1))
	c := add(t, s, note(2, 0))
	d := add(t, s, note(3, 0))
	if err := s.MarkRead(bg, 1, []uint64{b.ID}, false); err != nil {
		t.Fatal(err)
	}
	refs := []notify.Ref{
		{User: 3, ID: d.ID}, // unread
		{User: 1, ID: a.ID}, // unread
		{User: 1, ID: b.ID}, // read
		{User: 1, ID: c.ID}, // another user's
		{User: 2, ID: 999},  // unknown
		{User: 1, ID: a.ID}, // asked twice
		{User: 4, ID: d.ID}, // not 4's
	}
	want := []uint64{a.ID, d.ID}
	if got := among(bg, refs...); !slices.Equal(got, want) {
		t.Errorf("UnreadAmong = %v, want %v", got, want)
	}
	for _, r := range refs {
		if one, many := isUnread(t, s, r.User, r.ID), slices.Contains(want, r.ID) && r.User == ownerOf(r.ID, a, b, c, d); one != many {
			t.Errorf("IsUnread(%d, %d) = %v, but UnreadAmong says %v", r.User, r.ID, one, many)
		}
	}

	// It joins the caller's transaction: it sees what the transaction
	// added and marked read.
	err := run.Write(bg, func(ctx context.Context) error {
		e, err := s.Add(ctx, note(2, 1))
		if err != nil {
			return err
		}
		if err := s.MarkRead(ctx, 3, []uint64{d.ID}, false); err != nil {
			return err
		}
		if got := among(ctx, notify.Ref{User: 2, ID: e.ID}, notify.Ref{User: 3, ID: d.ID}); !slices.Equal(got, []uint64{e.ID}) {
			t.Errorf("UnreadAmong inside the transaction = %v, want %v", got, []uint64{e.ID})
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v", err)
	}
	if got := among(bg, notify.Ref{User: 3, ID: d.ID}); !slices.Equal(got, []uint64{d.ID}) {
		t.Errorf("after the rollback UnreadAmong = %v, want %v", got, []uint64{d.ID})
	}
}

// ownerOf is the user of the notification with id among ns (0: none).
func ownerOf(id uint64, ns ...notify.Notification) uint64 {
	for _, n := range ns {
		if n.ID == id {
			return n.UserID
		}
	}
	return 0
}
