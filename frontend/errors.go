package frontend

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
)

type errorPage struct {
	Status    int
	Heading   string
	Message   string
	RequestID string
	SignIn    string
}

// errorPage renders the shared error handler's errors for page requests. A
// 500 says nothing about its cause; the log has it under the request id.
func (f *Frontend) errorPage(c *fiber.Ctx, status int, e *errs.Error) error {
	if status == fiber.StatusUnauthorized && auth.From(c) == nil &&
		(c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) {
		return f.redirect(c, signInURL(c.OriginalURL()))
	}
	p := errorPage{Status: status, Message: sentence(e.Message)}
	switch status {
	case fiber.StatusNotFound:
		p.Heading = "We couldn’t find that page"
		p.Message = "It may have moved, or it belongs to a course you are not a member of."
	case fiber.StatusForbidden:
		p.Heading = "Not available to you yet"
	case fiber.StatusUnauthorized:
		p.Heading = "Please sign in again"
		p.SignIn = signInURL(c.OriginalURL())
	case fiber.StatusTooManyRequests:
		p.Heading = "Too many attempts"
		p.Message = "Please wait a minute before trying again."
		if s := c.GetRespHeader(fiber.HeaderRetryAfter); s != "" {
			if n, err := strconv.Atoi(s); err == nil && n > 0 {
				p.Message = "Please wait " + plural(n, "second", "seconds") + " before trying again."
			}
		}
	case fiber.StatusRequestEntityTooLarge:
		p.Heading = "That was too large"
	case fiber.StatusBadRequest, fiber.StatusConflict, fiber.StatusUnsupportedMediaType:
		p.Heading = "That didn’t work"
	default:
		p.Heading = "Something went wrong on our side"
		p.Message = "The problem has been logged. Please try again in a moment."
		p.RequestID = api.RequestID(c)
	}
	if err := f.render(c, status, "error", p); err != nil {
		// The error page itself failed: fall back to text, never loop.
		c.Status(status)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(p.Heading + "\n")
	}
	return nil
}
