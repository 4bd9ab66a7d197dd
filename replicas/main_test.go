package replicas_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pacer/durability"
	"pacer/media/s3blobs/s3test"
	"pacer/replicas"
	"pacer/storage/postgres/pgtest"

	// The suites run a binary they build themselves, which go test's result
	// cache cannot see. Linking the server (and so every package it wires)
	// into the test binary makes a change to any of them re-run the suites
	// instead of replaying a cached pass.
	_ "pacer/server"
)

// suite is what the tests of this binary share: the binary, built once,
// and one cluster of three replicas on one database, started by the first
// test that needs it and stopped by TestMain.
type suite struct {
	build    sync.Once
	dir, bin string
	buildErr error

	once    sync.Once
	cluster *replicas.Cluster
	// s3 is the one bucket every replica of the shared cluster keeps its
	// media in, served in this process.
	s3  *s3test.Server
	err error
	// seq makes every account's e-mail address unique in the database.
	seq atomic.Int64
}

var shared suite

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cluster != nil {
		if err := shared.cluster.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "replicas: stop the cluster:", err)
			code = max(code, 1)
		}
	}
	if shared.s3 != nil {
		shared.s3.Stop()
	}
	pgtest.Stop()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

var (
	errNoDatabase = errors.New("pgtest gave no database")
	errNoBinary   = errors.New("the pacer command did not build (see the package's first test)")
)

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("the replica suites start real server processes on PostgreSQL; skipped with -short")
	}
}

// adminEmail is the administrator `pacer user add --admin` creates.
const adminEmail = "admin@replicas.test"

// pacerBinary skips under -short and otherwise returns the pacer command,
// built once per test binary into the suite's directory.
func pacerBinary(t *testing.T) string {
	t.Helper()
	skipShort(t)
	if _, err := os.Stat(filepath.Join("..", "main.go")); err != nil {
		t.Fatalf("the suites run from replicas/ in the pacer module: %v", err)
	}
	shared.build.Do(func() {
		if shared.dir, shared.buildErr = os.MkdirTemp("", "pacer-replicas-*"); shared.buildErr != nil {
			return
		}
		shared.bin, shared.buildErr = durability.Build(shared.dir)
	})
	if shared.buildErr != nil {
		t.Fatalf("build the pacer command: %v", shared.buildErr)
	}
	return shared.bin
}

// cluster skips under -short and without PostgreSQL (unless it is
// required), and otherwise returns the shared cluster, started on first use:
// three replicas on one database and one bucket.
func cluster(t *testing.T) *replicas.Cluster {
	t.Helper()
	skipShort(t)
	shared.once.Do(func() {
		// pgtest skips (or, when PostgreSQL is required, fails) the first
		// test itself when PostgreSQL is missing, and pacerBinary fails it
		// when the build does; each leaves its error for the others.
		shared.err = errNoDatabase
		url := pgtest.EmptyURL(t)
		shared.err = errNoBinary
		bin := pacerBinary(t)
		shared.err = nil
		start := time.Now()
		// An empty database: the replicas, started together, apply the
		// migrations between them.
		if shared.s3, shared.err = s3test.New(); shared.err != nil {
			return
		}
		shared.cluster, shared.err = replicas.Start(replicas.Options{Bin: bin, Store: url, Dir: shared.dir,
			Args: []string{"--media", shared.s3.URL("replicas")}, Env: shared.s3.Env()})
		if shared.err != nil {
			return
		}
		t.Logf("three replicas ready in %s", time.Since(start).Round(time.Millisecond))
		shared.err = shared.cluster.AddUser(adminEmail, "Admin", durability.Password, true)
	})
	if shared.err == errNoDatabase && !pgtest.Required() {
		t.Skip("PostgreSQL is not installed (see the package's first test); install it (apt-get install postgresql) to run the replica suites")
	}
	if shared.err != nil {
		t.Fatalf("start the cluster: %v", shared.err)
	}
	logOnFailure(t, shared.cluster)
	return shared.cluster
}

// logOnFailure logs, if t fails, the errors each replica logged while t
// ran (the servers' side of the failure).
func logOnFailure(t *testing.T, c *replicas.Cluster) {
	t.Helper()
	marks := make([]int, len(c.Replicas))
	for i, r := range c.Replicas {
		marks[i] = r.Mark()
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for i, r := range c.Replicas {
			for _, line := range r.ErrorLinesSince(marks[i]) {
				t.Logf("%s: %s", r, line)
			}
		}
	})
}

