package frontend_test

// The browser-test harness: one Chromium for the whole package, a real
// Pacer on 127.0.0.1 per test, and a browser context per user so that each
// has its own cookies. See doc.go ("Browser tests") for how to write one.

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"pacer/pacertest"
	"pacer/server"
)

// stepTimeout bounds every browser step; a step waits on a selector or a
// condition, never on a fixed sleep.
const stepTimeout = 20 * time.Second

// chrome is the one browser of the package, started by the first browser
// test and stopped by TestMain.
var chrome struct {
	once   sync.Once
	ctx    context.Context
	stop   func()
	skip   string // why browser tests cannot run here; "" when they can
	dir    string
	failed error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.stop != nil {
		chrome.stop()
	}
	if chrome.dir != "" {
		os.RemoveAll(chrome.dir)
	}
	os.Exit(code)
}

// browserRequired reports whether a missing browser fails the tests (CI)
// rather than skipping them.
func browserRequired() bool { return os.Getenv("PACER_BROWSER_TESTS") == "required" }

// chromiumPath finds the browser: $PACER_CHROMIUM, else /usr/bin/chromium,
// else a chromium on $PATH.
func chromiumPath() (string, string) {
	if p := os.Getenv("PACER_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Sprintf("PACER_CHROMIUM=%s does not exist", p)
		}
		return p, ""
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", ""
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "Chromium not found at /usr/bin/chromium or on PATH (set PACER_CHROMIUM, or apt-get install chromium)"
}

// startChrome starts the package's one Chromium, headless, with a throwaway
// profile and nothing that talks to the network on its own.
func startChrome() {
	path, why := chromiumPath()
	if path == "" {
		chrome.skip = why
		return
	}
	dir, err := os.MkdirTemp("", "pacer-chromium-*")
	if err != nil {
		chrome.failed = err
		return
	}
	chrome.dir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first Run starts the browser and binds it to ctx, which has no
	// timeout of its own.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		chrome.failed = fmt.Errorf("start %s: %w", path, err)
		return
	}
	chrome.ctx = ctx
	chrome.stop = func() { cancel(); cancelAlloc() }
}

// needChrome starts the browser once, and skips (or, with
// PACER_BROWSER_TESTS=required, fails) the test when it cannot run.
func needChrome(t testing.TB) {
	t.Helper()
	chrome.once.Do(startChrome)
	switch {
	case chrome.failed != nil:
		t.Fatalf("browser: %v", chrome.failed)
	case chrome.skip != "" && browserRequired():
		t.Fatalf("browser tests are required (PACER_BROWSER_TESTS=required) but cannot run: %s", chrome.skip)
	case chrome.skip != "":
		t.Skipf("skipping browser test: %s; set PACER_BROWSER_TESTS=required to make this a failure", chrome.skip)
	}
}

// app is one running Pacer for a browser test: a fresh data directory, a
// clock the test can move, and a real listener on 127.0.0.1.
type app struct {
	t     *testing.T
	Srv   *server.Server
	Clock *pacertest.Clock
	Base  string
	n     atomic.Int64
}

// startApp serves a fresh Pacer on 127.0.0.1:0 until the test ends.
func startApp(t *testing.T) *app {
	t.Helper()
	needChrome(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	clock := &pacertest.Clock{}
	clock.Set(time.Now().UTC().Truncate(time.Second))
	srv, err := server.New(server.Config{DataDir: t.TempDir(), Argon2: pacertest.Cheap, Now: clock.Now,
		BaseURL: base, JWTSecret: "browser-test-secret-browser-test-secret-0123"})
	if err != nil {
		ln.Close()
		t.Fatalf("start server: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return &app{t: t, Srv: srv, Clock: clock, Base: base}
}

// browser is one person at one browser: their own browser context (cookies,
// storage) and tab.
type browser struct {
	t   *testing.T
	app *app
	ctx context.Context
	// noScript is set while the page's scripts are switched off (scripts).
	noScript bool

	Name, Email, Password string
}

// newBrowser starts a Pacer and opens a browser on it.
func newBrowser(t *testing.T) *browser { return startApp(t).browser() }

// browser opens a new browser context on the app: a second person, with
// cookies of their own. A screenshot is saved when the test fails.
func (a *app) browser() *browser {
	t := a.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(chrome.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first Run opens the tab and binds it to the context it is given,
	// so it gets ctx itself: a step's timeout would close the tab.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	b := &browser{t: t, app: a, ctx: ctx}
	b.do("set the viewport", chromedp.EmulateViewport(1280, 900))
	if src := axeSource(); src != "" {
		b.do("add axe-core to every document", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src})
			return err
		}))
	}
	t.Cleanup(func() {
		if t.Failed() {
			b.saveFailure()
		}
	})
	return b
}

// step runs one browser action under stepTimeout and fails the test with
// what it was doing when the action fails.
func step[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		where := ""
		qctx, qcancel := b.quick()
		defer qcancel()
		if loc, lerr := chromedp.Run(qctx, chromedp.Location()); lerr == nil {
			where = " at " + loc
		}
		b.t.Fatalf("%s%s: %v", what, where, err)
	}
	return v
}

