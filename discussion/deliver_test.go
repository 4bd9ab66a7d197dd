package discussion_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
	"pacer/storage"
)

// queued asserts how many replies wait to be delivered.
func (c *class) queued(want int) {
	c.env.T.Helper()
	n, err := c.env.Server.Discussion.Queued()
	if err != nil {
		c.env.T.Fatal(err)
	}
	if n != want {
		c.env.T.Fatalf("%d replies queued, want %d", n, want)
	}
}

// Replies are stored at once and delivered behind: nothing reads
// notifications here, the clock is pinned, so they wait until the
// background delivery is due, and then one transaction delivers them all,
// each subscriber hearing once, of the first reply they have not read.
func TestRepliesQueuedTogetherAreDeliveredInOneTransactionOncePerSubscriber(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Week 3", "Is the quiz open?")
	if r := c.env.Do("PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), c.instr.Token, nil); r.Status != 204 {
		t.Fatalf("subscribe: %d", r.Status)
	}
	before := svc.Deliveries()

	r1 := c.reply(c.bob, thread, 0, "Not yet")
	r2 := c.reply(c.ta, thread, 0, "It opens on Monday, @Bob")
	r3 := c.reply(c.bob, thread, 0, "Thanks")
	c.queued(3)
	if err := svc.DeliverIfDue(); err != nil {
		t.Fatal(err)
	}
	if svc.Deliveries() != before {
		t.Fatal("a delivery ran before it was due")
	}
	c.queued(3)

	c.env.Clock.Advance(svc.DeliverEvery)
	if err := svc.DeliverIfDue(); err != nil {
		t.Fatal(err)
	}
	if got := svc.Deliveries() - before; got != 1 {
		t.Fatalf("three queued replies took %d delivery transactions, want 1", got)
	}
	c.queued(0)

	link := func(p uint64) string { return fmt.Sprintf("/threads/%d#post-%d", thread, p) }
	// Ann and the instructor hear of the first reply. The TA replied after
	// it, so has read it: they hear of Bob's "Thanks", the first reply
	// after theirs. Bob wrote the other two and was mentioned in the TA's
	// (the mention told him): no reply notification.
	want := map[string][]string{
		"Ann":             {link(r1)},
		"Ines Instructor": {link(r1)},
		"Tom Assistant":   {link(r3)},
		"Bob":             nil,
	}
	for _, u := range []pacertest.User{c.ann, c.instr, c.ta, c.bob} {
		var got []string
		for _, n := range c.notifications(u, "reply") {
			got = append(got, n.Link)
		}
		if fmt.Sprint(got) != fmt.Sprint(want[u.Name]) {
			t.Errorf("%s's reply notifications: %v, want %v", u.Name, got, want[u.Name])
		}
	}
	if ms := c.notifications(c.bob, "mention"); len(ms) != 1 || ms[0].Link != link(r2) {
		t.Errorf("Bob's mentions: %+v", ms)
	}
	// The search postings came with the delivery.
	if got := c.search(c.ann, "monday"); len(got) != 1 || got[0] != r2 {
		t.Errorf("search after delivery: %v, want [%d]", got, r2)
	}
}

