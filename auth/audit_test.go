package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"pacer/audit"
	"pacer/auth"
	"pacer/pacertest"
	"pacer/server"
)

// An administrator's change to an account commits with its audit entry or
// not at all.
func TestAnAdminChangeIsNotCommittedWithoutItsAuditEntry(t *testing.T) {
	env := pacertest.New(t)
	admin := env.Admin()
	u := env.Register("Ann")
	env.Server.Auth.Audit = audit.Failing(errors.New("audit disk full"), nil)

	yes := true
	if _, err := env.Server.Auth.AdminUpdate(context.Background(), admin.ID, u.ID, auth.AdminUpdate{Disabled: &yes, CanCreateCourses: &yes}, "192.0.2.1"); err == nil {
		t.Fatal("the change succeeded without its audit entry")
	}
	got, err := env.Server.Auth.User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Disabled || got.CanCreateCourses {
		t.Fatalf("committed without its audit entry: disabled=%v can_create_courses=%v", got.Disabled, got.CanCreateCourses)
	}
	if r := env.Do("GET", "/api/v1/me", u.Token, nil); r.Status != 200 {
		t.Fatalf("the account was shut out anyway: %d", r.Status)
	}
}

// A sign-in has been answered before its entry is written; a lost entry is
// logged at ERROR with what was lost, never the e-mail or the password.
func TestALostSignInEntryIsLogged(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	env := pacertest.New(t, func(c *server.Config) { c.Log = log })
	u := env.Register("Ann")
	env.Server.AuthHTTP.Audit = audit.Failing(errors.New("audit disk full"), log)

	env.Login(u)
	out := buf.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "audit entry lost") ||
		!strings.Contains(out, "action=login") || !strings.Contains(out, "audit disk full") {
		t.Fatalf("lost entry not logged: %q", out)
	}
	if strings.Contains(out, u.Email) || strings.Contains(out, "correct horse") {
		t.Fatalf("log holds a secret: %q", out)
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
