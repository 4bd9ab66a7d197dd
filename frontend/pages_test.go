package frontend_test

// Handler tests of the pages through app.Test: no browser, a pinned clock,
// and a tiny cookie jar.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"pacer/auth"
	"pacer/pacertest"
	"pacer/server"
)

// page is an answer to a page request.
type page struct {
	Status int
	Header http.Header
	Body   string
}

func (p page) has(s string) bool { return strings.Contains(p.Body, s) }

// client is one browser as the handler tests see it: cookies in, cookies out.
type client struct {
	t   *testing.T
	env *pacertest.Env
	jar map[string]string
}

func newClient(t *testing.T, env *pacertest.Env) *client {
	return &client{t: t, env: env, jar: map[string]string{}}
}

// signedIn is a client holding u's session cookies, as after signing in.
func signedIn(t *testing.T, env *pacertest.Env, u pacertest.User) *client {
	c := newClient(t, env)
	c.jar[auth.AccessCookie] = u.Token
	c.jar[auth.RefreshCookie] = u.Refresh
	return c
}

func (c *client) do(method, path string, form url.Values, headers ...string) page {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	for k, v := range c.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.env.Server.App.Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.Value == "" || (!ck.Expires.IsZero() && ck.Expires.Before(time.Unix(2, 0))) || ck.MaxAge < 0 {
			delete(c.jar, ck.Name)
		} else {
			c.jar[ck.Name] = ck.Value
		}
	}
	p := page{Status: res.StatusCode, Header: res.Header, Body: string(raw)}
	if p.Status >= 500 {
		c.t.Errorf("%s %s: server error %d", method, path, p.Status)
	}
	return p
}

func (c *client) get(path string) page { c.t.Helper(); return c.do("GET", path, nil) }

func (c *client) post(path string, form url.Values) page {
	c.t.Helper()
	return c.do("POST", path, form)
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token is the CSRF token of the page at path.
func (c *client) token(path string) string {
	c.t.Helper()
	p := c.get(path)
	m := csrfField.FindStringSubmatch(p.Body)
	if m == nil {
		m = csrfMeta.FindStringSubmatch(p.Body)
	}
	if m == nil {
		c.t.Fatalf("no CSRF token on %s (%d)", path, p.Status)
	}
	return m[1]
}

// form is url.Values from pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func flipLast(s string) string {
	if strings.HasSuffix(s, "A") {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}

func wantStatus(t *testing.T, what string, p page, status int) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.Status, status, snippet(p.Body))
	}
}

func snippet(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}

func wantRedirect(t *testing.T, what string, p page, to string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != to {
		t.Fatalf("%s: %d to %q, want 303 to %q", what, p.Status, p.Header.Get("Location"), to)
	}
}

// course builds a published course with one week-1 module and one page as
// instructor, enrolling student.
func course(t *testing.T, env *pacertest.Env, instructor, student pacertest.User) (courseID, moduleID, itemID uint64) {
	t.Helper()
	courseID = env.Course(instructor, map[string]any{"title": "Statistics"})
	moduleID = env.Module(instructor, courseID, map[string]any{"title": "Week 1", "week": 1})
	itemID = env.Item(instructor, courseID, moduleID, map[string]any{"title": "Variables", "body": "A **table**."})
	if student.ID != 0 {
		env.Enroll(student, courseID)
	}
	return
}

func TestPagesRefuseFormsWithoutTheRightCSRFToken(t *testing.T) {
	env := pacertest.New(t)
	ada, bob := env.Register("Ada"), env.Register("Bob")
	c := signedIn(t, env, ada)
	good := c.token("/courses/new")
	other := signedIn(t, env, bob).token("/courses/new")

	for _, tc := range []struct {
		name, token string
	}{
		{"no token", ""},
		{"a made-up token", "not-a-token"},
		{"another user's token", other},
		{"the token with one character changed", flipLast(good)},
	} {
		t.Run("a POST with "+tc.name+" is refused with a 403 page", func(t *testing.T) {
			f := form("title", "Sneaky course")
			if tc.token != "" {
				f.Set("_csrf", tc.token)
			}
			p := c.post("/courses/new", f)
			wantStatus(t, tc.name, p, http.StatusForbidden)
			if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") || !p.has("This form has expired") {
				t.Errorf("the refusal is not the HTML error page: %q %s", p.Header.Get("Content-Type"), snippet(p.Body))
			}
		})
	}
	list, _ := env.Server.Courses.Courses(context.Background(), ada.ID)
	if len(list) != 0 {
		t.Fatalf("a refused form created %d courses", len(list))
	}

	p := c.post("/courses/new", form("_csrf", good, "title", "Real course", "timezone", "UTC",
		"grace_hours", "0", "late_hours", "48", "late_penalty", "10", "inactive_days", "7", "nudge_days", "3", "watch_percent", "90"))
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/courses/") {
		t.Fatalf("the right token: %d to %q\n%s", p.Status, p.Header.Get("Location"), snippet(p.Body))
	}

	t.Run("sign-out needs the token too", func(t *testing.T) {
		p := c.post("/signout", form("_csrf", "nope"))
		wantStatus(t, "sign out", p, http.StatusForbidden)
		wantStatus(t, "still signed in", c.get("/dashboard"), http.StatusOK)
	})

	t.Run("the sign-in form needs its anonymous token", func(t *testing.T) {
		anon := newClient(t, env)
		p := anon.post("/signin", form("email", ada.Email, "password", "correct horse battery"))
		wantStatus(t, "sign in without a token", p, http.StatusForbidden)
		tok := anon.token("/signin")
		other := newClient(t, env)
		p = other.post("/signin", form("_csrf", tok, "email", ada.Email, "password", "correct horse battery"))
		wantStatus(t, "sign in with someone else's form token", p, http.StatusForbidden)
		p = anon.post("/signin", form("_csrf", tok, "email", ada.Email, "password", "correct horse battery"))
		wantRedirect(t, "sign in with the token", p, "/dashboard")
	})

	t.Run("the API refuses a cookie session without the CSRF header", func(t *testing.T) {
		p := c.do("POST", "/api/v1/courses", nil, "Content-Type", "application/json")
		wantStatus(t, "API POST with cookies only", p, http.StatusForbidden)
		if !strings.Contains(p.Body, `"code":"forbidden"`) {
			t.Errorf("API refusal is not JSON: %s", p.Body)
		}
	})
}

