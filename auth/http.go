package auth

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/audit"
	"pacer/cache"
	"pacer/errs"
	"pacer/limit"
)

// Cookie names of a page session. The access cookie carries the same kind of
// JWT as the Authorization header; the refresh cookie renews it.
const (
	AccessCookie  = "pacer_access"
	RefreshCookie = "pacer_refresh"
	// CSRFHeader carries the CSRF token on script requests made with the
	// cookie session; forms carry it in the _csrf field.
	CSRFHeader = "X-CSRF-Token"
)

const identityKey = "pacer.identity"

// From returns the caller, or nil when the request is anonymous.
func From(c *fiber.Ctx) *Identity {
	id, _ := c.Locals(identityKey).(*Identity)
	return id
}

// Caller returns the caller or a 401.
func Caller(c *fiber.Ctx) (*Identity, error) {
	if id := From(c); id != nil {
		return id, nil
	}
	return nil, errs.Unauth("sign in required")
}

// HTTP serves the account routes and middleware.
type HTTP struct {
	svc          *Service
	limiter      limit.Limiter
	secureCookie bool
	// Audit records sign-ins; it is never given secrets.
	Audit *audit.Log
	// BaseURL is the site's own address, the origin its pages post from.
	BaseURL string
}

// NewHTTP builds the account routes; authRate limits login and registration
// attempts per client IP per minute (0 = no limit), counted by the
// service's limits (Config.Limits).
func NewHTTP(svc *Service, authRate int, secureCookie bool) *HTTP {
	return &HTTP{svc: svc, limiter: svc.limits("auth_attempts_by_ip", authRate, time.Minute), secureCookie: secureCookie}
}

// Service returns the account service.
func (h *HTTP) Service() *Service { return h.svc }

// Identify establishes the caller from a Bearer token or, for pages and
// their scripts, from the session cookies. It decides nothing about CSRF:
// GuardCookieWrites does that for the API, the pages' own check for forms.
func (h *HTTP) Identify() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if authz := c.Get(fiber.HeaderAuthorization); authz != "" {
			raw, ok := strings.CutPrefix(authz, "Bearer ")
			if !ok {
				return errs.Unauth("Authorization must be a Bearer token")
			}
			if c.Locals(checkNowKey) != nil || !h.svc.putsOff() || !api.HoldBody(c, maxHeldBody) {
				// Routed again after a check put off failed (below),
				// an engine whose check costs no round trip, or a
				// body left a stream (an upload), which a request run
				// again could not read a second time.
				id, err := h.svc.Authenticate(c.UserContext(), strings.TrimSpace(raw))
				if err != nil {
					return err
				}
				c.Locals(identityKey, id)
				return c.Next()
			}
			// The check of the sign-in may go with the request's first
			// statement (cache.PeekLater) instead of a round trip of its
			// own; it is settled before the answer leaves.
			outer := c.UserContext()
			ctx := cache.WithExpectations(outer)
			id, err := h.svc.Authenticate(ctx, strings.TrimSpace(raw))
			if err != nil {
				return err
			}
			c.Locals(identityKey, id)
			c.SetUserContext(ctx)
			err = c.Next()
			switch serr := h.svc.settle(ctx); {
			case serr == nil:
				return err
			case errors.Is(serr, cache.ErrChanged):
				// The sign-in changed (signed out, disabled, a new
				// password or profile) since the cached check: the
				// request failed at its first statement, or wrote
				// nothing. Answer it as if it had been checked first:
				// 401 if the token is no longer good, else again from
				// the start, checking now.
				c.Response().Reset()
				c.SetUserContext(outer)
				if _, err := h.svc.Authenticate(outer, strings.TrimSpace(raw)); err != nil {
					return err
				}
				c.Locals(checkNowKey, true)
				return c.RestartRouting()
			default:
				return errs.Wrap(serr, "authenticate")
			}
		}
		if id := h.fromCookies(c); id != nil {
			c.Locals(identityKey, id)
			c.Locals(cookieSessionKey, true)
		}
		return c.Next()
	}
}

const cookieSessionKey = "pacer.cookieSession"

// maxHeldBody is the largest request body Identify reads whole before the
// handler, so that the request may be routed again: far above a reply, a
// submission or a quiz answer, well below an upload.
const maxHeldBody = 64 << 10

// checkNowKey marks a request routed again because a check of its token
// put off found the sign-in changed (Identify).
const checkNowKey = "pacer.checkNow"

// byCookie reports whether the caller was identified by the session
// cookies, which a browser attaches to requests other sites make.
func byCookie(c *fiber.Ctx) bool {
	v, _ := c.Locals(cookieSessionKey).(bool)
	return v
}

