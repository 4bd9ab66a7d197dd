package deadlines_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres/pgtest"
)

// Two replicas on one PostgreSQL database deliver the same queue at the
// same moment: each takes the entries the other has not locked (FOR
// UPDATE SKIP LOCKED), and every submission is counted once.
func TestTwoReplicasDeliveringAtOnceCountEachSubmissionOnce(t *testing.T) {
	url := pgtest.URL(t) // skips without PostgreSQL
	onStore := func(c *server.Config) { c.Store = url }
	h := newHand(t, onStore)
	other := pacertest.New(t, onStore)

	const items = 30
	want := map[string]bool{}
	for i := range items {
		it := h.item(fmt.Sprintf("Exercise %d", i))
		h.submit(h.learners[i%len(h.learners)], it)
		want[fmt.Sprintf("/courses/%d/items/%d/submissions", h.course, it)] = true
	}
	h.queued(items)

	start := make(chan struct{})
	errs := make(chan error, 2)
	for _, s := range []*server.Server{h.env.Server, other.Server} {
		go func() {
			<-start
			errs <- s.Deadlines.DeliverSubmitted(context.Background())
		}()
	}
	close(start)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	h.queued(0)

	for _, u := range []pacertest.User{h.inst, h.ta} {
		seen := map[string]int{}
		for _, n := range h.submitted(u) {
			seen[n.Link]++
			if !strings.HasPrefix(n.Title, "New submission to") {
				t.Errorf("%s: %q, want one submission counted", u.Name, n.Title)
			}
		}
		for link := range want {
			if seen[link] != 1 {
				t.Errorf("%s has %d notifications of %s, want 1", u.Name, seen[link], link)
			}
		}
		if len(seen) != items {
			t.Errorf("%s has notifications of %d items, want %d", u.Name, len(seen), items)
		}
	}
}

// A submission acknowledged by one replica shows in the staff's
// notifications read through another at once: the reader's replica
// delivers what the shared queue holds, though it counted none of it.
func TestASubmissionOnOneReplicaNotifiesThroughAnotherAtOnce(t *testing.T) {
	url := pgtest.URL(t) // skips without PostgreSQL
	onStore := func(c *server.Config) { c.Store = url }
	h := newHand(t, onStore)
	other := pacertest.New(t, onStore)
	// The other replica's first reader delivers whatever a previous run
	// left; from then on its own count says it queued nothing.
	if err := other.Server.Deadlines.DeliverSubmitted(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, u := range h.learners {
		h.submit(u, h.essay)
		var ns []notification
		for _, n := range notifications(t, other, h.inst) {
			if n.Kind == "submitted" {
				ns = append(ns, n)
			}
		}
		if len(ns) != 1 {
			t.Fatalf("submission %d: the other replica shows %d submitted notifications, want 1: %+v", i, len(ns), ns)
		}
		wantTitle := "New submission to Essay"
		if i > 0 {
			wantTitle = fmt.Sprintf("%d new submissions to Essay", i+1)
		}
		if ns[0].Title != wantTitle || !strings.Contains(ns[0].Body, u.Name) {
			t.Fatalf("submission %d: the other replica shows %+v, want %q naming %s", i, ns[0], wantTitle, u.Name)
		}
	}
}