func TestPagesSendSignedOutVisitorsToSignIn(t *testing.T) {
	env := pacertest.New(t)
	c := newClient(t, env)
	for path, to := range map[string]string{
		"/dashboard":         "/signin?next=%2Fdashboard",
		"/courses/7?tab=x":   "/signin?next=%2Fcourses%2F7%3Ftab%3Dx",
		"/courses/7/items/3": "/signin?next=%2Fcourses%2F7%2Fitems%2F3",
		"/account":           "/signin?next=%2Faccount",
		"/courses/new":       "/signin?next=%2Fcourses%2Fnew",
		"/courses/1/members": "/signin?next=%2Fcourses%2F1%2Fmembers",
		"/courses/1/edit":    "/signin?next=%2Fcourses%2F1%2Fedit",
		"/notifications":     "/signin?next=%2Fnotifications",
	} {
		wantRedirect(t, "GET "+path, c.get(path), to)
	}
	// A POST is not replayed after signing in.
	wantRedirect(t, "POST /courses/new", c.post("/courses/new", form("title", "x")), "/signin")
	// Public pages stay public.
	for _, path := range []string{"/", "/courses", "/signin", "/signup"} {
		wantStatus(t, "GET "+path, c.get(path), http.StatusOK)
	}
}

func TestSignInRefusesToRedirectOffSite(t *testing.T) {
	env := pacertest.New(t)
	ada := env.Register("Ada")
	for _, next := range []string{
		"https://evil.test/",
		"//evil.test",
		"///evil.test",
		"/\\evil.test",
		"\\\\evil.test",
		"http:/evil.test",
		"javascript:alert(1)",
		"/\t/evil.test",
		" //evil.test",
		"evil.test",
		"/signin?next=//evil.test",
	} {
		t.Run(fmt.Sprintf("next=%q lands on the dashboard", next), func(t *testing.T) {
			c := newClient(t, env)
			signin := "/signin?next=" + url.QueryEscape(next)
			p := c.get(signin)
			wantStatus(t, "sign-in page", p, http.StatusOK)
			if strings.Contains(p.Body, "evil.test") {
				t.Errorf("the sign-in page carries the foreign next on: %s", snippet(p.Body))
			}
			tok := csrfField.FindStringSubmatch(p.Body)[1]
			// The hostile value is posted directly too, not only via the page.
			p = c.post("/signin", form("_csrf", tok, "email", ada.Email, "password", "correct horse battery", "next", next))
			wantRedirect(t, "sign in", p, "/dashboard")
			// Already signed in, the sign-in page redirects at once: not off-site either.
			wantRedirect(t, "signed-in visit", c.get(signin), "/dashboard")
		})
	}
	t.Run("a path on this site is kept", func(t *testing.T) {
		c := newClient(t, env)
		tok := c.token("/signin")
		p := c.post("/signin", form("_csrf", tok, "email", ada.Email, "password", "correct horse battery", "next", "/courses/3?x=1#top"))
		wantRedirect(t, "sign in", p, "/courses/3?x=1#top")
	})
}

func TestPagesCarryTheirSecurityHeaders(t *testing.T) {
	env := pacertest.New(t)
	ada := env.Register("Ada")
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
	c := signedIn(t, env, ada)
	for _, path := range []string{"/", "/signin", "/courses", "/dashboard", "/account", "/no-such-page"} {
		p := c.get(path)
		if p.Status >= 300 && p.Status < 400 {
			p = c.get(p.Header.Get("Location"))
		}
		h := p.Header
		if got := h.Get("Content-Security-Policy"); got != csp {
			t.Errorf("%s: CSP %q", path, got)
		}
		for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "same-origin", "Cache-Control": "no-store"} {
			if h.Get(k) != want {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), want)
			}
		}
		checkSafeHTML(t, path, p.Body)
	}
	// The API keeps its stricter policy and JSON errors.
	p := c.get("/api/v1/no-such-route")
	if got := p.Header.Get("Content-Security-Policy"); got != "default-src 'none'; frame-ancestors 'none'; base-uri 'none'" {
		t.Errorf("API CSP %q", got)
	}
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") {
		t.Errorf("API 404 is %q", p.Header.Get("Content-Type"))
	}

	t.Run("assets are versioned and cached for a year", func(t *testing.T) {
		home := newClient(t, env).get("/signin").Body
		m := regexp.MustCompile(`href="(/static/[0-9a-f]+/app\.css)"`).FindStringSubmatch(home)
		if m == nil {
			t.Fatalf("no versioned stylesheet link in the page")
		}
		css := c.get(m[1])
		wantStatus(t, m[1], css, http.StatusOK)
		if css.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
			t.Errorf("asset headers: %v", css.Header)
		}
		wantStatus(t, "an old version", c.get("/static/000000000000/app.css"), http.StatusNotFound)
		wantStatus(t, "a file that is not an asset", c.get("/static/"+strings.Split(m[1], "/")[2]+"/..%2fpacer.db"), http.StatusNotFound)
		wantStatus(t, "a data file", c.get("/pacer.db"), http.StatusNotFound)
	})
}

