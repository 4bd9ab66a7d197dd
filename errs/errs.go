// Package errs is the one error type of Pacer. Domain packages return these
// errors; the HTTP layer maps their Kind to a status code in exactly one place
// (api.ErrorHandler). An Error keeps the message that is safe for clients apart
// from the internal cause, which is only ever logged.
package errs

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Kind says what went wrong in terms a client can act on.
type Kind int

// The kinds, each mapped to one HTTP status by the api package.
const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	TooLarge
	Unsupported
	RangeNotSatisfiable
	RateLimited
	// HeadersTooLarge: the request line and headers did not fit the
	// server's header buffer.
	HeadersTooLarge
	// Unavailable: the store could not be reached; the request may be
	// tried again shortly.
	Unavailable
)

// Error is a failure with a safe message. Code is the contract's machine
// readable code ("validation_failed", "deadline_passed", ...). Fields names
// the offending input fields. Err is the internal cause, never sent out.
// RetryAfter, on a RateLimited error, is when the client may try again.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  map[string]string
	Err     error
	// RetryAfter, on a RateLimited error, is how long until the client may
	// try again: the HTTP layer sends it as Retry-After.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of a kind with its default code.
func E(kind Kind, msg string) *Error {
	return &Error{Kind: kind, Code: DefaultCode(kind), Message: msg}
}

// DefaultCode is the contract's code for a kind when nothing more specific applies.
func DefaultCode(k Kind) string {
	switch k {
	case Invalid:
		return "bad_request"
	case Unauthenticated:
		return "unauthenticated"
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case TooLarge:
		return "too_large"
	case Unsupported:
		return "unsupported_media_type"
	case RangeNotSatisfiable:
		return "range_not_satisfiable"
	case RateLimited:
		return "rate_limited"
	case HeadersTooLarge:
		return "headers_too_large"
	case Unavailable:
		return "unavailable"
	}
	return "internal"
}

// BadRequest is a malformed request (400 bad_request).
func BadRequest(msg string) *Error { return E(Invalid, msg) }

// Validation is a well-formed request with bad values (400 validation_failed).
// fields maps each field to a short reason.
func Validation(fields map[string]string) *Error {
	// One field is named in the message so a person sees what to fix; all
	// of them are in Fields. It is the first by name, so one request is
	// answered with the same message every time (a map has no order).
	msg := "invalid input"
	if len(fields) > 0 {
		k := slices.Min(slices.Collect(maps.Keys(fields)))
		msg = k + " " + fields[k]
	}
	return &Error{Kind: Invalid, Code: "validation_failed", Message: msg, Fields: fields}
}

// Field is Validation for one field.
func Field(name, reason string) *Error {
	return Validation(map[string]string{name: reason})
}

// NotFoundf is a 404 naming what was not found.
func NotFoundf(what string) *Error { return E(NotFound, what+" not found") }

// Forbid is a 403 with a reason.
func Forbid(msg string) *Error { return E(Forbidden, msg) }

// ConflictCode is a 409 with a specific code.
func ConflictCode(code, msg string) *Error {
	return &Error{Kind: Conflict, Code: code, Message: msg}
}

// Limited is a 429 (rate_limited): try again after wait.
func Limited(msg string, wait time.Duration) *Error {
	e := E(RateLimited, msg)
	e.RetryAfter = wait
	return e
}

// Unauth is a 401.
func Unauth(msg string) *Error { return E(Unauthenticated, msg) }

// Wrap marks an unexpected internal failure; the cause is logged, not sent.
func Wrap(err error, during string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: Internal, Code: "internal", Message: "internal error", Err: fmt.Errorf("%s: %w", during, err)}
}

// KindOf reports the kind of err; errors that are not *Error are Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an *Error of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }
