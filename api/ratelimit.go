package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
	"pacer/limit"
)

// Check counts one event for key on l and returns a 429 error (with
// Retry-After set on c) when over the limit. The count runs under the
// request's context.
func Check(c *fiber.Ctx, l limit.Limiter, key string) error {
	ok, wait := l.Allow(c.UserContext(), key)
	if ok {
		return nil
	}
	retryAfter(c, int64((wait+time.Second-1)/time.Second))
	return errs.E(errs.RateLimited, "too many requests; try again later")
}

// ByIP is middleware limiting requests per client IP.
func ByIP(l limit.Limiter) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := Check(c, l, ClientIP(c)); err != nil {
			return err
		}
		return c.Next()
	}
}
