package api

import (
	"context"
	"net"
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Server runs a Fiber app on a listener and shuts it down without dropping
// requests. Fiber's ShutdownWithContext drops a connection whose request is
// still arriving, so Shutdown first stops accepting, then waits until no
// connection is mid-request, and only then shuts the app down.
type Server struct {
	app *fiber.App
	ln  *onceListener

	mu       sync.Mutex
	busy     map[net.Conn]bool
	changed  chan struct{}
	draining atomic.Bool
}

// NewServer prepares app to be served on ln.
func NewServer(app *fiber.App, ln net.Listener) *Server {
	s := &Server{app: app, ln: &onceListener{Listener: ln}, busy: map[net.Conn]bool{}, changed: make(chan struct{}, 1)}
	app.Server().ConnState = s.track
	// While draining, every answer closes its connection. Otherwise clients
	// keep sending new requests on their kept-alive connections, some
	// connection is mid-request at nearly every instant under steady
	// traffic, and the drain runs into its deadline: 16 writers kept a
	// server answering for 21 s after SIGTERM (durability/shutdown_test.go).
	next := app.Server().Handler
	app.Server().Handler = func(ctx *fasthttp.RequestCtx) {
		next(ctx)
		if s.draining.Load() {
			ctx.SetConnectionClose()
		}
	}
	return s
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

func (s *Server) track(conn net.Conn, state fasthttp.ConnState) {
	s.mu.Lock()
	switch state {
	case fasthttp.StateNew, fasthttp.StateActive:
		s.busy[conn] = true
	default:
		delete(s.busy, conn)
	}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// InFlight is how many connections are mid-request.
func (s *Server) InFlight() int { return s.inFlight() }

func (s *Server) inFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.busy)
}

// Serve blocks until the listener is closed.
func (s *Server) Serve() error { return s.app.Listener(s.ln) }

// Shutdown stops accepting, waits (until ctx is done) for in-flight requests
// to be answered, then closes idle connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	_ = s.ln.Close()
	for s.inFlight() > 0 {
		select {
		case <-s.changed:
		case <-ctx.Done():
			return s.app.ShutdownWithContext(ctx)
		}
	}
	return s.app.ShutdownWithContext(ctx)
}

// onceListener makes Close idempotent: fasthttp's shutdown closes the
// listener again and gives up waiting if that returns an error.
type onceListener struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *onceListener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return nil
}
