package frontend

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
)

// Cookies of the frontend itself; the session cookies belong to auth.
const (
	// flashCookie carries a one-time message across a redirect, signed so
	// that nobody can make Pacer show their text.
	flashCookie = "pacer_flash"
	// formCookie is the anonymous half of the sign-in and sign-up forms'
	// CSRF token (there is no session yet to bind it to).
	formCookie = "pacer_form"

	formTokenKey    = "pacer.formToken"
	courseHeaderKey = "pacer.courseHeader"
)

// errBadCSRF is the answer to a POST whose _csrf field is missing or belongs
// to another sign-in.
var errBadCSRF = errs.Forbid("This form has expired or was not sent from a Pacer page. Go back, reload the page and try again.")

func (f *Frontend) mountSession(r fiber.Router) {
	r.Get("/", f.home)
	r.Get("/signin", f.signInPage)
	r.Post("/signin", f.csrfSignedOut, f.signIn)
	r.Get("/signup", f.signUpPage)
	r.Post("/signup", f.csrfSignedOut, f.signUp)
	r.Post("/signout", f.signOut)
}

// signedIn sends anonymous visitors to the sign-in page, remembering where
// they were going when that was a page (GET).
func (f *Frontend) signedIn(c *fiber.Ctx) error {
	if auth.From(c) != nil {
		return c.Next()
	}
	next := ""
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		next = c.OriginalURL()
	}
	return f.redirect(c, signInURL(next))
}

// csrf checks the _csrf field of a signed-in user's form. Use it on every
// POST route after signedIn. It reads the form (readCheckedForm) and, after
// the handler, removes the form's temporary files.
func (f *Frontend) csrf(c *fiber.Ctx) error {
	// A browser that says the form comes from another site is refused
	// before anything of it is read.
	if !f.AuthHTTP.SameOrigin(c) {
		return errBadCSRF
	}
	// Security fix: a large upload form must come from one who may upload
	// there; anyone else is refused with the body unread, so that their
	// own valid token does not let them spool files the handler refuses.
	if may, _, ok := f.uploadForm(c.UserContext(), c.Route().Path); ok && c.Request().Header.ContentLength() > maxFormBytes {
		a, err := f.loadCourse(c, "")
		if err == nil {
			err = may(a)
		}
		if err != nil {
			c.Context().Response.SetConnectionClose()
			return err
		}
	}
	id := auth.From(c)
	check := func(tok string) bool { return f.AuthHTTP.CheckCSRF(id, tok) }
	defer removeFormFiles(c)
	if _, err := readCheckedForm(c, f.formLimit(c), check); err != nil {
		return err
	}
	return c.Next()
}

// csrfSignedOut checks the _csrf field of the sign-in and sign-up forms
// against the anonymous form cookie.
func (f *Frontend) csrfSignedOut(c *fiber.Ctx) error {
	if !f.AuthHTTP.SameOrigin(c) {
		return errBadCSRF
	}
	raw := c.Cookies(formCookie)
	check := func(tok string) bool {
		return raw != "" && tok != "" && f.Auth.CheckSignature(c.UserContext(), "form", raw, tok)
	}
	defer removeFormFiles(c)
	if _, err := readCheckedForm(c, maxFormBytes, check); err != nil {
		return err
	}
	return c.Next()
}

// formToken returns the CSRF token for a signed-out form, starting the
// anonymous form cookie when there is none.
func (f *Frontend) formToken(c *fiber.Ctx) string {
	raw := c.Cookies(formCookie)
	if len(raw) < 16 || len(raw) > 64 {
		var b [18]byte
		_, _ = rand.Read(b[:])
		raw = base64.RawURLEncoding.EncodeToString(b[:])
		c.Cookie(f.cookie(formCookie, raw, time.Time{}))
	} else {
		raw = strings.Clone(raw)
	}
	tok := f.Auth.Sign(c.UserContext(), "form", raw)
	c.Locals(formTokenKey, tok)
	return tok
}

func (f *Frontend) cookie(name, value string, exp time.Time) *fiber.Cookie {
	return &fiber.Cookie{Name: name, Value: value, Path: "/", Expires: exp, HTTPOnly: true,
		Secure: f.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode}
}

// redirect answers 303 See Other, so a POST is followed by a GET.
func (f *Frontend) redirect(c *fiber.Ctx, to string) error {
	return c.Redirect(to, fiber.StatusSeeOther)
}

// safeNext returns next when it is a path on this site, else "". It refuses
// absolute URLs, scheme-relative ones ("//evil.test"), backslashes (which
// browsers read as slashes) and control characters.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' {
		return ""
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return ""
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	if strings.HasPrefix(u.Path, "/signin") || strings.HasPrefix(u.Path, "/signup") {
		return ""
	}
	return next
}

func orDashboard(next string) string {
	if n := safeNext(next); n != "" {
		return n
	}
	return "/dashboard"
}

// signInURL is the sign-in page that returns to next afterwards.
func signInURL(next string) string {
	if n := safeNext(next); n != "" {
		return "/signin?next=" + url.QueryEscape(n)
	}
	return "/signin"
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	// Kind is "success", "info" or "error".
	Kind string `json:"k"`
	Text string `json:"t"`
}

// flash sets a message for the next page the browser renders, typically
// just before a redirect.
func (f *Frontend) flash(c *fiber.Ctx, kind, text string) {
	raw, _ := json.Marshal(Flash{Kind: kind, Text: text})
	payload := base64.RawURLEncoding.EncodeToString(raw)
	c.Cookie(f.cookie(flashCookie, payload+"."+f.Auth.Sign(c.UserContext(), "flash", payload), time.Time{}))
}

