package notify_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"pacer/notify"
)

type prefsAnswer struct {
	Items []struct {
		Kind  string `json:"kind"`
		Label string `json:"label"`
		Email bool   `json:"email"`
	} `json:"items"`
	Sending bool `json:"sending"`
}

func (a prefsAnswer) on(kind string) bool {
	for _, it := range a.Items {
		if it.Kind == kind {
			return it.Email
		}
	}
	return false
}

func TestEmailPreferences(t *testing.T) {
	e, _ := newMailEnv(t, false)
	ann := e.Register("Ann")
	var p prefsAnswer
	r := e.Do("GET", "/api/v1/me/email-preferences", ann.Token, nil)
	r.Decode(&p)
	if r.Status != 200 || len(p.Items) != len(notify.Kinds()) || p.Sending {
		t.Fatalf("GET: %d %s", r.Status, r.Body)
	}
	if !p.on(notify.KindReply) || !p.on(notify.KindBehindNudge) || p.on(notify.KindModuleOpened) {
		t.Fatalf("defaults: %+v", p)
	}

	r = e.Do("PUT", "/api/v1/me/email-preferences", ann.Token, map[string]bool{"reply": false, "module_opened": true})
	r.Decode(&p)
	if r.Status != 200 || p.on(notify.KindReply) || !p.on(notify.KindModuleOpened) || !p.on(notify.KindMention) {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	t.Run("a kind turned off is not mailed, others are", func(t *testing.T) {
		e.notify(t, ann, notify.KindReply, "New reply in Week 1", "hi")
		e.notify(t, ann, notify.KindModuleOpened, "Week 2 is open", "")
		ms := e.mails(t, ann)
		if len(ms) != 1 || ms[0].Kind != notify.KindModuleOpened {
			t.Fatalf("mails: %+v", ms)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		if r := e.Do("PUT", "/api/v1/me/email-preferences", ann.Token, map[string]bool{"gossip": false}); r.Status != 400 || r.ErrCode() != "validation_failed" {
			t.Fatalf("unknown kind: %d %s", r.Status, r.Body)
		}
		if r := e.Do("PUT", "/api/v1/me/email-preferences", ann.Token, map[string]any{"reply": "no"}); r.Status != 400 {
			t.Fatalf("wrong type: %d %s", r.Status, r.Body)
		}
		if r := e.Do("PUT", "/api/v1/me/email-preferences", ann.Token, map[string]any{}); r.Status != 400 {
			t.Fatalf("empty: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/api/v1/me/email-preferences", "", nil); r.Status != 401 {
			t.Fatalf("anonymous: %d", r.Status)
		}
	})
}

func TestUnsubscribeLink(t *testing.T) {
	e, logs := newMailEnv(t, false)
	ann := e.Register("Ann")
	bob := e.Register("Bob")
	defer func() {
		if strings.Contains(logs.String(), "sig=") {
			t.Errorf("an unsubscribe signature reached the log")
		}
	}()
	e.notify(t, ann, notify.KindBehindNudge, "You are 1 week behind", "Week 2")
	m := e.mails(t, ann)[0]
	if !strings.Contains(m.Text, m.Unsubscribe) || !strings.Contains(m.HTML, strings.ReplaceAll(m.Unsubscribe, "&", "&amp;")) {
		t.Fatalf("the link is not in both parts: %s", m.Unsubscribe)
	}
	u, err := url.Parse(m.Unsubscribe)
	if err != nil || u.Path != "/unsubscribe" {
		t.Fatalf("link %q", m.Unsubscribe)
	}
	prefs := func(user string) prefsAnswer {
		var p prefsAnswer
		tok := ann.Token
		if user == "bob" {
			tok = bob.Token
		}
		e.Do("GET", "/api/v1/me/email-preferences", tok, nil).Decode(&p)
		return p
	}

	t.Run("following it without signing in turns that kind off", func(t *testing.T) {
		r := e.Do("GET", u.RequestURI(), "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "You are unsubscribed") ||
			!strings.Contains(string(r.Body), "Reminders when you fall behind") {
			t.Fatalf("GET: %d %s", r.Status, r.Body)
		}
		if p := prefs("ann"); p.on(notify.KindBehindNudge) || !p.on(notify.KindInactiveNudge) {
			t.Fatalf("prefs after unsubscribing: %+v", p)
		}
		e.notify(t, ann, notify.KindBehindNudge, "Still behind", "")
		if ms := e.mails(t, ann); len(ms) != 1 {
			t.Fatalf("mailed after unsubscribing: %d mails", len(ms))
		}
	})
	t.Run("the page's undo button subscribes again", func(t *testing.T) {
		q := u.Query()
		form := url.Values{"u": {q.Get("u")}, "k": {q.Get("k")}, "sig": {q.Get("sig")}, "action": {"resubscribe"}}
		r := e.DoHeaders("POST", "/unsubscribe", "", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if r.Status != 200 || !strings.Contains(string(r.Body), "You will get these e-mails again") {
			t.Fatalf("POST: %d %s", r.Status, r.Body)
		}
		if !prefs("ann").on(notify.KindBehindNudge) {
			t.Fatalf("still off after undo")
		}
	})
	t.Run("one-click unsubscribe posts to the link itself", func(t *testing.T) {
		r := e.DoHeaders("POST", u.RequestURI(), "", "List-Unsubscribe=One-Click",
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if r.Status != 200 || prefs("ann").on(notify.KindBehindNudge) {
			t.Fatalf("one-click: %d", r.Status)
		}
	})
	t.Run("a tampered link does nothing", func(t *testing.T) {
		for _, edit := range []func(q url.Values){
			func(q url.Values) { q.Set("u", "5") }, // another user
			func(q url.Values) { q.Set("k", "all") },
			func(q url.Values) { q.Set("sig", strings.Repeat("A", len(q.Get("sig")))) },
			func(q url.Values) { q.Del("sig") },
			func(q url.Values) { q.Set("u", "x") },
		} {
			q := u.Query()
			edit(q)
			// A person following a broken link gets the HTML error page,
			// so this goes around env.Do's check for the API's JSON shape.
			res, err := e.Server.App.Test(httptest.NewRequest("GET", "/unsubscribe?"+q.Encode(), nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("tampered %s: %d %s", q.Encode(), res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
		if !prefs("bob").on(notify.KindBehindNudge) {
			t.Fatalf("Bob's preferences changed")
		}
	})
	t.Run("an unsubscribe-from-all link turns every kind off", func(t *testing.T) {
		link := e.outbox().UnsubscribeURL(bob.ID, "all")
		lu, _ := url.Parse(link)
		if r := e.Do("GET", lu.RequestURI(), "", nil); r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		for _, it := range prefs("bob").Items {
			if it.Email {
				t.Fatalf("%s still on", it.Kind)
			}
		}
	})
}

func TestRepliesAndMentionsAreBatched(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	t0 := e.Clock.Now()
	for i := 0; i < 5; i++ {
		e.Clock.Advance(time.Minute)
		e.notify(t, ann, notify.KindReply, "New reply in “Week 1 questions”", "Bob wrote: <b>same here</b>")
	}
	e.notify(t, ann, notify.KindMention, "Cid mentioned you", "@Ann can you share?")
	e.notify(t, ann, notify.KindGraded, "Graded: Essay", "9/10") // not batched

	e.send(t)
	if got := e.srv.messages(); len(got) != 1 {
		t.Fatalf("before the batch window: %d messages, want only the grade", len(got))
	}
	e.Clock.Set(t0.Add(15*time.Minute + time.Minute)) // 15 minutes after the first reply
	e.send(t)
	got := e.srv.messages()
	if len(got) != 2 {
		t.Fatalf("after the window: %d messages, want 2", len(got))
	}
	p := parseMail(t, got[1].Raw)
	subject, _ := new(mimeDecoder).DecodeHeader(p.Header.Get("Subject"))
	if subject != "Pacer: 5 new replies and 1 mention" {
		t.Fatalf("subject %q", subject)
	}
	hasAll(t, "batch text", p.Text, "Cid mentioned you", "@Ann can you share?", "Bob wrote: <b>same here</b>")
	hasAll(t, "batch html", p.HTML, "Bob wrote: &lt;b&gt;same here&lt;/b&gt;", "Cid mentioned you")

	t.Run("the next batch waits a window after the last mail", func(t *testing.T) {
		e.notify(t, ann, notify.KindReply, "Another reply", "x")
		e.Clock.Advance(14 * time.Minute)
		e.send(t)
		if len(e.srv.messages()) != 2 {
			t.Fatalf("mailed again within the window")
		}
		e.Clock.Advance(time.Minute)
		e.send(t)
		if got := e.srv.messages(); len(got) != 3 {
			t.Fatalf("%d messages, want 3", len(got))
		}
		e.send(t)
		if len(e.srv.messages()) != 3 {
			t.Fatalf("a batch was mailed twice")
		}
	})
}