// quick is a short-lived context for diagnostics after a failure.
func (b *browser) quick() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 3*time.Second)
}

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	step(b, what, chromedp.Steps(actions...))
}

// visit loads a path of the app, waits for the page to load and checks
// its accessibility (checkA11y).
func (b *browser) visit(path string) {
	b.t.Helper()
	b.do("visit "+path, chromedp.Navigate(b.app.Base+path), chromedp.WaitReady(chromedp.CSS("body")))
	b.checkA11y()
}

// submit clicks a button or link that loads a new page (a form submit, a
// link) and waits for that page; it returns the page's HTTP status.
func (b *browser) submit(sel string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("click %s and wait for the next page: %v", sel, err)
	}
	b.checkA11y()
	return resp.Status
}

// click clicks an element that does not leave the page.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// fill replaces the value of a field by typing into it.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.do("fill "+sel, chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ""`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// setValue sets a field's value directly (dates, selects).
func (b *browser) setValue(sel, value string) {
	b.t.Helper()
	b.do("set "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// check ticks a checkbox if it is not ticked.
func (b *browser) check(sel string) {
	b.t.Helper()
	if !b.eval(fmt.Sprintf(`document.querySelector(%q).checked`, sel)) {
		b.click(sel)
	}
}

// text is the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(step(b, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// attr is an attribute of the first element matching sel.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	r := step(b, "read "+sel+"@"+name, chromedp.AttributeValue(chromedp.CSS(sel), name))
	return r.Value
}

// eval evaluates a JavaScript expression for a boolean.
func (b *browser) eval(js string) bool {
	b.t.Helper()
	return step(b, "evaluate "+js, chromedp.Evaluate[bool](js))
}

// waitText waits until the first element matching sel contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](
		`(sel, want) => { const e = document.querySelector(sel); return !!e && e.innerText.includes(want); }`,
		chromedp.WithPollingArgs(sel, want), chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		got := ""
		qctx, qcancel := b.quick()
		defer qcancel()
		if s, err := chromedp.Run(qctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q)||{}).innerText||"(no such element)"`, sel))); err == nil {
			got = s
		}
		b.t.Fatalf("wait for %q in %s: %v; it reads %q", want, sel, err, got)
	}
}

// waitVisible waits until an element is shown.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// path is the current path and query of the tab.
func (b *browser) path() string {
	b.t.Helper()
	loc := step(b, "read location", chromedp.Location())
	return strings.TrimPrefix(loc, b.app.Base)
}

// signUp creates an account through the sign-up page and stays signed in.
func (b *browser) signUp(name string) {
	b.t.Helper()
	n := b.app.n.Add(1)
	b.Name = name
	b.Email = fmt.Sprintf("%s.%d@example.test", strings.ToLower(strings.Fields(name)[0]), n)
	b.Password = "correct horse battery staple"
	b.visit("/signup")
	b.fill("#f-name", name)
	b.fill("#f-email", b.Email)
	b.fill("#f-password", b.Password)
	if st := b.submit("form[action='/signup'] button[type=submit]"); st != 200 {
		b.t.Fatalf("sign up %s: status %d", name, st)
	}
	b.waitText(".who__name", name)
}

// signIn signs in through the sign-in page.
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.visit("/signin")
	b.fill("#f-email", email)
	b.fill("#f-password", password)
	b.submit("form[action='/signin'] button[type=submit]")
	b.waitVisible(".who__name")
}

// signOut signs out with the header's button.
func (b *browser) signOut() {
	b.t.Helper()
	b.submit("form[action='/signout'] button")
	b.waitVisible("a[href='/signin']")
}

// viewport sets the tab's size; phone emulates a mobile device.
func (b *browser) viewport(width, height int64, phone bool) {
	b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if phone {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	b.do("set the viewport", chromedp.EmulateViewport(width, height, opts...))
}

// scripts switches the pages' scripts on or off, to test the pages
// without JavaScript.
func (b *browser) scripts(on bool) {
	b.t.Helper()
	b.do(fmt.Sprintf("switch scripts on: %v", on), b.setScripts(on))
	b.noScript = !on
}

func (b *browser) setScripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// colorScheme emulates prefers-color-scheme ("light" or "dark").
func (b *browser) colorScheme(scheme string) {
	b.t.Helper()
	b.do("emulate "+scheme, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	}))
}

// screenshot saves a full-page PNG to path.
func (b *browser) screenshot(path string) {
	b.t.Helper()
	png := step(b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// saveFailure keeps a screenshot of a failed test and logs the page text.
// Screenshots go to $PACER_ARTIFACTS when set, else to a directory under
// the system temp dir that outlives the test (t.TempDir would be removed).
func (b *browser) saveFailure() {
	ctx, cancel := b.quick()
	defer cancel()
	dir := os.Getenv("PACER_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "pacer-browser-failures")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	name := filepath.Join(dir, unsafeName.ReplaceAllString(b.t.Name(), "_")+"-"+unsafeName.ReplaceAllString(b.Name, "_")+".png")
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		if os.WriteFile(name, png, 0o644) == nil {
			b.t.Logf("screenshot of %s's browser: %s", b.Name, name)
		}
	}
	if text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`)); err == nil {
		b.t.Logf("page of %s's browser:\n%s", b.Name, text)
	}
}
