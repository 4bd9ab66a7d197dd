package server_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/server"
)

// serveEnv runs env's server on a real loopback listener until the test
// ends and returns its address.
func serveEnv(t *testing.T, env *pacertest.Env) string {
	t.Helper()
	addr := env.Listen(t)
	for i := 0; ; i++ {
		if status, err := getAndClose(addr, "/healthz"); err == nil && status == 200 {
			return addr
		}
		if i == 200 {
			t.Fatal("server did not become healthy")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// getAndClose asks for path on a connection of its own and reads until the
// server has closed it, so that the connection no longer counts against
// any cap when it returns.
func getAndClose(addr, path string) (int, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	_, err = io.Copy(io.Discard, c)
	return res.StatusCode, err
}

// closedWithin reports whether the server ends c (EOF or reset, after any
// bytes it had sent) within d, reading whatever arrives meanwhile.
func closedWithin(c net.Conn, d time.Duration) (bool, int64) {
	c.SetReadDeadline(time.Now().Add(d))
	n, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false, n
	}
	return true, n
}

// TestUnfinishedHeadersAreClosedAfterTheHeaderTimeout: a connection that
// starts a request and never finishes its headers pins a read buffer for
// as long as it stays open (12,000 of them took 3 GiB at 128 KiB each).
// It must be closed once HeaderTimeout has passed.
func TestUnfinishedHeadersAreClosedAfterTheHeaderTimeout(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.HeaderTimeout = 300 * time.Millisecond })
	addr := serveEnv(t, env)
	for _, sent := range []string{"", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaa"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, sent)
		start := time.Now()
		if closed, _ := closedWithin(c, 2*time.Second); !closed {
			t.Fatalf("after sending %q the connection was still open %v later (header timeout 300ms)", sent, time.Since(start).Round(time.Millisecond))
		}
	}
	// A request that completes in time is answered as before.
	if status, err := getAndClose(addr, "/healthz"); err != nil || status != 200 {
		t.Fatalf("healthz: %d %v", status, err)
	}
}

// TestConnectionsOverThePerIPCapAreClosed: one client address may hold
// only MaxConnsPerIP connections; the next is closed at once and the
// server goes on answering the ones it holds, and a new one once a place
// is free.
func TestConnectionsOverThePerIPCapAreClosed(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.MaxConnsPerIP = 2 })
	addr := serveEnv(t, env)
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	// Both held connections are served (which also proves both were
	// accepted before the third arrives).
	for i, c := range held {
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("held connection %d: %v %v", i, res, err)
		}
		io.Copy(io.Discard, res.Body)
	}
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if closed, n := closedWithin(extra, 2*time.Second); !closed || n != 0 {
		t.Fatalf("a third connection from one address was kept open (closed %v, %d bytes)", closed, n)
	}
	held[0].Close()
	// The freed place is taken again (the server notices the close a
	// moment later).
	deadline := time.Now().Add(2 * time.Second)
	for {
		status, err := getAndClose(addr, "/healthz")
		if err == nil && status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection served after one was freed: %d %v", status, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAStalledMediaDownloadIsDropped: a client that asks for a large file
// and never reads it must not hold its socket and the open file for ever;
// with WriteTimeout 0, 10,200 such downloads ran the server out of file
// descriptors. The server drops it once WriteTimeout passes without
// progress.
func TestAStalledMediaDownloadIsDropped(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.WriteTimeout = 300 * time.Millisecond })
	addr := serveEnv(t, env)
	teacher := env.Register("Tess")
	course := env.Course(teacher, nil)
	// Larger than what the socket buffers of both ends hold on loopback.
	const size = 24 << 20
	file := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), size-9)...)
	r := env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=big.pdf", course), teacher.Token, file,
		map[string]string{"Content-Type": "application/pdf"})
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	id := r.ID()

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /api/v1/media/%d HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", id, teacher.Token)
	// Read nothing for well over the write timeout.
	time.Sleep(time.Second)
	closed, n := closedWithin(c, 2*time.Second)
	if !closed || n >= size {
		t.Fatalf("the stalled download was not dropped: closed %v, %d of %d bytes delivered", closed, n, size)
	}
	t.Logf("dropped after %d of %d bytes", n, size)

	// A download that keeps reading, slowly, across many write timeouts is
	// not cut off.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	fmt.Fprintf(c2, "GET /api/v1/media/%d HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", id, teacher.Token)
	c2.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c2), nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("download: %v %v", res, err)
	}
	got, err := io.Copy(io.Discard, &paced{r: res.Body, every: 100 * time.Millisecond, per: 2 << 20})
	if err != nil || got != size {
		t.Fatalf("a slow but steady download ended after %d of %d bytes: %v", got, size, err)
	}
}

// paced reads at most per bytes each every, a slow reader that never
// stops.
type paced struct {
	r     io.Reader
	every time.Duration
	per   int
	left  int
}

func (p *paced) Read(b []byte) (int, error) {
	if p.left == 0 {
		time.Sleep(p.every)
		p.left = p.per
	}
	n, err := p.r.Read(b[:min(len(b), p.left)])
	p.left -= n
	return n, err
}

// TestAnOverLargeHeaderIs431: the headers must fit the server's header
// buffer (kept small so that a connection pins little); larger ones get a
// clean 431 in the contract's error shape, not a generic 400, and the
// server goes on.
func TestAnOverLargeHeaderIs431(t *testing.T) {
	env := pacertest.New(t)
	addr := serveEnv(t, env)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", strings.Repeat(".", 100000))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 431 || !strings.Contains(string(raw), `"code":"headers_too_large"`) {
		t.Fatalf("got %d %.200s", res.StatusCode, raw)
	}
	if status, err := getAndClose(addr, "/healthz"); err != nil || status != 200 {
		t.Fatalf("healthz after: %d %v", status, err)
	}
}