func TestStudentsCannotReachInstructorForms(t *testing.T) {
	env := pacertest.New(t)
	ada, sam, eve := env.Register("Ada"), env.Register("Sam"), env.Register("Eve")
	cid, mid, iid := course(t, env, ada, sam)
	student := signedIn(t, env, sam)
	tok := student.token("/dashboard")
	outsider := signedIn(t, env, eve)
	otok := outsider.token("/dashboard")
	base := fmt.Sprintf("/courses/%d", cid)
	gets := []string{base + "/edit", base + "/modules/new", fmt.Sprintf("%s/modules/%d/edit", base, mid),
		fmt.Sprintf("%s/modules/%d/items/new?kind=page", base, mid), fmt.Sprintf("%s/items/%d/edit", base, iid), base + "/members"}
	posts := []string{base + "/edit", base + "/modules/new", fmt.Sprintf("%s/modules/%d/edit", base, mid),
		fmt.Sprintf("%s/modules/%d/delete", base, mid), fmt.Sprintf("%s/modules/%d/move", base, mid),
		fmt.Sprintf("%s/modules/%d/items/new", base, mid), fmt.Sprintf("%s/items/%d/edit", base, iid),
		fmt.Sprintf("%s/items/%d/delete", base, iid), base + "/invitations", base + "/invitations/1/revoke",
		fmt.Sprintf("%s/members/%d/role", base, sam.ID)}
	for _, path := range gets {
		wantStatus(t, "student GET "+path, student.get(path), http.StatusForbidden)
		wantStatus(t, "outsider GET "+path, outsider.get(path), http.StatusNotFound)
	}
	for _, path := range posts {
		f := form("_csrf", tok, "title", "Hacked", "kind", "page", "role", "instructor", "email", sam.Email, "dir", "up")
		wantStatus(t, "student POST "+path, student.post(path, f), http.StatusForbidden)
		f.Set("_csrf", otok)
		wantStatus(t, "outsider POST "+path, outsider.post(path, f), http.StatusNotFound)
	}
	// Nothing changed.
	m, err := env.Server.Courses.GetModule(context.Background(), ada.ID, cid, mid)
	if err != nil || m.Title != "Week 1" || len(m.Items) != 1 || m.Items[0].Title != "Variables" {
		t.Fatalf("the module changed: %+v %v", m, err)
	}
	a, _ := env.Server.Courses.Access(context.Background(), cid, sam.ID)
	if a.Role() != "student" {
		t.Fatalf("the student's role is now %q", a.Role())
	}
	// The student's own pages work, and show no instructor tools.
	p := student.get(base)
	wantStatus(t, "student course home", p, http.StatusOK)
	if p.has("/edit") || p.has("Add module") {
		t.Errorf("the student's course page links to instructor forms")
	}
}

