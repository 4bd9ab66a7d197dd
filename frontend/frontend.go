package frontend

import (
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/announcements"
	"pacer/api"
	"pacer/audit"
	"pacer/auth"
	"pacer/deadlines"
	"pacer/discussion"
	"pacer/engagement"
	"pacer/grades"
	"pacer/jobs"
	"pacer/markdown"
	"pacer/media"
	"pacer/modules"
	"pacer/notify"
	"pacer/quiz"
)

// Deps is what the pages need from the rest of Pacer. server/pages.go fills
// it; a feature that adds pages adds its service here.
type Deps struct {
	Auth     *auth.Service
	AuthHTTP *auth.HTTP
	Courses  *modules.Service
	Notify   *notify.Service
	// Media stores uploads and serves lectures (lecture and file items,
	// the course's files page).
	Media    *media.Service
	Markdown *markdown.Renderer
	// Discussion serves the boards, threads and posts pages.
	Discussion *discussion.Service
	// Deadlines serves assignments, extensions and learners' deadlines.
	Deadlines *deadlines.Service
	// Engagement serves the at-risk page, staff messages, learners' pace
	// and e-mail preferences.
	Engagement *engagement.Service
	// Announcements serves the course's announcements page and the
	// latest ones on the course home.
	Announcements *announcements.Service
	// Quiz serves quiz items: the editor, attempts and results.
	Quiz *quiz.Service
	// Grades serves the gradebook and a student's grades.
	Grades *grades.Service
	// Audit, Scheduler and Outbox serve the administrators' console
	// (admin.go).
	Audit     *audit.Log
	Scheduler *jobs.Scheduler
	Outbox    *notify.Outbox
	// SecureCookies marks the frontend's own cookies (flash, sign-in form
	// token) Secure, as the session cookies are when served over HTTPS.
	SecureCookies bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives render failures; nil discards them.
	Log *slog.Logger
}

// Frontend serves Pacer's web pages. It is built once at start: templates
// are parsed and assets hashed in New, never per request.
type Frontend struct {
	Deps
	pages  map[string]*template.Template
	assets *assets
	// itemKinds holds what an item page shows for each item kind; see
	// items.go.
	itemKinds map[string]ItemKind
}

// New parses the embedded templates and hashes the embedded assets. It fails
// only on a broken template, which every test catches.
func New(d Deps) (*Frontend, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f := &Frontend{Deps: d}
	var err error
	if f.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if f.pages, err = f.parseTemplates(); err != nil {
		return nil, err
	}
	f.itemKinds = f.itemKindTable()
	return f, nil
}

// Must is New for the composition root: the templates are embedded, so a
// parse error is a bug in the build, not a runtime condition.
func Must(f *Frontend, err error) *Frontend {
	if err != nil {
		panic(fmt.Sprintf("frontend: %v", err))
	}
	return f
}

// Mount adds every page route to app. It must come after the API routes, so
// that /api/v1 wins, and before the app's final 404 handler.
func (f *Frontend) Mount(app fiber.Router) {
	// Everything below is a page: errors render as HTML and the pages'
	// security headers apply. API paths that fell through keep JSON errors.
	app.Use(f.pageHeaders)
	app.Get("/static/:hash/:name", f.assets.serve)
	app.Get("/favicon.ico", f.assets.favicon)

	r := app.Group("")
	f.mountSession(r)
	f.mountAccount(r)
	f.mountCourses(r)
	f.mountModules(r)
	f.mountItems(r)
	f.mountMembers(r)
	f.mountNotifications(r)
	// (pages: each feature adds its mount call on its own line below)
	f.mountDeadlines(r)
	f.mountMedia(r)
	f.mountFiles(r)
	f.mountDiscussion(r)
	f.mountEngagement(r)
	f.mountAnnouncements(r)
	f.mountAdmin(r)
	f.mountLifecycle(r)
	f.mountQuiz(r)
	f.mountGrades(r)
}

// pageHeaders makes the error handler answer page requests with an HTML
// page, and sets the page CSP over the API's stricter default.
func (f *Frontend) pageHeaders(c *fiber.Ctx) error {
	if isAPIPath(c.Path()) {
		return c.Next()
	}
	c.Set("Content-Security-Policy", pageCSP)
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	return api.SetHTMLErrors(f.errorPage)(c)
}

// pageCSP allows only Pacer's own scripts, styles and media: no inline
// script or style, no framing, no foreign form targets.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func isAPIPath(p string) bool {
	return p == "/api" || len(p) >= 5 && p[:5] == "/api/"
}
