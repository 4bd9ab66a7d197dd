package durability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Build compiles the pacer command into dir and returns the binary's path.
// It runs `go build` in the module, so it works from any package directory
// of the module (a test) or from its root (cmd/crashtest).
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "pacer")
	cmd := exec.Command("go", "build", "-o", bin, "pacer")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build pacer: %w\n%s", err, out)
	}
	return bin, nil
}

// Env is the environment a pacer process gets: the caller's, without any
// PACER_* setting that could change what is tested, and with an empty
// PACER_JWT_SECRET so that the signing key is the one generated into the
// data directory (and survives a restart with it).
func Env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PACER_") {
			env = append(env, kv)
		}
	}
	return append(env, "PACER_JWT_SECRET=")
}

// AddUser runs `pacer user add` on a data directory no server holds and
// returns nothing but an error: the caller signs in with the password.
func AddUser(bin, dataDir, email, name, password string, admin bool) error {
	args := []string{"user", "add", "--data", dataDir, "--email", email, "--name", name}
	if admin {
		args = append(args, "--admin")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = Env()
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pacer user add %s: %w\n%s", email, err, out)
	}
	return nil
}

// Proc is one running pacer server process.
type Proc struct {
	// Base is the server's URL, "http://127.0.0.1:PORT".
	Base string
	// Data is its data directory.
	Data string

	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
	err  error // the process's exit, valid once done is closed
}

// syncBuffer collects a process's output; the process writes while tests
// read.
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

// Start runs `pacer --data dataDir --addr 127.0.0.1:PORT --auth-rate 0`
// (plus extra flags) on a free loopback port and returns once /readyz
// answers 200, or an error with the process's output if it never does.
func Start(bin, dataDir string, extra ...string) (*Proc, error) {
	return StartEnv(bin, dataDir, Env(), extra...)
}

// StartEnv is Start with the process's whole environment given: replicas
// of one store share a PACER_JWT_SECRET, which Env leaves empty.
func StartEnv(bin, dataDir string, env []string, extra ...string) (*Proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"--data", dataDir, "--addr", addr, "--auth-rate", "0"}, extra...)
	p := &Proc{Base: "http://" + addr, Data: dataDir, log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start pacer: %w", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(30 * time.Second); err != nil {
		p.Kill()
		return nil, fmt.Errorf("%w\n--- server output ---\n%s", err, p.Log())
	}
	return p, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls /readyz: the one place these suites wait by polling.
func (p *Proc) waitReady(limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("pacer exited before it was ready: %v", p.err)
		default:
		}
		if res, err := client.Get(p.Base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("pacer was not ready within %s", limit)
}

// Log is everything the process printed so far.
func (p *Proc) Log() string { return p.log.String() }

// ErrorLines are the process's log lines at level ERROR (the JSON logger's
// `"level":"ERROR"`), and any panic or Go runtime fatal error it printed.
func (p *Proc) ErrorLines() []string {
	var out []string
	for _, line := range strings.Split(p.Log(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.HasPrefix(line, "panic:") ||
			strings.HasPrefix(line, "fatal error:") {
			out = append(out, line)
		}
	}
	return out
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *Proc) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Signal sends a signal without waiting.
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Wait waits for the process to exit, at most limit, and returns its exit
// status: nil for status 0, an *exec.ExitError otherwise. If it has not
// exited in time it is killed and an error says so.
func (p *Proc) Wait(limit time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(limit):
		p.Kill()
		return fmt.Errorf("pacer did not exit within %s and was killed", limit)
	}
}

// Stop sends SIGTERM and waits (at most 30 s) for exit status 0.
func (p *Proc) Stop() error {
	if err := p.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	if err := p.Wait(30 * time.Second); err != nil {
		return fmt.Errorf("pacer after SIGTERM: %w", err)
	}
	return nil
}

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ctxDone reports whether ctx is done, for loops that check between steps.
func ctxDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}
