// Package conns guards Pacer's listening socket against running out of
// connections and file descriptors: the listener keeps serving through a
// failed accept (EMFILE, ENFILE, ...) instead of returning it, caps the
// connections open in total and per client address, and drops a client
// that stops reading what it is sent, so that a stalled download cannot
// hold its socket and its file for ever.
package conns

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// Limits says how the listener guards the server.
type Limits struct {
	// Max caps the connections open at once; 0 means no cap.
	Max int
	// PerIP caps the connections open at once from one remote address
	// (the socket's, never a header's); 0 means no cap.
	PerIP int
	// Exempt reports addresses the per-IP cap does not apply to: a
	// trusted reverse proxy carries every client's connections.
	Exempt func(netip.Addr) bool
	// WriteStall is how long a write may go without the client taking a
	// byte before it fails, which ends the connection; 0 means never. The
	// deadline moves with every chunk sent, so a long download at a
	// healthy rate is never cut off.
	WriteStall time.Duration
	// Log receives at most one line per kind of trouble per LogEvery
	// (default a minute); nil discards them.
	Log      *slog.Logger
	LogEvery time.Duration
}

// Listener is a net.Listener with Limits. Its Close stops any accept
// backoff in progress.
type Listener struct {
	net.Listener
	lim  Limits
	done chan struct{}
	once sync.Once

	mu    sync.Mutex
	open  int
	perIP map[netip.Addr]int

	acceptLog, fullLog, perIPLog rateLog
}

// Listen wraps ln.
func Listen(ln net.Listener, lim Limits) *Listener {
	if lim.LogEvery <= 0 {
		lim.LogEvery = time.Minute
	}
	if lim.Log == nil {
		lim.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Listener{Listener: ln, lim: lim, done: make(chan struct{}), perIP: map[netip.Addr]int{}}
}

// Backoff bounds of a failed accept, as net/http's server uses: the first
// retry comes quickly, later ones at most once a second, so that a
// process out of descriptors neither spins nor stays deaf for long once
// connections close.
const (
	minBackoff = 5 * time.Millisecond
	maxBackoff = time.Second
)

// Accept returns the next connection within the limits. Connections over
// a cap are closed at once (the client sees its connection end, the
// server goes on); a temporary accept error is retried after a backoff.
// It returns an error only once the listener is closed or fails for good.
func (l *Listener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case <-l.done:
				return nil, net.ErrClosed
			default:
			}
			if !temporary(err) {
				return nil, err
			}
			delay = min(max(2*delay, minBackoff), maxBackoff)
			l.acceptLog.warn(l.lim, "accept failed; retrying", "err", err, "retry_in", delay.String())
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-l.done:
				t.Stop()
				return nil, net.ErrClosed
			}
			continue
		}
		delay = 0
		ip, hasIP := remoteIP(c)
		counted := hasIP && l.lim.PerIP > 0 && !l.exempt(ip)
		switch l.admit(ip, counted) {
		case full:
			c.Close()
			l.fullLog.warn(l.lim, "connection refused: too many open connections", "max_conns", l.lim.Max)
			continue
		case ipFull:
			c.Close()
			l.perIPLog.warn(l.lim, "connection refused: too many open connections from one address",
				"remote_ip", ip.String(), "max_conns_per_ip", l.lim.PerIP)
			continue
		}
		return &conn{Conn: c, l: l, ip: ip, counted: counted, stall: l.lim.WriteStall}, nil
	}
}

// Close stops accepting; an accept waiting out a backoff returns at once.
func (l *Listener) Close() error {
	err := net.ErrClosed
	l.once.Do(func() {
		close(l.done)
		err = l.Listener.Close()
	})
	return err
}

// Open is how many accepted connections are not yet closed.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

type verdict int

const (
	admitted verdict = iota
	full
	ipFull
)

// admit takes a place for a connection from ip; counted says whether the
// per-IP cap applies to it.
func (l *Listener) admit(ip netip.Addr, counted bool) verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lim.Max > 0 && l.open >= l.lim.Max {
		return full
	}
	if counted && l.perIP[ip] >= l.lim.PerIP {
		return ipFull
	}
	l.open++
	if counted {
		l.perIP[ip]++
	}
	return admitted
}

func (l *Listener) release(ip netip.Addr, counted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if counted {
		if l.perIP[ip] <= 1 {
			delete(l.perIP, ip)
		} else {
			l.perIP[ip]--
		}
	}
}

func (l *Listener) exempt(ip netip.Addr) bool { return l.lim.Exempt != nil && l.lim.Exempt(ip) }

// remoteIP is the address the socket is connected from, IPv4-mapped
// addresses unmapped so that one client counts once.
func remoteIP(c net.Conn) (netip.Addr, bool) {
	a, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return netip.Addr{}, false
	}
	ip := a.AddrPort().Addr().Unmap()
	return ip, ip.IsValid()
}

// temporary reports accept errors that go away by themselves: out of
// descriptors (per process or system-wide), out of buffer memory, or a
// connection aborted before it was accepted.
func temporary(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN, syscall.EPROTO} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// rateLog writes one line per interval and counts the events it kept
// quiet about: under a flood of thousands of refused connections a
// second, a line per event would be a flood of its own.
type rateLog struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (r *rateLog) warn(lim Limits, msg string, args ...any) {
	r.mu.Lock()
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < lim.LogEvery {
		r.suppressed++
		r.mu.Unlock()
		return
	}
	n := r.suppressed
	r.last, r.suppressed = now, 0
	r.mu.Unlock()
	lim.Log.Warn(msg, append(args, "suppressed_since_last", n)...)
}
