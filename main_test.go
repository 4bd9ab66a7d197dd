package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pacer/storage"
)

// TestMain lets a test start this very binary as the pacer command: with
// PACER_RUN_MAIN set, the test binary behaves as main. PACER_TEST_NOFILE
// sets its limit on open files first (soft and hard, so that nothing can
// raise it again).
func TestMain(m *testing.M) {
	if os.Getenv("PACER_RUN_MAIN") == "1" {
		if n, err := strconv.ParseUint(os.Getenv("PACER_TEST_NOFILE"), 10, 64); err == nil {
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				panic(err)
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

func TestUserAddReadsThePasswordFromStdinAndPrintsTheID(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := run([]string{"user", "add", "--data", dir, "--email", "Root@Example.org", "--name", "Root", "--admin"},
		strings.NewReader("a long enough password\n"), &out, &out)
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	if strings.TrimSpace(out.String()) != "1" {
		t.Fatalf("printed %q, want the id 1", out.String())
	}
	err = run([]string{"user", "add", "--data", dir, "--email", "root@example.org", "--name", "Again"},
		strings.NewReader("a long enough password\n"), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a duplicate e-mail: %v", err)
	}
	err = run([]string{"user", "add", "--data", dir, "--email", "x@example.org", "--name", "X"}, strings.NewReader("short\n"), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("a short password: %v", err)
	}
}

func TestBackupWritesACopyThatOpens(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"user", "add", "--data", dir, "--email", "a@example.org", "--name", "A"}, strings.NewReader("a long enough password"), &out, &out); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "copy", storage.FileName)
	os.MkdirAll(filepath.Dir(target), 0o700)
	if err := run([]string{"backup", "--data", dir, target}, nil, &out, &out); err != nil {
		t.Fatalf("backup: %v", err)
	}
	db, err := storage.Open(filepath.Dir(target), storage.Options{})
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	defer db.Close()
	_ = db.View(func(tx *storage.Tx) error {
		if tx.Count(storage.Users, nil) != 1 {
			t.Fatal("the copy lacks the user")
		}
		return nil
	})
	if err := run([]string{"backup", "--data", dir}, nil, &out, &out); err == nil {
		t.Fatal("backup without a file name succeeded")
	}
}

func TestUnknownVerbsAndArgumentsAreRefused(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"frobnicate"}, nil, &out, &out); err == nil {
		t.Fatal("an unknown verb was accepted")
	}
	if err := run([]string{"serve", "--no-such-flag"}, nil, &out, &out); err == nil {
		t.Fatal("an unknown flag was accepted")
	}
}

func TestEnvironmentTwinsSetDefaultsAndFlagsWin(t *testing.T) {
	t.Setenv("PACER_TICK", "5s")
	t.Setenv("PACER_ADDR", ":4000")
	fs := newFlags("x")
	tick := fs.duration("tick", time.Minute, "")
	addr := fs.str("addr", ":3000", "")
	if err := fs.Parse([]string{"--addr", ":5000"}); err != nil {
		t.Fatal(err)
	}
	if *tick != 5*time.Second || *addr != ":5000" {
		t.Fatalf("tick=%v addr=%s", *tick, *addr)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startPacer(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PACER_RUN_MAIN=1", "PACER_JWT_SECRET=")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &out
}

func waitUp(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}

// TestTheServerStopsCleanlyOnSIGTERM runs the real command: it must serve,
// refuse a second process on the same data directory with a clear error,
// and exit 0 on SIGTERM with its signing key written mode 0600; every line
// it logged names its replica (--replica-id).
func TestTheServerStopsCleanlyOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	cmd, out := startPacer(t, "--data", dir, "--addr", addr, "--demo", "--replica-id", "r-main")
	waitUp(t, "http://"+addr+"/readyz")

	second := exec.Command(os.Args[0], "backup", "--data", dir, filepath.Join(t.TempDir(), "b.db"))
	second.Env = append(os.Environ(), "PACER_RUN_MAIN=1")
	msg, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), dir) || !strings.Contains(string(msg), "locked") {
		t.Fatalf("a second process on the same data: %v %s", err, msg)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	st, err := os.Stat(filepath.Join(dir, "jwt.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v %v", st, err)
	}
	// The demo printed its accounts once, with passwords.
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	accounts, logged := 0, 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), "password: ") {
			accounts++
		}
		if strings.HasPrefix(sc.Text(), "{") {
			logged++
			if !strings.Contains(sc.Text(), `"replica":"r-main"`) {
				t.Errorf("a log line without its replica: %s", sc.Text())
			}
		}
	}
	if logged == 0 || !strings.Contains(out.String(), `"msg":"stopped cleanly","replica":"r-main"`) {
		t.Errorf("the log lines of the replica are missing:\n%s", out)
	}
	if accounts != 3 {
		t.Fatalf("the demo printed %d accounts:\n%s", accounts, out)
	}
}