// GuardCookieWrites refuses a cookie-authenticated API request that
// changes state unless it comes from Pacer's own pages (SameOrigin) and
// carries the CSRF header. It is mounted on the API's route group, so the
// router's own match decides which requests are API requests: deciding by
// a second reading of the path ("/api/" in lower case) let "/API/v1/…",
// which the router then matched without regard to case, through unchecked.
func (h *HTTP) GuardCookieWrites() fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := From(c)
		if id == nil || !byCookie(c) || !isUnsafe(c.Method()) {
			return c.Next()
		}
		if !h.SameOrigin(c) {
			return errs.Forbid("cross-site request refused")
		}
		if !h.checkCSRF(id, c.Get(CSRFHeader)) {
			return errs.Forbid("missing or wrong CSRF token")
		}
		return c.Next()
	}
}

// SameOrigin reports whether a browser says the request comes from a page
// of this site: Sec-Fetch-Site (sent by current browsers) is same-origin or
// none (typed by the person), and Origin, when sent, is the site's base URL
// or the host the request was sent to. A request that says neither (an
// older browser, a script) passes: the CSRF token stays the defence, and
// this check is a second one, for a token that has leaked.
func (h *HTTP) SameOrigin(c *fiber.Ctx) bool {
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" || u.User != nil {
		return false // "null" (sandboxed frames, some redirects) too
	}
	// Host names ignore case; Origin carries the port when the URL did.
	if base, err := url.Parse(h.BaseURL); err == nil && base.Host != "" && strings.EqualFold(u.Host, base.Host) {
		return true
	}
	return strings.EqualFold(u.Host, string(c.Request().Host()))
}

func isUnsafe(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return false
	}
	return true
}

// fromCookies authenticates the access cookie, renewing it from the refresh
// cookie when it has expired.
func (h *HTTP) fromCookies(c *fiber.Ctx) *Identity {
	if raw := c.Cookies(AccessCookie); raw != "" {
		if id, err := h.svc.Authenticate(c.UserContext(), raw); err == nil {
			return id
		}
	}
	refresh := c.Cookies(RefreshCookie)
	if refresh == "" {
		return nil
	}
	t, err := h.svc.AccessFor(c.UserContext(), refresh)
	if err != nil {
		h.ClearCookies(c)
		return nil
	}
	id, err := h.svc.Authenticate(c.UserContext(), t.AccessToken)
	if err != nil {
		return nil
	}
	c.Cookie(h.cookie(AccessCookie, t.AccessToken, t.ExpiresAt))
	return id
}

func (h *HTTP) checkCSRF(id *Identity, token string) bool {
	return token != "" && h.svc.checkSignature("csrf", string(sessionKey(id.Session)), token)
}

// CheckCSRF reports whether a page form's token belongs to the caller's
// sign-in.
func (h *HTTP) CheckCSRF(id *Identity, token string) bool { return id != nil && h.checkCSRF(id, token) }

func (h *HTTP) cookie(name, value string, exp time.Time) *fiber.Cookie {
	return &fiber.Cookie{Name: name, Value: value, Path: "/", Expires: exp, HTTPOnly: true,
		Secure: h.secureCookie, SameSite: fiber.CookieSameSiteLaxMode}
}

// SetCookies starts a page session.
func (h *HTTP) SetCookies(c *fiber.Ctx, t Tokens) {
	c.Cookie(h.cookie(AccessCookie, t.AccessToken, t.ExpiresAt))
	c.Cookie(h.cookie(RefreshCookie, t.RefreshToken, h.svc.now().Add(h.svc.cfg.RefreshTTL)))
}

// ClearCookies ends a page session in the browser.
func (h *HTTP) ClearCookies(c *fiber.Ctx) {
	for _, n := range []string{AccessCookie, RefreshCookie} {
		c.Cookie(h.cookie(n, "", time.Unix(1, 0)))
	}
}

// RefreshCookieValue returns the page session's refresh token.
func (h *HTTP) RefreshCookieValue(c *fiber.Ctx) string {
	return strings.Clone(c.Cookies(RefreshCookie))
}

// LimitAuth counts one sign-in or registration attempt of the client IP.
func (h *HTTP) LimitAuth(c *fiber.Ctx) error { return api.Check(c, h.limiter, api.ClientIP(c)) }

// Required refuses anonymous requests with 401.
func Required() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if From(c) == nil {
			return errs.Unauth("sign in required")
		}
		return c.Next()
	}
}

// Admin refuses callers who are not administrators (403).
func Admin() fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := Caller(c)
		if err != nil {
			return err
		}
		if !id.IsAdmin {
			return errs.Forbid("administrators only")
		}
		return c.Next()
	}
}

// Mount adds the account routes under /api/v1.
func (h *HTTP) Mount(r fiber.Router) {
	r.Post("/auth/register", h.register)
	r.Post("/auth/login", h.login)
	r.Post("/auth/refresh", h.refresh)
	r.Post("/auth/logout", h.logout)
	r.Get("/me", Required(), h.me)
	r.Patch("/me", Required(), h.patchMe)
}