func TestALockedItemIsAnHTMLErrorPageThatSaysWhy(t *testing.T) {
	env := pacertest.New(t)
	ada, sam := env.Register("Ada"), env.Register("Sam")
	cid := env.Course(ada, map[string]any{"title": "Statistics", "timezone": "Europe/Berlin"})
	opens := pacertest.Start.Add(72 * time.Hour)
	mid := env.Module(ada, cid, map[string]any{"title": "Week 2", "opens_at": opens.Format(time.RFC3339)})
	iid := env.Item(ada, cid, mid, map[string]any{"title": "Later"})
	env.Enroll(sam, cid)
	c := signedIn(t, env, sam)

	p := c.get(fmt.Sprintf("/courses/%d/items/%d", cid, iid))
	wantStatus(t, "locked item", p, http.StatusForbidden)
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("locked item answered %q", p.Header.Get("Content-Type"))
	}
	// Sam reads times in his own zone (UTC), with the course's beside.
	want := "Opens Thu 7 Jan 2027, 09:00 UTC (Thu 7 Jan 2027, 10:00 CET course time)"
	if !p.has("Week 2") || !p.has(want) || !p.has("Back to the course") {
		t.Fatalf("the error page does not say why (%q):\n%s", want, snippet(p.Body))
	}
	// The module page shows the lock and does not link the item.
	p = c.get(fmt.Sprintf("/courses/%d/modules/%d", cid, mid))
	wantStatus(t, "locked module", p, http.StatusOK)
	if !p.has(want) || p.has(fmt.Sprintf(`href="/courses/%d/items/%d"`, cid, iid)) {
		t.Errorf("locked module page:\n%s", snippet(p.Body))
	}
	// Once the module opens the item is readable and counts as done.
	env.Clock.Set(opens)
	wantStatus(t, "opened item", c.get(fmt.Sprintf("/courses/%d/items/%d", cid, iid)), http.StatusOK)
	r, err := env.Server.Courses.Progress(context.Background(), sam.ID, cid, 0)
	if err != nil || r.CourseProgress != 1 {
		t.Fatalf("progress after reading: %+v %v", r, err)
	}
	// Unknown and foreign ids are friendly 404 pages.
	for _, path := range []string{fmt.Sprintf("/courses/%d/items/999", cid), "/courses/999", "/courses/abc", "/courses/0/items/1", "/nowhere"} {
		p := c.get(path)
		wantStatus(t, path, p, http.StatusNotFound)
		if !p.has("couldn’t find that page") {
			t.Errorf("%s: not the HTML 404 page", path)
		}
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestPagesEscapeWhatPeopleWrite(t *testing.T) {
	env := pacertest.New(t)
	const evilName = `<img src=x onerror=alert(1)>`
	ada := env.Register("Ada")
	if r := env.Do("PATCH", "/api/v1/me", ada.Token, map[string]any{"name": evilName}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	sam := env.Register("Sam")
	cid := env.Course(ada, map[string]any{
		"title":       `<script>alert("title")</script>`,
		"description": "Hi <script>alert(1)</script> [click](javascript:alert(2)) <b onclick=alert(3)>x</b>\n\n<iframe src=//evil.test></iframe>",
	})
	mid := env.Module(ada, cid, map[string]any{"title": `"><svg onload=alert(4)>`, "summary": `[x](JaVaScRiPt:alert(5))`})
	iid := env.Item(ada, cid, mid, map[string]any{"title": `</title><script>alert(6)</script>`,
		"body": "<script>alert(7)</script>\n\n[a](javascript&#58;alert(8)) ![i](javascript:alert(9)) <a href=\"javascript:alert(10)\">l</a>"})
	env.Enroll(sam, cid)
	base := fmt.Sprintf("/courses/%d", cid)
	pages := map[string]*client{
		"/courses":                              signedIn(t, env, sam),
		"/dashboard":                            signedIn(t, env, sam),
		base:                                    signedIn(t, env, sam),
		base + "/members":                       signedIn(t, env, ada),
		base + "/edit":                          signedIn(t, env, ada),
		fmt.Sprintf("%s/modules/%d", base, mid): signedIn(t, env, sam),
		fmt.Sprintf("%s/modules/%d/edit", base, mid): signedIn(t, env, ada),
		fmt.Sprintf("%s/items/%d", base, iid):        signedIn(t, env, sam),
		fmt.Sprintf("%s/items/%d/edit", base, iid):   signedIn(t, env, ada),
	}
	for path, c := range pages {
		p := c.get(path)
		wantStatus(t, path, p, http.StatusOK)
		checkSafeHTML(t, path, p.Body)
	}
	// The text is still there, escaped, so people see what was typed.
	p := signedIn(t, env, ada).get(base + "/members")
	if !p.has("&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the name is not shown escaped")
	}
	p = signedIn(t, env, sam).get(base)
	if !p.has("&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;") {
		t.Errorf("the title is not shown escaped:\n%s", snippet(p.Body))
	}
}

func TestSigningInAndOutThroughTheForms(t *testing.T) {
	env := pacertest.New(t)
	ada := env.Register("Ada")
	c := newClient(t, env)
	tok := c.token("/signin")

	p := c.post("/signin", form("_csrf", tok, "email", ada.Email, "password", "wrong password"))
	wantStatus(t, "wrong password", p, http.StatusUnauthorized)
	if !p.has("Wrong e-mail or password.") || p.has("wrong password") || !p.has(`value="`+ada.Email+`"`) {
		t.Errorf("wrong-password page: %s", snippet(p.Body))
	}
	p = c.post("/signin", form("_csrf", tok, "email", "nobody@example.test", "password", "correct horse battery"))
	wantStatus(t, "unknown e-mail", p, http.StatusUnauthorized)
	if !p.has("Wrong e-mail or password.") {
		t.Errorf("unknown e-mail page does not use the same message")
	}

	p = c.post("/signin", form("_csrf", tok, "email", ada.Email, "password", "correct horse battery"))
	wantRedirect(t, "sign in", p, "/dashboard")
	if c.jar[auth.AccessCookie] == "" || c.jar[auth.RefreshCookie] == "" {
		t.Fatalf("no session cookies after signing in: %v", c.jar)
	}
	for _, ck := range (&http.Response{Header: p.Header}).Cookies() {
		if (ck.Name == auth.AccessCookie || ck.Name == auth.RefreshCookie) && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("cookie %s is not HttpOnly and SameSite=Lax", ck.Name)
		}
	}
	d := c.get("/dashboard")
	wantStatus(t, "dashboard", d, http.StatusOK)
	if !d.has("Hello, Ada") {
		t.Errorf("dashboard does not greet the user")
	}
	old := map[string]string{auth.AccessCookie: c.jar[auth.AccessCookie], auth.RefreshCookie: c.jar[auth.RefreshCookie]}

	p = c.post("/signout", form("_csrf", c.token("/dashboard")))
	wantRedirect(t, "sign out", p, "/")
	if _, ok := c.jar[auth.AccessCookie]; ok {
		t.Errorf("the access cookie is still set after signing out")
	}
	if h := c.get("/"); !h.has("You are signed out.") {
		t.Errorf("no sign-out message")
	}
	// The old cookies are dead on the server too, not just forgotten.
	replay := newClient(t, env)
	replay.jar = old
	wantRedirect(t, "replayed session", replay.get("/dashboard"), "/signin?next=%2Fdashboard")

	t.Run("sign-up signs in and welcomes", func(t *testing.T) {
		c := newClient(t, env)
		tok := c.token("/signup")
		p := c.post("/signup", form("_csrf", tok, "name", "Grace", "email", "grace@example.test", "password", "short"))
		wantStatus(t, "short password", p, http.StatusBadRequest)
		if !p.has("Must be at least 8 characters.") || !p.has(`value="grace@example.test"`) {
			t.Errorf("short-password page: %s", snippet(p.Body))
		}
		p = c.post("/signup", form("_csrf", tok, "name", "Ada again", "email", ada.Email, "password", "correct horse battery"))
		wantStatus(t, "taken e-mail", p, http.StatusConflict)
		if !p.has("already exists") {
			t.Errorf("taken e-mail page: %s", snippet(p.Body))
		}
		p = c.post("/signup", form("_csrf", tok, "name", "Grace", "email", "grace@example.test", "password", "correct horse battery"))
		wantRedirect(t, "sign up", p, "/courses")
		if h := c.get("/courses"); !h.has("Welcome to Pacer, Grace.") {
			t.Errorf("no welcome message")
		}
	})
}

