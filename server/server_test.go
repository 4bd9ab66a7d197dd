package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pacer/audit"
	"pacer/pacertest"
	"pacer/server"
)

func TestHealthAndReadiness(t *testing.T) {
	env := pacertest.New(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := env.Do("GET", p, "", nil); r.Status != 200 {
			t.Fatalf("%s: %d", p, r.Status)
		}
	}
}

func TestUnknownRoutesAnswer404InTheContractShape(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	for _, p := range []string{"/api/v1/nothing", "/api/v1/courses/1/nothing", "/api/v2/courses"} {
		if r := env.Do("GET", p, u.Token, nil); r.Status != 404 || r.ErrCode() != "not_found" {
			t.Errorf("%s: %d %s", p, r.Status, r.Body)
		}
	}
}

func TestAPIAnswersCarrySecurityHeaders(t *testing.T) {
	env := pacertest.New(t)
	r := env.Do("GET", "/healthz", "", nil)
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("CSP = %q", r.Header.Get("Content-Security-Policy"))
	}
}

func TestAnOversizedJSONBodyIs413BeforeItIsSent(t *testing.T) {
	base := serve(t)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Only the first 256 KiB of 2 MiB are sent (the server reads ahead a
	// buffer's worth before calling a handler): the answer must not wait
	// for the rest.
	fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 2<<20)
	// The server may answer and close before all of it is written (a
	// broken pipe then): the write runs beside the read and its error is
	// not the test's concern, only the answer is.
	go c.Write([]byte(strings.Repeat(" ", 256<<10)))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || !strings.Contains(string(raw), `"code":"too_large"`) {
		t.Fatalf("got %d %.200s", res.StatusCode, raw)
	}
}