// ownCluster starts three replicas of their own on a new database, for a
// test that cannot share (it needs fixed addresses, or other flags), and
// stops them when t ends. opts.Args and opts.Env reach every replica: the
// media-on-S3 suite passes --media and its PACER_S3_* credentials there.
func ownCluster(t *testing.T, opts replicas.Options) *replicas.Cluster {
	t.Helper()
	skipShort(t)
	opts.Store = pgtest.URL(t)
	opts.Bin = pacerBinary(t)
	opts.Dir = t.TempDir()
	c, err := replicas.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("stop the replicas: %v", err)
		}
	})
	logOnFailure(t, c)
	return c
}

// admin is the administrator's account, signed in anew for the test.
func admin(t *testing.T, c *replicas.Cluster) account {
	t.Helper()
	a, err := login(c.Replicas[0], adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// account is a signed-in user.
type account struct {
	ID      uint64
	Email   string
	Access  string
	Refresh string
}

type tokens struct {
	User struct {
		ID uint64 `json:"id"`
	} `json:"user"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// register makes a new account on replica r, named for the test.
func register(t *testing.T, r *replicas.Replica, name string) account {
	t.Helper()
	email := fmt.Sprintf("%s-%d@replicas.test", strings.ToLower(name), shared.seq.Add(1))
	var out tokens
	must(t, r.Client.JSON(201, "POST", "/api/v1/auth/register", "",
		map[string]string{"email": email, "password": durability.Password, "name": name}, &out))
	return account{ID: out.User.ID, Email: email, Access: out.AccessToken, Refresh: out.RefreshToken}
}

func login(r *replicas.Replica, email string) (account, error) {
	var out tokens
	err := r.Client.JSON(200, "POST", "/api/v1/auth/login", "",
		map[string]string{"email": email, "password": durability.Password}, &out)
	return account{ID: out.User.ID, Email: email, Access: out.AccessToken, Refresh: out.RefreshToken}, err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// call sends a request to replica r and wants status want; out, when not
// nil, receives the decoded answer.
func call(t *testing.T, r *replicas.Replica, want int, method, path, token string, body, out any) {
	t.Helper()
	if err := r.Client.JSON(want, method, path, token, body, out); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
}

// status sends a request to replica r and returns the answer's status.
func status(t *testing.T, r *replicas.Replica, method, path, token string, body any) int {
	t.Helper()
	res, err := r.Client.Do(method, path, token, body, "")
	if err != nil {
		t.Fatalf("%s: %s %s: %v", r, method, path, err)
	}
	return res.Status
}

type idOnly struct {
	ID uint64 `json:"id"`
}

// course is a published, scheduled course whose week 1 began yesterday,
// with a module open now, made by instructor on replica r.
type course struct {
	ID, Module uint64
}

func newCourse(t *testing.T, r *replicas.Replica, instructor account, title string) course {
	t.Helper()
	starts := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour)
	var c, m idOnly
	call(t, r, 201, "POST", "/api/v1/courses", instructor.Access, map[string]any{"title": title, "published": true,
		"starts_at": starts.Format(time.RFC3339), "timezone": "UTC"}, &c)
	call(t, r, 201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules", c.ID), instructor.Access,
		map[string]any{"title": "Week 1", "week": 1}, &m)
	return course{ID: c.ID, Module: m.ID}
}

func (co course) item(t *testing.T, r *replicas.Replica, instructor account, body map[string]any) uint64 {
	t.Helper()
	var it idOnly
	call(t, r, 201, "POST", fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", co.ID, co.Module), instructor.Access, body, &it)
	return it.ID
}

func enroll(t *testing.T, r *replicas.Replica, co course, a account) {
	t.Helper()
	call(t, r, 201, "POST", fmt.Sprintf("/api/v1/courses/%d/enroll", co.ID), a.Access, map[string]any{}, nil)
}

// notification is an entry of GET /api/v1/notifications.
type notification struct {
	ID   uint64 `json:"id"`
	Kind string `json:"kind"`
	Link string `json:"link"`
}

// notifications counts a's notifications of kind, read on replica r.
func notifications(t *testing.T, r *replicas.Replica, a account, kind string) int {
	t.Helper()
	var out struct {
		Items []notification `json:"items"`
	}
	call(t, r, 200, "GET", "/api/v1/notifications?limit=200", a.Access, nil, &out)
	n := 0
	for _, it := range out.Items {
		if it.Kind == kind {
			n++
		}
	}
	return n
}

// eventually polls cond every 50 ms until it holds or limit passes: only
// for what happens in the background of another process (a scheduler
// run, a delivery), never for what a request promises.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// decode is json.Unmarshal for answers read with Client.Do.
func decode(t *testing.T, raw []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decode %.200s: %v", raw, err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