func TestSignInIsRateLimitedWithAFriendlyPage(t *testing.T) {
	env := pacertest.New(t, func(cfg *server.Config) { cfg.AuthRate = 2 })
	c := newClient(t, env)
	tok := c.token("/signin")
	for i := 0; i < 2; i++ {
		wantStatus(t, "attempt", c.post("/signin", form("_csrf", tok, "email", "a@example.test", "password", "x")), http.StatusUnauthorized)
	}
	p := c.post("/signin", form("_csrf", tok, "email", "a@example.test", "password", "x"))
	wantStatus(t, "third attempt", p, http.StatusTooManyRequests)
	if p.Header.Get("Retry-After") == "" || !p.has("Too many attempts") || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
		t.Errorf("429 page: %v %s", p.Header, snippet(p.Body))
	}
	p = c.post("/signup", form("_csrf", tok, "email", "b@example.test", "password", "correct horse battery", "name", "B"))
	wantStatus(t, "sign-up from the same address", p, http.StatusTooManyRequests)
}

func TestChangingThePasswordKeepsThisBrowserSignedIn(t *testing.T) {
	env := pacertest.New(t)
	ada := env.Register("Ada")
	other := signedIn(t, env, env.Login(ada)) // a second device
	wantStatus(t, "other device", other.get("/dashboard"), http.StatusOK)
	c := signedIn(t, env, ada)
	tok := c.token("/account")

	p := c.post("/account/password", form("_csrf", tok, "current_password", "wrong", "password", "a new passphrase", "confirm", "a new passphrase"))
	wantStatus(t, "wrong current password", p, http.StatusBadRequest)
	if !p.has("Is wrong.") {
		t.Errorf("wrong current password page: %s", snippet(p.Body))
	}
	p = c.post("/account/password", form("_csrf", tok, "current_password", "correct horse battery", "password", "a new passphrase", "confirm", "different"))
	wantStatus(t, "mismatched confirmation", p, http.StatusBadRequest)

	p = c.post("/account/password", form("_csrf", tok, "current_password", "correct horse battery", "password", "a new passphrase", "confirm", "a new passphrase"))
	wantRedirect(t, "change password", p, "/account")
	a := c.get("/account")
	wantStatus(t, "this browser after the change", a, http.StatusOK)
	if !a.has("Password changed.") {
		t.Errorf("no confirmation message")
	}
	wantRedirect(t, "the other device after the change", other.get("/dashboard"), "/signin?next=%2Fdashboard")
	if _, _, err := env.Server.Auth.Login(context.Background(), ada.Email, "a new passphrase"); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}
}

func TestAFlashCookieCannotBeForged(t *testing.T) {
	env := pacertest.New(t)
	c := newClient(t, env)
	c.jar["pacer_flash"] = "eyJrIjoiZXJyb3IiLCJ0IjoiWW91ciBhY2NvdW50IGlzIGxvY2tlZCJ9.forged"
	if p := c.get("/"); p.has("Your account is locked") {
		t.Fatal("a forged flash message was shown")
	}
}

