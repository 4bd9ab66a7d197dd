package discussion_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"pacer/server"
)

// The background loop has nobody to answer: a flush or a delivery that
// fails is logged at ERROR, saying what was not written, and the log holds
// no address or token.
func TestTheBackgroundLoopLogsItsFailures(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	c := newClass(t, func(cfg *server.Config) { cfg.Log, cfg.ReplicaID = log, "r1" })
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Week 3", "Is the quiz open?")
	c.reply(c.bob, thread, 0, "Not yet")
	c.view(c.ann, thread, "") // with Bob's own mark from replying, two buffered
	c.env.Clock.Advance(max(svc.ReadFlushEvery, svc.DeliverEvery))
	// A store that refuses every transaction.
	if err := c.env.Bolt().Close(); err != nil {
		t.Fatal(err)
	}

	svc.DeliverTick()
	svc.FlushTick()
	out := buf.String()
	for _, want := range []string{
		"level=ERROR msg=\"discussion: queued replies not delivered",
		"level=ERROR msg=\"discussion: read marks not written; they stay buffered for the next flush\" replica=r1 marks=2",
		"database not open",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, u := range []string{c.ann.Email, c.bob.Email, c.ann.Token, c.bob.Token} {
		if strings.Contains(out, u) {
			t.Errorf("log holds %q:\n%s", u, out)
		}
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
