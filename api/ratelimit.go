package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
	"pacer/limit"
)

// RateLimiter is the in-process limiter (limit.Window); services hold a
// limit.Limiter.
type RateLimiter = limit.Window

// NewRateLimiter allows limit events per window per key; limit <= 0 allows all.
func NewRateLimiter(n int, window time.Duration, now func() time.Time) *RateLimiter {
	return limit.NewWindow(n, window, now)
}

// Check counts one event for key on l and returns a 429 error (with
// Retry-After set on c) when over the limit.
func Check(c *fiber.Ctx, l limit.Limiter, key string) error {
	ok, wait := l.Allow(key)
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