func TestInstructorsInviteByEmailAndOnlyInviteesJoin(t *testing.T) {
	env := pacertest.New(t)
	ada, sam, tia := env.Register("Ada"), env.Register("Sam"), env.Register("Tia")
	cid, _, _ := course(t, env, ada, pacertest.User{})
	c := signedIn(t, env, ada)
	base := fmt.Sprintf("/courses/%d/members", cid)
	tok := c.token(base)
	invite := fmt.Sprintf("/courses/%d/invitations", cid)

	wantRedirect(t, "invite Sam", c.post(invite, form("_csrf", tok, "email", strings.ToUpper(sam.Email), "role", "student")), base)
	wantRedirect(t, "invite Tia", c.post(invite, form("_csrf", tok, "email", tia.Email, "role", "ta")), base)
	// An address without an account gets the same answer.
	wantRedirect(t, "invite a stranger", c.post(invite, form("_csrf", tok, "email", "nobody@example.test", "role", "student")), base)
	p := c.post(invite, form("_csrf", tok, "email", "not an address", "role", "student"))
	wantStatus(t, "a bad address", p, http.StatusBadRequest)

	page := c.get(base)
	if !page.has("Invite by e-mail") || !page.has("nobody@example.test") || !page.has("0 students · 0 TAs · 1 instructor") {
		t.Errorf("members page before anyone accepts: %s", snippet(page.Body))
	}
	// Withdraw the stranger's invitation.
	var strangers uint64
	list, _ := env.Server.Courses.CourseInvitations(context.Background(), cid, ada.ID)
	for _, inv := range list {
		if inv.Email == "nobody@example.test" {
			strangers = inv.ID
		}
	}
	wantRedirect(t, "withdraw", c.post(fmt.Sprintf("%s/%d/revoke", invite, strangers), form("_csrf", tok)), base)
	if p := c.get(base); p.has("nobody@example.test") {
		t.Errorf("a withdrawn invitation is still listed")
	}

	// Sam accepts on the dashboard; Tia declines.
	for _, who := range []struct {
		u      pacertest.User
		action string
		role   string
	}{{sam, "accept", "student"}, {tia, "decline", ""}} {
		wc := signedIn(t, env, who.u)
		dash := wc.get("/dashboard")
		m := regexp.MustCompile(`action="/invitations/(\d+)/` + who.action + `"`).FindStringSubmatch(dash.Body)
		if m == nil || !dash.has("Statistics") {
			t.Fatalf("%s's dashboard shows no invitation: %s", who.u.Name, snippet(dash.Body))
		}
		wantRedirect(t, who.action, wc.post("/invitations/"+m[1]+"/"+who.action, form("_csrf", wc.token("/dashboard"))), "/dashboard")
		if a, _ := env.Server.Courses.Access(context.Background(), cid, who.u.ID); a.Role() != who.role {
			t.Fatalf("after %s, %s is %q", who.action, who.u.Name, a.Role())
		}
		if d := wc.get("/dashboard"); d.has("/invitations/" + m[1] + "/") {
			t.Errorf("the invitation is still on %s's dashboard", who.u.Name)
		}
	}

	// The last instructor cannot step down; the page says so.
	wantRedirect(t, "demote self", c.post(fmt.Sprintf("%s/%d/role", base, ada.ID), form("_csrf", tok, "role", "student")), base)
	if p := c.get(base); !p.has("A course needs at least one instructor.") {
		t.Errorf("no message about the last instructor")
	}
	// A role is changed only for a member: Tia declined.
	wantRedirect(t, "Tia is no member", c.post(fmt.Sprintf("%s/%d/role", base, tia.ID), form("_csrf", tok, "role", "ta")), base)
	if a, _ := env.Server.Courses.Access(context.Background(), cid, tia.ID); a.Member != nil {
		t.Fatalf("a role change added Tia")
	}
	wantRedirect(t, "promote Sam", c.post(fmt.Sprintf("%s/%d/role", base, sam.ID), form("_csrf", tok, "role", "instructor")), base)
	if a, _ := env.Server.Courses.Access(context.Background(), cid, sam.ID); a.Role() != "instructor" {
		t.Fatalf("Sam is %q", a.Role())
	}

	// Staff may leave from the course page, but not the last instructor.
	home := fmt.Sprintf("/courses/%d", cid)
	sc := signedIn(t, env, sam)
	if p := sc.get(home); !p.has("Leave this course") {
		t.Fatalf("no way for an instructor to leave: %s", snippet(p.Body))
	}
	wantRedirect(t, "Sam leaves", sc.post(home+"/leave", form("_csrf", sc.token(home))), "/dashboard")
	wantRedirect(t, "Ada may not", c.post(home+"/leave", form("_csrf", c.token(home))), home)
	if p := c.get(home); !p.has("You are the only instructor") {
		t.Errorf("no message for the last instructor: %s", snippet(p.Body))
	}
}

// checkSafeHTML parses a page and fails on anything that could run script:
// an inline <script>, an event-handler attribute, a javascript: URL, a
// style attribute (the CSP forbids them), or markup no page should carry.
func checkSafeHTML(t *testing.T, path, body string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "iframe", "object", "embed", "base", "frame", "frameset":
			t.Errorf("%s: <%s> in the page", path, tok.Data)
		case "script":
			src := ""
			for _, a := range tok.Attr {
				if a.Key == "src" {
					src = a.Val
				}
			}
			if !strings.HasPrefix(src, "/static/") {
				t.Errorf("%s: a script that is not one of Pacer's files: %v", path, tok)
			}
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			switch {
			case strings.HasPrefix(key, "on"):
				t.Errorf("%s: event handler %s=%q on <%s>", path, a.Key, a.Val, tok.Data)
			case key == "style":
				t.Errorf("%s: inline style on <%s>", path, tok.Data)
			case (key == "href" || key == "src" || key == "action" || key == "formaction") &&
				(strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "vbscript:")):
				t.Errorf("%s: %s=%q on <%s>", path, a.Key, a.Val, tok.Data)
			}
		}
	}
}

