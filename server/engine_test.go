package server_test

import (
	"strings"
	"testing"

	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres/pgtest"
)

// onPostgres is an application on a fresh PostgreSQL database, whichever
// engine the rest of the run uses (skipped when PostgreSQL is not
// installed, unless required).
func onPostgres(t *testing.T, url string) *pacertest.Env {
	t.Helper()
	return pacertest.New(t, func(c *server.Config) { c.Store = url })
}

func TestPostgresBackupIsRefusedWithAPointer(t *testing.T) {
	env := onPostgres(t, pgtest.URL(t))
	admin := env.Admin()
	r := env.Do("GET", "/api/v1/admin/backup", admin.Token, nil)
	if r.Status != 409 || r.ErrCode() != "conflict" || !strings.Contains(string(r.Body), "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %d %s", r.Status, r.Body)
	}
}

// readyz follows the store: 503 while PostgreSQL refuses connections, 200
// again once it takes them, with no restart.
func TestReadyzFollowsPostgres(t *testing.T) {
	url := pgtest.URL(t)
	env := onPostgres(t, url)
	if r := env.Do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	teacher := env.Register("Teacher")
	pgtest.SetReachable(t, url, false)
	if r := env.Do("GET", "/readyz", "", nil); r.Status != 503 {
		t.Fatalf("readyz with the database unreachable: %d %s", r.Status, r.Body)
	}
	// Requests meanwhile are told to come back, not that Pacer failed:
	// a read, a write, and the token check every request makes.
	for _, req := range []struct{ method, path string }{{"GET", "/api/v1/courses"}, {"POST", "/api/v1/courses"}} {
		r := env.Do(req.method, req.path, teacher.Token, map[string]any{"title": "During the outage", "timezone": "UTC"})
		if r.Status != 503 || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), `"code":"unavailable"`) {
			t.Fatalf("%s %s with the database unreachable: %d %v %s", req.method, req.path, r.Status, r.Header, r.Body)
		}
	}
	pgtest.SetReachable(t, url, true)
	if r := env.Do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz once the database is back: %d %s", r.Status, r.Body)
	}
}

// A pg_dump of a database in use, restored into a fresh one, serves the
// same platform: the same accounts and passwords, the same course, and new
// records get ids past the restored ones.
func TestPostgresDumpRestores(t *testing.T) {
	url := pgtest.URL(t)
	env := onPostgres(t, url)
	teacher := env.Register("Teacher")
	r := env.Do("POST", "/api/v1/courses", teacher.Token, map[string]any{"title": "Restored course", "timezone": "UTC"})
	if r.Status != 201 {
		t.Fatalf("create course: %d %s", r.Status, r.Body)
	}
	course := r.Map()["id"]
	archive := pgtest.Dump(t, url)

	restored := pacertest.New(t, func(c *server.Config) { c.Store = pgtest.Restore(t, archive) })
	back := restored.Login(teacher)
	r = restored.Do("GET", "/api/v1/courses", back.Token, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "Restored course") {
		t.Fatalf("courses after restore: %d %s", r.Status, r.Body)
	}
	r = restored.Do("POST", "/api/v1/courses", back.Token, map[string]any{"title": "After", "timezone": "UTC"})
	if r.Status != 201 {
		t.Fatalf("create course after restore: %d %s", r.Status, r.Body)
	}
	if after := r.Map()["id"].(float64); after <= course.(float64) {
		t.Fatalf("new course id %v not past the restored %v", after, course)
	}
}

func TestUnknownStoreRefused(t *testing.T) {
	if _, err := server.New(server.Config{DataDir: t.TempDir(), Store: "mysql://x", JWTSecret: strings.Repeat("k", 40)}); err == nil || !strings.Contains(err.Error(), "--store") {
		t.Fatalf("server.New with an unknown store: %v", err)
	}
}

// A NUL character in a query is refused on every engine (PostgreSQL cannot
// hold one in text), not answered 500.
func TestQueriesWithNULAreRefused(t *testing.T) {
	env := pacertest.New(t)
	u := env.Register("Ann")
	for _, path := range []string{"/api/v1/courses?cursor=%00", "/api/v1/notifications?cursor=a%00b"} {
		if r := env.Do("GET", path, u.Token, nil); r.Status != 400 || r.ErrCode() != "bad_request" {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
}