// Every read of notifications, every search and every mail run first
// delivers what was acknowledged before it, so nobody sees a reply without
// the notification or the search hit it brings.
func TestReadersDeliverQueuedRepliesFirst(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Project", "Teams?")

	r := c.reply(c.bob, thread, 0, "Pairs, I think")
	c.queued(1)
	if got := c.search(c.ta, "pairs"); len(got) != 1 || got[0] != r {
		t.Fatalf("search right after the reply: %v", got)
	}
	c.queued(0)

	c.readNotifications(c.ann)
	c.reply(c.bob, thread, 0, "Or threes")
	c.queued(1)
	resp := c.env.Do("GET", "/api/v1/notifications?limit=1", c.ann.Token, nil)
	var page struct {
		Unread int `json:"unread"`
	}
	resp.Decode(&page)
	if page.Unread != 1 {
		t.Fatalf("Ann's unread count right after the replies: %d", page.Unread)
	}

	// Mail: the outbox run delivers first, so the reply is in Ann's batch.
	c.readNotifications(c.ann)
	c.reply(c.ta, thread, 0, "Threes, max")
	c.queued(1)
	outbox := c.env.Server.Outbox
	if _, err := outbox.SendOutbox(context.Background(), c.env.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c.queued(0)
	mails, err := outbox.Mails(c.ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 || !strings.Contains(mails[0].Text, "Threes, max") {
		t.Fatalf("Ann's mail after a queued reply: %+v", mails)
	}

	// With nothing queued, reading commits nothing.
	n := svc.Deliveries()
	c.notifications(c.ann, "reply")
	c.search(c.ann, "threes")
	if svc.Deliveries() != n {
		t.Error("reads with nothing queued ran a delivery")
	}
}

// A reader who has read a reply before it is delivered is not told of it.
func TestAReplyReadBeforeDeliveryIsNotNotified(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Readings", "Chapter 4?")
	c.reply(c.bob, thread, 0, "Yes, chapter 4")
	c.view(c.ann, thread, "")
	if ns := c.notifications(c.ann, "reply"); len(ns) != 0 {
		t.Fatalf("Ann read the reply first and was still told: %+v", ns)
	}
	c.reply(c.bob, thread, 0, "And 5")
	if ns := c.notifications(c.ann, "reply"); len(ns) != 1 {
		t.Fatalf("the next reply: %+v", ns)
	}
}

// What changed before delivery is delivered as it is then: a deleted reply
// notifies nobody and is not found, an edited one is found by its new
// words only, and a deleted thread's queue is dropped.
func TestDeliveryTakesRepliesAsTheyAreNow(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Exam", "When?")
	gone := c.reply(c.bob, thread, 0, "Friday afternoon")
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", gone), c.bob.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	edited := c.reply(c.ta, thread, 0, "Thursday morning")
	if r := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", edited), c.ta.Token, map[string]any{"body": "Wednesday evening"}); r.Status != 200 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	c.queued(2)
	ns := c.notifications(c.ann, "reply")
	if len(ns) != 1 || ns[0].Link != fmt.Sprintf("/threads/%d#post-%d", thread, edited) || !strings.Contains(ns[0].Body, "Wednesday") {
		t.Fatalf("Ann's notifications: %+v, want one of the edited reply", ns)
	}
	for q, want := range map[string]int{"friday": 0, "thursday": 0, "wednesday": 1} {
		if got := c.search(c.ann, q); len(got) != want {
			t.Errorf("search %q: %v, want %d hits", q, got, want)
		}
	}

	// A discussion item's thread goes with the item.
	mod := c.env.Module(c.instr, c.course, map[string]any{"title": "Week 1"})
	item := c.env.Item(c.instr, c.course, mod, map[string]any{"kind": "discussion", "title": "Introduce yourself"})
	r := c.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", c.course, item), c.instr.Token, nil)
	var it struct {
		ThreadID uint64 `json:"thread_id"`
	}
	r.Decode(&it)
	c.reply(c.ann, it.ThreadID, 0, "Hello, Ann here")
	c.queued(1)
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/items/%d", c.course, item), c.instr.Token, nil); r.Status != 204 {
		t.Fatalf("delete item: %d", r.Status)
	}
	if got := c.search(c.instr, "hello"); len(got) != 0 {
		t.Errorf("search after the item went: %v", got)
	}
	c.queued(0)
}

// The queue is in the store, so replies a process acknowledged but had not
// delivered when it ended (here: a copy of the file taken then, as a crash
// would leave it) are delivered by the next process, at its first read.
func TestRepliesQueuedWhenTheProcessEndsAreDeliveredByTheNext(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Labs", "Room?")
	r := c.reply(c.bob, thread, 0, "Lab 2B")
	c.queued(1)

	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, storage.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.env.Bolt().WriteBackup(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	next := &class{env: pacertest.New(t, func(cfg *server.Config) { cfg.DataDir = dir }), course: c.course}
	next.queued(1)
	ns := next.notifications(c.ann, "reply")
	if len(ns) != 1 || ns[0].Link != fmt.Sprintf("/threads/%d#post-%d", thread, r) {
		t.Fatalf("Ann's notifications in the next process: %+v", ns)
	}
	next.queued(0)
	if got := next.search(c.ann, "2b"); len(got) != 1 {
		t.Errorf("search in the next process: %v", got)
	}
}

// One delivery takes the queued replies of many threads, of different
// boards, and reads what decides who hears of them for all the threads at
// once: each thread's audience hears as if its thread had been delivered
// alone (the Q&A rule, a reply deleted before its delivery, replies read
// by replying).
func TestOneDeliveryTellsTheAudiencesOfManyThreads(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	carl := c.env.Register("Carl")
	c.env.Enroll(carl, c.course)
	t1, _ := c.thread(c.ann, c.general, "Week 3", "Is the quiz open?")
	t2, _ := c.thread(c.ann, c.qaBoard(), "Is the median the middle value", "?")
	t3, _ := c.thread(c.bob, c.general, "Study group", "Who is in?")
	if r := c.env.Do("PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", t2), c.bob.Token, nil); r.Status != 204 {
		t.Fatalf("subscribe: %d", r.Status)
	}
	c.env.Clock.Advance(svc.DeliverEvery)
	if err := svc.DeliverIfDue(); err != nil {
		t.Fatal(err)
	}
	before := svc.Deliveries()

	r1 := c.reply(c.bob, t1, 0, "Not yet")
	r2 := c.reply(carl, t2, 0, "After sorting, yes")
	r3 := c.reply(c.ta, t3, 0, "Me")
	r4 := c.reply(carl, t3, 0, "Me too")
	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", r3), c.ta.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	// Ann reads the Q&A thread before the delivery, and her mark is
	// written to the store (the delivery reads the stored marks of every
	// thread at once).
	c.view(c.ann, t2, "")
	if err := svc.FlushReads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.storedMark(t2, c.ann) != r2 {
		t.Fatalf("Ann's stored mark in the Q&A thread: %d, want %d", c.storedMark(t2, c.ann), r2)
	}
	c.queued(4)
	c.env.Clock.Advance(svc.DeliverEvery)
	if err := svc.DeliverIfDue(); err != nil {
		t.Fatal(err)
	}
	if got := svc.Deliveries() - before; got != 1 {
		t.Fatalf("replies in three threads took %d delivery transactions, want 1", got)
	}
	c.queued(0)

	link := func(thread, p uint64) string { return fmt.Sprintf("/threads/%d#post-%d", thread, p) }
	// Ann read Carl's answer before it was delivered: she is not told
	// of it. Bob subscribed to the Q&A thread without replying there: he
	// may not see Carl's answer. The TA replied in Bob's thread (then
	// deleted it): subscribed by replying, they hear of Carl's reply
	// after it.
	want := map[string][]string{
		"Ann":             {link(t1, r1)},
		"Ines Instructor": {link(t1, r1), link(t2, r2), link(t3, r4)},
		"Tom Assistant":   {link(t1, r1), link(t2, r2), link(t3, r4)},
		"Bob":             {link(t3, r4)},
		"Carl":            nil,
	}
	for _, u := range []pacertest.User{c.ann, c.instr, c.ta, c.bob, carl} {
		var got []string
		for _, n := range c.notifications(u, "reply") {
			got = append(got, n.Link)
		}
		slices.Sort(got)
		slices.Sort(want[u.Name])
		if fmt.Sprint(got) != fmt.Sprint(want[u.Name]) {
			t.Errorf("%s's reply notifications: %v, want %v", u.Name, got, want[u.Name])
		}
	}
}
