package storetest

import (
	"slices"
	"testing"

	"pacer/discussion"
)

func queue(t *testing.T, open Open) {
	s, _ := open(t)
	if n := get[int](t)(s.CountQueued(bg)); n != 0 {
		t.Errorf("CountQueued of an empty queue = %d", n)
	}
	for _, q := range []discussion.QueuedReply{{Thread: 2, Post: 9}, {Thread: 1, Post: 8}, {Thread: 2, Post: 5}, {Thread: 1, Post: 3}} {
		must(t, s.QueueReply(bg, q.Thread, q.Post))
	}
	if n := get[int](t)(s.CountQueued(bg)); n != 4 {
		t.Errorf("CountQueued = %d, want 4", n)
	}
	want := []discussion.QueuedReply{{Thread: 1, Post: 3}, {Thread: 1, Post: 8}, {Thread: 2, Post: 5}, {Thread: 2, Post: 9}}
	got, more, err := s.QueuedReplies(bg, 10)
	must(t, err)
	if more || !slices.Equal(got, want) {
		t.Errorf("QueuedReplies = %v (more %v), want %v by thread, then post", got, more, want)
	}
	got, more, err = s.QueuedReplies(bg, 3)
	must(t, err)
	if !more || !slices.Equal(got, want[:3]) {
		t.Errorf("QueuedReplies(3) = %v (more %v), want %v and more", got, more, want[:3])
	}
	must(t, s.DropQueued(bg, got))
	got, more, err = s.QueuedReplies(bg, 10)
	must(t, err)
	if more || !slices.Equal(got, want[3:]) {
		t.Errorf("after DropQueued: %v (more %v), want %v", got, more, want[3:])
	}
}
