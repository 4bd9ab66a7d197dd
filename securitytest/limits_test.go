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
	r := env.Do("GET", "/api/v1/admin/audit?limit=200&action="+action, admin.Token, nil)
	if r.Status != 200 {
		t.Fatalf("audit: %d %s", r.Status, r.Body)
	}
	var list struct {
		Items []struct {
			IP string `json:"ip"`
		} `json:"items"`
	}
	r.Decode(&list)
	out := make([]string, len(list.Items))
	for i, e := range list.Items {
		out[i] = e.IP
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
