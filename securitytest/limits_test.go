package securitytest_test

// Limits and the client address (issue 12): who a request comes from
// behind a proxy, the password check of PATCH /me, the Markdown preview,
// and the audit trail of account changes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
)

// liveAnswer is an answer over a real connection.
type liveAnswer struct {
	Status int
	Header http.Header
	Body   string
}

// send makes one JSON request to a server listening on addr.
func send(t *testing.T, addr, method, path, token string, body any, headers ...string) liveAnswer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+addr+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return liveAnswer{Status: res.StatusCode, Header: res.Header, Body: string(raw)}
}

// auditIPs lists the IP of every audit entry of one action, newest first.
func auditIPs(t *testing.T, env *pacertest.Env, admin pacertest.User, action string) []string {
	t.Helper()
	var out []string
	for _, e := range auditEntries(t, env, admin, action) {
		out = append(out, e.IP)
	}
	return out
}

func TestBehindATrustedProxyTheClientIsTheRightMostAddressNoProxyWrote(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) {
		c.AuthRate = 5
		c.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8"}
	})
	admin := env.Admin()
	addr := serve(t, env)
	login := map[string]any{"email": "nobody@example.test", "password": "wrong password"}

	// The attacker varies what they write in front of the proxy's entry;
	// the proxy's entry (their real address) is what counts.
	for i := 0; i < 5; i++ {
		r := send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", fmt.Sprintf("10.%d.0.1, 203.0.113.7", i))
		if r.Status != 401 {
			t.Fatalf("login %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "10.99.0.1, 203.0.113.7")
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth login from 203.0.113.7 behind the proxy: %d (Retry-After %q), want 429", r.Status, r.Header.Get("Retry-After"))
	}
	// A header sent twice is read as one list, in order.
	r = send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "198.51.100.1", "X-Forwarded-For", "203.0.113.7")
	if r.Status != 429 {
		t.Fatalf("203.0.113.7 in a second X-Forwarded-For line: %d, want 429", r.Status)
	}
	// Proxies of the trusted set in the chain are skipped.
	r = send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "192.0.2.55, 203.0.113.7, 10.1.2.3")
	if r.Status != 429 {
		t.Fatalf("203.0.113.7 behind two trusted proxies: %d, want 429", r.Status)
	}
	// Another client behind the same proxy has its own budget.
	r = send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "203.0.113.7, 198.51.100.20")
	if r.Status != 401 {
		t.Fatalf("another client behind the proxy: %d, want 401", r.Status)
	}

	// The audit log stores an address, never header text.
	env.Clock.Advance(time.Minute)
	send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "<img src=x onerror=alert(1)>, 1.2.3.4")
	send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "1.2.3.4, <img src=x onerror=alert(1)>")
	send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "[2001:db8::7]:443")
	ips := auditIPs(t, env, admin, "login_failed")
	if len(ips) < 3 {
		t.Fatalf("audit entries: %v", ips)
	}
	// Newest first: the IPv6 client, then the garbage entry (which ends the
	// walk at the proxy), then 1.2.3.4.
	want := []string{"2001:db8::7", "127.0.0.1", "1.2.3.4"}
	for i, w := range want {
		if ips[i] != w {
			t.Errorf("audit entry %d: ip %q, want %q (all: %q)", i, ips[i], w, ips)
		}
	}
}

func TestWithoutATrustedProxyXForwardedForIsIgnored(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.AuthRate = 5 })
	addr := serve(t, env)
	login := map[string]any{"email": "nobody@example.test", "password": "wrong password"}
	for i := 0; i < 5; i++ {
		send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
	}
	r := send(t, addr, "POST", "/api/v1/auth/login", "", login, "X-Forwarded-For", "203.0.113.200")
	if r.Status != 429 {
		t.Fatalf("sixth login from one socket with made-up X-Forwarded-For: %d, want 429", r.Status)
	}
	if !strings.Contains(r.Body, "rate_limited") {
		t.Fatalf("429 body %s", r.Body)
	}
}

