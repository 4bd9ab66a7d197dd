// Package server is Pacer's composition root: it opens the store, builds
// every service with the configuration, clock and logger it is given, mounts
// their routes on one Fiber app, and owns the order of shutdown. main.go
// parses flags and signals and calls it; tests call it to drive the whole
// application through app.Test or a real listener.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"pacer/announcements"
	"pacer/api"
	"pacer/audit"
	"pacer/auth"
	"pacer/conns"
	"pacer/deadlines"
	"pacer/discussion"
	"pacer/engagement"
	"pacer/errs"
	"pacer/grades"
	"pacer/jobs"
	"pacer/limit"
	"pacer/markdown"
	"pacer/media"
	"pacer/modules"
	"pacer/notify"
	"pacer/quiz"
	"pacer/storage"
	"pacer/storage/postgres"
	"pacer/txn"
)

// Config is everything the server is told at start.
type Config struct {
	Addr    string
	DataDir string
	// Store is the engine (--store): "" or "bolt" for bbolt in DataDir,
	// or a postgres:// URL.
	Store string
	// Media is where uploaded files live (--media): "" or "file" for
	// DataDir/media, or s3://bucket/prefix?endpoint=…&region=…&path_style=…
	// for an S3-compatible bucket signed with S3AccessKeyID and
	// S3SecretAccessKey (from the environment, never logged).
	Media                            string
	S3AccessKeyID, S3SecretAccessKey string
	// PGMaxConns caps the PostgreSQL connection pool and
	// PGStatementTimeout bounds each statement there (0: the defaults).
	PGMaxConns         int32
	PGStatementTimeout time.Duration
	BaseURL            string
	Tick               time.Duration
	MaxUploadBytes     int64
	// UserQuotaBytes bounds each user's submission uploads and
	// CourseQuotaBytes each course's files (--user-quota-bytes,
	// --course-quota-bytes); 0 is no quota.
	UserQuotaBytes   int64
	CourseQuotaBytes int64
	AuthRate         int
	SMTPURL          string
	MailFrom         string
	AccessTTL        time.Duration
	JWTSecret        string
	TLSCert          string
	TLSKey           string
	TrustedProxies   []string
	// HeaderTimeout bounds the time to receive a request's headers, from
	// the connection's opening (or a kept-alive connection's first byte);
	// 0 means 20 s. A connection that has not sent them by then is closed.
	HeaderTimeout time.Duration
	// IdleTimeout is how long a kept-alive connection may wait for its next
	// request; 0 means 120 s.
	IdleTimeout time.Duration
	// WriteTimeout is how long an answer may go without the client taking
	// a byte before the connection is dropped; 0 means 60 s. It is
	// renewed by every chunk sent, so long downloads are never cut off.
	WriteTimeout time.Duration
	// MaxConns caps the connections open at once; 0 derives it from the
	// limit on open files (conns.MaxFor), negative means no cap.
	MaxConns int
	// MaxConnsPerIP caps the connections open at once from one socket
	// address; trusted proxies are exempt. 0 means 256, negative no cap.
	MaxConnsPerIP int
	// Argon2 overrides the password cost (tests use a cheap one).
	Argon2 auth.Argon2Params
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives structured logs; nil discards them. Every line the
	// server logs carries replica=ReplicaID.
	Log *slog.Logger
	// ReplicaID names this process among the replicas serving one store
	// (--replica-id): in its logs, and as the holder of leases. Empty is
	// DefaultReplicaID().
	ReplicaID string
}

