package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pacer/auth"
	"pacer/notify"
	"pacer/pacertest"
	"pacer/server"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// replicas starts n servers on one fresh PostgreSQL database, each with
// its own data directory and no configured signing key, as replicas of
// one site would run.
func replicas(t *testing.T, n int, modify func(*server.Config)) []*pacertest.Env {
	t.Helper()
	url := pgtest.URL(t)
	var envs []*pacertest.Env
	for i := range n {
		envs = append(envs, pacertest.New(t, func(c *server.Config) {
			c.Store, c.JWTSecret, c.ReplicaID = url, "", "replica-"+string(rune('a'+i))
			if modify != nil {
				modify(c)
			}
		}))
	}
	return envs
}

func TestReplicasSignWithOneKey(t *testing.T) {
	envs := replicas(t, 2, nil)
	a, b := envs[0], envs[1]
	ann := a.Register("Ann")
	bob := b.Register("Bob")

	t.Run("a token from one replica is good on the other", func(t *testing.T) {
		for _, c := range []struct {
			env  *pacertest.Env
			user pacertest.User
		}{{b, ann}, {a, bob}} {
			var me auth.PublicUser
			r := c.env.Do("GET", "/api/v1/me", c.user.Token, nil)
			if r.Status != 200 {
				t.Fatalf("GET /me of %s: %d %s", c.user.Name, r.Status, r.Body)
			}
			if r.Decode(&me); me.ID != c.user.ID {
				t.Fatalf("GET /me answered user %d, want %d", me.ID, c.user.ID)
			}
		}
		r := b.Do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": ann.Refresh})
		if r.Status != 200 {
			t.Fatalf("refresh on the other replica: %d %s", r.Status, r.Body)
		}
	})

	t.Run("a calendar feed URL made on one replica works on the other", func(t *testing.T) {
		r := a.Do("GET", "/api/v1/me/calendar-token", ann.Token, nil)
		var v struct {
			URL string `json:"url"`
		}
		r.Decode(&v)
		path, ok := strings.CutPrefix(v.URL, "http://pacer.test")
		if r.Status != 200 || !ok || !strings.HasPrefix(path, "/calendar/") {
			t.Fatalf("calendar token: %d %s", r.Status, r.Body)
		}
		if r := b.Do("GET", path, "", nil); r.Status != 200 || !strings.Contains(string(r.Body), "BEGIN:VCALENDAR") {
			t.Fatalf("feed on the other replica: %d %s", r.Status, r.Body)
		}
	})

	t.Run("an unsubscribe link made on one replica works on the other", func(t *testing.T) {
		link, err := url.Parse(a.Server.Outbox.UnsubscribeURL(ann.ID, notify.KindBehindNudge))
		if err != nil {
			t.Fatal(err)
		}
		r := b.Do("GET", link.RequestURI(), "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "You are unsubscribed") {
			t.Fatalf("unsubscribe on the other replica: %d %s", r.Status, r.Body)
		}
	})

	t.Run("no replica writes a key file of its own", func(t *testing.T) {
		for _, e := range envs {
			if _, err := os.Stat(filepath.Join(e.Dir, auth.KeyFile)); !os.IsNotExist(err) {
				t.Fatalf("%s has a key file (%v)", e.Dir, err)
			}
		}
	})
}

// A site moved from bbolt to PostgreSQL keeps the key of its data
// directory: the database adopts it on first start, and a replica with a
// data directory of its own (or a key file of its own) then reads it.
func TestPostgresAdoptsTheDataDirectoryKey(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	old := bytes.Repeat([]byte("o"), 64)
	key := func(dir string) []byte {
		t.Helper()
		e, err := server.OpenEngine(ctx, dir, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		k, err := server.SigningKey(ctx, e, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	moved := t.TempDir()
	if err := os.WriteFile(filepath.Join(moved, auth.KeyFile), old, 0o600); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key(moved), old) {
		t.Fatal("the database did not adopt the data directory's key")
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, auth.KeyFile), bytes.Repeat([]byte("x"), 64), 0o600); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key(t.TempDir()), old) || !bytes.Equal(key(other), old) {
		t.Fatal("a later replica signs with another key than the database's")
	}
}

// Sign-in attempts from one address are one count however they are
// spread over the replicas: the answer to each attempt is the same as on
// a single server.
func TestSignInLimitHoldsAcrossReplicas(t *testing.T) {
	const rate = 5
	attempt := func(env *pacertest.Env, email string) int {
		return env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "not the password"}).Status
	}
	run := func(envs []*pacertest.Env) []int {
		// Registering is an attempt too.
		u := envs[0].Register("Ann")
		statuses := []int{201}
		for i := range rate + 1 {
			statuses = append(statuses, attempt(envs[i%len(envs)], u.Email))
		}
		return statuses
	}
	limited := func(c *server.Config) { c.AuthRate = rate }
	one := run(replicas(t, 1, limited))
	envs := replicas(t, 2, limited)
	two := run(envs)
	want := []int{201, 401, 401, 401, 401, 429, 429}
	if !slices.Equal(one, want) || !slices.Equal(two, want) {
		t.Fatalf("statuses on one server %v, on two replicas %v; want %v on both", one, two, want)
	}

	// The ended window is swept by the scheduler's job, and the address
	// may try again.
	a := envs[0]
	res, err := a.Server.Scheduler.RunAt(server.JobSweepRateLimits, pacertest.Start.Add(time.Minute))
	if err != nil || res.Changed != 1 {
		t.Fatalf("sweep: %+v, %v; want the one ended window deleted", res, err)
	}
	a.Clock.Advance(time.Minute)
	if got := attempt(a, "nobody@example.test"); got != 401 {
		t.Fatalf("after the window: %d, want 401", got)
	}
}

// lockedBuffer is a log destination for the handlers of several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestEveryLogLineNamesTheReplica(t *testing.T) {
	host, _ := os.Hostname()
	for _, c := range []struct {
		name, id, want string
	}{
		{"the configured id", "replica-7", "replica=replica-7"},
		{"the host name and a suffix by default", "", "replica=" + host + "-"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var logs lockedBuffer
			env := pacertest.New(t, func(cfg *server.Config) {
				cfg.ReplicaID = c.id
				cfg.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			env.Register("Ann")
			env.Do("GET", "/api/v1/no-such-route", "", nil)
			if err := env.Server.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) < 2 {
				t.Fatalf("too few lines logged to check:\n%s", logs.String())
			}
			for _, l := range lines {
				if !strings.Contains(l, c.want) {
					t.Fatalf("a line without %q:\n%s", c.want, l)
				}
			}
		})
	}
}
