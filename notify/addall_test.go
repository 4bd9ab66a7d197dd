package notify_test

import (
	"context"
	"testing"
	"time"

	"pacer/notify"
)

// AddAll stores several users' notifications in one transaction and reads
// their e-mail preferences and batches once; what is mailed is what one
// Add per notification would mail.
func TestAddAllMailsWhatAddingOneByOneWould(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann, bob, cid := e.Register("Ann"), e.Register("Bob"), e.Register("Cid")
	if r := e.Do("PUT", "/api/v1/me/email-preferences", bob.Token, map[string]bool{"reply": false}); r.Status != 200 {
		t.Fatalf("prefs: %d %s", r.Status, r.Body)
	}
	t0 := e.Clock.Now()
	// Ann's batch already holds a reply: AddAll adds to it.
	e.notify(t, ann, notify.KindReply, "New reply in “Week 1”", "first")
	e.Clock.Advance(time.Minute)
	note := func(u uint64, kind, title string) notify.Notification {
		return notify.Notification{UserID: u, CourseID: 1, Kind: kind, Title: title, Body: title, Link: "/courses/1"}
	}
	in := []notify.Notification{
		note(ann.ID, notify.KindReply, "second"),
		note(bob.ID, notify.KindReply, "not mailed: Bob turned replies off"),
		note(cid.ID, notify.KindMention, "Cid mentioned"),
		note(ann.ID, notify.KindMention, "Ann mentioned"),
		note(bob.ID, notify.KindGraded, "Graded: Essay"),
	}
	out, err := e.Server.Notify.AddAll(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("AddAll returned %d, want %d", len(out), len(in))
	}
	for i, n := range out {
		if n.ID == 0 || n.UserID != in[i].UserID || n.Title != in[i].Title || !n.CreatedAt.Equal(e.Clock.Now()) {
			t.Errorf("AddAll[%d] = %+v, want %q of %d stored now", i, n, in[i].Title, in[i].UserID)
		}
		if i > 0 && n.ID <= out[i-1].ID {
			t.Errorf("ids not in the order given: %d after %d", n.ID, out[i-1].ID)
		}
	}
	// The grade is mailed at once; the batches wait for their window.
	e.send(t)
	if got := e.srv.messages(); len(got) != 1 || got[0].To[0] != bob.Email {
		t.Fatalf("before the window: %d messages, want Bob's grade only", len(got))
	}
	// Window after the first entry of each: Ann's at t0, Cid's a minute later.
	e.Clock.Set(t0.Add(16*time.Minute + time.Second))
	e.send(t)
	subjects := map[string]string{}
	for _, m := range e.srv.messages()[1:] {
		s, _ := new(mimeDecoder).DecodeHeader(parseMail(t, m.Raw).Header.Get("Subject"))
		subjects[m.To[0]] = s
	}
	want := map[string]string{ann.Email: "Pacer: 2 new replies and 1 mention", cid.Email: "You were mentioned: Cid mentioned"}
	if len(subjects) != len(want) {
		t.Errorf("batch mails to %v, want Ann and Cid", subjects)
	}
	for to, s := range want {
		if subjects[to] != s {
			t.Errorf("batch mail to %s: %q, want %q", to, subjects[to], s)
		}
	}
}
