package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
	"pacer/page"
)

// MaxJSONBytes bounds a JSON request body. Larger bodies get 413.
const MaxJSONBytes = 1 << 20

// Decode reads the request body as one JSON object into v, strictly: unknown
// fields (names are matched exactly, case included), trailing data, wrong
// types and malformed JSON are all 400, so a client can never set a field it
// may not. A body not sent as application/json is 415: a browser sends
// text/plain or a form cross-site without asking first, application/json
// only after a CORS preflight that Pacer never grants. Strings decoded are
// fresh copies, so nothing in v aliases Fiber's reused buffers.
func Decode(c *fiber.Ctx, v any) error {
	if c.Request().Header.ContentLength() != 0 && !isJSON(c) {
		return errs.E(errs.Unsupported, "the request body must be sent as application/json")
	}
	raw, err := readBody(c, MaxJSONBytes)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return errs.BadRequest("request body must be a JSON object")
	}
	if t := reflect.TypeOf(v); t != nil {
		if e := checkKeys(raw, t); e != nil {
			name := clipKey(e.Path)
			return &errs.Error{Kind: errs.Invalid, Code: "bad_request",
				Message: "unknown field " + strconv.Quote(name), Fields: map[string]string{name: "unknown field"}}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	// checkKeys has refused every key no field is named exactly; this
	// stays as a second line for keys it does not walk.
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return errs.BadRequest("request body must hold exactly one JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.BadRequest("request body must hold exactly one JSON object")
	}
	return nil
}

// RefuseNUL answers 400 to a request whose query string carries the NUL
// character (%00): no query parameter has a use for one, and PostgreSQL
// cannot store or compare text holding it. (Text in bodies is checked
// field by field, each named in its error.)
func RefuseNUL() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if q := c.Request().URI().QueryString(); bytes.IndexByte(q, 0) >= 0 || bytes.Contains(q, []byte("%00")) {
			return errs.BadRequest("the query must not contain the NUL character (%00)")
		}
		return c.Next()
	}
}

// isJSON reports whether the request's media type is application/json
// (parameters such as charset allowed; media types ignore case).
func isJSON(c *fiber.Ctx) bool {
	mt, _, _ := strings.Cut(string(c.Request().Header.ContentType()), ";")
	return strings.EqualFold(strings.TrimSpace(mt), fiber.MIMEApplicationJSON)
}

// clipKey shortens a key echoed in an error: it came from the client and
// may be up to a megabyte long.
func clipKey(k string) string {
	if len(k) <= 64 {
		return k
	}
	return strings.ToValidUTF8(k[:64], "") + "…"
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return errs.BadRequest(fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.As(err, &typ):
		if typ.Field != "" {
			return &errs.Error{Kind: errs.Invalid, Code: "bad_request",
				Message: typ.Field + " has the wrong type", Fields: map[string]string{typ.Field: "wrong type"}}
		}
		return errs.BadRequest("request body must be a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errs.BadRequest("malformed JSON: unexpected end")
	}
	return errs.BadRequest("malformed JSON")
}

// readBody returns the body, reading a streamed one through a limit so that
// an oversized body is refused without being held in memory.
func readBody(c *fiber.Ctx, limit int64) ([]byte, error) {
	if cl := c.Request().Header.ContentLength(); cl > int(limit) {
		return nil, errs.E(errs.TooLarge, "request body too large")
	}
	if c.Request().IsBodyStream() {
		stream := c.Context().RequestBodyStream()
		raw, err := io.ReadAll(io.LimitReader(stream, limit+1))
		if err != nil {
			return nil, errs.BadRequest("could not read request body")
		}
		if int64(len(raw)) > limit {
			return nil, errs.E(errs.TooLarge, "request body too large")
		}
		// The stream reached its end within the limit: nothing of it is
		// left to be mistaken for a next request. The body is kept as
		// the request's, so that a request routed again (auth's
		// Identify) reads it again.
		markBodyConsumed(c)
		c.Request().SetBodyRaw(raw)
		return raw, nil
	}
	raw := c.Body()
	if int64(len(raw)) > limit {
		return nil, errs.E(errs.TooLarge, "request body too large")
	}
	return raw, nil
}

// HoldBody makes sure the request's body is held in memory, so that the
// request can be routed again (auth's Identify, whose put-off check of a
// token may ask for that) and every handler reads the same body. With
// StreamRequestBody every body arrives as a stream, which a handler that
// reads it as one (an upload, a form) consumes; a stream of a stated length
// of at most limit bytes is read whole here, as the server would have read
// it without streaming. It reports false for a larger body, one of unknown
// length, or one that could not be read (the handler then meets the same
// error).
func HoldBody(c *fiber.Ctx, limit int) bool {
	if !c.Request().IsBodyStream() {
		return true
	}
	n := c.Request().Header.ContentLength()
	if n < 0 || n > limit {
		return false
	}
	raw, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(n)+1))
	if err != nil || len(raw) != n {
		return false
	}
	markBodyConsumed(c)
	c.Request().SetBodyRaw(raw)
	return true
}

// ParamID parses a positive integer route parameter; anything else is 404,
// since no object has that id.
func ParamID(c *fiber.Ctx, name string) (uint64, error) {
	id, err := ParseID(c.Params(name))
	if err != nil {
		return 0, errs.NotFoundf(name)
	}
	return id, nil
}

// MaxID is the largest ID (page.MaxID): with one bound for every ID the
// arithmetic on cursors (the next key after an ID, an ID inverted for
// newest-first order) never wraps to the first page.
const MaxID = page.MaxID

// ParseID parses a positive decimal ID, at most MaxID.
func ParseID(s string) (uint64, error) { return page.ParseID(s) }

// QueryID parses an optional positive ID from the query string (0 if absent).
func QueryID(c *fiber.Ctx, name string) (uint64, error) {
	s := c.Query(name)
	if s == "" {
		return 0, nil
	}
	id, err := ParseID(s)
	if err != nil {
		return 0, errs.Field(name, "must be a positive integer")
	}
	return id, nil
}

// Page is a parsed ?limit=&cursor= pair: the services' page.Request.
type Page = page.Request

// ParsePage reads ?limit= (default 50, max 200) and ?cursor=.
func ParsePage(c *fiber.Ctx) (Page, error) {
	p := Page{Limit: 50, Cursor: strings.Clone(c.Query("cursor"))}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return p, errs.Field("limit", "must be a positive integer")
		}
		if n > 200 {
			n = 200
		}
		p.Limit = n
	}
	if len(p.Cursor) > 256 {
		return p, errs.Field("cursor", "invalid")
	}
	return p, nil
}

// List is the contract's list shape (page.List).
type List[T any] = page.List[T]

// Items wraps a slice as a list with no further pages (never null).
func Items[T any](items []T) List[T] { return page.Items(items) }

// Created answers 201 with v as JSON.
func Created(c *fiber.Ctx, v any) error { return c.Status(fiber.StatusCreated).JSON(v) }

// NoContent answers 204.
func NoContent(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusNoContent) }

// FormatID is the decimal form of an ID (for cursors and links).
func FormatID(id uint64) string { return page.FormatID(id) }