// Server is the running application.
type Server struct {
	cfg Config
	log *slog.Logger
	// proxies are the trusted proxies (--trusted-proxies): the client
	// address behind them, and exempt from the per-IP connection cap.
	proxies *api.Proxies
	now     func() time.Time
	// DB is the bbolt engine's database, nil on PostgreSQL; PG is the
	// PostgreSQL engine's, nil on bbolt. Tx and Stores are the engine's,
	// whichever it is.
	DB     *storage.DB
	PG     *postgres.DB
	Tx     txn.Runner
	Stores Stores
	App    *fiber.App
	Auth   *auth.Service
	// AuthHTTP serves accounts and page sessions.
	AuthHTTP *auth.HTTP
	Courses  *modules.Service
	Notify   *notify.Service
	Markdown *markdown.Renderer
	Audit    *audit.Log
	// Discussion serves boards, threads and posts (pages use it too).
	Discussion *discussion.Service
	// Deadlines and Scheduler: extensions, submissions, the calendar feed;
	// other features register their jobs on the Scheduler.
	Deadlines *deadlines.Service
	Scheduler *jobs.Scheduler
	// Engagement tracks activity, flags learners at risk and nudges them.
	Engagement *engagement.Service
	// Media stores uploads and serves lectures (pages use it too).
	Media *media.Service
	// Announcements: staff news to a course's members (pages use it too).
	Announcements *announcements.Service
	Quiz          *quiz.Service
	Grades        *grades.Service
	// Outbox holds e-mail on its way out (the admin pages list it).
	Outbox *notify.Outbox

	// limits builds the services' rate limits (limits.go); pgLimits is
	// the PostgreSQL engine's, nil on bbolt.
	limits   limit.Factory
	pgLimits *postgres.Limits

	stoppers []func(ctx context.Context) error
	// engine is the open store (nil once closed); DB, PG, Tx and Stores
	// above are its parts, kept for the services and tests that use them.
	engine *Engine
	httpMu sync.Mutex
	http   *api.Server
	ready  func() bool
}