// takeFlash reads and clears the flash message.
func (f *Frontend) takeFlash(c *fiber.Ctx) *Flash {
	v := c.Cookies(flashCookie)
	if v == "" {
		return nil
	}
	c.Cookie(f.cookie(flashCookie, "", time.Unix(1, 0)))
	payload, sig, ok := strings.Cut(v, ".")
	if !ok || len(v) > 4096 || !f.Auth.CheckSignature(c.UserContext(), "flash", payload, sig) {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	var fl Flash
	if json.Unmarshal(raw, &fl) != nil || fl.Text == "" {
		return nil
	}
	switch fl.Kind {
	case "success", "info", "error":
	default:
		fl.Kind = "info"
	}
	return &fl
}

func (f *Frontend) home(c *fiber.Ctx) error {
	if auth.From(c) != nil {
		return f.redirect(c, "/dashboard")
	}
	return f.render(c, fiber.StatusOK, "home", nil)
}

type authPage struct {
	Form *Form
}

func (f *Frontend) signInPage(c *fiber.Ctx) error {
	if auth.From(c) != nil {
		return f.redirect(c, orDashboard(c.Query("next")))
	}
	return f.renderAuth(c, fiber.StatusOK, "signin", NewForm(map[string]string{"next": safeNext(c.Query("next"))}))
}

func (f *Frontend) signUpPage(c *fiber.Ctx) error {
	if auth.From(c) != nil {
		return f.redirect(c, orDashboard(c.Query("next")))
	}
	return f.renderAuth(c, fiber.StatusOK, "signup", NewForm(map[string]string{"next": safeNext(c.Query("next"))}))
}

func (f *Frontend) renderAuth(c *fiber.Ctx, status int, page string, form *Form) error {
	form.Values.Del("password")
	form.Values.Del("_csrf")
	form.Values.Set("next", safeNext(form.Get("next")))
	f.formToken(c)
	return f.render(c, status, page, authPage{Form: form})
}

func (f *Frontend) signIn(c *fiber.Ctx) error {
	if err := f.AuthHTTP.LimitAuth(c); err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	email, password := strings.TrimSpace(v.Get("email")), v.Get("password")
	if email == "" {
		form.Errors["email"] = "Enter your e-mail address."
	}
	if password == "" {
		form.Errors["password"] = "Enter your password."
	}
	if len(form.Errors) > 0 {
		return f.renderAuth(c, fiber.StatusBadRequest, "signin", form)
	}
	t, u, err := f.Auth.LoginFrom(c.UserContext(), api.ClientIP(c), email, password)
	f.AuthHTTP.AuditLogin(c, err, u.ID)
	if err != nil {
		if form.fail(err, nil) {
			return f.renderAuth(c, errStatus(err), "signin", form)
		}
		return err
	}
	f.AuthHTTP.SetCookies(c, t)
	return f.redirect(c, orDashboard(v.Get("next")))
}

func (f *Frontend) signUp(c *fiber.Ctx) error {
	if err := f.AuthHTTP.LimitAuth(c); err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v}
	t, err := f.Auth.RegisterFrom(c.UserContext(), api.ClientIP(c), auth.NewUser{Email: v.Get("email"), Password: v.Get("password"), Name: v.Get("name")})
	if err != nil {
		if form.fail(err, nil) {
			if form.Errors["email"] == "" && errs.Is(err, errs.Conflict) {
				form.Errors = map[string]string{"email": "An account with this e-mail already exists. Sign in instead?"}
				form.Error = ""
			}
			return f.renderAuth(c, errStatus(err), "signup", form)
		}
		return err
	}
	f.AuthHTTP.SetCookies(c, t)
	f.flash(c, "success", "Welcome to Pacer, "+t.User.Name+". Find a course to start with below.")
	if n := safeNext(v.Get("next")); n != "" {
		return f.redirect(c, n)
	}
	return f.redirect(c, "/courses")
}

// signOut ends the sign-in on the server, not just in the browser: the
// refresh token's family is revoked and the access token stops working.
func (f *Frontend) signOut(c *fiber.Ctx) error {
	id := auth.From(c)
	if id == nil {
		return f.redirect(c, "/")
	}
	if !f.AuthHTTP.SameOrigin(c) {
		return errBadCSRF
	}
	defer removeFormFiles(c)
	if _, err := readCheckedForm(c, maxFormBytes, func(tok string) bool { return f.AuthHTTP.CheckCSRF(id, tok) }); err != nil {
		return err
	}
	if err := f.Auth.Logout(c.UserContext(), f.AuthHTTP.RefreshCookieValue(c), id); err != nil && !errs.Is(err, errs.Unauthenticated) {
		return err
	}
	f.AuthHTTP.ClearCookies(c)
	f.flash(c, "info", "You are signed out.")
	return f.redirect(c, "/")
}

// errStatus is the HTTP status of a service error, for re-rendered forms.
func errStatus(err error) int {
	switch errs.KindOf(err) {
	case errs.Invalid:
		return fiber.StatusBadRequest
	case errs.Unauthenticated:
		return fiber.StatusUnauthorized
	case errs.Forbidden:
		return fiber.StatusForbidden
	case errs.Conflict:
		return fiber.StatusConflict
	}
	return fiber.StatusInternalServerError
}

// errNotSignedIn is returned by helpers that need a caller; for a page
// request the error page turns it into a redirect to the sign-in page.
var errNotSignedIn = errs.Unauth("sign in required")
