// Package storetest is the contract of notify.Store: what every engine's
// implementation must do, checked the same way for each (the bbolt engine
// runs it in storage/bolt; the next engine runs it too).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"pacer/notify"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (notify.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("Add gives growing ids, keeps every field and counts unread", func(t *testing.T) { addKeepsFields(t, open) })
	t.Run("Newest pages a user newest first", func(t *testing.T) { newestPages(t, open) })
	t.Run("UpdateUnread rewrites only the user's unread notification", func(t *testing.T) { updateUnread(t, open) })
	t.Run("UnreadAmong reads many users' unread notifications at once", func(t *testing.T) { unreadAmong(t, open) })
	t.Run("MarkRead marks only the user's notifications", func(t *testing.T) { markRead(t, open) })
	t.Run("Queue, Put and Mail keep a mail", func(t *testing.T) { mailRoundTrip(t, open) })
	t.Run("Mails and NewestMails list the outbox", func(t *testing.T) { mailLists(t, open) })
	t.Run("Queued follows each mail's state and time", func(t *testing.T) { queued(t, open) })
	t.Run("Prunable and Delete clear old settled mail", func(t *testing.T) { prune(t, open) })
	t.Run("batches keep their head and entries", func(t *testing.T) { batches(t, open) })
	t.Run("SaveBatches applies many users' saves in order, at once", func(t *testing.T) { saveBatches(t, open) })
	t.Run("batch heads and prefs are read for many users at once", func(t *testing.T) { batchesAndPrefsOf(t, open) })
	t.Run("Prefs are zero until set", func(t *testing.T) { prefs(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
	t.Run("a cause is told once, even by two transactions at once", func(t *testing.T) { causeOnce(t, open) })
	t.Run("AddAll adds in order and leaves out causes told", func(t *testing.T) { addAll(t, open) })
	t.Run("QueueAll queues in order and leaves out causes told", func(t *testing.T) { queueAll(t, open) })
	t.Run("a mail's cause is queued once while the mail is kept", func(t *testing.T) { mailCauseOnce(t, open) })
}

// mailCauseOnce: a mail whose cause is queued is refused with
// ErrAlreadyTold, inside a transaction that goes on; Put keeps the cause;
// once the mail is deleted (pruned) its cause is free again.
func mailCauseOnce(t *testing.T, open Open) {
	s, run := open(t)
	m := mail(1, 0)
	m.Cause = "batch:1:0:1800000000"
	first := queue(t, s, m)
	if got := get(t, s, first.ID); got.Cause != m.Cause {
		t.Errorf("Mail's cause = %q, want %q", got.Cause, m.Cause)
	}
	err := run.Write(bg, func(ctx context.Context) error {
		if _, err := s.Queue(ctx, m); !errors.Is(err, notify.ErrAlreadyTold) {
			t.Errorf("Queue of a cause queued before: %v, want ErrAlreadyTold", err)
		}
		_, err := s.Queue(ctx, mail(1, 1))
		return err
	})
	if err != nil {
		t.Fatalf("a transaction that went on after a refused cause: %v", err)
	}
	if ms, _ := s.Mails(bg, 1); len(ms) != 2 {
		t.Fatalf("outbox = %v, want the first mail and the one without a cause", mailIDs(ms))
	}
	sent := get(t, s, first.ID)
	sent.State, sent.Cause = notify.MailSent, ""
	if err := s.Put(bg, sent); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Queue(bg, m); !errors.Is(err, notify.ErrAlreadyTold) {
		t.Errorf("Queue after a Put that left the cause out: %v, want ErrAlreadyTold", err)
	}
	if err := s.Delete(bg, []uint64{first.ID}); err != nil {
		t.Fatal(err)
	}
	if again := queue(t, s, m); again.ID <= first.ID {
		t.Errorf("a deleted mail's cause queued again under id %d", again.ID)
	}
}

// causeOnce: a notification whose cause was told is refused with
// ErrAlreadyTold, inside a transaction that goes on and commits the rest;
// a cause of an aborted attempt was never told; notifications with no
// cause are never refused; and of two transactions telling one cause at
// the same moment, one stores it.
func causeOnce(t *testing.T, open Open) {
	s, run := open(t)
	opened := note(1, 0)
	opened.Kind, opened.Title, opened.Cause = notify.KindModuleOpened, "Week 2 is open", "module_opened:3:7:1"
	first := add(t, s, opened)
	again := opened
	again.Title = "Week 2 is open (again)"
	err := run.Write(bg, func(ctx context.Context) error {
		if _, err := s.Add(ctx, again); !errors.Is(err, notify.ErrAlreadyTold) {
			t.Errorf("Add of a cause told before: %v, want ErrAlreadyTold", err)
		}
		// The refusal leaves the transaction usable.
		_, err := s.Add(ctx, note(1, 1))
		return err
	})
	if err != nil {
		t.Fatalf("a transaction that went on after a refused cause: %v", err)
	}
	page, _ := newest(t, s, 1, 0, 10)
	if len(page) != 2 || page[1].ID != first.ID || page[1].Title != opened.Title {
		t.Fatalf("notifications = %+v; want the first telling and the one without a cause", page)
	}
	if n := unread(t, s, 1); n != 2 {
		t.Errorf("%d unread, want 2", n)
	}
	add(t, s, note(1, 2))
	add(t, s, note(1, 2)) // no cause: told as often as asked

	// An aborted attempt told nothing: the cause is free for the next.
	missed := note(2, 0)
	missed.Kind, missed.Cause = notify.KindDeadlineMissed, "deadline_missed:3:7:2:1800000000"
	if err := run.Write(bg, func(ctx context.Context) error {
		if _, err := s.Add(ctx, missed); err != nil {
			return err
		}
		return errAbort
	}); !errors.Is(err, errAbort) {
		t.Fatalf("aborted attempt: %v", err)
	}
	add(t, s, missed)

	// Two transactions at once, each telling one cause: one stores it.
	soon := note(3, 0)
	soon.Kind, soon.Cause = notify.KindDeadlineSoon, "deadline_soon:3:7:3:1800000000"
	results := make(chan error, 2)
	start := make(chan struct{})
	for range 2 {
		go func() {
			<-start
			results <- run.Write(bg, func(ctx context.Context) error {
				_, err := s.Add(ctx, soon)
				return err
			})
		}()
	}
	close(start)
	told := 0
	for range 2 {
		switch err := <-results; {
		case err == nil:
			told++
		case !errors.Is(err, notify.ErrAlreadyTold):
			t.Errorf("a concurrent telling: %v", err)
		}
	}
	if page, _ := newest(t, s, 3, 0, 10); told != 1 || len(page) != 1 {
		t.Errorf("two tellings at once: %d succeeded, %d stored; want 1 and 1", told, len(page))
	}
}

var (
	at       = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	bg       = context.Background()
	errAbort = errors.New("abort")
)

func note(user uint64, n int) notify.Notification {
	return notify.Notification{UserID: user, CourseID: 3, Kind: notify.KindGraded, Title: "Graded " + string(rune('A'+n)),
		Body: "9/10", Link: "/courses/3", CreatedAt: at.Add(time.Duration(n) * time.Minute)}
}

func add(t *testing.T, s notify.Store, n notify.Notification) notify.Notification {
	t.Helper()
	got, err := s.Add(bg, n)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return got
}

func newest(t *testing.T, s notify.Store, user, before uint64, limit int) ([]notify.Notification, bool) {
	t.Helper()
	got, more, err := s.Newest(bg, user, before, limit)
	if err != nil {
		t.Fatalf("Newest(%d, %d, %d): %v", user, before, limit, err)
	}
	return got, more
}

func unread(t *testing.T, s notify.Store, user uint64) int {
	t.Helper()
	n, err := s.UnreadCount(bg, user)
	if err != nil {
		t.Fatalf("UnreadCount(%d): %v", user, err)
	}
	return n
}

func isUnread(t *testing.T, s notify.Store, user, id uint64) bool {
	t.Helper()
	ok, err := s.IsUnread(bg, user, id)
	if err != nil {
		t.Fatalf("IsUnread(%d, %d): %v", user, id, err)
	}
	return ok
}

func ids[T any](xs []T, id func(T) uint64) []uint64 {
	out := []uint64{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func noteIDs(ns []notify.Notification) []uint64 {
	return ids(ns, func(n notify.Notification) uint64 { return n.ID })
}

func mailIDs(ms []notify.Email) []uint64 { return ids(ms, func(m notify.Email) uint64 { return m.ID }) }

func addKeepsFields(t *testing.T, open Open) {
	s, _ := open(t)
	var last uint64
	for i, user := range []uint64{1, 2, 1} {
		in := note(user, i)
		in.Read = true // a new notification is unread whatever it says
		got := add(t, s, in)
		if got.ID <= last {
			t.Fatalf("id %d after %d: ids must grow", got.ID, last)
		}
		last = got.ID
		in.ID, in.Read = got.ID, false
		if got != in {
			t.Errorf("Add returned %+v, want %+v", got, in)
		}
		read, _ := newest(t, s, user, 0, 1)
		if len(read) != 1 {
			t.Fatalf("the newest of user %d: %v", user, noteIDs(read))
		}
		read[0].CreatedAt = in.CreatedAt // the instant, whatever its location
		if read[0] != in {
			t.Errorf("read back %+v, want %+v", read[0], in)
		}
		if !isUnread(t, s, user, got.ID) {
			t.Errorf("a new notification is not unread")
		}
		if isUnread(t, s, 3-user, got.ID) {
			t.Errorf("notification %d of user %d is unread for user %d", got.ID, user, 3-user)
		}
	}
	if n := unread(t, s, 1); n != 2 {
		t.Errorf("user 1 has %d unread, want 2", n)
	}
	if n := unread(t, s, 9); n != 0 {
		t.Errorf("a user without notifications has %d unread", n)
	}
	if isUnread(t, s, 1, 99) {
		t.Errorf("an unknown id is unread")
	}
}

func newestPages(t *testing.T, open Open) {
	s, _ := open(t)
	var want []uint64
	for i := range 7 {
		want = append(want, add(t, s, note(1, i)).ID)
		add(t, s, note(2, i))
	}
	slices.Reverse(want)
	var got []uint64
	before := uint64(0)
	for pages := 0; ; pages++ {
		page, more := newest(t, s, 1, before, 3)
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		got = append(got, noteIDs(page)...)
		if !more {
			break
		}
		if len(page) != 3 {
			t.Fatalf("a page with more after it holds %d, want the limit 3", len(page))
		}
		before = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages of user 1 = %v, want %v (newest first, no other user)", got, want)
	}
	if page, more := newest(t, s, 1, 0, 7); len(page) != 7 || more {
		t.Errorf("a limit of exactly all: %d items, more %v; want 7, false", len(page), more)
	}
	if page, more := newest(t, s, 3, 0, 10); len(page) != 0 || more {
		t.Errorf("a user without notifications: %v, more %v", noteIDs(page), more)
	}
}

func updateUnread(t *testing.T, open Open) {
	s, _ := open(t)
	n := add(t, s, note(1, 0))
	if ok, err := s.UpdateUnread(bg, 2, n.ID, "New", "body"); err != nil || ok {
		t.Errorf("another user's update: %v, %v; want false", ok, err)
	}
	if ok, err := s.UpdateUnread(bg, 1, 99, "New", "body"); err != nil || ok {
		t.Errorf("an unknown id's update: %v, %v; want false", ok, err)
	}
	if ok, err := s.UpdateUnread(bg, 1, n.ID, "New", "body"); err != nil || !ok {
		t.Fatalf("the user's unread update: %v, %v; want true", ok, err)
	}
	page, _ := newest(t, s, 1, 0, 1)
	if len(page) != 1 || page[0].Title != "New" || page[0].Body != "body" || page[0].Read {
		t.Errorf("after the update: %+v", page)
	}
	if err := s.MarkRead(bg, 1, []uint64{n.ID}, false); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.UpdateUnread(bg, 1, n.ID, "Newer", ""); err != nil || ok {
		t.Errorf("a read notification's update: %v, %v; want false", ok, err)
	}
	if page, _ := newest(t, s, 1, 0, 1); page[0].Title != "New" {
		t.Errorf("a read notification was rewritten: %+v", page[0])
	}
}

func markRead(t *testing.T, open Open) {
	s, _ := open(t)
	a := add(t, s, note(1, 0))
	b := add(t, s, note(1, 1))
	add(t, s, note(1, 2))
	other := add(t, s, note(2, 0))
	if err := s.MarkRead(bg, 1, []uint64{a.ID, other.ID, 99}, false); err != nil {
		t.Fatal(err)
	}
	if isUnread(t, s, 1, a.ID) || !isUnread(t, s, 1, b.ID) || !isUnread(t, s, 2, other.ID) {
		t.Errorf("MarkRead of a, another user's id and an unknown one: a %v, b %v, other %v",
			isUnread(t, s, 1, a.ID), isUnread(t, s, 1, b.ID), isUnread(t, s, 2, other.ID))
	}
	if err := s.MarkRead(bg, 1, []uint64{a.ID}, false); err != nil {
		t.Errorf("marking a read notification again: %v", err)
	}
	if err := s.MarkRead(bg, 1, nil, true); err != nil {
		t.Fatal(err)
	}
	if n := unread(t, s, 1); n != 0 {
		t.Errorf("after all, user 1 has %d unread", n)
	}
	if n := unread(t, s, 2); n != 1 {
		t.Errorf("user 1's all touched user 2: %d unread, want 1", n)
	}
	page, _ := newest(t, s, 1, 0, 10)
	for _, n := range page {
		if !n.Read {
			t.Errorf("notification %d is not read after all", n.ID)
		}
	}
}

func mail(user uint64, n int) notify.Email {
	t0 := at.Add(time.Duration(n) * time.Minute)
	return notify.Email{UserID: user, To: "u@example.org", Kind: notify.KindGraded, Subject: "Graded", Text: "t",
		HTML: "<p>t</p>", State: notify.MailPending, CreatedAt: t0, NextAttemptAt: t0}
}

func queue(t *testing.T, s notify.Store, m notify.Email) notify.Email {
	t.Helper()
	got, err := s.Queue(bg, m)
	if err != nil {
		t.Fatalf("Queue: %v", err)
	}
	return got
}

func get(t *testing.T, s notify.Store, id uint64) notify.Email {
	t.Helper()
	m, err := s.Mail(bg, id)
	if err != nil {
		t.Fatalf("Mail(%d): %v", id, err)
	}
	return m
}

func mailRoundTrip(t *testing.T, open Open) {
	s, _ := open(t)
	first := queue(t, s, mail(1, 0))
	m := queue(t, s, mail(1, 1))
	if first.ID == 0 || m.ID <= first.ID {
		t.Fatalf("ids %d then %d: ids must grow", first.ID, m.ID)
	}
	got := get(t, s, m.ID)
	if got.Subject != m.Subject || got.State != notify.MailPending || !got.NextAttemptAt.Equal(m.NextAttemptAt) {
		t.Errorf("Mail = %+v, want %+v", got, m)
	}
	sent := at.Add(time.Hour)
	got.State, got.SentAt, got.Attempts = notify.MailSent, &sent, 1
	if err := s.Put(bg, got); err != nil {
		t.Fatal(err)
	}
	again := get(t, s, m.ID)
	if again.State != notify.MailSent || again.SentAt == nil || !again.SentAt.Equal(sent) || again.Attempts != 1 {
		t.Errorf("after Put: %+v", again)
	}
	if _, err := s.Mail(bg, 99); !errors.Is(err, notify.ErrNoMail) {
		t.Errorf("Mail of an unknown id: %v, want ErrNoMail", err)
	}
	if err := s.Put(bg, notify.Email{ID: 99, State: notify.MailSent}); !errors.Is(err, notify.ErrNoMail) {
		t.Errorf("Put of an unknown id: %v, want ErrNoMail", err)
	}
}

func mailLists(t *testing.T, open Open) {
	s, _ := open(t)
	if ms, err := s.Mails(bg, 0); err != nil || len(ms) != 0 {
		t.Errorf("an empty outbox: %v, %v", mailIDs(ms), err)
	}
	var all, ones, sent []uint64
	for i := range 7 {
		m := mail(uint64(1+i%2), i)
		if i%3 == 0 {
			m.State = notify.MailSent
		}
		m = queue(t, s, m)
		all = append(all, m.ID)
		if m.UserID == 1 {
			ones = append(ones, m.ID)
		}
		if m.State == notify.MailSent {
			sent = append(sent, m.ID)
		}
	}
	if ms, err := s.Mails(bg, 0); err != nil || !slices.Equal(mailIDs(ms), all) {
		t.Errorf("Mails(0) = %v, %v; want %v, oldest first", mailIDs(ms), err, all)
	}
	if ms, err := s.Mails(bg, 1); err != nil || !slices.Equal(mailIDs(ms), ones) {
		t.Errorf("Mails(1) = %v, %v; want %v", mailIDs(ms), err, ones)
	}
	slices.Reverse(all)
	slices.Reverse(sent)
	for _, c := range []struct {
		state string
		want  []uint64
	}{{"", all}, {notify.MailSent, sent}, {notify.MailFailed, []uint64{}}} {
		var got []uint64
		before := uint64(0)
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			page, more, err := s.NewestMails(bg, c.state, before, 2)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, mailIDs(page)...)
			if !more {
				break
			}
			if len(page) != 2 {
				t.Fatalf("a page with more after it holds %d, want the limit 2", len(page))
			}
			before = page[len(page)-1].ID
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("NewestMails(%q) pages = %v, want %v", c.state, got, c.want)
		}
	}
	if page, more, err := s.NewestMails(bg, notify.MailSent, 0, len(sent)); err != nil || len(page) != len(sent) || more {
		t.Errorf("a limit of exactly all: %d items, more %v, %v", len(page), more, err)
	}
}

func queued(t *testing.T, open Open) {
	s, _ := open(t)
	late := mail(1, 0)
	late.NextAttemptAt = at.Add(time.Hour)
	late = queue(t, s, late)
	a := queue(t, s, mail(1, 1))
	b := queue(t, s, mail(2, 2))
	done := mail(1, 3)
	done.State = notify.MailSent
	queue(t, s, done)

	list := func(state string, until time.Time, limit int) []uint64 {
		t.Helper()
		ms, err := s.Queued(bg, state, until, limit)
		if err != nil {
			t.Fatalf("Queued(%s, %v, %d): %v", state, until, limit, err)
		}
		return mailIDs(ms)
	}
	if got := list(notify.MailPending, at.Add(30*time.Minute), 0); !slices.Equal(got, []uint64{a.ID, b.ID}) {
		t.Errorf("pending due by then = %v, want %v (earliest first)", got, []uint64{a.ID, b.ID})
	}
	if got := list(notify.MailPending, at.Add(time.Minute), 0); !slices.Equal(got, []uint64{a.ID}) {
		t.Errorf("pending due at exactly a's time = %v, want %v", got, []uint64{a.ID})
	}
	if got := list(notify.MailPending, time.Time{}, 0); !slices.Equal(got, []uint64{a.ID, b.ID, late.ID}) {
		t.Errorf("every pending mail = %v, want %v", got, []uint64{a.ID, b.ID, late.ID})
	}
	if got := list(notify.MailPending, time.Time{}, 1); !slices.Equal(got, []uint64{a.ID}) {
		t.Errorf("one pending mail = %v, want %v", got, []uint64{a.ID})
	}

	// Claiming moves a mail to the sending queue, at its claim.
	claimed := at.Add(2 * time.Hour)
	a.State, a.ClaimedAt, a.Attempts = notify.MailSending, &claimed, 1
	if err := s.Put(bg, a); err != nil {
		t.Fatal(err)
	}
	if got := list(notify.MailPending, time.Time{}, 0); !slices.Equal(got, []uint64{b.ID, late.ID}) {
		t.Errorf("pending after a's claim = %v", got)
	}
	if got := list(notify.MailSending, claimed, 0); !slices.Equal(got, []uint64{a.ID}) {
		t.Errorf("sending claimed by then = %v, want %v", got, []uint64{a.ID})
	}
	if got := list(notify.MailSending, claimed.Add(-time.Second), 0); len(got) != 0 {
		t.Errorf("sending claimed before the claim = %v", got)
	}
	// Settling takes it out, or back to pending at its next attempt.
	retry := at.Add(3 * time.Hour)
	a.State, a.ClaimedAt, a.NextAttemptAt = notify.MailPending, nil, retry
	if err := s.Put(bg, a); err != nil {
		t.Fatal(err)
	}
	if got := list(notify.MailSending, time.Time{}, 0); len(got) != 0 {
		t.Errorf("sending after a's retry = %v", got)
	}
	if got := list(notify.MailPending, time.Time{}, 0); !slices.Equal(got, []uint64{b.ID, late.ID, a.ID}) {
		t.Errorf("pending after a's retry = %v, want %v", got, []uint64{b.ID, late.ID, a.ID})
	}
	b.State = notify.MailFailed
	if err := s.Put(bg, b); err != nil {
		t.Fatal(err)
	}
	if got := list(notify.MailPending, time.Time{}, 0); !slices.Equal(got, []uint64{late.ID, a.ID}) {
		t.Errorf("pending after b failed = %v", got)
	}
	if got := list(notify.MailSent, time.Time{}, 0); len(got) != 0 {
		t.Errorf("a sent mail waits in no queue, got %v", got)
	}
}

func prune(t *testing.T, open Open) {
	s, _ := open(t)
	var mails []notify.Email
	for i, state := range []string{notify.MailSent, notify.MailPending, notify.MailPending, notify.MailFailed, notify.MailSending, notify.MailUnknown, notify.MailSent} {
		m := mail(1, i)
		m.State = state
		if i == 2 {
			m.Logged = true
		}
		if state == notify.MailSending {
			c := m.CreatedAt
			m.ClaimedAt = &c
		}
		mails = append(mails, queue(t, s, m))
	}
	cutoff := at.Add(6 * time.Minute) // the last mail is young
	list := func(logged bool, limit int) []uint64 {
		t.Helper()
		ms, err := s.Prunable(bg, cutoff, logged, limit)
		if err != nil {
			t.Fatal(err)
		}
		return mailIDs(ms)
	}
	settled := []uint64{mails[0].ID, mails[3].ID, mails[5].ID}
	if got := list(false, 100); !slices.Equal(got, settled) {
		t.Errorf("Prunable settled = %v, want %v", got, settled)
	}
	withLogged := []uint64{mails[0].ID, mails[2].ID, mails[3].ID, mails[5].ID}
	if got := list(true, 100); !slices.Equal(got, withLogged) {
		t.Errorf("Prunable with logged = %v, want %v", got, withLogged)
	}
	if got := list(true, 2); !slices.Equal(got, withLogged[:2]) {
		t.Errorf("Prunable with a limit of 2 = %v, want %v", got, withLogged[:2])
	}
	if err := s.Delete(bg, append(withLogged, 99)); err != nil {
		t.Fatal(err)
	}
	left, err := s.Mails(bg, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{mails[1].ID, mails[4].ID, mails[6].ID}; !slices.Equal(mailIDs(left), want) {
		t.Errorf("after Delete the outbox holds %v, want %v", mailIDs(left), want)
	}
	if ms, _ := s.Queued(bg, notify.MailPending, time.Time{}, 0); !slices.Equal(mailIDs(ms), []uint64{mails[1].ID}) {
		t.Errorf("the pending queue after Delete = %v, want only %d", mailIDs(ms), mails[1].ID)
	}
}

func batches(t *testing.T, open Open) {
	s, _ := open(t)
	b, err := s.Batch(bg, 5)
	if err != nil || b.User != 5 || b.Count != 0 || !b.FirstAt.IsZero() {
		t.Fatalf("a user without a batch: %+v, %v", b, err)
	}
	for i := range 3 {
		n := note(5, i)
		b.Count++
		if i == 0 {
			b.FirstAt = n.CreatedAt
		}
		if err := saveBatch(bg, s, b, &n); err != nil {
			t.Fatal(err)
		}
	}
	b.Dropped++
	if err := saveBatch(bg, s, b, nil); err != nil {
		t.Fatal(err)
	}
	other := notify.Batch{User: 2, Count: 1, FirstAt: at}
	n := note(2, 9)
	if err := saveBatch(bg, s, other, &n); err != nil {
		t.Fatal(err)
	}
	got, err := s.Batch(bg, 5)
	if err != nil || got.User != 5 || got.Count != 3 || got.Dropped != 1 || !got.FirstAt.Equal(at) {
		t.Errorf("Batch(5) = %+v, %v", got, err)
	}
	heads, err := s.AllBatches(bg)
	if err != nil || len(heads) != 2 || heads[0].User != 2 || heads[1].User != 5 || heads[1].Count != 3 {
		t.Errorf("AllBatches = %+v, %v; want users 2 and 5 in order", heads, err)
	}
	entries, err := s.TakeEntries(bg, 5)
	if err != nil || len(entries) != 3 {
		t.Fatalf("TakeEntries(5) = %d entries, %v; want 3", len(entries), err)
	}
	for i, e := range entries {
		if e.Title != note(5, i).Title {
			t.Errorf("entry %d is %q, want %q (in the order they came)", i, e.Title, note(5, i).Title)
		}
	}
	if again, _ := s.TakeEntries(bg, 5); len(again) != 0 {
		t.Errorf("entries taken twice: %d", len(again))
	}
	if err := s.DeleteBatch(bg, 2); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Batch(bg, 2); b.Count != 0 {
		t.Errorf("a deleted batch: %+v", b)
	}
	if e, _ := s.TakeEntries(bg, 2); len(e) != 0 {
		t.Errorf("a deleted batch kept %d entries", len(e))
	}
	if heads, _ := s.AllBatches(bg); len(heads) != 1 || heads[0].User != 5 {
		t.Errorf("AllBatches after a delete = %+v", heads)
	}
}

// saveBatch stores one batch head and the entry it adds (nil: none).
func saveBatch(ctx context.Context, s notify.Store, b notify.Batch, entry *notify.Notification) error {
	return s.SaveBatches(ctx, []notify.BatchSave{{Head: b, Entry: entry}})
}

// saveBatches: one SaveBatches of several users' saves, a user's more than
// once, ends as the saves applied one by one would: each user's last head,
// every entry (a number saved twice holding the later), heads kept with
// entries of their own (as older builds wrote them), and nothing of a
// user not named.
func saveBatches(t *testing.T, open Open) {
	s, _ := open(t)
	if err := s.SaveBatches(bg, nil); err != nil {
		t.Fatalf("SaveBatches of nothing: %v", err)
	}
	n := func(user uint64, i int) *notify.Notification { n := note(user, i); n.ID = uint64(100 + i); return &n }
	legacy := []notify.Notification{*n(9, 7)}
	legacy[0].ID = 0
	saves := []notify.BatchSave{
		{Head: notify.Batch{User: 7, Count: 1, FirstAt: at}, Entry: n(7, 0)},
		{Head: notify.Batch{User: 8, Count: 1, FirstAt: at.Add(time.Second)}, Entry: n(8, 1)},
		{Head: notify.Batch{User: 7, Count: 2, FirstAt: at}, Entry: n(7, 2)},
		{Head: notify.Batch{User: 7, Count: 2, Dropped: 1, FirstAt: at, LastMailAt: at.Add(-time.Hour)}},
		{Head: notify.Batch{User: 8, Count: 1, FirstAt: at.Add(time.Second)}, Entry: n(8, 3)},
		{Head: notify.Batch{User: 9, Count: 0, FirstAt: at, Entries: legacy}},
	}
	if err := s.SaveBatches(bg, saves); err != nil {
		t.Fatal(err)
	}
	heads, err := s.AllBatches(bg)
	if err != nil || len(heads) != 3 {
		t.Fatalf("AllBatches = %+v, %v; want users 7, 8 and 9", heads, err)
	}
	if h := heads[0]; h.User != 7 || h.Count != 2 || h.Dropped != 1 || !h.FirstAt.Equal(at) || !h.LastMailAt.Equal(at.Add(-time.Hour)) {
		t.Errorf("user 7's head = %+v, want the last saved", h)
	}
	if h := heads[1]; h.User != 8 || h.Count != 1 || !h.FirstAt.Equal(at.Add(time.Second)) || !h.LastMailAt.IsZero() {
		t.Errorf("user 8's head = %+v", h)
	}
	if h := heads[2]; h.User != 9 || len(h.Entries) != 1 || h.Entries[0].Title != legacy[0].Title || !h.Entries[0].CreatedAt.Equal(legacy[0].CreatedAt) {
		t.Errorf("user 9's head = %+v, want its own entry kept", h)
	}
	entries := func(user uint64) []string {
		t.Helper()
		es, err := s.TakeEntries(bg, user)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, fmt.Sprintf("%d %s %s", e.ID, e.Title, e.CreatedAt.UTC().Format(time.RFC3339Nano)))
		}
		return out
	}
	entry := func(e *notify.Notification) string {
		return fmt.Sprintf("%d %s %s", e.ID, e.Title, e.CreatedAt.UTC().Format(time.RFC3339Nano))
	}
	if got, want := entries(7), []string{entry(n(7, 0)), entry(n(7, 2))}; !slices.Equal(got, want) {
		t.Errorf("user 7's entries = %q, want %q", got, want)
	}
	if got, want := entries(8), []string{entry(n(8, 3))}; !slices.Equal(got, want) {
		t.Errorf("user 8's entries = %q, want %q (the later save of number 1)", got, want)
	}
	if b, _ := s.Batch(bg, 10); b.Count != 0 || b.User != 10 {
		t.Errorf("a user not saved has %+v", b)
	}
}

func prefs(t *testing.T, open Open) {
	s, _ := open(t)
	p, err := s.Prefs(bg, 4)
	if err != nil || p.Chosen != nil || !p.UpdatedAt.IsZero() {
		t.Fatalf("a user who never chose: %+v, %v", p, err)
	}
	set := notify.Prefs{Chosen: map[string]bool{notify.KindReply: false, notify.KindModuleOpened: true}, UpdatedAt: at}
	if err := s.SetPrefs(bg, 4, set); err != nil {
		t.Fatal(err)
	}
	p, err = s.Prefs(bg, 4)
	if err != nil || len(p.Chosen) != 2 || p.Chosen[notify.KindReply] || !p.Chosen[notify.KindModuleOpened] || !p.UpdatedAt.Equal(at) {
		t.Errorf("read back %+v, %v; want %+v", p, err, set)
	}
	if p, _ := s.Prefs(bg, 5); p.Chosen != nil {
		t.Errorf("another user's prefs: %+v", p)
	}
}

func joinsTransaction(t *testing.T, open Open) {
	s, run := open(t)
	err := run.Write(bg, func(ctx context.Context) error {
		n, err := s.Add(ctx, note(1, 0))
		if err != nil {
			return err
		}
		if page, _, err := s.Newest(ctx, 1, 0, 10); err != nil || len(page) != 1 {
			t.Errorf("inside the transaction the new notification is not seen: %v, %v", noteIDs(page), err)
		}
		if ok, err := s.IsUnread(ctx, 1, n.ID); err != nil || !ok {
			t.Errorf("inside the transaction it is not unread: %v, %v", ok, err)
		}
		m, err := s.Queue(ctx, mail(1, 0))
		if err != nil {
			return err
		}
		if got, err := s.Mail(ctx, m.ID); err != nil || got.ID != m.ID {
			t.Errorf("inside the transaction the queued mail is not seen: %v", err)
		}
		if err := saveBatch(ctx, s, notify.Batch{User: 1, Count: 1, FirstAt: at}, &n); err != nil {
			return err
		}
		if err := s.SetPrefs(ctx, 1, notify.Prefs{Chosen: map[string]bool{notify.KindReply: false}}); err != nil {
			return err
		}
		if p, err := s.Prefs(ctx, 1); err != nil || p.Chosen == nil {
			t.Errorf("inside the transaction the prefs are not seen: %+v, %v", p, err)
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	assertEmpty(t, s, "an aborted transaction")
}

// assertEmpty checks that user 1 has nothing stored.
func assertEmpty(t *testing.T, s notify.Store, after string) {
	t.Helper()
	if page, _ := newest(t, s, 1, 0, 10); len(page) != 0 {
		t.Errorf("%s left notifications %v", after, noteIDs(page))
	}
	if n := unread(t, s, 1); n != 0 {
		t.Errorf("%s left %d unread", after, n)
	}
	if ms, _ := s.Mails(bg, 0); len(ms) != 0 {
		t.Errorf("%s left mails %v", after, mailIDs(ms))
	}
	if ms, _ := s.Queued(bg, notify.MailPending, time.Time{}, 0); len(ms) != 0 {
		t.Errorf("%s left queued mails %v", after, mailIDs(ms))
	}
	if heads, _ := s.AllBatches(bg); len(heads) != 0 {
		t.Errorf("%s left batches %+v", after, heads)
	}
	if p, _ := s.Prefs(bg, 1); p.Chosen != nil {
		t.Errorf("%s left prefs %+v", after, p)
	}
}

func rerun(t *testing.T, open Open) {
	s, run := open(t)
	attempts := 0
	work := func(ctx context.Context) error {
		attempts++
		n, err := s.Add(ctx, note(1, 0))
		if err != nil {
			return err
		}
		b, err := s.Batch(ctx, 1)
		if err != nil {
			return err
		}
		b.Count++
		if err := saveBatch(ctx, s, b, &n); err != nil {
			return err
		}
		if _, err := s.Queue(ctx, mail(1, 0)); err != nil {
			return err
		}
		if attempts == 1 {
			return errAbort // as a conflict would make an engine retry
		}
		return nil
	}
	if err := run.Write(bg, work); !errors.Is(err, errAbort) {
		t.Fatalf("first attempt: %v", err)
	}
	assertEmpty(t, s, "a failed attempt")
	if err := run.Write(bg, work); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if page, _ := newest(t, s, 1, 0, 10); len(page) != 1 {
		t.Errorf("after a failed and a good attempt there are %d notifications, want 1", len(page))
	}
	if n := unread(t, s, 1); n != 1 {
		t.Errorf("after a failed and a good attempt %d are unread, want 1", n)
	}
	if ms, _ := s.Queued(bg, notify.MailPending, time.Time{}, 0); len(ms) != 1 {
		t.Errorf("after a failed and a good attempt %d mails are queued, want 1", len(ms))
	}
	if b, _ := s.Batch(bg, 1); b.Count != 1 {
		t.Errorf("after a failed and a good attempt the batch counts %d, want 1", b.Count)
	}
	if e, _ := s.TakeEntries(bg, 1); len(e) != 1 {
		t.Errorf("after a failed and a good attempt the batch holds %d entries, want 1", len(e))
	}
}

// addAll: AddAll stores each notification as Add would, in order (ids
// growing in the order given), returns a cause told before (or earlier in
// the same call) with ID 0 and stores nothing for it, and joins the
// caller's transaction, which goes on after it.
func addAll(t *testing.T, open Open) {
	s, run := open(t)
	told := note(1, 0)
	told.Cause = "module_opened:3:7:1"
	first := add(t, s, told)
	fresh := note(2, 1)
	fresh.Cause = "module_opened:3:7:2"
	ns := []notify.Notification{note(1, 2), told, fresh, note(2, 3), fresh}
	var got []notify.Notification
	err := run.Write(bg, func(ctx context.Context) error {
		var err error
		if got, err = s.AddAll(ctx, ns); err != nil {
			return err
		}
		_, err = s.Add(ctx, note(3, 4))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ns) {
		t.Fatalf("AddAll returned %d notifications, want %d", len(got), len(ns))
	}
	if got[1].ID != 0 || got[4].ID != 0 {
		t.Errorf("ids of causes told = %d and %d, want 0", got[1].ID, got[4].ID)
	}
	last := first.ID
	for _, i := range []int{0, 2, 3} {
		if got[i].ID <= last {
			t.Errorf("id of notification %d = %d, want above %d", i, got[i].ID, last)
		}
		last = got[i].ID
		want := ns[i]
		want.ID, want.Read = got[i].ID, false
		if g := got[i]; g.UserID != want.UserID || g.Title != want.Title || g.Kind != want.Kind || g.Cause != want.Cause || !g.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("notification %d = %+v, want %+v", i, g, want)
		}
	}
	if page, _ := newest(t, s, 1, 0, 10); len(page) != 2 || page[0].ID != got[0].ID || page[1].ID != first.ID {
		t.Errorf("user 1 has %+v, want the new one and the first telling", page)
	}
	if page, _ := newest(t, s, 2, 0, 10); len(page) != 2 || page[0].ID != got[3].ID || page[1].ID != got[2].ID || page[1].Title != fresh.Title {
		t.Errorf("user 2 has %+v, want two (the cause once)", page)
	}
	if n := unread(t, s, 3); n != 1 {
		t.Errorf("user 3: %d unread, want the one added after AddAll", n)
	}
}

// queueAll: QueueAll stores each mail as Queue would, every field kept, in
// order (ids growing in the order given), returns a cause queued before
// (or earlier in the same call) with ID 0 and stores nothing for it, and
// joins the caller's transaction, which goes on after it.
func queueAll(t *testing.T, open Open) {
	s, run := open(t)
	if got, err := s.QueueAll(bg, nil); err != nil || len(got) != 0 {
		t.Fatalf("QueueAll of nothing = %v, %v", got, err)
	}
	told := mail(1, 0)
	told.Cause = "announcement:3:1"
	first := queue(t, s, told)
	fresh := mail(2, 1)
	fresh.Cause, fresh.Unsubscribe, fresh.Kind = "announcement:3:2", "https://example.org/u/2", notify.KindAnnouncement
	plain := mail(3, 2)
	claimed := at.Add(time.Hour)
	plain.State, plain.ClaimedAt, plain.Attempts, plain.LastError, plain.Logged = notify.MailSending, &claimed, 2, "421 later", true
	ms := []notify.Email{mail(1, 3), told, fresh, plain, fresh}
	var got []notify.Email
	var after notify.Email
	err := run.Write(bg, func(ctx context.Context) error {
		var err error
		if got, err = s.QueueAll(ctx, ms); err != nil {
			return err
		}
		after, err = s.Queue(ctx, mail(4, 4))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ms) {
		t.Fatalf("QueueAll returned %d mails, want %d", len(got), len(ms))
	}
	if got[1].ID != 0 || got[4].ID != 0 {
		t.Errorf("ids of causes told = %d and %d, want 0", got[1].ID, got[4].ID)
	}
	last := first.ID
	for _, i := range []int{0, 2, 3} {
		if got[i].ID <= last {
			t.Errorf("id of mail %d = %d, want above %d", i, got[i].ID, last)
		}
		last = got[i].ID
		want := ms[i]
		want.ID = got[i].ID
		stored := get(t, s, got[i].ID)
		for _, g := range []notify.Email{got[i], stored} {
			if g.ID != want.ID || g.UserID != want.UserID || g.To != want.To || g.Kind != want.Kind || g.Subject != want.Subject ||
				g.Text != want.Text || g.HTML != want.HTML || g.Unsubscribe != want.Unsubscribe || g.State != want.State ||
				g.Attempts != want.Attempts || !g.NextAttemptAt.Equal(want.NextAttemptAt) || !g.CreatedAt.Equal(want.CreatedAt) ||
				(g.ClaimedAt == nil) != (want.ClaimedAt == nil) || (g.ClaimedAt != nil && !g.ClaimedAt.Equal(*want.ClaimedAt)) ||
				g.SentAt != nil || g.LastError != want.LastError || g.Logged != want.Logged {
				t.Errorf("mail %d = %+v, want %+v", i, g, want)
			}
		}
	}
	// The pending queue is in the order of next attempts (the minutes of
	// mail's second argument).
	if ms, _ := s.Queued(bg, notify.MailPending, time.Time{}, 0); !slices.Equal(mailIDs(ms), []uint64{first.ID, got[2].ID, got[0].ID, after.ID}) {
		t.Errorf("pending queue = %v, want the first, the two new pending mails and the one queued after, by next attempt", mailIDs(ms))
	}
	if ms, _ := s.Queued(bg, notify.MailSending, time.Time{}, 0); !slices.Equal(mailIDs(ms), []uint64{got[3].ID}) {
		t.Errorf("sending queue = %v, want the sending mail", mailIDs(ms))
	}
}
