// Package pgtest gives tests a fresh PostgreSQL database each: a throwaway
// cluster (initdb in a temporary directory, a Unix socket, no TCP port, no
// fsync) is started once per test binary on first use, a template database
// is migrated once in it, and every test gets its own copy of the
// template. It is imported only by tests.
//
// PostgreSQL's server refuses to run as root, so when the tests do, the
// cluster runs as the "postgres" OS user (Debian's package creates it).
// The server is started as a child that dies with the test process (a
// parent-death signal), and clusters a killed test binary left behind are
// removed by the next one.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/storage/postgres"
)

// Required reports whether tests that need PostgreSQL must run rather than
// skip when it is not installed: PACER_POSTGRES_TESTS=required, or a
// whole-suite run on the PostgreSQL engine (PACER_TEST_STORE=postgres).
func Required() bool {
	return os.Getenv("PACER_POSTGRES_TESTS") == "required" || Engine() == "postgres"
}

// Engine is the engine the application tests run on: PACER_TEST_STORE,
// "bolt" unless it says "postgres".
func Engine() string {
	if os.Getenv("PACER_TEST_STORE") == "postgres" {
		return "postgres"
	}
	return "bolt"
}

type cluster struct {
	dir, sock string
	proc      *os.Process
	exited    chan struct{}
	n         atomic.Int64

	// admin is the one connection databases are created on, kept open:
	// connecting anew for each test's database made creating it take six
	// times as long (a new server process, its catalog caches cold).
	mu    sync.Mutex
	admin *pgx.Conn
}

var (
	once    sync.Once
	shared  *cluster
	initErr error
)

// URL returns the address of a new database, with the schema applied and
// nothing in it, that lives as long as the test binary. It skips t when
// PostgreSQL is not installed (fails it when Required).
func URL(t testing.TB) string {
	t.Helper()
	c := get(t)
	name := fmt.Sprintf("t%d", c.n.Add(1))
	c.exec(t, "CREATE DATABASE "+name+" TEMPLATE pacer_template")
	return c.url(name)
}

// EmptyURL is URL without the schema: a database nothing was ever
// applied to (for tests of migrations and of copying into an empty
// database).
func EmptyURL(t testing.TB) string {
	t.Helper()
	c := get(t)
	name := fmt.Sprintf("e%d", c.n.Add(1))
	c.exec(t, "CREATE DATABASE "+name)
	return c.url(name)
}

// exec runs an administrative statement on the cluster's own connection.
func (c *cluster) exec(t testing.TB, sql string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx := context.Background()
	if c.admin == nil || c.admin.IsClosed() {
		conn, err := pgx.Connect(ctx, c.url("postgres"))
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		c.admin = conn
	}
	if _, err := c.admin.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

// Open opens a new database (URL) and closes it when t ends.
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), URL(t), postgres.Options{})
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Main runs the tests of a package and then stops its cluster, if one was
// started: call it from TestMain. (Without it the cluster still stops when
// the test binary exits, and its directory is removed by the next run.)
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the cluster and removes its directory.
func Stop() {
	if shared == nil {
		return
	}
	shared.mu.Lock()
	if shared.admin != nil {
		shared.admin.Close(context.Background())
	}
	shared.mu.Unlock()
	_ = shared.proc.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-shared.exited:
	case <-time.After(30 * time.Second):
		_ = shared.proc.Kill()
		<-shared.exited
	}
	os.RemoveAll(shared.dir)
	shared = nil
}

func get(t testing.TB) *cluster {
	t.Helper()
	once.Do(func() { shared, initErr = start() })
	if errors.Is(initErr, errNotInstalled) {
		if Required() {
			t.Fatalf("pgtest: %v (PACER_POSTGRES_TESTS=required or PACER_TEST_STORE=postgres)", initErr)
		}
		t.Skipf("pgtest: %v; install PostgreSQL (apt-get install postgresql) to run this test", initErr)
	}
	if initErr != nil {
		t.Fatalf("pgtest: %v", initErr)
	}
	return shared
}

func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres:///%s?host=%s&user=postgres&sslmode=disable", db, c.sock)
}

var errNotInstalled = errors.New("PostgreSQL is not installed")

// binDir finds PostgreSQL's programs: PACER_PG_BIN, Debian's
// /usr/lib/postgresql/<newest>/bin, or the directory of a postgres on
// PATH.
func binDir() (string, error) {
	if d := os.Getenv("PACER_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errNotInstalled
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func start() (*cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	removeStale()
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pacer-pg-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, sock: filepath.Join(dir, "sock"), exited: make(chan struct{})}
	data := filepath.Join(dir, "data")
	for _, d := range []string{dir, c.sock} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		if cred != nil {
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	if err := c.serve(bin, data, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.template(); err != nil {
		Stop()
		return nil, err
	}
	return c, nil
}

// serve starts the server and waits until it accepts connections. The
// goroutine that starts it keeps its OS thread for the child's whole life:
// the parent-death signal fires when the thread that forked exits, not
// only the process.
func (c *cluster) serve(bin, data string, cred *syscall.Credential) error {
	logf, err := os.Create(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return err
	}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", c.sock,
			"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "max_connections=400", "-c", "shared_buffers=64MB",
			"-c", "max_locks_per_transaction=256", "-c", "max_pred_locks_per_transaction=256")
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
		if err := cmd.Start(); err != nil {
			started <- err
			close(c.exited)
			return
		}
		c.proc = cmd.Process
		started <- nil
		_ = cmd.Wait()
		logf.Close()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), c.url("postgres"))
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-c.exited:
			log, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
			return fmt.Errorf("postgres exited: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// template creates pacer_template with the whole schema, which every
// test's database copies.
func (c *cluster) template() error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.url("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE pacer_template"); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, c.url("pacer_template"), postgres.Options{})
	if err != nil {
		return err
	}
	return db.Close()
}

// credential is the postgres OS user's, when the tests run as root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres OS user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// removeStale removes the clusters of test binaries that no longer run.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "pacer-pg-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// Dump runs pg_dump (custom format) of the database at url and returns the
// archive, as an operator backing up a PostgreSQL store would.
func Dump(t testing.TB, url string) []byte {
	t.Helper()
	c := get(t)
	bin, _ := binDir()
	cred, _ := credential()
	cmd := exec.Command(filepath.Join(bin, "pg_dump"), "--format=custom", "--dbname="+url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = c.dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg_dump: %v: %s", err, stderr.String())
	}
	return out
}

// Restore creates an empty database, restores a Dump archive into it with
// pg_restore, and returns its address.
func Restore(t testing.TB, archive []byte) string {
	t.Helper()
	url := EmptyURL(t)
	bin, _ := binDir()
	cred, _ := credential()
	cmd := exec.Command(filepath.Join(bin, "pg_restore"), "--exit-on-error", "--no-owner", "--dbname="+url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = get(t).dir
	cmd.Stdin = strings.NewReader(string(archive))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v: %s", err, out)
	}
	return url
}

// SetReachable makes the database at url refuse new connections and drops
// the open ones (false), as an outage would, or accept them again (true).
func SetReachable(t testing.TB, url string, reachable bool) {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, get(t).url("postgres"))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	name := pgx.Identifier{cfg.Database}.Sanitize()
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS %t", name, reachable)); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if !reachable {
		if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", cfg.Database); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
}