// serve runs a server on a real loopback listener until the test ends.
func serve(t *testing.T) string {
	t.Helper()
	s, err := server.New(server.Config{DataDir: t.TempDir(), Argon2: pacertest.Cheap,
		JWTSecret: "test-secret-test-secret-test-secret-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "http://" + ln.Addr().String()
	waitHealthy(t, base)
	return base
}

func TestTheAdminBackupIsForAdminsAndOpens(t *testing.T) {
	env := pacertest.New(t)
	env.Bolt() // the backup is bbolt's; PostgreSQL's answer is in engine_test.go
	u := env.Register("Ann")
	if r := env.Do("GET", "/api/v1/admin/backup", u.Token, nil); r.Status != 403 {
		t.Fatalf("a non-admin: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/admin/backup", "", nil); r.Status != 401 {
		t.Fatalf("no token: %d", r.Status)
	}
	a := env.Admin()
	r := env.Do("GET", "/api/v1/admin/backup", a.Token, nil)
	if r.Status != 200 || len(r.Body) < 4096 {
		t.Fatalf("backup: %d, %d bytes", r.Status, len(r.Body))
	}
}

// TestShutdownAnswersRequestsStillArriving sends requests whose bodies are
// only half written when shutdown starts; each must still get a complete
// answer, which Fiber's own shutdown alone does not give.
func TestShutdownAnswersRequestsStillArriving(t *testing.T) {
	clock := &pacertest.Clock{}
	clock.Set(pacertest.Start)
	s, err := server.New(server.Config{DataDir: t.TempDir(), Argon2: pacertest.Cheap, Now: clock.Now,
		JWTSecret: "test-secret-test-secret-test-secret-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	addr := ln.Addr().String()
	waitHealthy(t, "http://"+addr)

	body := `{"email":"nobody@example.test","password":"wrong password"}`
	const n = 5
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:10])
		conns[i] = c
	}
	// Wait until the server has seen every connection start its request;
	// the wait is on an observed state, not a guess at a duration.
	for i := 0; s.InFlight() < n; i++ {
		if i > 1000 {
			t.Fatalf("only %d connections in flight", s.InFlight())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	for i, c := range conns {
		if _, err := io.WriteString(c, body[10:]); err != nil {
			t.Fatalf("conn %d: finishing the body: %v", i, err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("conn %d got no answer: %v", i, err)
		}
		if res.StatusCode != 401 {
			t.Fatalf("conn %d: status %d", i, res.StatusCode)
		}
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
}

func TestTheAuditLogRecordsSecurityEventsWithoutSecrets(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": stu.Email, "password": "a wrong guess"})
	env.Login(stu)
	course := env.Course(ins, nil)
	env.SetRole(ins, course, stu, "ta")
	admin := env.Admin()
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/admin/users/%d", stu.ID), admin.Token, map[string]any{"disabled": true}); r.Status != 200 || r.Map()["disabled"] != true {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/me", stu.Token, nil); r.Status != 401 {
		t.Fatalf("a disabled user's token: %d", r.Status)
	}
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/admin/users/%d", admin.ID), admin.Token, map[string]any{"disabled": true}); r.Status != 409 {
		t.Fatalf("disabling oneself: %d", r.Status)
	}
	if r := env.Do("GET", "/api/v1/admin/audit", ins.Token, nil); r.Status != 403 {
		t.Fatalf("a non-admin reading the audit log: %d", r.Status)
	}
	r := env.Do("GET", "/api/v1/admin/audit?limit=200", admin.Token, nil)
	var log struct {
		Items []struct {
			Action   string `json:"action"`
			ActorID  uint64 `json:"actor_id"`
			TargetID uint64 `json:"target_id"`
		}
	}
	r.Decode(&log)
	seen := map[string]bool{}
	for _, e := range log.Items {
		seen[e.Action] = true
	}
	for _, want := range []string{"login", "login_failed", "role_change", "user_disabled"} {
		if !seen[want] {
			t.Errorf("no %q entry in %s", want, r.Body)
		}
	}
	for _, secret := range []string{"a wrong guess", "correct horse battery", stu.Token, stu.Refresh} {
		if strings.Contains(string(r.Body), secret) {
			t.Fatalf("the audit log holds a secret")
		}
	}
	page := env.Do("GET", "/api/v1/admin/audit?limit=1", admin.Token, nil).Map()
	if page["next_cursor"] == "" || len(page["items"].([]any)) != 1 {
		t.Fatalf("pagination: %v", page)
	}
}

func TestGradesExtensionsStaffDeletionsAndJobRunsAreAudited(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	course := env.Course(ins, nil)
	mod := env.Module(ins, course, map[string]any{"title": "Week 1", "due_at": "2027-02-01T00:00:00Z"})
	asg := env.Item(ins, course, mod, map[string]any{"kind": "assignment", "title": "A", "points": 10})
	env.Enroll(stu, course)
	sub := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", course, asg), stu.Token, map[string]any{"body": "answer"}).ID()
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/submissions/%d", course, sub), ins.Token, map[string]any{"score": 8, "feedback": "ok"}); r.Status != 200 {
		t.Fatalf("grade: %d %s", r.Status, r.Body)
	}
	ext := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/extensions", course), ins.Token,
		map[string]any{"user_id": stu.ID, "module_id": mod, "due_at": "2027-02-08T00:00:00Z"}).ID()
	env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/extensions/%d", course, ext), ins.Token, nil)
	var boards struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", course), stu.Token, nil).Decode(&boards)
	th := env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", boards.Items[0].ID), stu.Token, map[string]any{"title": "Hi", "body": "hello"}).ID()
	post := env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", th), stu.Token, map[string]any{"body": "rude words"}).ID()
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/posts/%d", post), ins.Token, nil); r.Status != 204 {
		t.Fatalf("staff delete: %d %s", r.Status, r.Body)
	}
	admin := env.Admin()
	env.Do("POST", "/api/v1/admin/jobs/open_windows/run", admin.Token, nil)
	var log struct {
		Items []struct {
			Action string `json:"action"`
		}
	}
	env.Do("GET", "/api/v1/admin/audit?limit=200", admin.Token, nil).Decode(&log)
	seen := map[string]bool{}
	for _, e := range log.Items {
		seen[e.Action] = true
	}
	for _, want := range []string{"grade", "extension_granted", "extension_deleted", "post_deleted", "job_run"} {
		if !seen[want] {
			t.Errorf("no %q entry", want)
		}
	}
}

// TestAJSONWriteKeepsItsConnection checks that a fully read JSON body does
// not close the connection (only unread bodies must), so API clients reuse
// connections for writes.
func TestAJSONWriteKeepsItsConnection(t *testing.T) {
	base := serve(t)
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	body := `{"email":"nobody@example.test","password":"wrong password"}`
	for i := 0; i < 3; i++ {
		fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on the same connection: %v", i, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 401 || res.Close {
			t.Fatalf("request %d: status %d, close %v", i, res.StatusCode, res.Close)
		}
	}
}

// A copy of the data does not leave without its audit entry: when the
// entry cannot be written the backup is refused.
func TestNoBackupLeavesWithoutItsAuditEntry(t *testing.T) {
	env := pacertest.New(t)
	env.Bolt()
	a := env.Admin()
	env.Server.Audit = audit.Failing(nil, nil)
	req := httptest.NewRequest("GET", "/api/v1/admin/backup", nil)
	req.Header.Set("Authorization", "Bearer "+a.Token)
	res, err := env.Server.App.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 500 || len(body) > 1024 || !strings.Contains(string(body), `"internal"`) {
		t.Fatalf("backup without its entry: %d, %d bytes", res.StatusCode, len(body))
	}
}
