package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/notify"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// notifySame fails t when the two engines answered differently.
func notifySame(t *testing.T, what string, fromBolt, fromPG any) {
	t.Helper()
	if !reflect.DeepEqual(fromBolt, fromPG) {
		t.Errorf("%s:\nbbolt      %#v\npostgresql %#v", what, fromBolt, fromPG)
	}
}

// notifyErrSame fails t when one engine failed and the other did not.
func notifyErrSame(t *testing.T, what string, boltErr, pgErr error) {
	t.Helper()
	if (boltErr == nil) != (pgErr == nil) || errors.Is(boltErr, notify.ErrNoMail) != errors.Is(pgErr, notify.ErrNoMail) {
		t.Errorf("%s: bbolt %v, postgresql %v", what, boltErr, pgErr)
	}
}

// notifyEmpty makes an empty list nil: the engines answer an empty
// answer one way or the other, which the contract does not tell apart.
func notifyEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestNotifyCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	src := bolt.NewNotify(db)
	base := time.Date(2026, 11, 2, 17, 45, 12, 123456000, time.UTC)
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	users := []uint64{0, 1, 2, 3, 4, 5, 6, 99}

	// Notifications: some read, one rewritten while unread.
	var notes []notify.Notification
	for i := range 9 {
		n, err := src.Add(ctx, notify.Notification{UserID: uint64(1 + i%3), CourseID: uint64(i % 2 * 7),
			Kind:  []string{notify.KindReply, notify.KindMention, notify.KindGraded}[i%3],
			Title: fmt.Sprintf("Antwort Nr. %d — «ünïcödé» 🚀", i), Body: fmt.Sprintf("body %d\nline two", i),
			Link: []string{"/courses/7/discussion/1", ""}[i%2], CreatedAt: at(i)})
		if err != nil {
			t.Fatal(err)
		}
		notes = append(notes, n)
	}
	if err := src.MarkRead(ctx, 1, []uint64{notes[0].ID, notes[3].ID, notes[1].ID}, false); err != nil {
		t.Fatal(err)
	}
	if err := src.MarkRead(ctx, 3, nil, true); err != nil {
		t.Fatal(err)
	}
	if ok, err := src.UpdateUnread(ctx, 2, notes[4].ID, "rewritten", "new body"); !ok || err != nil {
		t.Fatalf("UpdateUnread = %v, %v", ok, err)
	}

	// The outbox in every state.
	queue := func(m notify.Email) notify.Email {
		t.Helper()
		out, err := src.Queue(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mail := func(i int, user uint64) notify.Email {
		return notify.Email{UserID: user, To: fmt.Sprintf("user%d@example.org", user), Kind: notify.KindReply,
			Subject: fmt.Sprintf("Re: Frage %d ✉", i), Text: "text\r\nbody", HTML: "<p>html</p>",
			State: notify.MailPending, NextAttemptAt: at(100 + i), CreatedAt: at(i)}
	}
	var mails []notify.Email
	for i := range 8 {
		mails = append(mails, queue(mail(i, uint64(1+i%2))))
	}
	claimed, sent := at(200), at(201)
	rewrite := func(m notify.Email) {
		t.Helper()
		if err := src.Put(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	m := mails[1]
	m.State, m.ClaimedAt, m.Attempts = notify.MailSending, &claimed, 1
	rewrite(m)
	m = mails[2]
	m.State, m.SentAt, m.Attempts, m.Unsubscribe = notify.MailSent, &sent, 2, "/unsubscribe?t=abc"
	rewrite(m)
	m = mails[3]
	m.State, m.LastError, m.Attempts, m.NextAttemptAt = notify.MailFailed, "550 mailbox unavailable", 5, time.Time{}
	rewrite(m)
	m = mails[4]
	m.State, m.LastError = notify.MailUnknown, "interrupted while sending"
	rewrite(m)
	m = mails[5]
	m.Logged, m.Attempts, m.NextAttemptAt = true, 3, at(90)
	rewrite(m)
	m = mails[6]
	m.State, m.ClaimedAt = notify.MailSending, nil // claimed long ago, by a build that kept no claim
	rewrite(m)
	if err := src.Delete(ctx, []uint64{mails[7].ID}); err != nil {
		t.Fatal(err)
	}
	lastMail := queue(mail(8, 3))

	// Batches: one with entries, one head left after its entries were
	// taken, one with entries kept in the head as older builds did, one
	// deleted.
	entry := func(i int) *notify.Notification {
		return &notify.Notification{ID: notes[i].ID, CourseID: 7, Kind: notify.KindReply, Title: fmt.Sprintf("Eintrag %d 🙂", i),
			Body: "b", Link: "/x", CreatedAt: at(300 + i)}
	}
	save := func(b notify.Batch, e *notify.Notification) {
		t.Helper()
		if err := src.SaveBatches(ctx, []notify.BatchSave{{Head: b, Entry: e}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		save(notify.Batch{User: 1, Count: i, Dropped: i / 2, FirstAt: at(300), LastMailAt: at(250)}, entry(i))
	}
	save(notify.Batch{User: 1, Count: 3, Dropped: 1, FirstAt: at(300), LastMailAt: at(250)}, nil)
	save(notify.Batch{User: 2, Count: 1, FirstAt: at(310)}, entry(3))
	if _, err := src.TakeEntries(ctx, 2); err != nil {
		t.Fatal(err)
	}
	save(notify.Batch{User: 4, Count: 2, Dropped: 0, LastMailAt: at(10),
		Entries: []notify.Notification{*entry(5), {Kind: notify.KindMention, Title: "legacy", CreatedAt: at(320), Read: true}}}, nil)
	save(notify.Batch{User: 5, Count: 1, FirstAt: at(330)}, entry(6))
	if err := src.DeleteBatch(ctx, 5); err != nil {
		t.Fatal(err)
	}

	// Preferences: chosen, never chosen (nil), chosen then all cleared
	// (empty).
	prefs := map[uint64]notify.Prefs{
		1: {Chosen: map[string]bool{notify.KindReply: false, notify.KindGraded: true}, UpdatedAt: at(400)},
		2: {UpdatedAt: at(401)},
		3: {Chosen: map[string]bool{}, UpdatedAt: at(402)},
		6: {Chosen: map[string]bool{notify.KindMention: true}},
	}
	for u, p := range prefs {
		if err := src.SetPrefs(ctx, u, p); err != nil {
			t.Fatal(err)
		}
	}

	pg := pgtest.Open(t)
	dst := postgres.NewNotify(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "notify", From: src, To: dst}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	notifySame(t, "records copied per kind", map[string]int64{"notify/notifications": 9, "notify/mail_outbox": 8,
		"notify/mail_batches": 3, "notify/mail_batch_entries": 3, "notify/email_prefs": 4}, rep.Copied)

	// Notifications: every user's pages, unread counts and states.
	for _, u := range users {
		before := uint64(0)
		for page := 0; ; page++ {
			items, more, err := src.Newest(ctx, u, before, 2)
			pItems, pMore, pgErr := dst.Newest(ctx, u, before, 2)
			what := fmt.Sprintf("Newest user %d page %d", u, page)
			notifyErrSame(t, what, err, pgErr)
			notifySame(t, what, notifyEmpty(items), notifyEmpty(pItems))
			notifySame(t, what+" more", more, pMore)
			if !more || len(items) == 0 || page > 10 {
				break
			}
			before = items[len(items)-1].ID
		}
		n, _ := src.UnreadCount(ctx, u)
		pn, _ := dst.UnreadCount(ctx, u)
		notifySame(t, fmt.Sprint("UnreadCount ", u), n, pn)
		for id := uint64(0); id <= notes[len(notes)-1].ID+1; id++ {
			un, _ := src.IsUnread(ctx, u, id)
			pun, _ := dst.IsUnread(ctx, u, id)
			notifySame(t, fmt.Sprintf("IsUnread user %d id %d", u, id), un, pun)
		}
	}

	// The outbox: each mail, the lists, the queues, the prunable.
	for id := uint64(0); id <= lastMail.ID+1; id++ {
		m, err := src.Mail(ctx, id)
		pm, pgErr := dst.Mail(ctx, id)
		notifyErrSame(t, fmt.Sprint("Mail ", id), err, pgErr)
		notifySame(t, fmt.Sprint("Mail ", id), m, pm)
	}
	for _, u := range users {
		ms, err := src.Mails(ctx, u)
		pms, pgErr := dst.Mails(ctx, u)
		notifyErrSame(t, fmt.Sprint("Mails ", u), err, pgErr)
		notifySame(t, fmt.Sprint("Mails ", u), notifyEmpty(ms), notifyEmpty(pms))
	}
	states := []string{"", notify.MailPending, notify.MailSending, notify.MailSent, notify.MailFailed, notify.MailUnknown}
	for _, state := range states {
		before := uint64(0)
		for page := 0; ; page++ {
			items, more, err := src.NewestMails(ctx, state, before, 3)
			pItems, pMore, pgErr := dst.NewestMails(ctx, state, before, 3)
			what := fmt.Sprintf("NewestMails %q page %d", state, page)
			notifyErrSame(t, what, err, pgErr)
			notifySame(t, what, notifyEmpty(items), notifyEmpty(pItems))
			notifySame(t, what+" more", more, pMore)
			if !more || len(items) == 0 || page > 10 {
				break
			}
			before = items[len(items)-1].ID
		}
	}
	for _, state := range states {
		for _, until := range []time.Time{{}, at(95), at(104), at(200), at(1000)} {
			for _, limit := range []int{0, 1, 2} {
				ms, err := src.Queued(ctx, state, until, limit)
				pms, pgErr := dst.Queued(ctx, state, until, limit)
				what := fmt.Sprintf("Queued %q until %v limit %d", state, until, limit)
				notifyErrSame(t, what, err, pgErr)
				notifySame(t, what, notifyEmpty(ms), notifyEmpty(pms))
			}
		}
	}
	for _, cutoff := range []time.Time{at(0), at(3), at(6), at(100)} {
		for _, logged := range []bool{false, true} {
			ms, err := src.Prunable(ctx, cutoff, logged, 10)
			pms, pgErr := dst.Prunable(ctx, cutoff, logged, 10)
			what := fmt.Sprintf("Prunable %v logged %v", cutoff, logged)
			notifyErrSame(t, what, err, pgErr)
			notifySame(t, what, notifyEmpty(ms), notifyEmpty(pms))
		}
	}

	// Batches, heads first, then the entries taken away.
	bs, err := src.AllBatches(ctx)
	pbs, pgErr := dst.AllBatches(ctx)
	notifyErrSame(t, "AllBatches", err, pgErr)
	notifySame(t, "AllBatches", bs, pbs)
	if len(bs) != 3 || len(bs[2].Entries) != 2 {
		t.Errorf("AllBatches = %+v; want three heads, the last with its two entries", bs)
	}
	for _, u := range users {
		b, err := src.Batch(ctx, u)
		pb, pgErr := dst.Batch(ctx, u)
		notifyErrSame(t, fmt.Sprint("Batch ", u), err, pgErr)
		notifySame(t, fmt.Sprint("Batch ", u), b, pb)
	}
	for _, u := range users {
		es, err := src.TakeEntries(ctx, u)
		pes, pgErr := dst.TakeEntries(ctx, u)
		notifyErrSame(t, fmt.Sprint("TakeEntries ", u), err, pgErr)
		// bbolt keeps no user in an entry (it reads back as 0);
		// PostgreSQL answers the batch's.
		for i := range pes {
			if pes[i].UserID != u {
				t.Errorf("TakeEntries %d: entry of user %d", u, pes[i].UserID)
			}
			pes[i].UserID = 0
		}
		notifySame(t, fmt.Sprint("TakeEntries ", u), notifyEmpty(es), notifyEmpty(pes))
		if u == 1 && len(es) != 3 {
			t.Errorf("TakeEntries 1 = %d entries, want 3", len(es))
		}
	}

	// Preferences.
	for _, u := range users {
		p, err := src.Prefs(ctx, u)
		pp, pgErr := dst.Prefs(ctx, u)
		notifyErrSame(t, fmt.Sprint("Prefs ", u), err, pgErr)
		notifySame(t, fmt.Sprint("Prefs ", u), p, pp)
	}

	// Ids given after the copy come past the copied ones.
	n, err := dst.Add(ctx, notify.Notification{UserID: 1, Kind: notify.KindReply, Title: "new", CreatedAt: at(500)})
	if err != nil || n.ID <= notes[len(notes)-1].ID {
		t.Errorf("Add after the copy: id %d, %v; want past %d", n.ID, err, notes[len(notes)-1].ID)
	}
	qm, err := dst.Queue(ctx, mail(9, 1))
	if err != nil || qm.ID <= lastMail.ID {
		t.Errorf("Queue after the copy: id %d, %v; want past %d", qm.ID, err, lastMail.ID)
	}
}

// TestNotifyCopyPendingWithoutAttempt: a pending mail with no next
// attempt cannot be held by the PostgreSQL outbox; the copy fails naming
// it and leaves nothing behind.
func TestNotifyCopyPendingWithoutAttempt(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	src := bolt.NewNotify(db)
	if _, err := src.Add(ctx, notify.Notification{UserID: 1, Kind: notify.KindReply, Title: "t", CreatedAt: time.Unix(1, 0).UTC()}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Queue(ctx, notify.Email{UserID: 1, To: "a@example.org", Kind: notify.KindReply, State: notify.MailPending,
		CreatedAt: time.Unix(1, 0).UTC()}); err != nil {
		t.Fatal(err)
	}
	pg := pgtest.Open(t)
	dst := postgres.NewNotify(pg)
	_, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "notify", From: src, To: dst}}, nil, io.Discard)
	if err == nil {
		t.Fatal("a pending mail without a next attempt was copied")
	}
	t.Log(err)
	if items, _, _ := dst.Newest(ctx, 1, 0, 10); len(items) != 0 {
		t.Errorf("a failed copy left %d notifications", len(items))
	}
}
