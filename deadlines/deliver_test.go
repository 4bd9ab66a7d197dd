package deadlines_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
	"pacer/storage"
)

// hand is a course open since an hour before the test clock, so that
// work is handed in without moving the clock: with the clock pinned, the
// scheduled delivery never runs unless a test moves it on.
type hand struct {
	env            *pacertest.Env
	inst, ta       pacertest.User
	learners       []pacertest.User
	course, module uint64
	essay          uint64
}

func newHand(t *testing.T, modify ...func(*server.Config)) *hand {
	t.Helper()
	env := pacertest.New(t, append([]func(*server.Config){func(c *server.Config) {
		c.AccessTTL = 5 * 365 * 24 * time.Hour
		c.Tick = 1000 * time.Hour
	}}, modify...)...)
	h := &hand{env: env, inst: env.Register("Ines"), ta: env.Register("Tara")}
	h.course = env.Course(h.inst, map[string]any{"title": "Statistics", "pacing": "scheduled",
		"starts_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339), "timezone": "UTC"})
	env.SetRole(h.inst, h.course, h.ta, "ta")
	h.module = env.Module(h.inst, h.course, map[string]any{"title": "Week 1", "week": 1})
	h.essay = h.item("Essay")
	for _, name := range []string{"Ann", "Bob", "Cara"} {
		u := env.Register(name)
		env.Enroll(u, h.course)
		h.learners = append(h.learners, u)
	}
	return h
}

// item adds an assignment to the course's week.
func (h *hand) item(title string) uint64 {
	return h.env.Item(h.inst, h.course, h.module, map[string]any{"kind": "assignment", "title": title, "points": 10})
}

// submit hands in work as u, and wants it taken.
func (h *hand) submit(u pacertest.User, item uint64) {
	h.env.T.Helper()
	r := h.env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", h.course, item), u.Token, map[string]any{"body": "my work"})
	if r.Status != 201 {
		h.env.T.Fatalf("submit: %d %s", r.Status, r.Body)
	}
}

// queued asserts how many submissions wait to be delivered.
func (h *hand) queued(want int) {
	h.env.T.Helper()
	n, err := h.env.Server.Deadlines.Queued()
	if err != nil {
		h.env.T.Fatal(err)
	}
	if n != want {
		h.env.T.Fatalf("%d submissions queued, want %d", n, want)
	}
}

// submitted is u's "submitted" notifications, newest first.
func (h *hand) submitted(u pacertest.User) []notification {
	h.env.T.Helper()
	var out []notification
	for _, n := range notifications(h.env.T.(*testing.T), h.env, u) {
		if n.Kind == "submitted" {
			out = append(out, n)
		}
	}
	return out
}

// Submissions are stored at once and their staff notification delivered
// behind: nothing reads notifications here and the clock is pinned, so
// they wait until the scheduled delivery is due; then one transaction
// delivers them all, each staff member's notification counting the three
// and naming the last learner.
func TestSubmissionsQueuedTogetherAreDeliveredInOneTransaction(t *testing.T) {
	h := newHand(t)
	svc := h.env.Server.Deadlines
	before := svc.Deliveries()
	for _, u := range h.learners {
		h.submit(u, h.essay)
	}
	h.queued(3)
	if err := svc.DeliverIfDue(); err != nil {
		t.Fatal(err)
	}
	if svc.Deliveries() != before {
		t.Fatal("a delivery ran before it was due")
	}
	h.queued(3)

	h.env.Clock.Advance(svc.DeliverEvery())
	if err := svc.DeliverIfDue(); err != nil {
		t.Fatal(err)
	}
	if got := svc.Deliveries() - before; got != 1 {
		t.Fatalf("three queued submissions took %d delivery transactions, want 1", got)
	}
	h.queued(0)
	link := fmt.Sprintf("/courses/%d/items/%d/submissions", h.course, h.essay)
	for _, u := range []pacertest.User{h.inst, h.ta} {
		ns := h.submitted(u)
		if len(ns) != 1 || ns[0].Title != "3 new submissions to Essay" || !strings.Contains(ns[0].Body, "the latest is from Cara") || ns[0].Link != link {
			t.Errorf("%s's submitted notifications: %+v, want one counting three, the latest Cara's", u.Name, ns)
		}
	}
	for _, u := range h.learners {
		if ns := h.submitted(u); len(ns) != 0 {
			t.Errorf("learner %s was told of submissions: %+v", u.Name, ns)
		}
	}
	if got := svc.Deliveries() - before; got != 1 {
		t.Errorf("reads with nothing queued ran %d more deliveries", got-1)
	}
}

// Every read of notifications first delivers what was acknowledged before
// it: the unread count and the list show each submission at once, and a
// run delivered on top of an unread notification counts on from it.
func TestReadersDeliverQueuedSubmissionsFirst(t *testing.T) {
	h := newHand(t)
	svc := h.env.Server.Deadlines
	ann, bob := h.learners[0], h.learners[1]

	h.submit(ann, h.essay)
	h.queued(1)
	var page struct {
		Unread int `json:"unread"`
	}
	h.env.Do("GET", "/api/v1/notifications?limit=1", h.inst.Token, nil).Decode(&page)
	if page.Unread != 1 {
		t.Fatalf("the instructor's unread count right after the submission: %d, want 1", page.Unread)
	}
	h.queued(0)

	h.submit(bob, h.essay)
	h.queued(1)
	ns := h.submitted(h.ta)
	if len(ns) != 1 || ns[0].Title != "2 new submissions to Essay" || !strings.Contains(ns[0].Body, "Bob") {
		t.Fatalf("the TA's notifications right after the second submission: %+v", ns)
	}
	h.queued(0)

	// Reading marks all read after delivering: the next submission starts a
	// new notification, "read all" covering what was acknowledged before it.
	h.submit(h.learners[2], h.essay)
	if r := h.env.Do("POST", "/api/v1/notifications/read", h.inst.Token, map[string]any{"all": true}); r.Status != 200 && r.Status != 204 {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	h.submit(ann, h.essay)
	ns = h.submitted(h.inst)
	if len(ns) != 2 || ns[0].Title != "New submission to Essay" || ns[1].Title != "3 new submissions to Essay" {
		t.Fatalf("the instructor's notifications after reading all: %+v", ns)
	}

	// With nothing queued, reading commits nothing.
	n := svc.Deliveries()
	h.submitted(h.inst)
	h.submitted(h.ta)
	if svc.Deliveries() != n {
		t.Error("reads with nothing queued ran a delivery")
	}
}

// Each item's run of submissions is told on its own, and submissions to
// an item deleted before delivery notify nobody and leave the queue.
func TestSubmissionsToADeletedItemAreDroppedAtDelivery(t *testing.T) {
	h := newHand(t)
	quiz := h.item("Reflection")
	gone := h.item("Draft")
	h.submit(h.learners[0], h.essay)
	h.submit(h.learners[1], gone)
	h.submit(h.learners[2], quiz)
	h.submit(h.learners[0], gone)
	h.queued(4)
	if r := h.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/items/%d", h.course, gone), h.inst.Token, nil); r.Status != 204 {
		t.Fatalf("delete item: %d %s", r.Status, r.Body)
	}
	ns := h.submitted(h.inst)
	h.queued(0)
	var titles []string
	for _, n := range ns {
		titles = append(titles, n.Title)
	}
	if len(ns) != 2 || !strings.Contains(strings.Join(titles, "|"), "New submission to Essay") ||
		!strings.Contains(strings.Join(titles, "|"), "New submission to Reflection") {
		t.Errorf("the instructor's notifications: %q, want one for Essay and one for Reflection", titles)
	}
}

// A course deleted with submissions still queued takes them with it: they
// notify nobody, then or later.
func TestACourseDeletedWithQueuedSubmissionsNotifiesNobody(t *testing.T) {
	h := newHand(t)
	// The course is deleted the way a course with work handed in is: its
	// members but the instructor removed, unpublished.
	h.submit(h.learners[0], h.essay)
	h.queued(1)
	for _, u := range append([]pacertest.User{h.ta}, h.learners...) {
		if r := h.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", h.course, u.ID), h.inst.Token, nil); r.Status != 204 {
			t.Fatalf("remove %s: %d %s", u.Name, r.Status, r.Body)
		}
	}
	if r := h.env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", h.course), h.inst.Token, map[string]any{"published": false}); r.Status != 200 {
		t.Fatalf("unpublish: %d %s", r.Status, r.Body)
	}
	h.queued(1)
	if r := h.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", h.course), h.inst.Token, nil); r.Status != 204 {
		t.Fatalf("delete course: %d %s", r.Status, r.Body)
	}
	h.queued(0)
	if ns := h.submitted(h.inst); len(ns) != 0 {
		t.Errorf("the instructor was told of work in a deleted course: %+v", ns)
	}
}

