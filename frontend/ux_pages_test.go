package frontend_test

// Regression tests of issue 13's page fixes, through app.Test.

import (
	"fmt"
	"net/http"
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
