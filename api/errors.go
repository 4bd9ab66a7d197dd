// Package api holds what every HTTP surface of Pacer shares: the one error
// handler that maps errs.Kind to the contract's status codes and shape, strict
// JSON decoding, ID and pagination parsing, rate limits, and the server
// lifecycle that drains connections before shutting down.
package api

import (
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
	"pacer/txn"
)

// body is the contract's error shape.
type body struct {
	Error payload `json:"error"`
}

type payload struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Status maps a kind to its HTTP status. It is the only such mapping.
func Status(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return fiber.StatusBadRequest
	case errs.Unauthenticated:
		return fiber.StatusUnauthorized
	case errs.Forbidden:
		return fiber.StatusForbidden
	case errs.NotFound:
		return fiber.StatusNotFound
	case errs.Conflict:
		return fiber.StatusConflict
	case errs.TooLarge:
		return fiber.StatusRequestEntityTooLarge
	case errs.Unsupported:
		return fiber.StatusUnsupportedMediaType
	case errs.RangeNotSatisfiable:
		return fiber.StatusRequestedRangeNotSatisfiable
	case errs.RateLimited:
		return fiber.StatusTooManyRequests
	case errs.HeadersTooLarge:
		return fiber.StatusRequestHeaderFieldsTooLarge
	case errs.Unavailable:
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

// fromFiber turns Fiber's own errors (unknown route, body too large, ...)
// into ours, with the contract's codes.
func fromFiber(fe *fiber.Error) *errs.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return errs.E(errs.NotFound, "not found")
	case fiber.StatusMethodNotAllowed:
		return errs.E(errs.NotFound, "not found")
	case fiber.StatusRequestEntityTooLarge:
		return errs.E(errs.TooLarge, "request body too large")
	case fiber.StatusRequestTimeout:
		return errs.BadRequest("request timed out")
	case fiber.StatusUnsupportedMediaType:
		return errs.E(errs.Unsupported, "unsupported media type")
	case fiber.StatusTooManyRequests:
		return errs.E(errs.RateLimited, "too many requests")
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return errs.E(errs.HeadersTooLarge, "request headers too large")
	}
	if fe.Code >= 400 && fe.Code < 500 {
		return &errs.Error{Kind: errs.Invalid, Code: "bad_request", Message: "bad request"}
	}
	return nil
}

// Classify turns any error into an *errs.Error that is safe to show: known
// ones keep their message, everything else becomes a bare internal error.
func Classify(err error) *errs.Error {
	if errors.Is(err, txn.ErrUnavailable) {
		// Whatever wrapped it, the answer is the same: try again soon.
		return errs.E(errs.Unavailable, "the service cannot reach its database; try again in a moment")
	}
	var e *errs.Error
	if errors.As(err, &e) {
		if e.Kind == errs.Internal {
			return &errs.Error{Kind: errs.Internal, Code: "internal", Message: "internal error"}
		}
		return e
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if m := fromFiber(fe); m != nil {
			return m
		}
	}
	return &errs.Error{Kind: errs.Internal, Code: "internal", Message: "internal error"}
}

// ErrorHandler answers every error in the contract's shape. Internal errors
// are logged with the request id and answered with a bare "internal".
func ErrorHandler(log *slog.Logger) fiber.ErrorHandler {
	paths := &logPaths{}
	return func(c *fiber.Ctx, err error) error {
		e := Classify(err)
		status := Status(e.Kind)
		if status >= 500 {
			log.Error("request failed", "request_id", RequestID(c), "method", c.Method(), "path", paths.redact(c), "err", err)
		}
		if e.Kind == errs.Unavailable {
			c.Set(fiber.HeaderRetryAfter, "5")
		}
		if e.Kind == errs.RateLimited && c.GetRespHeader(fiber.HeaderRetryAfter) == "" {
			if e.RetryAfter > 0 {
				retryAfter(c, int64((e.RetryAfter+time.Second-1)/time.Second))
			} else {
				c.Set(fiber.HeaderRetryAfter, "60")
			}
		}
		c.Status(status)
		if WantsHTML(c) {
			if h := htmlErrors(c); h != nil {
				return h(c, status, e)
			}
		}
		return c.JSON(body{Error: payload{Code: e.Code, Message: e.Message, Fields: e.Fields}})
	}
}

// HTMLErrorPage renders an error for a page request. The frontend installs
// one with SetHTMLErrors so that API and pages share one error handler.
type HTMLErrorPage func(c *fiber.Ctx, status int, e *errs.Error) error

const htmlErrorsKey = "pacer.htmlErrors"

// SetHTMLErrors makes page routes render errors with h.
func SetHTMLErrors(h HTMLErrorPage) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(htmlErrorsKey, h)
		return c.Next()
	}
}

func htmlErrors(c *fiber.Ctx) HTMLErrorPage {
	h, _ := c.Locals(htmlErrorsKey).(HTMLErrorPage)
	return h
}

// WantsHTML reports whether the request is for a web page rather than the API.
func WantsHTML(c *fiber.Ctx) bool {
	return htmlErrors(c) != nil
}

// retryAfter sets Retry-After in whole seconds (at least 1).
func retryAfter(c *fiber.Ctx, secs int64) {
	if secs < 1 {
		secs = 1
	}
	c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(secs, 10))
}
