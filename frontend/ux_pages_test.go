package frontend_test

// Regression tests of issue 13's page fixes, through app.Test.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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

func TestTheFilesPageListsTheFilesALearnerMayOpen(t *testing.T) {
	env := pacertest.New(t)
	ada, sam, otto := env.Register("Ada"), env.Register("Sam"), env.Register("Otto")
	cid := env.Course(ada, map[string]any{"title": "Statistics"})
	open := env.Module(ada, cid, map[string]any{"title": "Week 1"})
	later := env.Module(ada, cid, map[string]any{"title": "Week 2", "opens_at": pacertest.Start.Add(72 * time.Hour).Format(time.RFC3339)})
	upload := func(name string) uint64 {
		return env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=%s", cid, name), ada.Token,
			[]byte("%PDF-1.4\n% "+name+"\n%%EOF\n"), map[string]string{"Content-Type": "application/pdf"}).ID()
	}
	notes := upload("notes.pdf")
	env.Item(ada, cid, open, map[string]any{"kind": "file", "title": "Notes", "media_id": notes})
	env.Item(ada, cid, open, map[string]any{"kind": "file", "title": "Answers", "media_id": upload("answers.pdf"), "published": false})
	env.Item(ada, cid, later, map[string]any{"kind": "file", "title": "Slides", "media_id": upload("slides.pdf")})
	env.Item(ada, cid, open, map[string]any{"title": "A page, not a file"})
	env.Enroll(sam, cid)
	files := fmt.Sprintf("/courses/%d/files", cid)

	p := signedIn(t, env, sam).get(files)
	wantStatus(t, "a student's files", p, http.StatusOK)
	checkSafeHTML(t, files, p.Body)
	if !p.has(`href="` + files + `" aria-current="page">Files</a>`) {
		t.Errorf("the course band has no current Files tab:\n%s", snippet(p.Body))
	}
	if !p.has("notes.pdf") || !p.has(fmt.Sprintf(`/api/v1/media/%d?download=1`, notes)) {
		t.Errorf("the open file is not listed with its download link:\n%s", snippet(p.Body))
	}
	for _, hidden := range []string{"answers.pdf", "Answers", "slides.pdf", "Slides", "A page, not a file"} {
		if p.has(hidden) {
			t.Errorf("a student sees %q: a draft, a locked module's file or not a file", hidden)
		}
	}

	p = signedIn(t, env, ada).get(files)
	wantStatus(t, "staff's files", p, http.StatusOK)
	for _, want := range []string{"notes.pdf", "answers.pdf", "slides.pdf", "Draft"} {
		if !p.has(want) {
			t.Errorf("staff do not see %q:\n%s", want, snippet(p.Body))
		}
	}
	wantStatus(t, "a non-member's files", signedIn(t, env, otto).get(files), http.StatusNotFound)

	// Once Week 2 opens, its file is listed for the student.
	env.Clock.Set(pacertest.Start.Add(73 * time.Hour))
	if p := signedIn(t, env, sam).get(files); !p.has("slides.pdf") || p.has("answers.pdf") {
		t.Errorf("after Week 2 opened:\n%s", snippet(p.Body))
	}
}
