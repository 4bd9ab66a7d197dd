package securitytest_test

// Headers and limits: the security headers of every page and API answer,
// HSTS over TLS only, CSRF on every cookie-authenticated form and API
// write, and the rate limits on sign-in, registration, posting and uploads.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"pacer/pacertest"
	"pacer/server"
	"pacer/storage"
)

// csp parses a Content-Security-Policy into directive → sources.
func csp(v string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(v, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

// headerProblems lists what an answer lacks of the security baseline.
func headerProblems(h http.Header, isPage bool) []string {
	var out []string
	if h.Get("X-Content-Type-Options") != "nosniff" {
		out = append(out, "X-Content-Type-Options is "+strconv.Quote(h.Get("X-Content-Type-Options")))
	}
	switch h.Get("Referrer-Policy") {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		out = append(out, "Referrer-Policy is "+strconv.Quote(h.Get("Referrer-Policy")))
	}
	raw := h.Get("Content-Security-Policy")
	if raw == "" {
		return append(out, "no Content-Security-Policy")
	}
	p := csp(raw)
	if fa := p["frame-ancestors"]; len(fa) != 1 || fa[0] != "'none'" {
		out = append(out, "frame-ancestors is not 'none' in "+raw)
	}
	script, ok := p["script-src"]
	if !ok {
		script = p["default-src"]
	}
	if script == nil {
		out = append(out, "no script-src nor default-src in "+raw)
	}
	for _, s := range script {
		switch {
		case s == "'unsafe-inline'" || s == "'unsafe-eval'" || s == "*" || s == "data:" || s == "http:" || s == "https:":
			out = append(out, "script sources allow "+s+" in "+raw)
		}
	}
	if isPage {
		if base := p["base-uri"]; len(base) == 0 {
			out = append(out, "no base-uri in "+raw)
		}
		if obj, ok := p["object-src"]; ok && !slices.Equal(obj, []string{"'none'"}) && !slices.Equal(obj, []string{"'self'"}) {
			out = append(out, "object-src allows "+strings.Join(obj, " "))
		}
	}
	if h.Get("Access-Control-Allow-Origin") != "" {
		out = append(out, "CORS is open: Access-Control-Allow-Origin "+h.Get("Access-Control-Allow-Origin"))
	}
	return out
}

// inlineScripts finds <script> elements with content or without src (a
// nonce'd one would be allowed, but Pacer has none).
func inlineScripts(body string) int {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return 0
	}
	n := 0
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		if x.Type == html.ElementNode && x.Data == "script" && (attr(x, "src") == "" || x.FirstChild != nil) && attr(x, "nonce") == "" {
			n++
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return n
}

func TestEveryPageAndAPIAnswerCarriesTheSecurityHeaders(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	for _, a := range []*actor{w.anon, w.outsider, w.a.ins, w.a.ta, w.a.s1, w.dana, w.adm} {
		for _, pc := range pageCases(w) {
			p := w.page(a, "GET", pc.path, nil)
			m.tried++
			for _, problem := range headerProblems(p.Header, true) {
				m.fail("%s GET %s (%d): %s", a.name, pc.path, p.Status, problem)
			}
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
				if n := inlineScripts(p.Body); n > 0 {
					m.fail("%s GET %s: %d inline scripts", a.name, pc.path, n)
				}
			}
			if p.Header.Get("Strict-Transport-Security") != "" {
				m.fail("%s GET %s: HSTS over plain HTTP", a.name, pc.path)
			}
		}
	}
	// Every API route, as the instructor, a student and nobody; the
	// answers include errors and files.
	vals := paramValues(w)
	for _, rt := range routes(w) {
		if !strings.HasPrefix(rt[1], "/api/") && rt[1] != "/healthz" && rt[1] != "/readyz" && !strings.HasPrefix(rt[1], "/calendar/") {
			continue
		}
		path := fill(rt[1], vals, "", "")
		for _, a := range []*actor{w.a.ins, w.a.s1, w.anon} {
			var p page
			if rt[0] == "GET" {
				p = w.raw(a, rt[0], path, "", nil)
			} else if rt[0] == "DELETE" {
				continue // answers of writes are the same middleware; no need to delete the world
			} else {
				p = w.raw(a, rt[0], path, "application/json", []byte(`{"x":1}`))
			}
			m.tried++
			for _, problem := range headerProblems(p.Header, false) {
				m.fail("%s %s %s (%d): %s", a.name, rt[0], path, p.Status, problem)
			}
		}
	}
	// Stored files get the contract's sandboxing CSP.
	for _, md := range w.a.medias {
		p := w.raw(w.a.ins, "GET", fmt.Sprintf("/api/v1/media/%d", md.id), "", nil)
		m.tried++
		if c := csp(p.Header.Get("Content-Security-Policy")); c["sandbox"] == nil || !slices.Equal(c["default-src"], []string{"'none'"}) {
			m.fail("media %d is served with CSP %q", md.id, p.Header.Get("Content-Security-Policy"))
		}
		if p.Header.Get("Cross-Origin-Resource-Policy") != "same-origin" {
			m.fail("media %d lacks Cross-Origin-Resource-Policy: same-origin", md.id)
		}
	}
	m.report("security headers")
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pacer.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}

// serve runs env's server on a real listener until the test ends.
func serve(t *testing.T, env *pacertest.Env) string {
	t.Helper()
	return env.Listen(t)
}

func TestHSTSIsSentOverTLSAndNotOverPlainHTTP(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	secure := pacertest.New(t, func(c *server.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	u := secure.Register("Tia")
	addr := serve(t, secure)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *http.Client, url string, headers ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for _, path := range []string{"/healthz", "/signin", "/api/v1/me", "/api/v1/courses", "/no-such-page", "/api/v1/no-such-route"} {
		res := get(client, "https://"+addr+path, "Authorization", "Bearer "+u.Token)
		hsts := res.Header.Get("Strict-Transport-Security")
		age, _ := strconv.Atoi(strings.TrimPrefix(strings.Split(hsts, ";")[0], "max-age="))
		if age < 31536000 {
			t.Errorf("GET https://…%s (%d): Strict-Transport-Security %q, want max-age of a year or more", path, res.StatusCode, hsts)
		}
	}
	// Over TLS the session cookies are Secure, HttpOnly and SameSite.
	res := get(client, "https://"+addr+"/signin")
	for _, ck := range res.Cookies() {
		if !ck.Secure || !ck.HttpOnly || ck.SameSite == http.SameSiteNoneMode || ck.SameSite == http.SameSiteDefaultMode {
			t.Errorf("cookie %s over TLS: Secure=%v HttpOnly=%v SameSite=%v", ck.Name, ck.Secure, ck.HttpOnly, ck.SameSite)
		}
	}

	// Plain HTTP: no HSTS, even when a client claims to have come through
	// a TLS proxy that the server was not told to trust.
	plain := pacertest.New(t)
	paddr := serve(t, plain)
	for _, claim := range [][]string{nil, {"X-Forwarded-Proto", "https"}, {"X-Forwarded-Ssl", "on"}, {"X-Url-Scheme", "https"}} {
		res := get(http.DefaultClient, "http://"+paddr+"/healthz", claim...)
		if v := res.Header.Get("Strict-Transport-Security"); v != "" {
			t.Errorf("plain HTTP with %v: Strict-Transport-Security %q", claim, v)
		}
	}
	// Behind a trusted proxy (--trusted-proxies) its word counts.
	proxied := pacertest.New(t, func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	xaddr := serve(t, proxied)
	if v := get(http.DefaultClient, "http://"+xaddr+"/healthz", "X-Forwarded-Proto", "https").Header.Get("Strict-Transport-Security"); v == "" {
		t.Errorf("behind a trusted TLS proxy: no Strict-Transport-Security")
	}
	if v := get(http.DefaultClient, "http://"+xaddr+"/healthz").Header.Get("Strict-Transport-Security"); v != "" {
		t.Errorf("behind a trusted proxy, plain HTTP: Strict-Transport-Security %q", v)
	}
}

// digest hashes every record of the store, to show that refused requests
// changed nothing.
func digest(t *testing.T, w *world) [32]byte {
	t.Helper()
	if err := w.env.Server.Engagement.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	buckets := []storage.Bucket{storage.Users, storage.UsersByEmail, storage.Sessions, storage.SessionsByUser, storage.Refresh,
		storage.Courses, storage.Members, storage.MembersByUser, storage.Modules, storage.ModulesByCourse, storage.Items,
		storage.ItemsByModule, storage.Progress, storage.Invitations, storage.InvitationsByEmail, storage.InvitationsByCourse, storage.Notifications, storage.NotificationsByUser, storage.NotificationsUnread,
		storage.Extensions, storage.ExtensionsByLearner, storage.Submissions, storage.SubmissionsByItem, storage.SubmissionHistory, storage.SubmittedNotes, storage.CalendarTokens,
		storage.Audit, storage.Boards, storage.BoardsByCourse, storage.Threads, storage.ThreadsByBoard, storage.Posts,
		storage.PostSources, storage.PostsByThread, storage.Participants, storage.Subscriptions, storage.ReadStates, storage.Reports,
		storage.ReportsByCourse, storage.ReportsByPost, storage.SearchTerms, storage.Outbox, storage.MailBatches, storage.EmailPrefs,
		storage.Media, storage.MediaByCourse, storage.MediaBlobs, storage.Captions, storage.Watch}
	h := sha256.New()
	err := w.env.Bolt().View(func(tx *storage.Tx) error {
		for _, b := range buckets {
			fmt.Fprintf(h, "[%s]", b)
			if err := tx.Each(b, nil, func(k, v []byte) error {
				h.Write(k)
				h.Write([]byte{0})
				h.Write(v)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// form is a <form method="post"> found in a page.
type form struct {
	action    string
	multipart bool
	fields    url.Values
	page      string
}

// forms collects the POST forms of a page, with their fields filled as the
// page filled them (and something in every empty text field).
func forms(path, body string) []form {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil
	}
	base, _ := url.Parse(path)
	var out []form
	var cur *form
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				if strings.EqualFold(attr(n, "method"), "post") {
					action := attr(n, "action")
					u, err := url.Parse(action)
					if err == nil {
						f := form{action: base.ResolveReference(u).RequestURI(), fields: url.Values{}, page: path,
							multipart: strings.Contains(attr(n, "enctype"), "multipart")}
						out = append(out, f)
						cur = &out[len(out)-1]
						for c := n.FirstChild; c != nil; c = c.NextSibling {
							walk(c)
						}
						cur = nil
						return
					}
				}
			case "input", "textarea", "select":
				if cur != nil && attr(n, "name") != "" && attr(n, "type") != "file" {
					v := attr(n, "value")
					if v == "" && n.Data == "textarea" && n.FirstChild != nil {
						v = n.FirstChild.Data
					}
					if v == "" {
						v = "x"
					}
					cur.fields.Set(attr(n, "name"), v)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func TestEveryCookieFormRefusesAMissingOrWrongCSRFToken(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	type found struct {
		a *actor
		f form
	}
	var all []found
	seen := map[string]bool{}
	actors := []*actor{w.a.ins, w.a.ta, w.a.s1, w.outsider, w.adm, w.dana, w.theo}
	for _, a := range actors {
		for _, pc := range pageCases(w) {
			p := w.page(a, "GET", pc.path, nil)
			if p.Status != 200 {
				continue
			}
			for _, f := range forms(pc.path, p.Body) {
				key := a.name + " " + f.action
				if seen[key] {
					continue
				}
				seen[key] = true
				all = append(all, found{a, f})
			}
		}
	}
	// Anonymous forms (sign in, sign up) are bound to the form cookie.
	v := newVisitor(w)
	for _, path := range []string{"/signin", "/signup"} {
		for _, f := range forms(path, v.get(path).Body) {
			all = append(all, found{w.anon, f})
		}
	}
	actions := map[string]bool{}
	for _, x := range all {
		actions[x.f.action] = true
	}
	if len(actions) < 30 {
		t.Fatalf("only %d form actions found in the pages", len(actions))
	}
	other := w.csrf(w.b.s2) // a real token, of someone else's sign-in
	before := digest(t, w)
	for _, x := range all {
		for _, tok := range []string{"", "wrong", other, strings.Repeat("A", 43)} {
			fields := url.Values{}
			for k, vs := range x.f.fields {
				fields[k] = vs
			}
			fields.Del("_csrf")
			if tok != "" {
				fields.Set("_csrf", tok)
			}
			var p page
			if x.a.anon {
				p = v.post(x.f.action, fields)
			} else if x.f.multipart {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for k, vs := range fields {
					for _, val := range vs {
						_ = mw.WriteField(k, val)
					}
				}
				_ = mw.Close()
				p = w.raw(x.a, "POST", x.f.action, mw.FormDataContentType(), buf.Bytes())
			} else {
				p = w.page(x.a, "POST", x.f.action, fields)
			}
			m.tried++
			if p.Status != 403 {
				m.fail("%s POST %s (form of %s) with _csrf %q: got %d want 403", x.a.name, x.f.action, x.f.page, clip(tok), p.Status)
			}
		}
	}
	if after := digest(t, w); after != before {
		m.fail("forms refused for their CSRF token changed the store")
	}
	// The session still works: signing out without a token did nothing.
	if p := w.page(w.a.s1, "GET", "/dashboard", nil); p.Status != 200 {
		m.fail("the student's session ended: /dashboard %d", p.Status)
	}
	t.Logf("CSRF: %d forms (%d distinct actions) posted without or with a wrong token", len(all), len(actions))
	m.report("page forms without a valid CSRF token")
}

func TestCookieAPIWritesNeedTheCSRFHeader(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	vals := paramValues(w)
	good := w.csrf(w.a.ins)
	other := w.csrf(w.b.ins)
	cookie := func(a *actor) string { return "pacer_access=" + a.u.Token }
	before := digest(t, w)
	for _, rt := range routes(w) {
		if !strings.HasPrefix(rt[1], "/api/") || rt[0] == "GET" {
			continue
		}
		path := fill(rt[1], vals, "", "")
		for _, hdr := range [][]string{{}, {"X-CSRF-Token", ""}, {"X-CSRF-Token", "wrong"}, {"X-CSRF-Token", other}, {"X-Csrf-Token", other}} {
			req := httptestRequest(rt[0], path, `{}`, append([]string{"Cookie", cookie(w.a.ins), "Content-Type", "application/json"}, hdr...)...)
			p := w.send(req)
			m.tried++
			if p.Status != 403 {
				m.fail("ins %s %s with the session cookie and CSRF header %v: got %d want 403", rt[0], path, hdr, p.Status)
			}
		}
	}
	if digest(t, w) != before {
		m.fail("API writes refused for their CSRF header changed the store")
	}
	// With the right header the same session may write.
	req := httptestRequest("PATCH", "/api/v1/me", `{"name":"Ines A"}`, "Cookie", cookie(w.a.ins), "Content-Type", "application/json", "X-CSRF-Token", good)
	if p := w.send(req); p.Status != 200 {
		m.fail("PATCH /api/v1/me with the cookie and the right CSRF header: %d %s", p.Status, short([]byte(p.Body)))
	}
	// A Bearer token needs no CSRF header (no browser attaches it).
	if r := w.env.Do("PATCH", "/api/v1/me", w.a.ins.token(), map[string]any{"name": "Ines A"}); r.Status != 200 {
		m.fail("PATCH /api/v1/me with a Bearer token: %d", r.Status)
	}
	m.report("cookie API writes without the CSRF header")
}

func httptestRequest(method, path, body string, headers ...string) *http.Request {
	req, _ := http.NewRequest(method, "http://pacer.test"+path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

// send runs a prepared request through app.Test.
func (w *world) send(req *http.Request) page {
	w.t.Helper()
	res, err := w.env.Server.App.Test(req, 10000)
	if err != nil {
		w.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(raw)}
}

// limited checks a 429 in the contract's shape with a Retry-After.
func limited(m *matrix, what string, p page, api bool) {
	m.t.Helper()
	m.tried++
	if p.Status != 429 {
		m.fail("%s: got %d want 429", what, p.Status)
		return
	}
	if s, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || s < 1 {
		m.fail("%s: 429 with Retry-After %q", what, p.Header.Get("Retry-After"))
	}
	if api && !strings.Contains(p.Body, `"rate_limited"`) {
		m.fail("%s: 429 body %s", what, short([]byte(p.Body)))
	}
}

func TestRateLimitsAnswer429WithRetryAfter(t *testing.T) {
	env := pacertest.New(t, func(c *server.Config) { c.AuthRate = 5 })
	w := &world{t: t, env: env, posted: map[uint64]int{}, lastLogin: env.Clock.Now()}
	w.anon = &actor{name: "anonymous", anon: true, roles: map[*course]string{}}
	m := &matrix{t: t, w: w}

	// Sign-in and registration share one budget per client IP.
	for i := 0; i < 5; i++ {
		if r := env.Do("POST", "/api/v1/auth/login", "", map[string]any{"email": "x@example.test", "password": "whatever pw"}); r.Status != 401 {
			t.Fatalf("login attempt %d: %d", i, r.Status)
		}
	}
	p := w.raw(w.anon, "POST", "/api/v1/auth/login", "application/json", []byte(`{"email":"x@example.test","password":"whatever pw"}`))
	limited(m, "the sixth login attempt", p, true)
	p = w.raw(w.anon, "POST", "/api/v1/auth/register", "application/json", []byte(`{"email":"y@example.test","password":"long enough pw","name":"Y"}`))
	limited(m, "a registration after five attempts", p, true)
	v := newVisitor(w)
	tok := csrfField.FindStringSubmatch(v.get("/signin").Body)
	if tok == nil {
		t.Fatal("no CSRF token on /signin")
	}
	p = v.post("/signin", url.Values{"_csrf": {html.UnescapeString(tok[1])}, "email": {"x@example.test"}, "password": {"whatever pw"}})
	limited(m, "the sign-in form after five attempts", p, false)
	env.Clock.Advance(time.Minute)

	// Users for the posting and upload limits (registered after the auth
	// window moved on).
	ins := &actor{name: "Ines", u: env.Register("Ines"), roles: map[*course]string{}}
	stu := &actor{name: "Stu", u: env.Register("Stu"), roles: map[*course]string{}}
	course := env.Course(ins.u, nil)
	env.Enroll(stu.u, course)
	var boards struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", course), stu.u.Token, nil).Decode(&boards)
	board := boards.Items[0].ID
	thread := env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), stu.u.Token, map[string]any{"title": "T", "body": "b"}).ID()
	// Posting: 60 a minute per user, threads and replies together, in the
	// API and the pages alike.
	for i := 1; i < 60; i++ {
		if r := env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), stu.u.Token, map[string]any{"body": fmt.Sprint("reply ", i)}); r.Status != 201 {
			t.Fatalf("reply %d: %d %s", i, r.Status, r.Body)
		}
	}
	p = w.raw(stu, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), "application/json", []byte(`{"body":"one too many"}`))
	limited(m, "the 61st post in a minute", p, true)
	p = w.raw(stu, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), "application/json", []byte(`{"title":"T","body":"b"}`))
	limited(m, "a new thread after 60 posts in a minute", p, true)
	stok := w.csrf(stu)
	p = w.page(stu, "POST", fmt.Sprintf("/courses/%d/threads/%d/replies", course, thread), url.Values{"_csrf": {stok}, "body": {"from the page"}})
	limited(m, "a reply from the page after 60 posts in a minute", p, false)
	// Another user is not limited by this one.
	if r := env.Do("POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), ins.u.Token, map[string]any{"body": "staff"}); r.Status != 201 {
		m.fail("another user's reply: %d", r.Status)
	}

	// Uploads: 120 an hour per user, through the API and the pages.
	base := fmt.Sprintf("/api/v1/courses/%d/media", course)
	for i := 0; i < 120; i++ {
		r := env.DoHeaders("POST", base+"?filename=a.pdf", ins.u.Token, pdfFile(fmt.Sprint("upload ", i)), map[string]string{"Content-Type": "application/pdf"})
		if r.Status != 201 {
			t.Fatalf("upload %d: %d %s", i, r.Status, r.Body)
		}
	}
	p = w.raw(ins, "POST", base+"?filename=a.pdf", "application/pdf", pdfFile("one too many"))
	limited(m, "the 121st upload in an hour", p, true)
	itok := w.csrf(ins)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", itok)
	part := textproto.MIMEHeader{}
	part.Set("Content-Disposition", `form-data; name="file"; filename="page.pdf"`)
	part.Set("Content-Type", "application/pdf")
	fw, _ := mw.CreatePart(part)
	_, _ = fw.Write(pdfFile("from the page"))
	_ = mw.Close()
	p = w.raw(ins, "POST", fmt.Sprintf("/courses/%d/media", course), mw.FormDataContentType(), buf.Bytes())
	limited(m, "an upload from the files page after 120 in an hour", p, false)

	// A learner's submission files count too, whichever way they come.
	mod := env.Module(ins.u, course, map[string]any{"title": "Week"})
	assignment := env.Item(ins.u, course, mod, map[string]any{"kind": "assignment", "title": "Essay", "points": 10})
	for i := 0; i < 120; i++ {
		r := env.DoHeaders("POST", base+"?purpose=submission&filename=w.pdf", stu.u.Token, pdfFile(fmt.Sprint("work ", i)), map[string]string{"Content-Type": "application/pdf"})
		if r.Status != 201 {
			t.Fatalf("submission upload %d: %d %s", i, r.Status, r.Body)
		}
	}
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", stok)
	_ = mw.WriteField("body", "My essay")
	part.Set("Content-Disposition", `form-data; name="file"; filename="essay.pdf"`)
	fw, _ = mw.CreatePart(part)
	_, _ = fw.Write(pdfFile("essay from the page"))
	_ = mw.Close()
	p = w.raw(stu, "POST", fmt.Sprintf("/courses/%d/items/%d/submit", course, assignment), mw.FormDataContentType(), buf.Bytes())
	limited(m, "a submission file from the assignment page after 120 uploads in an hour", p, false)
	m.report("rate limits")
}

// bigForm posts a multipart form of size bytes to path over a real
// connection, as a browser would (writing while it reads), and returns the
// answer and how much of the body had been sent when the answer came.
func bigForm(t *testing.T, w *world, a *actor, path string, size int, fields url.Values) (int, int64) {
	t.Helper()
	addr := strings.TrimPrefix(w.live(), "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	part := textproto.MIMEHeader{}
	part.Set("Content-Disposition", `form-data; name="file"; filename="big.pdf"`)
	part.Set("Content-Type", "application/pdf")
	_, _ = mw.CreatePart(part)
	head.Write(pdfFile("big"))
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	total := head.Len() + size + len(tail)
	cookie := ""
	if !a.anon {
		cookie = "Cookie: pacer_access=" + a.u.Token + "\r\n"
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: pacer.test\r\n%sContent-Type: %s\r\nContent-Length: %d\r\n\r\n", path, cookie, mw.FormDataContentType(), total)
	var sent atomic.Int64
	go func() {
		n, _ := conn.Write(head.Bytes())
		sent.Add(int64(n))
		chunk := make([]byte, 64<<10)
		for s := 0; s < size; s += len(chunk) {
			k, err := conn.Write(chunk[:min(len(chunk), size-s)])
			sent.Add(int64(k))
			if err != nil {
				return
			}
		}
		_, _ = io.WriteString(conn, tail)
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	at := sent.Load()
	res.Body.Close()
	return res.StatusCode, at
}

func TestLargeFormsAreRefusedBeforeTheyAreRead(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	const size = 64 << 20
	tok := w.csrf(w.a.ins)
	for _, tc := range []struct {
		a    *actor
		path string
	}{{w.anon, "/signin"}, {w.anon, "/signup"}, {w.a.s1, "/account"}, {w.a.s1, "/courses/new"},
		{w.a.s1, fmt.Sprintf("/courses/%d/threads/%d/replies", w.a.id, w.a.threads[0].id)}, {w.a.ins, fmt.Sprintf("/courses/%d/edit", w.a.id)}} {
		m.tried++
		status, sent := bigForm(t, w, tc.a, tc.path, size, url.Values{"_csrf": {tok}})
		if status != 413 || sent > size/2 {
			m.fail("%s POST %s with a %d MB form: %d after %d MB were sent, want 413 before the body is read", tc.a.name, tc.path, size>>20, status, sent>>20)
		}
	}
	// An upload form is no way around that for someone who may not upload
	// there: an outsider to the course, a student on the course's files
	// page, a student of another course on an assignment.
	otok := w.csrf(w.outsider)
	for _, tc := range []struct {
		a    *actor
		path string
		tok  string
	}{{w.outsider, fmt.Sprintf("/courses/%d/media", w.a.id), otok}, {w.a.s1, fmt.Sprintf("/courses/%d/media", w.a.id), w.csrf(w.a.s1)},
		{w.outsider, fmt.Sprintf("/courses/%d/items/%d/submit", w.a.id, w.a.byName["assignment"].id), otok},
		{w.anon, fmt.Sprintf("/courses/%d/media/%d/captions", w.a.id, w.a.video.id), ""}} {
		m.tried++
		status, sent := bigForm(t, w, tc.a, tc.path, size, url.Values{"_csrf": {tc.tok}})
		if status < 300 || status >= 500 || sent > size/2 {
			m.fail("%s POST %s with a %d MB form: %d after %d MB were sent, want a refusal before the body is read", tc.a.name, tc.path, size>>20, status, sent>>20)
		}
	}
	// The upload forms still take files larger than an ordinary form.
	m.tried++
	if status, _ := bigForm(t, w, w.a.ins, fmt.Sprintf("/courses/%d/media", w.a.id), 3<<20, url.Values{"_csrf": {tok}}); status != 303 {
		m.fail("a 3 MB upload through the files page: %d, want 303", status)
	}
	m.report("large forms")
}

// TestABodyLeftUnreadIsNeverReadAsARequest: when a large body is answered
// before it is read (401, 404, 413, 415...), no part of it may be taken for
// a request of its own on the same connection (request smuggling, and
// behind a proxy that reuses connections, answers sent to someone else).
// The body here is nothing but requests; only one answer may come back.
func TestABodyLeftUnreadIsNeverReadAsARequest(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	addr := strings.TrimPrefix(w.live(), "http://")
	smuggled := "GET /healthz HTTP/1.1\r\nHost: pacer.test\r\n\r\n"
	body := strings.Repeat(smuggled, (2<<20)/len(smuggled)+1)
	bearer := "Authorization: Bearer " + w.a.ins.u.Token + "\r\n"
	for _, tc := range []struct{ method, path, headers, ctype string }{
		{"POST", "/api/v1/courses", "", "application/json"},
		{"POST", "/api/v1/courses/999999/modules", bearer, "application/json"},
		{"POST", "/api/v1/markdown/preview", bearer, "application/json"},
		{"PATCH", "/api/v1/me", "Authorization: Bearer nonsense\r\n", "application/json"},
		{"POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=a.pdf", w.a.id), bearer, "text/html"},
		{"POST", "/signin", "", "text/plain"},
		{"POST", "/courses/new", "", "application/x-www-form-urlencoded"},
		{"POST", "/no-such-page", "", "application/json"},
	} {
		m.tried++
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: pacer.test\r\n%sContent-Type: %s\r\nContent-Length: %d\r\n\r\n", tc.method, tc.path, tc.headers, tc.ctype, len(body))
		go func() { _, _ = io.WriteString(conn, body) }()
		br := bufio.NewReader(conn)
		first, err := http.ReadResponse(br, nil)
		if err != nil {
			m.fail("%s %s: no answer: %v", tc.method, tc.path, err)
			conn.Close()
			continue
		}
		_, _ = io.Copy(io.Discard, first.Body)
		if second, err := http.ReadResponse(br, nil); err == nil {
			m.fail("%s %s (%d): the unread body was served as a request too: %d", tc.method, tc.path, first.StatusCode, second.StatusCode)
		}
		conn.Close()
	}
	m.report("bodies left unread")
}

// TestCSRFHoldsWhateverTheCaseOfThePath: the API's CSRF check used to look
// for "/api/" in the path while the router matched paths without regard to
// case, so a cross-site form (text/plain, the session cookie, no CSRF
// header) to "/API/v1/courses" created a course (issue 12, item 3).
func TestCSRFHoldsWhateverTheCaseOfThePath(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	course := `{"title":"Planted","description":"","pacing":"self_paced","timezone":"UTC","enrollment":"open"}`
	// These paths are pages now, and a page for a signed-in user delivers
	// the notifications still queued from building the world: that is done
	// before the store is hashed.
	for _, a := range []*actor{w.a.ins, w.a.s1} {
		w.page(a, "GET", "/API/v1/courses", nil)
	}
	before := digest(t, w)
	for _, tc := range []struct {
		a            *actor
		method, path string
		body         string
	}{
		{w.a.ins, "POST", "/API/v1/courses", course},
		{w.a.ins, "POST", "/api/V1/courses", course},
		{w.a.ins, "POST", "/Api/v1/Courses", course},
		{w.a.ins, "PATCH", "/Api/V1/me", `{"name":"Mallory"}`},
		{w.a.ins, "POST", "/API/v1/me/calendar-token", ``},
		{w.a.s1, "DELETE", fmt.Sprintf("/API/v1/courses/%d/enroll", w.a.id), ``},
		{w.a.ins, "POST", "/API/v1/auth/logout", ``},
		// Other spellings of an API path are one routing decision too.
		{w.a.ins, "POST", "/%61pi/v1/courses", course},
		{w.a.ins, "POST", "//api/v1/courses", course},
		{w.a.ins, "POST", "/api//v1/courses", course},
		{w.a.ins, "POST", "/api/v1/../v1/courses", course},
		{w.a.ins, "POST", "/static/../api/v1/courses", course},
		{w.a.ins, "POST", "/api/v1/courses/", course},
	} {
		for _, ctype := range []string{"text/plain", "application/json"} {
			req := httptestRequest(tc.method, tc.path, tc.body, "Cookie", "pacer_access="+tc.a.u.Token, "Content-Type", ctype)
			p := w.send(req)
			m.tried++
			if p.Status != 403 && p.Status != 404 {
				m.fail("%s %s %s as %s with the session cookie and no CSRF header: got %d want 403 or 404", tc.a.name, tc.method, tc.path, ctype, p.Status)
			}
		}
	}
	if digest(t, w) != before {
		m.fail("cookie writes without a CSRF header under an upper-case path changed the store")
	}
	if p := w.page(w.a.ins, "GET", "/dashboard", nil); p.Status != 200 {
		m.fail("the instructor's session ended: /dashboard %d", p.Status)
	}
	m.report("cookie API writes under paths in another case")
}

// TestJSONRoutesTakeOnlyApplicationJSON: a body on a JSON route must be
// sent as application/json (415 otherwise), the one type a browser sends
// cross-site only after a CORS preflight (issue 12, item 3).
func TestJSONRoutesTakeOnlyApplicationJSON(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	for _, rt := range jsonRoutes(w) {
		valid, _ := json.Marshal(rt.body)
		for _, ct := range []string{"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
			"multipart/form-data; boundary=x", "application/jsonx", "text/json"} {
			w.countPost(rt.a, rt.method, rt.path)
			p := w.raw(rt.a, rt.method, rt.path, ct, valid)
			m.tried++
			if p.Status != 415 || !strings.Contains(p.Body, `"unsupported_media_type"`) {
				m.fail("%s %s %s with a JSON body as %q: got %d %s, want 415 unsupported_media_type", rt.a.name, rt.method, rt.path, ct, p.Status, short([]byte(p.Body)))
			}
		}
	}
	// Parameters and the case of the type do not matter.
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"} {
		p := w.raw(w.a.s1, "POST", "/api/v1/markdown/preview", ct, []byte(`{"body":"*b*"}`))
		m.tried++
		if p.Status != 200 {
			m.fail("POST /api/v1/markdown/preview as %q: got %d %s, want 200", ct, p.Status, short([]byte(p.Body)))
		}
	}
	m.report("JSON bodies under other content types")
}

// TestCookieWritesFromOtherSitesAreRefused: a browser says where a request
// comes from (Sec-Fetch-Site, Origin); a cookie-authenticated write from
// another site is refused even with a valid CSRF token, on the API and on
// the page forms. Bearer requests carry no ambient authority and are not
// judged by where they come from (issue 12, item 3).
func TestCookieWritesFromOtherSitesAreRefused(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	tok := w.csrf(w.a.ins)
	cookie := "pacer_access=" + w.a.ins.u.Token
	for _, tc := range []struct {
		headers []string
		want    int
	}{
		{[]string{"Sec-Fetch-Site", "cross-site"}, 403},
		{[]string{"Sec-Fetch-Site", "same-site"}, 403},
		{[]string{"Origin", "https://evil.test"}, 403},
		{[]string{"Origin", "http://pacer.test.evil.test"}, 403},
		{[]string{"Origin", "null"}, 403},
		{[]string{"Origin", "https://evil.test", "Sec-Fetch-Site", "same-origin"}, 403},
		{[]string{"Sec-Fetch-Site", "same-origin", "Origin", "http://pacer.test"}, 200},
		{[]string{"Origin", "http://PACER.test"}, 200},
		{[]string{"Sec-Fetch-Site", "none"}, 200},
		{nil, 200},
	} {
		hdr := append([]string{"Cookie", cookie, "Content-Type", "application/json", "X-CSRF-Token", tok}, tc.headers...)
		p := w.send(httptestRequest("PATCH", "/api/v1/me", `{"name":"Ines A"}`, hdr...))
		m.tried++
		if p.Status != tc.want {
			m.fail("PATCH /api/v1/me with the cookie, the CSRF header and %v: got %d want %d", tc.headers, p.Status, tc.want)
		}
		pageWant := 303
		if tc.want == 403 {
			pageWant = 403
		}
		p = w.page(w.a.ins, "POST", "/account", url.Values{"_csrf": {tok}, "name": {"Ines A"}, "timezone": {"UTC"}}, tc.headers...)
		m.tried++
		if p.Status != pageWant {
			m.fail("POST /account with a valid _csrf and %v: got %d want %d", tc.headers, p.Status, pageWant)
		}
	}
	// The sign-in form is bound to its own cookie; from another site it is
	// refused as well (login CSRF).
	v := newVisitor(w)
	f := forms("/signin", v.get("/signin").Body)
	if len(f) == 0 {
		t.Fatal("no form on /signin")
	}
	var jar []string
	for k, val := range v.jar {
		jar = append(jar, k+"="+val)
	}
	p := w.raw(w.anon, "POST", f[0].action, "application/x-www-form-urlencoded", []byte(f[0].fields.Encode()),
		"Cookie", strings.Join(jar, "; "), "Sec-Fetch-Site", "cross-site")
	m.tried++
	if p.Status != 403 {
		m.fail("POST /signin from another site: got %d want 403", p.Status)
	}
	r := w.env.DoHeaders("PATCH", "/api/v1/me", w.a.ins.token(), map[string]any{"name": "Ines A"}, map[string]string{"Origin": "https://evil.test", "Sec-Fetch-Site": "cross-site"})
	m.tried++
	if r.Status != 200 {
		m.fail("PATCH /api/v1/me with a Bearer token from another site: got %d want 200", r.Status)
	}
	m.report("cookie writes from other sites")
}

// tmpWatch measures the temporary directory, where multipart files spill,
// every few milliseconds until stop is called, and returns its largest size.
func tmpWatch(t *testing.T) (stop func() int64) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	done := make(chan struct{})
	most := make(chan int64, 1)
	go func() {
		var peak int64
		for {
			var size int64
			_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					if fi, err := d.Info(); err == nil {
						size += fi.Size()
					}
				}
				return nil
			})
			peak = max(peak, size)
			select {
			case <-done:
				most <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() int64 { close(done); return <-most }
}

// TestAForgedUploadFormIsRefusedBeforeItsBodyIsRead: an upload form with a
// wrong CSRF token, posted to a route the signed-in victim may upload to,
// used to be spooled whole to the temporary directory before its token was
// looked at (256 MiB grew /tmp by 249 MiB before the 403; issue 12, item
// 9). Now the token, the form's first field, is checked before anything
// after it is read; a form whose token comes after its file is refused
// the same way.
func TestAForgedUploadFormIsRefusedBeforeItsBodyIsRead(t *testing.T) {
	w := newWorld(t)
	m := &matrix{t: t, w: w}
	const size = 64 << 20
	c := w.a
	submit := fmt.Sprintf("/courses/%d/items/%d/submit", c.id, c.byName["assignment"].id)
	for _, tc := range []struct {
		a      *actor
		path   string
		fields url.Values
	}{
		{c.s1, submit, url.Values{"_csrf": {"WRONG-TOKEN"}}},
		{c.s1, submit, url.Values{"_csrf": {w.csrf(c.s2)}}},
		{c.ins, fmt.Sprintf("/courses/%d/media", c.id), url.Values{"_csrf": {"WRONG-TOKEN"}}},
		{c.ins, fmt.Sprintf("/courses/%d/media/%d/captions", c.id, c.video.id), url.Values{"_csrf": {""}}},
		{c.ins, fmt.Sprintf("/courses/%d/media", c.id), url.Values{"title": {"no token first"}}},
	} {
		stop := tmpWatch(t)
		status, sent := bigForm(t, w, tc.a, tc.path, size, tc.fields)
		spooled := stop()
		m.tried++
		// (Captions files are small: there the form's size is refused first.)
		if (status != 403 && status != 413) || sent > 16<<20 || spooled > 1<<20 {
			m.fail("%s POST %s with a %d MiB form and the fields %v: %d after %d MiB were sent and %d KiB were spooled, want 403 or 413 before the body is read",
				tc.a.name, tc.path, size>>20, tc.fields, status, sent>>20, spooled>>10)
		}
	}
	m.report("forged upload forms")
}

// TestUploadFormsAreBoundByTheUploadLimit: a page's upload form larger than
// --max-upload-bytes (plus an ordinary form's text) is refused with 413
// before it is read, and nothing beyond the limit is ever spooled (issue
// 12, item 9).
func TestUploadFormsAreBoundByTheUploadLimit(t *testing.T) {
	const limit = 2 << 20
	env := pacertest.New(t, func(cfg *server.Config) { cfg.MaxUploadBytes = limit })
	w := &world{t: t, env: env, posted: map[uint64]int{}, lastLogin: env.Clock.Now()}
	ins := w.person("Ines Limit")
	course := env.Course(ins.u, map[string]any{"title": "Limits"})
	tok := w.csrf(ins)
	m := &matrix{t: t, w: w}
	for _, tc := range []struct {
		size int
		want int
	}{{16 << 20, 413}, {limit + 2<<20, 413}, {limit - 64<<10, 303}} {
		stop := tmpWatch(t)
		status, sent := bigForm(t, w, ins, fmt.Sprintf("/courses/%d/media", course), tc.size, url.Values{"_csrf": {tok}})
		spooled := stop()
		m.tried++
		if status != tc.want || spooled > limit+1<<20 || (tc.want == 413 && sent > limit+8<<20) {
			m.fail("a %d KiB upload through the files page with a limit of %d KiB: %d after %d KiB were sent and %d KiB spooled, want %d and never more than the limit spooled",
				tc.size>>10, limit>>10, status, sent>>10, spooled>>10, tc.want)
		}
	}
	m.report("upload forms over the limit")
}
