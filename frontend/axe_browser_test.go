package frontend_test

// Every page the browser tests load is checked by axe-core, an
// accessibility engine nobody here wrote, for WCAG 2.1 A and AA
// violations. axe-core is not committed: .ci/run installs a pinned version
// from npm and names its axe.min.js in PACER_AXE_JS.

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// axeTags are the rule sets a page must pass: WCAG 2.0 and 2.1, levels A
// and AA. Best-practice rules are not a gate, but the pages pass those
// landmark and heading rules are kept by TestBrowserPagesHaveLandmarksAndHeadingsInOrder.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axe holds the source of axe.min.js, read once.
var axe struct {
	once sync.Once
	src  string
	why  string // why pages cannot be checked; "" when they can
}

func loadAxe() {
	path := os.Getenv("PACER_AXE_JS")
	if path == "" {
		axe.why = "PACER_AXE_JS is not set (install axe-core from npm and point it at axe.min.js, as .ci/run does)"
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		axe.why = "PACER_AXE_JS: " + err.Error()
		return
	}
	axe.src = string(src)
}

// axeSource is axe-core's source, or "" when it is not available here.
// Each tab gets it once, as a script for every new document (browser):
// sending the 500 kB with every page cost more than the checks.
func axeSource() string {
	axe.once.Do(loadAxe)
	return axe.src
}

// axeScript is axe-core's source to evaluate into a document that has
// none (as one loaded with scripts off may), ending in undefined so that
// nothing comes back. Runtime.evaluate is not subject to the pages' strict
// CSP.
func axeScript() string { return axe.src + "\nundefined" }

// axeRun runs the rules of tags on the document and lists each violation
// as one line: rule, impact, help and the first few elements it found.
const axeRun = `axe.run(document, {runOnly: %s, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " at " +
    v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(" | ")))`

// axeRunOnly selects axe-core's rules: by tag ("tag") or by id ("rule").
type axeRunOnly struct {
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// axeViolations checks the page in the tab with the rules of only. ok is
// false when axe-core is not available here (and not required).
func (b *browser) axeViolations(only axeRunOnly) (violations []string, ok bool) {
	b.t.Helper()
	axe.once.Do(loadAxe)
	if axe.why != "" {
		if browserRequired() {
			b.t.Fatalf("browser tests are required (PACER_BROWSER_TESTS=required) and check every page with axe-core, but %s", axe.why)
		}
		return nil, false
	}
	// axe-core needs the page's timers, which stop while scripts are off;
	// switching them on after the load runs none of the page's own.
	if b.noScript {
		b.do("switch scripts on for axe-core", b.setScripts(true))
		defer b.do("switch scripts off again", b.setScripts(false))
	}
	// Documents loaded with scripts off have no axe-core of their own.
	if !step(b, "look for axe-core", chromedp.Evaluate[bool]("typeof window.axe !== 'undefined'")) {
		b.do("load axe-core", chromedp.Evaluate[chromedp.Void](axeScript()))
	}
	js, err := json.Marshal(only)
	if err != nil {
		b.t.Fatal(err)
	}
	list := step(b, "run axe-core", chromedp.Evaluate[[]string](fmt.Sprintf(axeRun, js), chromedp.EvalAwaitPromise))
	return list, true
}

// checkA11y fails the test when the page in the tab violates WCAG 2.1 A or
// AA by axe-core's rules. The helpers that load a page (visit, submit)
// call it, so every page a browser test sees is checked.
func (b *browser) checkA11y() {
	b.t.Helper()
	list, ok := b.axeViolations(axeRunOnly{Type: "tag", Values: axeTags})
	if ok && len(list) > 0 {
		b.t.Errorf("axe-core finds WCAG 2.1 A/AA violations on %s:\n  %s", b.path(), strings.Join(list, "\n  "))
	}
}
