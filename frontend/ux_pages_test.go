package frontend_test

// Regression tests of issue 13's page fixes, through app.Test.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"pacer/pacertest"
)

func TestTheLastItemOfAModuleSaysWhatIsLeftUntilTheModuleIsDone(t *testing.T) {
	env := pacertest.New(t)
	ada, sam := env.Register("Ada"), env.Register("Sam")
	cid := env.Course(ada, map[string]any{"title": "Statistics"})
	mid := env.Module(ada, cid, map[string]any{"title": "Week 1", "week": 1})
	var items []uint64
	for i := 1; i <= 5; i++ {
		items = append(items, env.Item(ada, cid, mid, map[string]any{"title": fmt.Sprintf("Reading %d", i)}))
	}
	env.Enroll(sam, cid)
	c := signedIn(t, env, sam)
	path := func(i int) string { return fmt.Sprintf("/courses/%d/items/%d", cid, items[i]) }

	// Pages are done once read: 1, 2 and the last one make 3 of 5.
	c.get(path(0))
	c.get(path(1))
	p := c.get(path(4))
	wantStatus(t, "last item", p, http.StatusOK)
	if p.has("Finished this module") {
		t.Errorf("the last item says the module is finished at 3 of 5:\n%s", snippet(p.Body))
	}
	if !p.has("2 items left in this module") || !p.has(`href="`+path(2)+`"`) || !p.has(`href="`+path(3)+`"`) {
		t.Errorf("the last item does not list the 2 items left:\n%s", snippet(p.Body))
	}

	c.get(path(2))
	c.get(path(3))
	p = c.get(path(4))
	if !p.has("Finished this module") || p.has("left in this module") {
		t.Errorf("with every item done, the last item does not say the module is finished:\n%s", snippet(p.Body))
	}
}

func TestBoardsReadGeneralAndModuleDiscussionsOnce(t *testing.T) {
	d := newDiscClass(t)
	mod := d.env.Module(d.instrUser, d.course, map[string]any{"title": "Week 1", "week": 1})
	d.env.Item(d.instrUser, d.course, mod, map[string]any{"kind": "discussion", "title": "Introduce yourself"})
	p := d.ann.get(d.path("/discussions"))
	wantStatus(t, "boards", p, http.StatusOK)
	if !p.has(">General</a>") || p.has(">general<") {
		t.Errorf("the general board is not named General:\n%s", snippet(p.Body))
	}
	if n := strings.Count(p.Body, "Module discussions"); n != 1 {
		t.Errorf("the boards page says “Module discussions” %d times, want once:\n%s", n, snippet(p.Body))
	}
}

func TestSearchSnippetsMarkTheMatchedWordsWithoutStraySpaces(t *testing.T) {
	d := newDiscClass(t)
	d.startThread(t, d.ann, "Averages", "Use the **median**. It beats 2 < 3 means & the *Median*'s cousins.")
	p := d.bob.get(d.path("/discussions/search?q=median"))
	wantStatus(t, "search", p, http.StatusOK)
	checkSafeHTML(t, "search", p.Body)
	want := `Use the <mark>median</mark>. It beats 2 &lt; 3 means &amp; the <mark>Median</mark>&#39;s cousins.`
	if !p.has(want) {
		t.Errorf("the snippet does not read %q:\n%s", want, snippet(p.Body))
	}
	if p.has("median .") {
		t.Errorf("the snippet has a stray space before the full stop:\n%s", snippet(p.Body))
	}
}

func TestNotDoneYetIsANeutralBadge(t *testing.T) {
	d := newDiscClass(t)
	mod := d.env.Module(d.instrUser, d.course, map[string]any{"title": "Week 1", "week": 1})
	item := d.env.Item(d.instrUser, d.course, mod, map[string]any{"kind": "discussion", "title": "Introduce yourself"})
	p := d.ann.get(d.path("/items/%d", item))
	wantStatus(t, "discussion item", p, http.StatusOK)
	if !p.has(`<span class="badge badge--neutral" data-item-status>Not done yet</span>`) {
		t.Errorf("“Not done yet” is not neutral:\n%s", snippet(p.Body))
	}
}