func TestAShortJWTSecretRefusesToStart(t *testing.T) {
	cmd := exec.Command(os.Args[0], "--data", t.TempDir(), "--addr", freeAddr(t))
	cmd.Env = append(os.Environ(), "PACER_RUN_MAIN=1", "PACER_JWT_SECRET=too-short")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), strconv.Itoa(32)) {
		t.Fatalf("started with a short secret: %v %s", err, out)
	}
}

// TestTheServerOutlivesRunningOutOfFileDescriptors runs the real command
// with a limit of 256 open files and opens 400 connections that send
// nothing. fasthttp used to get "accept4: too many open files" from its
// listener and the process exited. Now connections over the cap are
// closed as they come, and without a cap the listener waits for
// descriptors to come back; either way /healthz answers once the idle
// connections are gone, and the process is still the one started.
func TestTheServerOutlivesRunningOutOfFileDescriptors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"with the default caps", nil},
		{"with no caps, so that accept itself runs out", []string{"PACER_MAX_CONNS=-1", "PACER_MAX_CONNS_PER_IP=-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The server picks its port and logs it: a port chosen here
			// could be taken by another process before the server binds it.
			cmd := exec.Command(os.Args[0], "--data", t.TempDir(), "--addr", "127.0.0.1:0")
			cmd.Env = append(os.Environ(), "PACER_RUN_MAIN=1", "PACER_JWT_SECRET=", "PACER_TEST_NOFILE=256")
			cmd.Env = append(cmd.Env, tc.env...)
			var out syncBuffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var exitErr error
			exited := make(chan struct{})
			go func() { exitErr = cmd.Wait(); close(exited) }()
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			addr := listeningAddr(&out, 10*time.Second)
			if addr == "" || !answersWithin("http://"+addr+"/healthz", 10*time.Second) {
				t.Fatalf("the server did not start:\n%s", out.String())
			}

			var idle []net.Conn
			for i := 0; i < 400; i++ {
				c, err := net.DialTimeout("tcp", addr, 2*time.Second)
				if err != nil {
					t.Fatalf("connection %d: %v", i, err)
				}
				idle = append(idle, c)
			}
			select {
			case <-exited:
				t.Fatalf("the server exited with 400 idle connections open: %v\n%s", exitErr, out.String())
			case <-time.After(500 * time.Millisecond):
			}
			for _, c := range idle {
				c.Close()
			}
			if !answersWithin("http://"+addr+"/healthz", 10*time.Second) {
				select {
				case <-exited:
					t.Fatalf("the server exited: %v\n%s", exitErr, out.String())
				default:
					t.Fatalf("the server no longer answers /healthz:\n%s", out.String())
				}
			}

			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case <-exited:
				if exitErr != nil {
					t.Fatalf("exit after SIGTERM: %v\n%s", exitErr, out.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("no exit after SIGTERM")
			}
			if tc.env != nil && !strings.Contains(out.String(), "too many open files") {
				t.Errorf("no accept failure was logged:\n%s", out.String())
			}
		})
	}
}

// listeningAddr waits up to d for the server's "listening" log line and
// returns the address in it ("" if none came).
func listeningAddr(out *syncBuffer, d time.Duration) string {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(out.String(), "\n") {
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "listening" {
				return l.Addr
			}
		}
	}
	return ""
}

// answersWithin reports whether url answers 200 within d.
func answersWithin(url string, d time.Duration) bool {
	client := &http.Client{Timeout: time.Second}
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if res, err := client.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return true
			}
		}
	}
	return false
}

// syncBuffer is a buffer a child process writes while the test reads it.
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
