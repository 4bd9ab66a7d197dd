package securitytest_test

// Logs: what the server writes about requests never holds a secret that
// travelled in the URL (issue 12, item 11).

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"pacer/pacertest"
	"pacer/server"
)

// logBuffer collects log lines from the server's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestTheDebugLogHoldsNoCalendarToken: the calendar feed's secret is in its
// path, and the debug access log used to write the path as it came.
func TestTheDebugLogHoldsNoCalendarToken(t *testing.T) {
	logs := &logBuffer{}
	env := pacertest.New(t, func(cfg *server.Config) {
		cfg.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	u := env.Register("Cal Reader")
	r := env.Do("GET", "/api/v1/me/calendar-token", u.Token, nil)
	var feed struct {
		URL string `json:"url"`
	}
	r.Decode(&feed)
	path := strings.TrimPrefix(feed.URL, "http://pacer.test")
	token := strings.TrimSuffix(strings.TrimPrefix(path, "/calendar/"), ".ics")
	if r.Status != 200 || token == "" || token == path {
		t.Fatalf("calendar token: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", path, "", nil); r.Status != 200 {
		t.Fatalf("GET the feed: %d", r.Status)
	}
	// The same secret on paths that match no route (pages that are not
	// found), and in a query.
	for _, p := range []string{"/CALENDAR/" + token + ".ics", "/calendar/" + token} {
		res, err := env.Server.App.Test(httptest.NewRequest("GET", p, nil), 10000)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	env.Do("GET", "/api/v1/"+token, u.Token, nil)
	env.Do("GET", "/api/v1/courses/1/items/2?token="+token, u.Token, nil)

	out := logs.String()
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec struct {
			Msg  string `json:"msg"`
			Path string `json:"path"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" {
			lines++
		}
	}
	if lines < 5 {
		t.Fatalf("only %d request lines in the debug log:\n%s", lines, out)
	}
	mac := token[strings.LastIndex(token, ".")+1:] // the token is user.generation.signature
	for _, secret := range []string{token, mac} {
		if secret != "" && strings.Contains(out, secret) {
			t.Errorf("the debug log holds the calendar token %q:\n%s", secret, out)
		}
	}
	// Route words and IDs stay, so the log still says what was asked.
	for _, want := range []string{`"path":"/calendar/*"`, `"path":"/api/v1/courses/1/items/2"`, `"path":"/api/v1/me/calendar-token"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the debug log has no %s:\n%s", want, out)
		}
	}
}
