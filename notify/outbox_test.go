package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime"
	"strings"
	"sync"
	"testing"
	"time"

	"pacer/notify"
	"pacer/pacertest"
	"pacer/server"
)

// mailEnv is an app whose --smtp-url points at a test SMTP server (or at
// nothing when srv is nil), with its log captured.
type mailEnv struct {
	*pacertest.Env
	srv *smtpServer
	log *bytes.Buffer
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newMailEnv(t *testing.T, withSMTP bool) (*mailEnv, *syncBuffer) {
	t.Helper()
	var srv *smtpServer
	if withSMTP {
		srv = startSMTP(t)
	}
	logs := &syncBuffer{}
	env := pacertest.New(t, func(c *server.Config) {
		if srv != nil {
			c.SMTPURL = srv.URL()
		}
		c.MailFrom = "Pacer <pacer@school.test>"
		c.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	return &mailEnv{Env: env, srv: srv}, logs
}

func (e *mailEnv) outbox() *notify.Outbox { return e.Server.Outbox }

func (e *mailEnv) send(t *testing.T) int {
	t.Helper()
	n, err := e.outbox().SendOutbox(context.Background(), e.Clock.Now())
	if err != nil {
		t.Fatalf("mail_outbox: %v", err)
	}
	return n
}

func (e *mailEnv) notify(t *testing.T, u pacertest.User, kind, title, body string) {
	t.Helper()
	_, err := e.Server.Notify.Add(context.Background(), notify.Notification{UserID: u.ID, CourseID: 1, Kind: kind, Title: title, Body: body,
		Link: "/courses/1/items/2"})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *mailEnv) mails(t *testing.T, u pacertest.User) []notify.Email {
	t.Helper()
	ms, err := e.outbox().Mails(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestMailGoesOutOverSMTP(t *testing.T) {
	e, logs := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.notify(t, ann, notify.KindInstructorMessage, "Teacher sent you a message in Stats & <Probability>",
		"Come to <script>alert(1)</script> office hours & bring \"questions\".")

	if n := e.send(t); n != 1 {
		t.Fatalf("mail_outbox changed %d, want 1", n)
	}
	got := e.srv.messages()
	if len(got) != 1 {
		t.Fatalf("server smtpReceived %d messages, want 1", len(got))
	}
	m := got[0]
	if m.User != "pacer" || m.Pass != "s3cret-pass" {
		t.Fatalf("AUTH as %q/%q", m.User, m.Pass)
	}
	if m.From != "pacer@school.test" || len(m.To) != 1 || m.To[0] != ann.Email {
		t.Fatalf("envelope from %q to %q", m.From, m.To)
	}
	p := parseMail(t, m.Raw)
	subject, _ := new(mimeDecoder).DecodeHeader(p.Header.Get("Subject"))
	if subject != "Message from your instructor: Teacher sent you a message in Stats & <Probability>" {
		t.Fatalf("subject %q", subject)
	}
	if !strings.HasPrefix(p.Header.Get("Message-Id"), "<pacer.1.") || p.Header.Get("List-Unsubscribe") == "" {
		t.Fatalf("headers %v", p.Header)
	}
	hasAll(t, "text part", p.Text, "Come to <script>alert(1)</script> office hours & bring \"questions\".",
		"Open it in Pacer: http://pacer.test/courses/1/items/2", "http://pacer.test/unsubscribe?")
	hasAll(t, "html part", p.HTML, "Come to &lt;script&gt;alert(1)&lt;/script&gt; office hours &amp; bring &#34;questions&#34;.",
		"Stats &amp; &lt;Probability&gt;", `href="http://pacer.test/courses/1/items/2"`)
	if strings.Contains(p.HTML, "<script>") || strings.Contains(p.HTML, "<Probability>") {
		t.Fatalf("user text reached the HTML part unescaped:\n%s", p.HTML)
	}
	ms := e.mails(t, ann)
	if len(ms) != 1 || ms[0].State != notify.MailSent || ms[0].Attempts != 1 || ms[0].SentAt == nil {
		t.Fatalf("outbox after sending: %+v", ms)
	}
	t.Run("a second run sends nothing again", func(t *testing.T) {
		if n := e.send(t); n != 0 {
			t.Fatalf("changed %d", n)
		}
		if len(e.srv.messages()) != 1 {
			t.Fatalf("sent twice")
		}
	})
	t.Run("no password or signed link in the log", func(t *testing.T) {
		l := logs.String()
		if strings.Contains(l, "s3cret-pass") || strings.Contains(l, "sig=") {
			t.Fatalf("secret in the log:\n%s", l)
		}
		hasAll(t, "log", l, "mail: sending through SMTP", e.srv.ln.Addr().String())
	})
}

func TestFailingServerRetriesWithBackoffAndSendsOnce(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.srv.setMode("mail451")
	e.notify(t, ann, notify.KindBehindNudge, "You are 1 week behind", "Week 2 is past due.")
	t0 := e.Clock.Now()

	e.send(t)
	m := e.mails(t, ann)[0]
	if m.State != notify.MailPending || m.Attempts != 1 || !m.NextAttemptAt.Equal(t0.Add(time.Minute)) || m.LastError == "" {
		t.Fatalf("after one failure: %+v", m)
	}
	conns, _ := e.srv.counts()
	e.Clock.Set(t0.Add(time.Minute - time.Second))
	e.send(t)
	if c, _ := e.srv.counts(); c != conns {
		t.Fatalf("retried before the backoff was over")
	}
	e.Clock.Set(t0.Add(time.Minute))
	e.send(t)
	if m := e.mails(t, ann)[0]; m.Attempts != 2 || !m.NextAttemptAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("second failure: attempts %d next %v, want 2 and +2 min", m.Attempts, m.NextAttemptAt)
	}
	e.srv.setMode("greet421") // worse: refused at the greeting
	e.Clock.Set(t0.Add(3 * time.Minute))
	e.send(t)
	if m := e.mails(t, ann)[0]; m.Attempts != 3 || m.State != notify.MailPending {
		t.Fatalf("third failure: %+v", m)
	}

	e.srv.setMode("") // recovered
	e.Clock.Set(t0.Add(7 * time.Minute))
	if n := e.send(t); n != 1 {
		t.Fatalf("changed %d after recovery", n)
	}
	e.Clock.Set(t0.Add(time.Hour))
	e.send(t)
	e.send(t)
	if got := e.srv.messages(); len(got) != 1 {
		t.Fatalf("server smtpReceived %d messages, want exactly 1", len(got))
	}
	if m := e.mails(t, ann)[0]; m.State != notify.MailSent || m.Attempts != 4 {
		t.Fatalf("final: %+v", m)
	}
}

func TestPermanentRefusalIsNotRetried(t *testing.T) {
	e, logs := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.srv.setMode("rcpt550")
	e.notify(t, ann, notify.KindGraded, "Graded", "9/10")
	e.send(t)
	if m := e.mails(t, ann)[0]; m.State != notify.MailFailed || !strings.Contains(m.LastError, "550") {
		t.Fatalf("after a 550: %+v", m)
	}
	// The server's answer names the address, and more: the log keeps
	// only their domains.
	_, domain, _ := strings.Cut(ann.Email, "@")
	masked := "<…@" + domain + ">: no such user (ask …@postmaster.test, @ alone)"
	if l := logs.String(); !strings.Contains(l, "mail: send failed") || strings.Contains(l, ann.Email) ||
		strings.Contains(l, "help.desk+") || !strings.Contains(l, masked) {
		t.Fatalf("the failure is not logged, or not as %q:\n%s", masked, l)
	}
	e.srv.setMode("")
	e.Clock.Advance(24 * time.Hour)
	e.send(t)
	if len(e.srv.messages()) != 0 {
		t.Fatalf("a refused mail was sent again")
	}
}

func TestAmbiguousFailureIsNotRetried(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.srv.setMode("drop-after-data")
	e.notify(t, ann, notify.KindGraded, "Graded", "9/10")
	e.send(t)
	if m := e.mails(t, ann)[0]; m.State != notify.MailUnknown {
		t.Fatalf("after the connection dropped at the end of DATA: %+v", m)
	}
	e.srv.setMode("")
	e.Clock.Advance(24 * time.Hour)
	e.send(t)
	if _, datas := e.srv.counts(); datas != 1 {
		t.Fatalf("the message went out %d times; at most once means once", datas)
	}
}

func TestGivingUpAfterMaxAttempts(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.srv.setMode("mail451")
	e.notify(t, ann, notify.KindGraded, "Graded", "9/10")
	for i := 0; i < 10; i++ {
		e.send(t)
		e.Clock.Advance(2 * time.Hour)
	}
	m := e.mails(t, ann)[0]
	if m.State != notify.MailFailed || m.Attempts != 8 || !strings.Contains(m.LastError, "gave up after 8 attempts") {
		t.Fatalf("%+v", m)
	}
}

func TestACrashAfterClaimingNeverSendsTwice(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.notify(t, ann, notify.KindGraded, "Graded", "9/10")
	// A run claims the mail and dies before it talks to the server: what
	// it leaves is the claim, stored as a run stores it.
	st, now := e.Server.Stores.Notify, e.Clock.Now()
	err := e.Server.Tx.Write(context.Background(), func(ctx context.Context) error {
		due, err := st.Queued(ctx, notify.MailPending, now, 10)
		if err != nil || len(due) != 1 {
			return fmt.Errorf("due: %d %v", len(due), err)
		}
		due[0].State, due[0].ClaimedAt = notify.MailSending, &now
		due[0].Attempts++
		return st.Put(ctx, due[0])
	})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	e.send(t)
	if m := e.mails(t, ann)[0]; m.State != notify.MailSending || len(e.srv.messages()) != 0 {
		t.Fatalf("a claimed mail was sent by another run: %+v", m)
	}
	e.Clock.Advance(10 * time.Minute)
	e.send(t)
	if m := e.mails(t, ann)[0]; m.State != notify.MailUnknown || len(e.srv.messages()) != 0 {
		t.Fatalf("an interrupted claim: %+v", m)
	}
}

func TestConcurrentRunsSendEachMailOnce(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	for i := 0; i < 30; i++ {
		e.notify(t, ann, notify.KindGraded, fmt.Sprintf("Graded %d", i), "9/10")
	}
	// A second outbox on the same store stands for a second process or a
	// run of the job racing an admin's "run now".
	other := notify.NewOutbox(notify.OutboxConfig{Tx: e.Server.Tx, Store: e.Server.Stores.Notify, Users: e.Server.Auth, Now: e.Clock.Now, BaseURL: "http://pacer.test",
		Signer: e.Server.Auth, Sender: mustSender(t, e.srv.URL())})
	var wg sync.WaitGroup
	for _, o := range []*notify.Outbox{e.outbox(), other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := o.SendOutbox(context.Background(), e.Clock.Now()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := e.srv.messages()
	if len(got) != 30 {
		t.Fatalf("server smtpReceived %d messages, want 30", len(got))
	}
	seen := map[string]bool{}
	for _, m := range got {
		id := parseMail(t, m.Raw).Header.Get("Message-Id")
		if seen[id] {
			t.Fatalf("message %s sent twice", id)
		}
		seen[id] = true
	}
}

func mustSender(t *testing.T, url string) notify.Sender {
	t.Helper()
	s, err := notify.NewSMTPSender(url, "pacer@school.test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWithoutSMTPMailStaysInTheOutboxAndIsLoggedOnce(t *testing.T) {
	e, logs := newMailEnv(t, false)
	ann := e.Register("Ann")
	e.notify(t, ann, notify.KindInstructorMessage, "Hello", "secret-ish body text")
	if n := e.send(t); n != 1 {
		t.Fatalf("changed %d, want 1 (logged)", n)
	}
	if n := e.send(t); n != 0 {
		t.Fatalf("logged again: %d", n)
	}
	m := e.mails(t, ann)[0]
	if m.State != notify.MailPending || !m.Logged {
		t.Fatalf("%+v", m)
	}
	l := logs.String()
	if strings.Count(l, "mail kept in the outbox") != 1 || !strings.Contains(l, fmt.Sprintf("user=%d", ann.ID)) {
		t.Fatalf("log:\n%s", l)
	}
	// The recipient is named by user id, never by address.
	if strings.Contains(l, ann.Email) {
		t.Fatalf("an e-mail address reached the log:\n%s", l)
	}
	if strings.Contains(l, "secret-ish body text") || strings.Contains(l, "sig=") {
		t.Fatalf("the body reached the log:\n%s", l)
	}
}

func TestSMTPURLs(t *testing.T) {
	for _, c := range []struct {
		url, err string
	}{
		{"smtp://user:pass@mail.example.org:587", ""},
		{"smtps://user:pass@mail.example.org", ""},
		{"smtp://mail.example.org?tls=mandatory", ""},
		{"http://mail.example.org", "must start with smtp://"},
		{"smtp://user:hunter2@:25", "needs a host"},
		{"smtp://user:hunter2@mail.example.org:99999", "bad port"},
		{"smtp://user:hunter2@mail.example.org?tls=maybe", "tls must be"},
		{"smtp://user:hunter2@mail.example.org:25/%zz", "not a URL"},
	} {
		_, err := notify.NewSMTPSender(c.url, "pacer@example.org")
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.url, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.url, err, c.err)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("%s: the password is in the error %q", c.url, err)
		}
	}
}

type mimeDecoder = mime.WordDecoder

func hasAll(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

func TestSettledMailIsPrunedAfterRetention(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.notify(t, ann, notify.KindGraded, "Graded 1", "9/10")
	e.send(t)
	e.srv.setMode("mail451")
	e.Clock.Advance(24 * time.Hour)
	e.notify(t, ann, notify.KindGraded, "Graded 2", "8/10") // keeps failing, stays pending for now
	e.send(t)
	e.Clock.Advance(29*24*time.Hour - time.Second) // the first mail is 30 days old less a second
	e.send(t)
	if ms := e.mails(t, ann); len(ms) != 2 {
		t.Fatalf("pruned too early: %d left", len(ms))
	}
	e.Clock.Advance(2 * time.Second)
	e.send(t)
	ms := e.mails(t, ann)
	if len(ms) != 1 || ms[0].Subject != "Graded: Graded 2" {
		t.Fatalf("30 days and a second later: %+v", ms)
	}
}

func TestAdminOutboxList(t *testing.T) {
	e, _ := newMailEnv(t, true)
	ann := e.Register("Ann")
	e.srv.setMode("rcpt550")
	e.notify(t, ann, notify.KindGraded, "Graded 1", "9/10")
	e.send(t)
	e.srv.setMode("")
	e.notify(t, ann, notify.KindGraded, "Graded 2", "8/10")
	e.send(t)
	admin := e.Admin()
	var out struct {
		Items []struct {
			ID      uint64 `json:"id"`
			State   string `json:"state"`
			Subject string `json:"subject"`
			Text    string `json:"text"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	r := e.Do("GET", "/api/v1/admin/outbox?limit=1", admin.Token, nil)
	r.Decode(&out)
	if r.Status != 200 || len(out.Items) != 1 || out.Items[0].State != notify.MailSent || out.NextCursor == "" || out.Items[0].Text != "" {
		t.Fatalf("first page: %d %s", r.Status, r.Body)
	}
	e.Do("GET", "/api/v1/admin/outbox?state=failed", admin.Token, nil).Decode(&out)
	if len(out.Items) != 1 || out.Items[0].Subject != "Graded: Graded 1" {
		t.Fatalf("failed mail: %+v", out.Items)
	}
	if r := e.Do("GET", "/api/v1/admin/outbox?state=lost", admin.Token, nil); r.Status != 400 {
		t.Fatalf("bad state: %d", r.Status)
	}
	if r := e.Do("GET", "/api/v1/admin/outbox", ann.Token, nil); r.Status != 403 {
		t.Fatalf("non-admin: %d", r.Status)
	}
}