// New opens the data directory and builds the application.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.ReplicaID == "" {
		cfg.ReplicaID = DefaultReplicaID()
	}
	// Replicas log to one place; each line says which one wrote it.
	cfg.Log = cfg.Log.With("replica", cfg.ReplicaID)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost:3000"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Tick <= 0 {
		cfg.Tick = time.Minute
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 2 << 30
	}
	if cfg.MailFrom == "" {
		cfg.MailFrom = "pacer@localhost"
	}
	cfg.HeaderTimeout = orDefault(cfg.HeaderTimeout, DefaultHeaderTimeout)
	cfg.IdleTimeout = orDefault(cfg.IdleTimeout, DefaultIdleTimeout)
	cfg.WriteTimeout = orDefault(cfg.WriteTimeout, DefaultWriteTimeout)
	if cfg.MaxConns == 0 {
		cfg.MaxConns = conns.MaxFor(conns.FileLimit())
	}
	if cfg.MaxConnsPerIP == 0 {
		cfg.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	s := &Server{cfg: cfg, log: cfg.Log, now: cfg.Now}
	if err := s.openStore(context.Background()); err != nil {
		return nil, err
	}
	if err := s.build(); err != nil {
		// Whatever was started before the failure (the scheduler) stops
		// before the store closes.
		s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

func (s *Server) build() error {
	cfg := s.cfg
	key, err := SigningKey(context.Background(), s.engine, cfg.DataDir, cfg.JWTSecret)
	if err != nil {
		return err
	}
	s.buildLimits()
	s.Auth, err = auth.NewService(key, auth.Config{Tx: s.Tx, Store: s.Stores.Auth, Revisions: s.Stores.Revisions, AccessTTL: cfg.AccessTTL, Argon2: cfg.Argon2,
		HashLimit: max(1, runtime.GOMAXPROCS(0)), Limits: s.limits}, s.now)
	if err != nil {
		return err
	}
	proxies, err := api.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	secure := cfg.TLSCert != "" || strings.HasPrefix(cfg.BaseURL, "https://")
	s.AuthHTTP = auth.NewHTTP(s.Auth, cfg.AuthRate, secure)
	s.Markdown = markdown.New()
	s.Courses = modules.NewService(s.Tx, s.Stores.Revisions, s.Stores.Modules, s.Auth, s.Markdown, s.now)
	s.Courses.UseLimits(context.Background(), s.limits)
	s.Notify = notify.NewService(notify.Config{Tx: s.Tx, Store: s.Stores.Notify, Now: s.now})
	s.Audit = audit.New(audit.Config{Tx: s.Tx, Store: s.Stores.Audit, Now: s.now, Log: s.log})
	s.AuthHTTP.Audit = s.Audit
	s.AuthHTTP.BaseURL = cfg.BaseURL
	s.Auth.Audit = s.Audit
	s.Courses.Audit = s.Audit
	s.Courses.Notify = s.Notify

	s.App = fiber.New(fiber.Config{
		AppName:               "pacer",
		ErrorHandler:          api.ErrorHandler(s.log),
		DisableStartupMessage: true,
		// Responses are encoded by go-json: the same output as
		// encoding/json (server/json_test.go), at about half the cost, and
		// encoding was half of a modules list's time. Request bodies are
		// still decoded strictly by encoding/json (api.Decode).
		JSONEncoder: gojson.Marshal,
		BodyLimit:   api.MaxJSONBytes,
		// Large uploads arrive as streams and are limited by the media
		// handler itself; everything else is read whole under BodyLimit.
		StreamRequestBody: true,
		// Multipart bodies are parsed only by the handlers that ask for
		// them (page forms), not spooled to disk for every route first.
		DisablePreParseMultipartForm: true,
		// ReadTimeout is the time allowed for the headers; once they are
		// in, bodyTimeout takes over (see HeaderReceived below).
		ReadTimeout: cfg.HeaderTimeout,
		// No write deadline per answer: a long download must not be cut
		// off. A client that stops reading is dropped by the listener
		// instead, whose deadline moves with every chunk sent (conns).
		WriteTimeout: 0,
		IdleTimeout:  cfg.IdleTimeout,
		// ReadBufferSize bounds the headers of a request, and it is what
		// each connection pins while its headers arrive: at 128 KiB,
		// 12,000 connections that never finished theirs took 3 GiB.
		// Larger headers get 431.
		ReadBufferSize:          MaxHeaderBytes,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		// No ProxyHeader: Fiber would then answer c.IP() with the raw
		// X-Forwarded-For text. The client address comes from
		// api.ClientIP, which believes only trusted proxies.
		//
		// Paths match exactly, so that whatever decides by a path (the
		// API's CSRF guard, the pages' error shape) sees what the router
		// routed: "/API/v1/courses" is no API route.
		CaseSensitive: true,
	})
	// Headers arrived under HeaderTimeout; the body gets bodyTimeout of its
	// own (uploads extend it while their bytes keep coming).
	s.App.Server().HeaderReceived = func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
		return fasthttp.RequestConfig{ReadTimeout: bodyTimeout}
	}
	s.App.Use(api.Recover(s.log))
	s.proxies = proxies
	s.App.Use(proxies.Middleware())
	// HSTS goes out only over a real TLS connection, or when a configured
	// proxy says the client used HTTPS: Fiber believes X-Forwarded-Proto
	// from anyone when no proxy is configured.
	trustProxy := len(cfg.TrustedProxies) > 0
	s.App.Use(api.SecurityHeaders(func(c *fiber.Ctx) bool {
		return c.Context().IsTLS() || (trustProxy && c.Protocol() == "https")
	}))
	s.App.Use(api.AccessLog(s.log))
	s.App.Use(api.RefuseNUL())
	s.ready = func() bool { return s.engine != nil }
	s.App.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	s.App.Get("/readyz", func(c *fiber.Ctx) error {
		e := s.engine
		if e == nil || !s.ready() {
			return unavailable(c, "starting")
		}
		// A store that does not answer (a PostgreSQL restart, a lost
		// network) makes the replica unready until it answers again.
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		if err := e.Ping(ctx); err != nil {
			return unavailable(c, "the store is unreachable")
		}
		if m := s.Media; m != nil && m.Ping(ctx) != nil {
			return unavailable(c, "the media storage is unreachable")
		}
		return c.JSON(fiber.Map{"status": "ready"})
	})

	s.App.Use(s.AuthHTTP.Identify())
	v1 := s.App.Group("/api/v1", s.AuthHTTP.GuardCookieWrites())
	s.AuthHTTP.Mount(v1)
	// Each handler asks auth.Caller for the caller, so unknown paths stay
	// 404 rather than 401.
	modules.NewHTTP(s.Courses).Mount(v1)
	s.Notify.Mount(v1)
	admin := v1.Group("/admin", auth.Required(), auth.Admin())
	admin.Get("/backup", s.backup)
	s.Audit.Mount(admin)
	s.AuthHTTP.MountAdmin(admin)

	// Feature wiring: each feature builds its services and mounts its
	// routes in its own server/<feature>.go, called here in this order.
	// (features: add one call per line below this comment)
	if err := s.wireDeadlines(v1); err != nil {
		return err
	}
	if err := s.registerLimitSweep(); err != nil {
		return err
	}
	if err := s.wireDiscussion(v1); err != nil {
		return err
	}
	if err := s.wireMedia(v1); err != nil {
		return err
	}
	if err := s.wireQuiz(v1); err != nil {
		return err
	}
	if err := s.wireEngagement(v1); err != nil {
		return err
	}
	if err := s.wireAnnouncements(v1); err != nil {
		return err
	}
	if err := s.wireGrades(v1); err != nil {
		return err
	}

	// Pages come last, so that /api/v1 routes win.
	// (pages: frontend mount goes below this comment)
	s.mountPages()

	// Unknown routes answer 404 in the contract's shape.
	s.App.Use(func(c *fiber.Ctx) error { return errs.NotFoundf("route") })
	return nil
}

// unavailable is readyz's 503, in the contract's error shape.
func unavailable(c *fiber.Ctx, why string) error {
	return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"error": fiber.Map{"code": "unavailable", "message": why}})
}