func TestEnrolmentKeysAreCheckedOnTheCoursePage(t *testing.T) {
	env := pacertest.New(t)
	ada, sam := env.Register("Ada"), env.Register("Sam")
	cid := env.Course(ada, map[string]any{"title": "Keyed", "enrollment": "key", "enroll_key": "open sesame"})
	c := signedIn(t, env, sam)
	base := fmt.Sprintf("/courses/%d", cid)
	p := c.get(base)
	wantStatus(t, "public course page", p, http.StatusOK)
	if !p.has(`name="enroll_key"`) || p.has("open sesame") {
		t.Fatalf("the public page has no key field, or shows the key:\n%s", snippet(p.Body))
	}
	if cat := c.get("/courses"); !cat.has("Key needed") || cat.has("open sesame") {
		t.Errorf("the catalogue does not ask for the key, or shows it")
	}
	tok := c.token(base)
	wantRedirect(t, "wrong key", c.post(base+"/enroll", form("_csrf", tok, "enroll_key", "guess")), base)
	if p := c.get(base); !p.has("That enrolment key is not right.") || p.has("Your progress") {
		t.Fatalf("after a wrong key:\n%s", snippet(p.Body))
	}
	wantRedirect(t, "right key", c.post(base+"/enroll", form("_csrf", tok, "enroll_key", " open sesame ")), base)
	if p := c.get(base); !p.has("You are enrolled in Keyed.") || !p.has("Your progress") {
		t.Fatalf("after the right key:\n%s", snippet(p.Body))
	}
	wantRedirect(t, "leave", c.post(base+"/leave", form("_csrf", tok)), "/dashboard")
	if a, _ := env.Server.Courses.Access(context.Background(), cid, sam.ID); a.Member != nil {
		t.Fatalf("still a member after leaving")
	}
	// Guessing through the page is limited as through the API.
	for i := 0; i < 10; i++ {
		c.post(base+"/enroll", form("_csrf", tok, "enroll_key", fmt.Sprintf("guess %d", i)))
	}
	wantRedirect(t, "over the limit", c.post(base+"/enroll", form("_csrf", tok, "enroll_key", "open sesame")), base)
	if p := c.get(base); !p.has("Too many wrong enrolment keys.") {
		t.Fatalf("over the limit:\n%s", snippet(p.Body))
	}
	if a, _ := env.Server.Courses.Access(context.Background(), cid, sam.ID); a.Member != nil {
		t.Fatalf("enrolled over the limit")
	}
}