func (h *HTTP) register(c *fiber.Ctx) error {
	if err := h.LimitAuth(c); err != nil {
		return err
	}
	var in NewUser
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	t, err := h.svc.RegisterFrom(c.UserContext(), api.ClientIP(c), in)
	if err != nil {
		return err
	}
	return api.Created(c, t)
}

type loginBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (h *HTTP) login(c *fiber.Ctx) error {
	if err := h.LimitAuth(c); err != nil {
		return err
	}
	var in loginBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	if in.Email == "" || in.Password == "" {
		f := map[string]string{}
		if in.Email == "" {
			f["email"] = "required"
		}
		if in.Password == "" {
			f["password"] = "required"
		}
		return errs.Validation(f)
	}
	t, u, err := h.svc.LoginFrom(c.UserContext(), api.ClientIP(c), in.Email, in.Password)
	h.AuditLogin(c, err, u.ID)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// AuditLogin records a sign-in attempt: the account (0 if unknown) and the
// client IP, never the e-mail typed or the password.
func (h *HTTP) AuditLogin(c *fiber.Ctx, err error, user uint64) {
	action := "login"
	if err != nil {
		action = "login_failed"
	}
	// The attempt has been answered (and a session made) whatever happens
	// to its entry.
	h.Audit.RecordAfter(c.UserContext(), audit.Entry{ActorID: user, Action: action, IP: api.ClientIP(c)})
}

type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
}

func (h *HTTP) refresh(c *fiber.Ctx) error {
	var in refreshBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	if in.RefreshToken == "" {
		return errs.Field("refresh_token", "required")
	}
	t, err := h.svc.Refresh(c.UserContext(), in.RefreshToken, api.ClientIP(c))
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (h *HTTP) logout(c *fiber.Ctx) error {
	var in refreshBody
	if len(c.Body()) > 0 || c.Request().IsBodyStream() {
		if err := api.Decode(c, &in); err != nil {
			return err
		}
	}
	if err := h.svc.Logout(c.UserContext(), in.RefreshToken, From(c)); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) me(c *fiber.Ctx) error {
	id, err := Caller(c)
	if err != nil {
		return err
	}
	u, err := h.svc.User(c.UserContext(), id.UserID)
	if err != nil {
		return err
	}
	return c.JSON(u.Public())
}

func (h *HTTP) patchMe(c *fiber.Ctx) error {
	id, err := Caller(c)
	if err != nil {
		return err
	}
	var in Update
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	u, _, err := h.svc.UpdateMe(c.UserContext(), id.UserID, in, api.ClientIP(c))
	if err != nil {
		return err
	}
	return c.JSON(u.Public())
}

// MountAdmin adds the administrators' account routes to an admin group.
func (h *HTTP) MountAdmin(admin fiber.Router) {
	admin.Get("/users", h.listUsers)
	admin.Patch("/users/:user", h.patchUser)
	admin.Get("/settings", h.getSettings)
	admin.Patch("/settings", h.patchSettings)
}

func (h *HTTP) listUsers(c *fiber.Ctx) error {
	users, err := h.svc.Users(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(api.Items(users))
}

type adminUserBody struct {
	Disabled         *bool `json:"disabled"`
	CanCreateCourses *bool `json:"can_create_courses"`
}

func (h *HTTP) patchUser(c *fiber.Ctx) error {
	me, err := Caller(c)
	if err != nil {
		return err
	}
	id, err := api.ParamID(c, "user")
	if err != nil {
		return err
	}
	var in adminUserBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	u, err := h.svc.AdminUpdate(c.UserContext(), me.UserID, id, AdminUpdate{Disabled: in.Disabled, CanCreateCourses: in.CanCreateCourses}, api.ClientIP(c))
	if err != nil {
		return err
	}
	return c.JSON(u.Admin())
}

// CallerAndIDs returns the caller (401 when anonymous) and the named route
// IDs (404 when one is not a positive integer): the first lines of nearly
// every handler.
func CallerAndIDs(c *fiber.Ctx, names ...string) (uint64, []uint64, error) {
	id, err := Caller(c)
	if err != nil {
		return 0, nil, err
	}
	out := make([]uint64, len(names))
	for i, n := range names {
		if out[i], err = api.ParamID(c, n); err != nil {
			return 0, nil, err
		}
	}
	return id.UserID, out, nil
}

func (h *HTTP) getSettings(c *fiber.Ctx) error {
	st, err := h.svc.SiteSettings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (h *HTTP) patchSettings(c *fiber.Ctx) error {
	me, err := Caller(c)
	if err != nil {
		return err
	}
	var in SettingsInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	st, err := h.svc.UpdateSiteSettings(c.UserContext(), me.UserID, in, api.ClientIP(c))
	if err != nil {
		return err
	}
	return c.JSON(st)
}