// auditEntries lists the audit entries of one action, newest first.
func auditEntries(t *testing.T, env *pacertest.Env, admin pacertest.User, action string) []auditEntry {
	t.Helper()
	r := env.Do("GET", "/api/v1/admin/audit?limit=200&action="+action, admin.Token, nil)
	if r.Status != 200 {
		t.Fatalf("audit: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []auditEntry `json:"items"`
	}
	r.Decode(&list)
	return list.Items
}

type auditEntry struct {
	ActorID  uint64 `json:"actor_id"`
	Action   string `json:"action"`
	TargetID uint64 `json:"target_id"`
	IP       string `json:"ip"`
}

func TestWrongCurrentPasswordsAreLimitedPerAccountAndAudited(t *testing.T) {
	env := pacertest.New(t)
	admin := env.Admin()
	victim := env.Register("Vic")
	other := env.Register("Otto")
	wrong := map[string]any{"password": "a brand new password", "current_password": "guess"}
	right := map[string]any{"password": "a brand new password", "current_password": "correct horse battery"}

	// A right password is not a failure: it does not use up the budget.
	if r := env.Do("PATCH", "/api/v1/me", victim.Token, map[string]any{"password": "correct horse battery", "current_password": "correct horse battery"}); r.Status != 200 {
		t.Fatalf("change to the same password: %d %s", r.Status, r.Body)
	}
	victim = env.Login(victim)
	for i := 0; i < 5; i++ {
		r := env.Do("PATCH", "/api/v1/me", victim.Token, wrong)
		if r.Status != 400 || r.ErrCode() != "validation_failed" {
			t.Fatalf("wrong current password %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	// The sixth check within 15 minutes is refused before any hashing,
	// even with the right password: a stolen token is no oracle.
	r := env.Do("PATCH", "/api/v1/me", victim.Token, right)
	if r.Status != 429 || r.ErrCode() != "rate_limited" {
		t.Fatalf("sixth password check in 15 minutes: %d %s, want 429", r.Status, r.Body)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 900 {
		t.Fatalf("Retry-After %q, want the rest of the 15 minutes", r.Header.Get("Retry-After"))
	}
	// Other changes of the account and other accounts are not limited.
	if r := env.Do("PATCH", "/api/v1/me", victim.Token, map[string]any{"name": "Vic B"}); r.Status != 200 {
		t.Fatalf("a name change while limited: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", "/api/v1/me", other.Token, wrong); r.Status != 400 {
		t.Fatalf("another account's wrong password: %d %s, want 400", r.Status, r.Body)
	}
	// Every failure is audited against the account.
	n := 0
	for _, e := range auditEntries(t, env, admin, "password_check_failed") {
		if e.ActorID == victim.ID {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("%d password_check_failed entries for the victim, want 5", n)
	}
	// After the window the owner can change the password.
	env.Clock.Advance(15 * time.Minute)
	victim = env.Login(victim)
	if r := env.Do("PATCH", "/api/v1/me", victim.Token, right); r.Status != 200 {
		t.Fatalf("password change after the window: %d %s", r.Status, r.Body)
	}
}

func TestAPasswordChangeRetiresTheCalendarURLAndIsAudited(t *testing.T) {
	env := pacertest.New(t)
	admin := env.Admin()
	u := env.Register("Cal")
	feed := func(u pacertest.User) string {
		var v struct {
			URL string `json:"url"`
		}
		env.Do("GET", "/api/v1/me/calendar-token", u.Token, nil).Decode(&v)
		return strings.TrimPrefix(v.URL, "http://pacer.test")
	}
	old := feed(u)
	if r := env.Do("GET", old, "", nil); r.Status != 200 {
		t.Fatalf("feed before: %d", r.Status)
	}
	r := env.DoHeaders("PATCH", "/api/v1/me", u.Token, map[string]any{"password": "another long password", "current_password": "correct horse battery"},
		map[string]string{"X-Forwarded-For": "203.0.113.5"})
	if r.Status != 200 {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", old, "", nil); r.Status != 404 {
		t.Fatalf("the old feed URL after a password change: %d, want 404", r.Status)
	}
	lr := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": u.Email, "password": "another long password"})
	lr.Decode(&struct {
		AccessToken *string `json:"access_token"`
	}{&u.Token})
	now := feed(u)
	if now == old {
		t.Fatalf("the feed URL did not change: %s", now)
	}
	if r := env.Do("GET", now, "", nil); r.Status != 200 {
		t.Fatalf("the new feed URL: %d", r.Status)
	}
	var found bool
	for _, e := range auditEntries(t, env, admin, "password_changed") {
		// app.Test connects from 0.0.0.0, no trusted proxy: the header is
		// not believed.
		if e.ActorID == u.ID && e.IP == "0.0.0.0" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no password_changed audit entry for user %d", u.ID)
	}
}

func TestRefreshTokenReuseIsAudited(t *testing.T) {
	env := pacertest.New(t)
	admin := env.Admin()
	u := env.Register("Rex")
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": u.Refresh}); r.Status != 200 {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": u.Refresh}); r.Status != 401 {
		t.Fatalf("reuse: %d %s", r.Status, r.Body)
	}
	var found bool
	for _, e := range auditEntries(t, env, admin, "refresh_token_reused") {
		if e.ActorID == u.ID && e.TargetID != 0 && e.IP != "" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no refresh_token_reused audit entry for user %d", u.ID)
	}
}

func TestMarkdownPreviewIsThrottledPerUser(t *testing.T) {
	env := pacertest.New(t)
	a, b := env.Register("Ada"), env.Register("Bea")
	table := "| a | b |\n|---|---|\n" + strings.Repeat("| x | y |\n", 200)
	for i := 0; i < 30; i++ {
		if r := env.Do("POST", "/api/v1/markdown/preview", a.Token, map[string]any{"body": table}); r.Status != 200 {
			t.Fatalf("preview %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := env.Do("POST", "/api/v1/markdown/preview", a.Token, map[string]any{"body": table})
	if r.Status != 429 || r.ErrCode() != "rate_limited" {
		t.Fatalf("31st preview in a minute: %d %s, want 429", r.Status, r.Body)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if r := env.Do("POST", "/api/v1/markdown/preview", b.Token, map[string]any{"body": table}); r.Status != 200 {
		t.Fatalf("another user's preview: %d", r.Status)
	}
	env.Clock.Advance(time.Minute)
	if r := env.Do("POST", "/api/v1/markdown/preview", a.Token, map[string]any{"body": table}); r.Status != 200 {
		t.Fatalf("a preview a minute later: %d", r.Status)
	}
}