func TestInstructorFormsBuildACourse(t *testing.T) {
	env := pacertest.New(t)
	ada := env.Register("Ada")
	c := signedIn(t, env, ada)
	tok := c.token("/courses/new")
	courseForm := func(kv ...string) url.Values {
		f := form("_csrf", tok, "title", "Statistics", "description", "About *data*.", "published", "1",
			"pacing", "scheduled", "starts_at", "2027-01-11T09:00", "timezone", "Europe/Berlin",
			"enrollment", "open", "enroll_key", "", "grace_hours", "1.5", "late_hours", "24",
			"late_penalty", "5", "inactive_days", "10", "nudge_days", "2", "watch_percent", "80")
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	p := c.post("/courses/new", courseForm("title", "", "late_hours", "soon", "timezone", "Mars/Olympus"))
	wantStatus(t, "bad course form", p, http.StatusBadRequest)
	if !p.has("Enter a number.") || !p.has(`value="Mars/Olympus"`) {
		t.Errorf("bad course form page:\n%s", snippet(p.Body))
	}
	p = c.post("/courses/new", courseForm("title", "", "timezone", "Mars/Olympus"))
	wantStatus(t, "service-rejected course form", p, http.StatusBadRequest)
	if !p.has("f-title-error") || !p.has("f-timezone-error") {
		t.Errorf("the service's field errors are not shown by their fields:\n%s", snippet(p.Body))
	}

	p = c.post("/courses/new", courseForm())
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create course: %d\n%s", p.Status, snippet(p.Body))
	}
	base := p.Header.Get("Location")
	var cid uint64
	fmt.Sscanf(base, "/courses/%d", &cid)
	cv, err := env.Server.Courses.Course(context.Background(), cid, ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	berlin := mustLoc(t, "Europe/Berlin")
	if cv.StartsAt == nil || !cv.StartsAt.Equal(time.Date(2027, 1, 11, 9, 0, 0, 0, berlin)) || cv.Timezone != "Europe/Berlin" ||
		!cv.Published || cv.Policy.GraceSeconds != 5400 || cv.Policy.LateSeconds != 86400 || cv.Policy.WatchCompleteRatio != 0.8 ||
		cv.Policy.InactiveAfterSeconds != 864000 || cv.Policy.NudgeCooldownSeconds != 172800 || cv.Policy.LatePenaltyPercentPerDay != 5 {
		t.Fatalf("course as stored: %+v", cv.Course)
	}
	// The settings form shows the stored values in the same units.
	p = c.get(base + "/edit")
	for _, want := range []string{`value="2027-01-11T09:00"`, `value="1.5"`, `value="80"`, `value="10"`} {
		if !p.has(want) {
			t.Errorf("settings form lacks %s", want)
		}
	}
	wantRedirect(t, "edit course", c.post(base+"/edit", courseForm("title", "Statistics II", "enrollment", "key", "enroll_key", "k3y-k3y-k3y")), base)
	if cv, _ := env.Server.Courses.Course(context.Background(), cid, ada.ID); cv.Title != "Statistics II" || cv.EnrollKey != "k3y-k3y-k3y" {
		t.Fatalf("course after edit: %+v", cv.Course)
	}

	// Modules.
	modForm := func(kv ...string) url.Values {
		f := form("_csrf", tok, "title", "Week 1", "summary", "First", "week", "1", "opens_at", "", "due_at", "", "published", "1")
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	p = c.post(base+"/modules/new", modForm("opens_at", "2027-01-20T10:00", "due_at", "2027-01-19T10:00"))
	wantStatus(t, "due before opens", p, http.StatusBadRequest)
	// The reason names the field in words, not as the API's opens_at.
	if !p.has("Must not be before the opening time.") || p.has("opens_at.") {
		t.Errorf("due-before-opens page:\n%s", snippet(p.Body))
	}
	p = c.post(base+"/modules/new", modForm())
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create module: %d\n%s", p.Status, snippet(p.Body))
	}
	m1 := p.Header.Get("Location")
	p = c.post(base+"/modules/new", modForm("title", "Week 2", "week", "", "opens_at", "2027-01-18T09:00", "due_at", "2027-01-25T09:00"))
	m2 := p.Header.Get("Location")
	var mid1, mid2 uint64
	fmt.Sscanf(m1, base+"/modules/%d", &mid1)
	fmt.Sscanf(m2, base+"/modules/%d", &mid2)
	if mid1 == 0 || mid2 == 0 {
		t.Fatalf("module locations %q %q", m1, m2)
	}
	mv, _ := env.Server.Courses.GetModule(context.Background(), ada.ID, cid, mid2)
	if mv.Week != 0 || mv.OpensAt == nil || !mv.OpensAt.Equal(time.Date(2027, 1, 18, 9, 0, 0, 0, berlin)) {
		t.Fatalf("module 2 as stored: %+v", mv.Module)
	}
	// Edit: clear the dates, add a prerequisite.
	wantRedirect(t, "edit module", c.post(m2+"/edit", modForm("title", "Week 2b", "week", "2", "prerequisites", fmt.Sprint(mid1))), m2)
	mv, _ = env.Server.Courses.GetModule(context.Background(), ada.ID, cid, mid2)
	if mv.Title != "Week 2b" || mv.Week != 2 || mv.OpensAt != nil || len(mv.Prerequisites) != 1 || mv.Prerequisites[0] != mid1 {
		t.Fatalf("module 2 after edit: %+v", mv.Module)
	}
	p = c.post(m1+"/edit", modForm("prerequisites", fmt.Sprint(mid2)))
	wantStatus(t, "a prerequisite cycle", p, http.StatusBadRequest)
	if !p.has("Would make a cycle.") {
		t.Errorf("cycle page:\n%s", snippet(p.Body))
	}
	// Move week 2 before week 1.
	c.post(m2+"/move", form("_csrf", tok, "dir", "up"))
	mods, _ := env.Server.Courses.ListModules(context.Background(), ada.ID, cid)
	if len(mods) != 2 || mods[0].ID != mid2 {
		t.Fatalf("order after moving up: %v", mods)
	}

	// Pages.
	p = c.post(m1+"/items/new?kind=page", form("_csrf", tok, "kind", "page", "title", "", "body", "x", "published", "1"))
	wantStatus(t, "untitled page", p, http.StatusBadRequest)
	p = c.post(m1+"/items/new?kind=page", form("_csrf", tok, "kind", "lecture", "title", "Sneaky", "published", "1"))
	wantStatus(t, "a kind this form does not make", p, http.StatusBadRequest)
	p = c.post(m1+"/items/new?kind=page", form("_csrf", tok, "kind", "page", "title", "Reading", "body", "# Hello\n\nSome *text*.", "published", "1"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create page: %d\n%s", p.Status, snippet(p.Body))
	}
	item := p.Header.Get("Location")
	if ip := c.get(item); !ip.has("<h1>Hello</h1>") || !ip.has("<em>text</em>") {
		t.Errorf("page view:\n%s", snippet(ip.Body))
	}
	wantRedirect(t, "edit page", c.post(item+"/edit", form("_csrf", tok, "title", "Reading 2", "body", "New", "published", "")), item)
	var iid uint64
	fmt.Sscanf(item, base+"/items/%d", &iid)
	it, _ := env.Server.Courses.GetItem(context.Background(), ada.ID, cid, iid)
	if it.Title != "Reading 2" || it.Published {
		t.Fatalf("page after edit: %+v", it.Item)
	}
	wantRedirect(t, "delete page", c.post(item+"/delete", form("_csrf", tok)), m1)
	wantStatus(t, "deleted page", c.get(item), http.StatusNotFound)
	wantRedirect(t, "delete module", c.post(m1+"/delete", form("_csrf", tok)), base)
	if mods, _ := env.Server.Courses.ListModules(context.Background(), ada.ID, cid); len(mods) != 1 {
		t.Fatalf("modules after delete: %d", len(mods))
	}
}
