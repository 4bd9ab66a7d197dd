package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

const requestIDKey = "pacer.requestID"

// RequestID returns the id given to this request by Recover.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// Recover is the first middleware: it gives each request an id and turns a
// panic into a logged 500 in the contract's shape instead of a dropped
// connection. It also ends the connection after a streamed request body.
func Recover(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) (err error) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		c.Locals(requestIDKey, id)
		c.Set("X-Request-Id", id)
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic", "request_id", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
			closeAfterStream(c)
		}()
		return c.Next()
	}
}

// closeAfterStream is a security fix (request desync): a body over
// BodyLimit, or a chunked one, arrives as a stream, and fasthttp 1.51 reads
// whatever of it a handler left unread (after an early 401, 404 or 413) as
// the next request on the connection — so its tail could be a request of
// its own, and behind a proxy that reuses connections its answer would go
// to someone else. Such a connection ends with this answer instead; only
// large uploads and refused bodies pay for a new connection.
func closeAfterStream(c *fiber.Ctx) {
	if c.Request().IsBodyStream() && !bodyConsumed(c) {
		c.Context().SetConnectionClose()
	}
}

const bodyConsumedKey = "pacer.bodyConsumed"

// markBodyConsumed records that a handler read the request body stream to
// its end, so the connection can safely serve the next request.
func markBodyConsumed(c *fiber.Ctx) { c.Locals(bodyConsumedKey, true) }

func bodyConsumed(c *fiber.Ctx) bool {
	done, _ := c.Locals(bodyConsumedKey).(bool)
	return done
}

// loggedKey marks a request AccessLog is logging.
const loggedKey = "pacer.logged"

// AccessLog logs each request without its query string, which may carry
// secrets (unsubscribe signatures), and with its path redacted (logPaths):
// a path may be a secret too, like the calendar feed's.
func AccessLog(log *slog.Logger) fiber.Handler {
	paths := &logPaths{}
	return func(c *fiber.Ctx) error {
		if c.Locals(loggedKey) != nil {
			// Routed again (auth's Identify): the first pass logs it,
			// with the status of this one.
			return c.Next()
		}
		c.Locals(loggedKey, true)
		start := time.Now()
		err := c.Next()
		if !log.Enabled(c.UserContext(), slog.LevelDebug) {
			return err
		}
		status := c.Response().StatusCode()
		if err != nil {
			status = Status(Classify(err).Kind)
		}
		log.Debug("request", "request_id", RequestID(c), "method", c.Method(), "path", paths.redact(c),
			"status", status, "duration_ms", time.Since(start).Milliseconds())
		return err
	}
}

// logPaths writes paths into logs with every segment that is neither a
// literal word of some route nor a decimal ID replaced by "*". Secrets in
// paths (the calendar feed's token, and whatever a route takes next) are
// thus left out without each route having to say so, even when the path
// matched no route at all ("/CALENDAR/<token>.ics" is a 404). The words are
// gathered from the app's routes at the first request, when all are
// mounted.
type logPaths struct {
	once  sync.Once
	words map[string]bool
}

func (l *logPaths) redact(c *fiber.Ctx) string {
	l.once.Do(func() {
		l.words = map[string]bool{}
		for _, r := range c.App().GetRoutes(true) {
			for _, seg := range strings.Split(r.Path, "/") {
				if !strings.ContainsAny(seg, ":*+") {
					l.words[seg] = true
				}
			}
		}
	})
	segs := strings.Split(c.Path(), "/")
	for i, seg := range segs {
		if !l.words[seg] && !isDecimal(seg) {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

func isDecimal(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SecurityHeaders sets the headers every answer carries. Pages add their
// CSP; API answers forbid everything since they are never documents.
func SecurityHeaders(tls func(c *fiber.Ctx) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("Referrer-Policy", "same-origin")
		c.Set("X-Frame-Options", "DENY")
		c.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
		if tls != nil && tls(c) {
			c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}
