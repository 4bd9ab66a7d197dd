package discussion_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
)

// counts tallies each user's notifications of the discussion kinds.
func (c *class) counts(users ...pacertest.User) map[string]int {
	c.env.T.Helper()
	out := map[string]int{}
	for _, u := range users {
		for _, n := range c.notifications(u, "reply", "mention", "endorsed", "answer") {
			out[u.Name+" "+n.Kind]++
		}
	}
	return out
}

func wantCounts(t *testing.T, step string, got, want map[string]int) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("after %s: %s = %d, want %d (all: %v)", step, k, got[k], v, got)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != 0 {
			t.Errorf("after %s: unexpected %s = %d (all: %v)", step, k, v, got)
		}
	}
}

func TestEachSubscriberHearsOfNewRepliesOnceUntilTheyReadAndNobodyOfTheirOwn(t *testing.T) {
	c := newClass(t)
	// Staff follow every thread by default (follow_test.go); here they
	// hear only of what they subscribe to.
	c.unfollow(c.instr)
	c.unfollow(c.ta)
	everyone := []pacertest.User{c.ann, c.bob, c.ta, c.instr, c.ed}
	thread, _ := c.thread(c.ann, c.general, "Study group", "Who is in?")
	wantCounts(t, "a new thread", c.counts(everyone...), map[string]int{})

	c.reply(c.bob, thread, 0, "Me")
	wantCounts(t, "Bob's reply", c.counts(everyone...), map[string]int{"Ann reply": 1})

	// Ann has not read her notification yet: it stands for this reply too.
	c.reply(c.ta, thread, 0, "I can host it")
	wantCounts(t, "the TA's reply", c.counts(everyone...), map[string]int{"Ann reply": 1, "Bob reply": 1})

	r := c.env.Do("PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), c.instr.Token, nil)
	if r.Status != 204 {
		t.Fatalf("subscribe: %d", r.Status)
	}
	c.reply(c.bob, thread, 0, "When?")
	wantCounts(t, "Bob's second reply", c.counts(everyone...),
		map[string]int{"Ann reply": 1, "Bob reply": 1, "Tom Assistant reply": 1, "Ines Instructor reply": 1})

	// Reading her notifications makes the next reply notify Ann again.
	c.readNotifications(c.ann)
	c.reply(c.ta, thread, 0, "Tuesday?")
	wantCounts(t, "Ann read hers", c.counts(everyone...),
		map[string]int{"Ann reply": 2, "Bob reply": 1, "Tom Assistant reply": 1, "Ines Instructor reply": 1})

	if r := c.env.Do("DELETE", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), c.ann.Token, nil); r.Status != 204 {
		t.Fatalf("unsubscribe: %d", r.Status)
	}
	// Replying again does not undo Ann's opt-out.
	c.readNotifications(c.ann)
	c.readNotifications(c.bob)
	c.reply(c.ann, thread, 0, "Tuesday")
	c.reply(c.ta, thread, 0, "Tuesday works")
	wantCounts(t, "Ann unsubscribed", c.counts(everyone...),
		map[string]int{"Ann reply": 2, "Bob reply": 2, "Tom Assistant reply": 1, "Ines Instructor reply": 1})
	if c.view(c.ann, thread, "").Thread.Subscribed {
		t.Error("Ann's thread view says she is still subscribed")
	}
}

