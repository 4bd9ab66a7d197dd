package frontend_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestCourseHomeShowsTheCohortToStaff checks the overview on the staff
// course home of atRiskCourse on Tuesday of week 2: Bob did week 1, Ann
// did nothing, so week 1 has one student done and one past due, and the
// class is one on schedule, one a week behind.
func TestCourseHomeShowsTheCohortToStaff(t *testing.T) {
	env, teacher, ann, _, courseID := atRiskCourse(t)
	home := fmt.Sprintf("/courses/%d", courseID)
	p := signedIn(t, env, teacher).get(home)
	wantStatus(t, "course home", p, 200)
	checkSafeHTML(t, home, p.Body)
	section := p.Body[strings.Index(p.Body, `<section class="card cohort"`):]
	section = section[:strings.Index(section, "</section>")]
	link := func(query string) string { return fmt.Sprintf(`href="/courses/%d/at-risk?%s"`, courseID, query) }
	mods := regexp.MustCompile(`/at-risk\?module=(\d+)&amp;state=completed`).FindAllStringSubmatch(section, -1)
	if len(mods) != 1 {
		t.Fatalf("want one completed link (Week 1):\n%s", section)
	}
	w1 := mods[0][1]
	for _, s := range []string{
		`<h2 id="cohort-h" class="card__title">Where the class is</h2>`, "2 students",
		link("pace=on_schedule") + ` data-count="on_schedule"><span class="cohort-n">1</span> on schedule</a>`,
		link("pace=behind1") + ` data-count="behind1"><span class="cohort-n">1</span> one week behind</a>`,
		`<span class="cohort-n">0</span> ahead</span>`, // a zero is text, not a link to nobody
		link("module="+w1+"&amp;state=overdue") + ` data-count="overdue"><span class="cohort-n">1</span> past due without it</a>`,
		`<span class="cohort-n">2</span> not started</a>`,
		`<svg class="cohort-bar" width="100%" height="10" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"`,
		`<rect class="cohort-key--completed" x="0.00" y="0" width="50.00" height="10"/>`,
		`<rect class="cohort-key--overdue" x="50.00" y="0" width="50.00" height="10"/>`,
	} {
		if !strings.Contains(section, s) {
			t.Errorf("the overview lacks %s\n%s", s, section)
		}
	}
	if strings.Contains(section, "style=") {
		t.Errorf("the overview carries a style attribute, which the CSP blocks")
	}
	if i, j := strings.Index(p.Body, "Where the class is"), strings.Index(p.Body, ">Schedule<"); i < 0 || j < i {
		t.Errorf("the overview does not come before the schedule")
	}
	if q := signedIn(t, env, ann).get(home); q.has("Where the class is") || q.has("engagement.css") {
		t.Errorf("a student sees the cohort overview")
	}

	t.Run("a count leads to exactly those students", func(t *testing.T) {
		tc := signedIn(t, env, teacher)
		r := tc.get(fmt.Sprintf("/courses/%d/at-risk?module=%s&state=overdue", courseID, w1))
		wantStatus(t, "filtered at-risk", r, 200)
		checkSafeHTML(t, "filtered at-risk", r.Body)
		if !r.has("Showing the students past due on “Week 1” without it: 1 student.") || !r.has(">Ann<") || r.has(">Bob<") {
			t.Errorf("filtered page:\n%s", snippet(r.Body))
		}
		// The buttons that message everyone in the course with a flag are
		// not offered under a filter: their count would not be who
		// receives the message. Ticking the rows still works.
		if !r.has("All of these") || r.has("Message everyone flagged") || !r.has("Message selected") {
			t.Errorf("a filtered page offers course-wide messages or calls its subset everyone")
		}
		r = tc.get(fmt.Sprintf("/courses/%d/at-risk?pace=on_schedule", courseID))
		if !r.has("Showing the students on schedule: 1 student.") || r.has(">Ann<") || !r.has(">Bob<") {
			t.Errorf("pace page:\n%s", snippet(r.Body))
		}
		// The flag chips count within the filter and keep it.
		if !r.has(fmt.Sprintf(`href="/courses/%d/at-risk?pace=on_schedule&amp;flag=behind"`, courseID)) {
			t.Errorf("the flag chips drop the pace filter")
		}
		wantStatus(t, "a bad pace", tc.get(fmt.Sprintf("/courses/%d/at-risk?pace=fast", courseID)), 400)
		wantStatus(t, "a module of no course", tc.get(fmt.Sprintf("/courses/%d/at-risk?module=99999&state=overdue", courseID)), 400)
	})
}
