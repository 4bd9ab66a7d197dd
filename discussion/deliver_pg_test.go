package discussion_test

import (
	"context"
	"fmt"
	"testing"

	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres/pgtest"
)

// Two replicas on one PostgreSQL database deliver the same queue at the
// same moment: each takes the entries the other has not locked (FOR
// UPDATE SKIP LOCKED), and every reply tells each subscriber once.
func TestTwoReplicasDeliveringAtOnceTellEachSubscriberOnce(t *testing.T) {
	url := pgtest.URL(t) // skips without PostgreSQL
	onStore := func(cfg *server.Config) { cfg.Store = url }
	c := newClass(t, onStore)
	other := pacertest.New(t, onStore)

	const threads = 40
	links := map[string]bool{}
	for i := range threads {
		thread, _ := c.thread(c.ann, c.general, fmt.Sprintf("Question %d", i), "Does anyone know?")
		r := c.reply(c.bob, thread, 0, fmt.Sprintf("Answer %d", i))
		links[fmt.Sprintf("/threads/%d#post-%d", thread, r)] = true
	}
	c.queued(threads)

	start := make(chan struct{})
	errs := make(chan error, 2)
	for _, s := range []*server.Server{c.env.Server, other.Server} {
		go func() {
			<-start
			errs <- s.Discussion.DeliverReplies(context.Background())
		}()
	}
	close(start)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c.queued(0)

	// Ann wrote every thread; the instructor and the TA follow them.
	for _, u := range []pacertest.User{c.ann, c.instr, c.ta} {
		seen := map[string]int{}
		for _, n := range c.notifications(u, "reply") {
			seen[n.Link]++
		}
		for link := range links {
			if seen[link] != 1 {
				t.Errorf("%s was told of %s %d times, want once", u.Name, link, seen[link])
			}
		}
		if len(seen) != threads {
			t.Errorf("%s has reply notifications for %d replies, want %d", u.Name, len(seen), threads)
		}
	}
}

// A reply acknowledged by one replica shows in its thread author's
// notifications read through another at once: the reader's replica
// delivers what the shared queue holds, though it counted none of it.
func TestAReplyOnOneReplicaNotifiesThroughAnotherAtOnce(t *testing.T) {
	url := pgtest.URL(t) // skips without PostgreSQL
	onStore := func(cfg *server.Config) { cfg.Store = url }
	c := newClass(t, onStore)
	other := pacertest.New(t, onStore)
	// The other replica's first reader delivers whatever a previous run
	// left; from then on its own count says it queued nothing.
	if err := other.Server.Discussion.DeliverReplies(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		thread, _ := c.thread(c.ann, c.general, fmt.Sprintf("Question %d", i), "Does anyone know?")
		reply := c.reply(c.bob, thread, 0, fmt.Sprintf("Answer %d", i))
		link := fmt.Sprintf("/threads/%d#post-%d", thread, reply)
		r := other.Do("GET", "/api/v1/notifications?limit=200", c.ann.Token, nil)
		if r.Status != 200 {
			t.Fatalf("notifications on the other replica: %d %s", r.Status, r.Body)
		}
		var l struct {
			Items []notificationJSON `json:"items"`
		}
		r.Decode(&l)
		told := 0
		for _, n := range l.Items {
			if n.Kind == "reply" && n.Link == link {
				told++
			}
		}
		if told != 1 {
			t.Fatalf("reply %d: the other replica shows %d notifications of it, want 1", i, told)
		}
	}
}