func TestRepliesToAThreadShareOneUnreadNotificationAndOneEmail(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Week 2", "Which exercises count?")
	first := c.reply(c.bob, thread, 0, "The odd ones")
	c.reply(c.ta, thread, 0, "All of them")

	ns := c.notifications(c.ann, "reply")
	if len(ns) != 1 || ns[0].Read {
		t.Fatalf("two replies gave Ann %+v, want one unread notification", ns)
	}
	if want := fmt.Sprintf("/threads/%d#post-%d", thread, first); ns[0].Link != want || ns[0].Body != "Bob: The odd ones" {
		t.Errorf("the notification tells of %q (%q), want the first unread reply %q", ns[0].Link, ns[0].Body, want)
	}

	// The e-mail side coalesces the same way: one reply in Ann's batch.
	outbox := c.env.Server.Outbox
	if _, err := outbox.SendOutbox(context.Background(), c.env.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mails, err := outbox.Mails(c.ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 || strings.Count(mails[0].Text, "/threads/") != 1 || strings.Contains(mails[0].Subject, "replies") {
		t.Fatalf("Ann's mail after two replies: %d mails %+v", len(mails), mails)
	}

	c.readNotifications(c.ann)
	third := c.reply(c.bob, thread, 0, "Check the syllabus")
	ns = c.notifications(c.ann, "reply")
	if len(ns) != 2 || ns[0].Read || !ns[1].Read || ns[0].Link != fmt.Sprintf("/threads/%d#post-%d", thread, third) {
		t.Fatalf("a reply after Ann read hers: %+v, want a new unread one for it", ns)
	}

	// A mention still notifies, unread reply notification or not.
	c.reply(c.ta, thread, 0, "@Ann see the syllabus, page 3")
	wantCounts(t, "a mention", c.counts(c.ann), map[string]int{"Ann reply": 2, "Ann mention": 1})
	c.reply(c.bob, thread, 0, "Thanks @Ann")
	wantCounts(t, "another mention", c.counts(c.ann), map[string]int{"Ann reply": 2, "Ann mention": 2})
}

func TestAResubscriberKeepsTheirUnreadReplyNotification(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Topic", "Start")
	c.reply(c.bob, thread, 0, "One")
	for _, method := range []string{"DELETE", "PUT"} {
		if r := c.env.Do(method, fmt.Sprintf("/api/v1/threads/%d/subscription", thread), c.ann.Token, nil); r.Status != 204 {
			t.Fatalf("%s subscription: %d", method, r.Status)
		}
	}
	c.reply(c.bob, thread, 0, "Two")
	wantCounts(t, "unsubscribing and subscribing again", c.counts(c.ann), map[string]int{"Ann reply": 1})
	if !c.view(c.ann, thread, "").Thread.Subscribed {
		t.Error("Ann's thread view says she is not subscribed")
	}
}

func TestMentionsNotifyMembersOnceAndReplaceTheirReplyNotification(t *testing.T) {
	c := newClass(t)
	c.unfollow(c.instr)
	c.unfollow(c.ta)
	everyone := []pacertest.User{c.ann, c.bob, c.ta, c.instr, c.ed}
	thread, _ := c.thread(c.ann, c.general, "Project", "Ideas?")
	reply := c.reply(c.bob, thread, 0, "@Ann and @ann again, and @Tom Assistant, not @Ed Outsider, not bob@Ines Instructor, not @Annabel")
	wantCounts(t, "a reply with mentions", c.counts(everyone...), map[string]int{"Ann mention": 1, "Tom Assistant mention": 1})

	r := c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", reply), c.bob.Token,
		map[string]any{"body": "@Ann and @Tom Assistant, and now @Ines Instructor"})
	if r.Status != 200 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	wantCounts(t, "an edit adding a mention", c.counts(everyone...),
		map[string]int{"Ann mention": 1, "Tom Assistant mention": 1, "Ines Instructor mention": 1})

	// Ann is subscribed (her thread) and mentioned: one notification.
	thanks := c.reply(c.ta, thread, 0, "Thanks @Ann and @Bob")
	wantCounts(t, "a mention of subscribers", c.counts(everyone...),
		map[string]int{"Ann mention": 2, "Bob mention": 1, "Tom Assistant mention": 1, "Ines Instructor mention": 1})

	// Mentioning yourself tells nobody.
	c.reply(c.ta, thread, 0, "Note to self, @Tom Assistant")
	wantCounts(t, "a self mention", c.counts(c.ta), map[string]int{"Tom Assistant mention": 1})

	// A mention in an opening post also notifies once, edits or not.
	_, opening := c.thread(c.ann, c.general, "Pairing", "@Ines Instructor can we pair?")
	c.env.Do("PATCH", fmt.Sprintf("/api/v1/posts/%d", opening), c.ann.Token, map[string]any{"body": "@Ines Instructor can we pair today?"})
	if got := c.counts(c.instr)["Ines Instructor mention"]; got != 2 {
		t.Errorf("Ines has %d mentions after an opening post and its edit, want 2", got)
	}

	n := c.notifications(c.ann, "mention")
	if len(n) == 0 || n[0].Link != fmt.Sprintf("/threads/%d#post-%d", thread, thanks) {
		t.Errorf("mention link: %+v", n)
	}
}

func TestEndorsementsAndAnswersNotifyTheAuthor(t *testing.T) {
	c := newClass(t)
	thread, _ := c.thread(c.ann, c.general, "Question", "How?")
	bobReply := c.reply(c.bob, thread, 0, "Like this")
	before := c.counts(c.bob)["Bob reply"]
	for range 2 {
		if r := c.env.Do("POST", fmt.Sprintf("/api/v1/posts/%d/endorse", bobReply), c.ta.Token, nil); r.Status != 204 {
			t.Fatalf("endorse: %d", r.Status)
		}
		if r := c.env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/answer", thread), c.ann.Token, map[string]any{"post_id": bobReply}); r.Status != 204 {
			t.Fatalf("answer: %d", r.Status)
		}
	}
	wantCounts(t, "endorsing and answering twice", c.counts(c.bob), map[string]int{"Bob endorsed": 1, "Bob answer": 1, "Bob reply": before})
	p := c.view(c.ann, thread, "")
	if !p.Thread.Answered || p.Thread.AnswerPostID != bobReply || !p.Items[1].Endorsed {
		t.Fatalf("thread after answer: %+v %+v", p.Thread, p.Items[1])
	}
}