// The queue is in the store, so submissions a process acknowledged but had
// not delivered when it ended (here: a copy of the file taken then, as a
// crash would leave it) are delivered by the next process, at its first
// read; and a process that stops cleanly delivers what is queued first.
func TestSubmissionsQueuedWhenTheProcessEndsAreDeliveredByTheNext(t *testing.T) {
	h := newHand(t)
	db := h.env.Bolt() // skips on PostgreSQL: the point is the file
	h.submit(h.learners[0], h.essay)
	h.submit(h.learners[1], h.essay)
	h.queued(2)

	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, storage.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.WriteBackup(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	next := &hand{env: pacertest.New(t, func(c *server.Config) {
		c.DataDir = dir
		c.AccessTTL = 5 * 365 * 24 * time.Hour
		c.Tick = 1000 * time.Hour
	}), inst: h.inst, course: h.course, essay: h.essay}
	next.queued(2)
	ns := next.submitted(h.inst)
	if len(ns) != 1 || ns[0].Title != "2 new submissions to Essay" || !strings.Contains(ns[0].Body, "Bob") {
		t.Fatalf("the instructor's notifications in the next process: %+v", ns)
	}
	next.queued(0)

	// A clean stop delivers: the process after it finds nothing queued and
	// the notification stored.
	h.submit(h.learners[2], h.essay)
	h.queued(3) // this process's own queue: the copy delivered the first two there
	if err := h.env.Server.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	again := &hand{env: pacertest.New(t, func(c *server.Config) {
		c.DataDir = h.env.Dir
		c.AccessTTL = 5 * 365 * 24 * time.Hour
		c.Tick = 1000 * time.Hour
	}), inst: h.inst}
	again.queued(0)
	ns = again.submitted(h.inst)
	if len(ns) != 1 || ns[0].Title != "3 new submissions to Essay" || !strings.Contains(ns[0].Body, "Cara") {
		t.Fatalf("the instructor's notifications after a clean stop: %+v", ns)
	}
}