// The defaults of Config's connection limits.
const (
	DefaultHeaderTimeout = 20 * time.Second
	DefaultIdleTimeout   = 120 * time.Second
	DefaultWriteTimeout  = 60 * time.Second
	DefaultMaxConnsPerIP = 256
	// MaxHeaderBytes is the most a request line and headers may take;
	// browsers send a few KiB, a session cookie and a token included.
	MaxHeaderBytes = 16 << 10
	// bodyTimeout bounds reading a request body once its headers are in.
	bodyTimeout = 60 * time.Second
)

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// backup streams a consistent copy of the database while the server keeps
// serving: a read transaction sees one snapshot and blocks no writer.
func (s *Server) backup(c *fiber.Ctx) error {
	if s.DB == nil {
		return errs.E(errs.Conflict, "backups of a PostgreSQL store are PostgreSQL's own: use pg_dump (or base backups with WAL archiving for point-in-time recovery); see the README's operations section")
	}
	if id := auth.From(c); id != nil {
		// No copy of the data leaves without its entry.
		if err := s.Audit.Record(c.UserContext(), audit.Entry{ActorID: id.UserID, Action: "backup", IP: api.ClientIP(c)}); err != nil {
			return errs.Wrap(err, "audit backup")
		}
	}
	// The size and the bytes come from one snapshot: see storage.Snapshot.
	snap, err := s.DB.Snapshot()
	if err != nil {
		return errs.Wrap(err, "backup snapshot")
	}
	size := snap.Size()
	pr, pw := io.Pipe()
	go func() {
		_, err := snap.WriteTo(pw)
		pw.CloseWithError(err)
	}()
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="pacer-backup.db"`)
	c.Context().SetBodyStream(pr, int(size))
	return nil
}

// Serve listens on cfg.Addr (with TLS when configured) until ctx is done,
// then shuts down in order: HTTP drains, background work stops, the store
// closes. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
		}
	}
	// The guard wraps the TCP listener, under TLS: a connection over a cap
	// is closed before it costs a handshake, and the write deadline counts
	// the bytes the client actually takes.
	ln = conns.Listen(ln, conns.Limits{Max: max(0, s.cfg.MaxConns), PerIP: max(0, s.cfg.MaxConnsPerIP),
		Exempt: s.proxyExempt(), WriteStall: s.cfg.WriteTimeout, Log: s.log})
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("load TLS key pair: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	srv := api.NewServer(s.App, ln)
	s.httpMu.Lock()
	s.http = srv
	s.httpMu.Unlock()
	s.log.Info("listening", "addr", srv.Addr().String(), "base_url", s.cfg.BaseURL,
		"max_conns", s.cfg.MaxConns, "max_conns_per_ip", s.cfg.MaxConnsPerIP)
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	select {
	case err := <-done:
		s.Close(context.Background())
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	herr := srv.Shutdown(sctx)
	<-done
	cerr := s.Close(sctx)
	return errors.Join(herr, cerr)
}

// OnStop adds work to stop before the store closes (the scheduler, the
// activity buffer), run in reverse order of adding.
func (s *Server) OnStop(f func(ctx context.Context) error) { s.stoppers = append(s.stoppers, f) }

// Close stops background work and closes the store.
func (s *Server) Close(ctx context.Context) error {
	var all []error
	for i := len(s.stoppers) - 1; i >= 0; i-- {
		all = append(all, s.stoppers[i](ctx))
	}
	s.stoppers = nil
	if s.engine != nil {
		all = append(all, s.engine.Close())
		s.engine, s.DB, s.PG = nil, nil, nil
	}
	return errors.Join(all...)
}

// InFlight is how many connections are mid-request (0 before Serve).
func (s *Server) InFlight() int {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	if s.http == nil {
		return 0
	}
	return s.http.InFlight()
}

// Config returns the configuration the server runs with.
func (s *Server) Config() Config { return s.cfg }

// proxyExempt exempts the trusted proxies from the per-IP connection cap:
// all of a proxy's clients arrive from its address.
func (s *Server) proxyExempt() func(netip.Addr) bool {
	if len(s.cfg.TrustedProxies) == 0 {
		return nil
	}
	return s.proxies.Trusts
}
