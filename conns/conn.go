package conns

import (
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

// chunk is the most sent under one write deadline. A client must take a
// chunk per WriteStall to keep its connection: with a 60 s stall, about
// 2 KiB/s, far below any real download and far above a reader that has
// stopped.
const chunk = 128 << 10

// conn is an accepted connection: it frees its place under the caps when
// closed, and moves its write deadline forward as its writes progress.
type conn struct {
	net.Conn
	l  *Listener
	ip netip.Addr
	// counted: the connection holds a place under its address's cap.
	counted bool
	closed  atomic.Bool
	stall   time.Duration
	// extended is when the write deadline was last moved. Only the one
	// goroutine that writes a connection's responses touches it.
	extended time.Time
}

func (c *conn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.release(c.ip, c.counted)
	}
	return c.Conn.Close()
}

// extend moves the write deadline to WriteStall from now. Moving it costs
// a timer update, so it moves at most a few times per WriteStall (and at
// least once a second), which keeps a byte of slack that does not matter.
func (c *conn) extend() {
	if c.stall <= 0 {
		return
	}
	now := time.Now()
	if now.Sub(c.extended) < min(time.Second, c.stall/4) {
		return
	}
	c.extended = now
	_ = c.Conn.SetWriteDeadline(now.Add(c.stall))
}

// Write sends p a chunk at a time, each under a deadline WriteStall away:
// fasthttp hands a large body to the connection in one Write, which would
// otherwise be one deadline for the whole body.
func (c *conn) Write(p []byte) (int, error) {
	if c.stall <= 0 {
		return c.Conn.Write(p)
	}
	n := 0
	for len(p) > 0 {
		c.extend()
		k := min(len(p), chunk)
		m, err := c.Conn.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

// ReadFrom keeps the kernel's sendfile(2) path of a media download (the
// TCP connection reads an *io.LimitedReader over the file itself) and
// sends it a chunk at a time, each under its own write deadline. Other
// readers are copied through Write.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	rf, ok := c.Conn.(io.ReaderFrom)
	if !ok {
		return io.Copy(writeOnly{c}, r)
	}
	if c.stall <= 0 {
		return rf.ReadFrom(r)
	}
	lr, limited := r.(*io.LimitedReader)
	if !limited {
		return io.Copy(writeOnly{c}, r)
	}
	var total int64
	for lr.N > 0 {
		c.extend()
		part := &io.LimitedReader{R: lr.R, N: min(lr.N, chunk)}
		n, err := rf.ReadFrom(part)
		total += n
		lr.N -= n
		if err != nil {
			return total, err
		}
		if n == 0 {
			break // the file ended early
		}
	}
	return total, nil
}

// writeOnly hides ReadFrom so that io.Copy does not call it back.
type writeOnly struct{ io.Writer }
