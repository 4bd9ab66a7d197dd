// Package frontend serves Pacer's web pages: server-rendered html/template
// pages, one hand-written stylesheet and a little vanilla JavaScript, all
// embedded with embed.FS so that `go run .` serves the whole UI with no build
// step. server/pages.go builds it (New, with Deps) and mounts it (Mount)
// after every API route. Handlers call the services directly; a page never
// calls Pacer's own HTTP API.
//
// # Layout of the package
//
//	frontend.go   Deps, New, Mount: the list of mount calls, one per area
//	render.go     template parsing, View (what every page gets), render
//	session.go    sign in/up/out, CSRF checks, signedIn, flash messages, ?next=
//	errors.go     the HTML error page installed with api.SetHTMLErrors
//	nav.go        the header links (siteNav) and course tabs (courseTabs)
//	forms.go      readForm, Form (values + field errors), input helpers
//	funcs.go      template functions (asset, pct, dict, ...)
//	timefmt.go    Zones and the time functions: at, atDay, when, day, iso, inCourse, lockText
//	cohort.go     the staff course home's "where the class is" overview
//	timeline.go   the week-by-week timeline and module badges
//	courses.go, modules.go, items.go, members.go, account.go   the pages
//	templates/    layout.html, partials/*.html, partials/items/<kind>.html,
//	              pages/<area>/<page>.html
//	static/       app.css, app.js, icon.svg (served at /static/<hash>/<name>)
//
// # Adding a page
//
// 1. Handler file. Add frontend/<area>.go with a mount function and your
// handlers, as methods on *Frontend:
//
//	func (f *Frontend) mountDeadlines(r fiber.Router) {
//		r.Get("/courses/:course/deadlines", f.signedIn, f.deadlinesPage)
//		r.Post("/courses/:course/extensions", f.signedIn, f.csrf, f.grantExtension)
//	}
//
// and call it on its own line in Mount, under "(pages: ...)". Put the
// service you need in Deps and fill it in server/pages.go.
//
//   - Every member page takes f.signedIn first: a signed-out visitor is sent
//     to /signin?next=<this page> and comes back after signing in.
//   - Every POST route takes f.signedIn, then f.csrf, which reads the form
//     and refuses it with a 403 page unless its _csrf field belongs to the
//     caller's sign-in. Read the values with readForm(c) (already parsed; the
//     strings are copies, safe to keep). Multipart upload forms work too:
//     their _csrf field must come first (it is checked before the rest of
//     the body is read), their route is listed in uploadForm, and their
//     files are read with formFile(c, name).
//   - A course page starts with `a, err := f.loadCourse(c, "tabkey")`: it
//     parses :course, answers 404 for a course the caller may not see, and
//     shows the course band with the tab "tabkey" marked. Then check the role
//     with a.RequireMember / RequireStaff / RequireInstructor (403, or 404
//     for non-members): never trust the URL alone, and load objects through
//     the services, which derive the course from the stored object.
//   - Return service errors as they are: the shared error handler renders
//     the HTML error page (404, 403 with its reason, 429, a bare 500). For a
//     form, first try form.fail(err, rename), which keeps user-fixable errors
//     (400, 409) on the form; re-render it with errStatus(err).
//   - After a successful POST, f.flash(c, "success", "...") and
//     f.redirect(c, path) (303), so reloading never posts twice.
//   - Answer with f.render(c, status, "area/page", data). The page template
//     gets a *View: .Data is your data; .User, .CSRF, .Unread, .Path, .Flash
//     and .Course are filled for the layout.
//
// 2. Template. Add templates/pages/<area>/<page>.html defining "title" and
// "content" (and, if needed, "head" for a page's own <script defer src>):
//
//	{{define "title"}}Deadlines · {{.Data.Course.Title}}{{end}}
//	{{define "content"}}
//	<div class="page-head"><div><h1>Deadlines</h1></div></div>
//	...
//	{{end}}
//
// Each page is its own template set (the layout and all partials, cloned),
// so every page may define the same block names. Templates are parsed once
// at start; a broken one fails every test. Define page-local helpers in the
// page file; shared ones go in templates/partials/.
//
//   - Forms: method="post", {{template "csrf" .CSRF}} inside, as the first
//     field (inside a
//     partial or a range, {{template "csrf" $.CSRF}}), and fields with the
//     "field", "textarea", "checkbox", "choice", "select" and
//     "password-field" partials, which render labels, hints, errors and
//     aria-invalid/aria-describedby from a *Form:
//     {{template "field" (dict "Form" .Data.Form "Name" "title" "Label" "Title" "Required" true)}}.
//     Every form must work without JavaScript.
//   - Components: "badge" (a Badge{Kind, Text}; kinds open, locked, due,
//     completed, late, overdue, draft, info), "progress" (dict Value 0..1,
//     Label), "empty" (dict Title, Text, Href, Action), "timeline", and the
//     CSS classes card, card-grid, page-head, section, table/table-wrap,
//     meta, tools, btn (btn--primary, --quiet, --danger, --small), prose
//     (for sanitised Markdown), notice-box, danger-zone (a <details> that
//     confirms a destructive action without JavaScript).
//   - Markdown: services store body_html already rendered and sanitised;
//     output it with {{trusted .BodyHTML}}. Never pass anything else to
//     trusted: everything else is escaped by html/template.
//   - Times: one rule for every page and e-mail (issue 13): an instant is
//     written in the reader's own time zone with the zone named, and where
//     the course's zone reads it differently, the course time is given on
//     hover. Write every instant with {{at .DueAt $.Zones}} (a <time>
//     element: datetime, the reader's "Sun 10 Jan, 23:00 UTC", and
//     title="Mon 11 Jan 2027, 00:00 CET course time" when that differs) or
//     {{atDay .OpensAt $.Zones}} for a date. View.Zones is filled by render:
//     the signed-in reader's zone and, on pages that called loadCourse, the
//     course's. A list spanning courses passes (inCourse $.Zones .Location)
//     per row; a partial or item template gets the Zones in its dict or
//     data (the "Loc" convention). {{when}} and {{day}} are the same texts
//     without markup, for attributes and sentences. Text outside templates
//     (flash messages, notifications, e-mails, the calendar feed) uses
//     pacer/timetext: ForReader(t, readerZone, courseZone) writes the
//     course time beside the reader's when it differs. Never call
//     Time.Format for people anywhere else. Forms that take a time
//     (datetime-local) still take it in the course's zone, and say so.
//   - No inline script, no on* attributes and no style attributes: the CSP
//     (script-src 'self'; style-src 'self') blocks them. Progress and charts
//     use <progress> or inline SVG with presentation attributes.
//
// 3. Item kinds. An item page shows templates/partials/items/<kind>.html
// (a template named "item-<kind>", dot *ItemPage). The lecture, assignment,
// discussion and file partials are placeholders for the features that own
// those kinds: replace the partial, and replace the kind's entry in
// itemKindTable (items.go) with one whose Load, a method in your own file,
// puts what the partial needs into ItemPage.Extra. Add the kind to authorableKinds with its form fields when
// instructors can create it from the module page.
//
// 4. Navigation. A top-level page gets a line in siteNav (nav.go); a course
// page gets a line in courseTabs with a Show func deciding who sees the tab.
//
// 5. Scripts. static/app.js is progressive enhancement only. It exposes
// Pacer.api(method, url, body), which calls the JSON API with the cookie
// session and the X-CSRF-Token header from <meta name="csrf-token">. A
// feature with more script adds static/<feature>.js and a
// {{define "head"}}<script src="{{asset "<feature>.js"}}" defer></script>{{end}}
// in its page. Assets are served only from the embedded static/ folder, at
// a URL carrying their content hash, cached for a year.
//
// # Tests
//
// Tests live in package frontend_test (they start the whole server, which
// imports this package).
//
// Handler tests (pages_test.go) send requests through app.Test with a small
// cookie jar: newClient(t, env) for a visitor, signedIn(t, env, user) for a
// pacertest user, c.token(path) for a page's CSRF token, c.get and c.post,
// and checkSafeHTML to check that a page carries nothing that could run
// script.
//
// Browser tests (browser_test.go) drive real Chromium through chromedp.
// TestMain owns one Chromium for the package; it is found at
// $PACER_CHROMIUM or /usr/bin/chromium, and when it is missing browser tests
// skip, unless PACER_BROWSER_TESTS=required, when they fail. A test starts a
// real server and opens one browser context per person:
//
//	a := startApp(t)              // fresh data dir, clock at a.Clock
//	ada := a.browser()            // own cookies
//	ada.signUp("Ada Lovelace")    // ada.Email, ada.Password are set
//	ada.visit("/courses/new")
//	ada.fill("#f-title", "Statistics")
//	ada.submit("form.form-sheet button[type=submit]") // waits for the next page
//	ada.waitText(".flash", "Course created")
//
// Other helpers: click (no navigation), check, setValue, text, attr, eval,
// waitVisible, path, signIn, signOut, viewport, colorScheme, screenshot.
// Never sleep: submit waits for the page load, waitText and waitVisible
// wait for the condition. A failed test saves a screenshot and logs the
// page text ($PACER_ARTIFACTS or $TMPDIR/pacer-browser-failures).
//
// Every page that visit or submit loads is checked by axe-core
// (axe_browser_test.go) and the test fails on any WCAG 2.1 A or AA
// violation. axe-core is not committed: install it from npm and name its
// axe.min.js in PACER_AXE_JS (.ci/run does both; without it the check is
// skipped, unless PACER_BROWSER_TESTS=required, when the tests fail).
// Run them with:
//
//	npm install --no-save --prefix /tmp/axe axe-core@4.14.1
//	PACER_AXE_JS=/tmp/axe/node_modules/axe-core/axe.min.js \
//	  PACER_BROWSER_TESTS=required go test ./frontend/ -count=1
//
// TestBrowserScreenshots saves every main page on a desktop and a phone,
// light and dark, for a person to look at:
//
//	PACER_SCREENSHOTS=/tmp/shots go test ./frontend/ -run Screenshots
package frontend
