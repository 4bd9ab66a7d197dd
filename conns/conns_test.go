package conns

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// flaky is a listener whose Accept fails with errs in turn, then hands
// out conns (then blocks until closed).
type flaky struct {
	mu     sync.Mutex
	errs   []error
	conns  []net.Conn
	closed chan struct{}
}

func (f *flaky) Accept() (net.Conn, error) {
	f.mu.Lock()
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		f.mu.Unlock()
		return nil, err
	}
	if len(f.conns) > 0 {
		c := f.conns[0]
		f.conns = f.conns[1:]
		f.mu.Unlock()
		return c, nil
	}
	f.mu.Unlock()
	<-f.closed
	return nil, net.ErrClosed
}

func (f *flaky) Close() error   { close(f.closed); return nil }
func (f *flaky) Addr() net.Addr { return &net.TCPAddr{} }

func emfile() error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
}

// logBuffer is a logger whose lines a test can count.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.FieldsFunc(b.buf.String(), func(r rune) bool { return r == '\n' })
}

func TestAcceptWaitsOutRunningOutOfDescriptorsAndLogsOnce(t *testing.T) {
	server, client := net.Pipe()
	defer client.Close()
	errs := make([]error, 6)
	for i := range errs {
		errs[i] = emfile()
	}
	errs = append(errs, &net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", syscall.ENFILE)})
	var logs logBuffer
	l := Listen(&flaky{errs: errs, conns: []net.Conn{server}, closed: make(chan struct{})},
		Limits{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	start := time.Now()
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept gave up: %v", err)
	}
	c.Close()
	// 5+10+20+40+80+160+320 ms of backoff: neither spinning nor stuck.
	if took := time.Since(start); took < 300*time.Millisecond || took > 3*time.Second {
		t.Errorf("seven failed accepts took %v", took)
	}
	if n := len(logs.lines()); n != 1 {
		t.Errorf("%d log lines for seven failed accepts, want 1:\n%s", n, strings.Join(logs.lines(), "\n"))
	}
}

func TestAPermanentAcceptErrorIsReturned(t *testing.T) {
	bad := errors.New("listener broken")
	l := Listen(&flaky{errs: []error{bad}, closed: make(chan struct{})}, Limits{})
	if _, err := l.Accept(); !errors.Is(err, bad) {
		t.Fatalf("got %v", err)
	}
}

func TestCloseEndsABackoffAtOnce(t *testing.T) {
	errs := make([]error, 1000)
	for i := range errs {
		errs[i] = emfile()
	}
	l := Listen(&flaky{errs: errs, closed: make(chan struct{})}, Limits{})
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	time.Sleep(50 * time.Millisecond)
	l.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Accept still backing off after Close")
	}
}

// serveCounted accepts on l until it is closed and keeps what it accepts.
func serveCounted(t *testing.T, lim Limits) (*Listener, string, chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Listen(ln, lim)
	accepted := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for {
			select {
			case c := <-accepted:
				c.Close()
			default:
				return
			}
		}
	})
	return l, ln.Addr().String(), accepted
}

// dial connects and reports whether the server closed the connection
// within a short wait (a connection it keeps just stays silent).
func dial(t *testing.T, addr string) (net.Conn, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	return c, !(errors.As(err, &ne) && ne.Timeout())
}

func TestConnectionsOverTheCapsAreClosedAndTheirPlacesFreed(t *testing.T) {
	t.Run("per IP", func(t *testing.T) {
		l, addr, accepted := serveCounted(t, Limits{PerIP: 2})
		for i := 0; i < 2; i++ {
			if _, closed := dial(t, addr); closed {
				t.Fatalf("connection %d closed under the cap", i+1)
			}
		}
		if _, closed := dial(t, addr); !closed {
			t.Fatal("a third connection from one address was kept")
		}
		if l.Open() != 2 {
			t.Fatalf("open = %d", l.Open())
		}
		(<-accepted).Close()
		if _, closed := dial(t, addr); closed {
			t.Fatal("a freed place was not given again")
		}
	})
	t.Run("in total", func(t *testing.T) {
		_, addr, _ := serveCounted(t, Limits{Max: 1})
		if _, closed := dial(t, addr); closed {
			t.Fatal("the first connection was closed")
		}
		if _, closed := dial(t, addr); !closed {
			t.Fatal("a second connection over a total cap of 1 was kept")
		}
	})
	t.Run("a trusted proxy is exempt from the per-IP cap", func(t *testing.T) {
		loopback := func(ip netip.Addr) bool { return ip.IsLoopback() }
		_, addr, _ := serveCounted(t, Limits{PerIP: 1, Exempt: loopback})
		for i := 0; i < 3; i++ {
			if _, closed := dial(t, addr); closed {
				t.Fatalf("connection %d from an exempt address was closed", i+1)
			}
		}
	})
}

func TestAWriteTheClientDoesNotTakeFailsAfterTheStall(t *testing.T) {
	big := make([]byte, 64<<20)
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, via := range []string{"Write", "ReadFrom (sendfile)"} {
		t.Run(via, func(t *testing.T) {
			_, addr, accepted := serveCounted(t, Limits{WriteStall: 200 * time.Millisecond})
			dial(t, addr) // and never read
			c := <-accepted
			done := make(chan error, 1)
			go func() {
				if via == "Write" {
					_, err := c.Write(big)
					done <- err
					return
				}
				f, err := os.Open(path)
				if err != nil {
					done <- err
					return
				}
				defer f.Close()
				_, err = c.(io.ReaderFrom).ReadFrom(&io.LimitedReader{R: f, N: int64(len(big))})
				done <- err
			}()
			select {
			case err := <-done:
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("the stalled write ended with %v, want a timeout", err)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("the stalled write was still blocked after 3 s (stall 200 ms)")
			}
		})
	}
}

func TestASlowSteadyReaderIsNotCutOff(t *testing.T) {
	_, addr, accepted := serveCounted(t, Limits{WriteStall: 200 * time.Millisecond})
	client, _ := dial(t, addr)
	c := <-accepted
	const size = 16 << 20
	go func() { c.Write(make([]byte, size)); c.Close() }()
	// Each pause is under the stall, and the whole takes several stalls.
	client.SetReadDeadline(time.Now().Add(20 * time.Second))
	var got int64
	buf := make([]byte, 1<<20)
	for {
		n, err := client.Read(buf)
		got += int64(n)
		if err != nil {
			break
		}
		if got%(4<<20) < int64(n) {
			time.Sleep(120 * time.Millisecond)
		}
	}
	if got != size {
		t.Fatalf("read %d of %d bytes", got, size)
	}
}

func TestMaxForLeavesRoomForAFilePerConnection(t *testing.T) {
	for _, tc := range []struct {
		nofile uint64
		want   int
	}{{0, 0}, {64, 16}, {256, 64}, {1024, 448}, {4096, 1984}, {1 << 20, (1<<20 - Reserve) / 2}} {
		if got := MaxFor(tc.nofile); got != tc.want {
			t.Errorf("MaxFor(%d) = %d, want %d", tc.nofile, got, tc.want)
		}
	}
}
