package modules_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"pacer/modules"
	"pacer/pacertest"
	"pacer/storage"
)

func TestCourseFieldsRoundTripWithDefaults(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	r := env.Do("POST", "/api/v1/courses", ins.Token, map[string]any{"title": "Stats", "description": "**bold**"})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var c struct {
		ID              uint64 `json:"id"`
		Title           string
		DescriptionHTML string `json:"description_html"`
		Published       bool
		Pacing          string
		Timezone        string
		Enrollment      string
		MyRole          string `json:"my_role"`
		Policy          map[string]float64
	}
	r.Decode(&c)
	if c.Pacing != "scheduled" || c.Timezone != "UTC" || c.Enrollment != "open" || c.Published || c.MyRole != "instructor" {
		t.Fatalf("defaults: %s", r.Body)
	}
	if !strings.Contains(c.DescriptionHTML, "<strong>bold</strong>") {
		t.Fatalf("description not rendered: %q", c.DescriptionHTML)
	}
	want := map[string]float64{"grace_seconds": 0, "late_seconds": 172800, "late_penalty_percent_per_day": 10,
		"inactive_after_seconds": 604800, "nudge_cooldown_seconds": 259200, "watch_complete_ratio": 0.9}
	for k, v := range want {
		if c.Policy[k] != v {
			t.Errorf("policy.%s = %v, want %v", k, c.Policy[k], v)
		}
	}
	r = env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", c.ID), ins.Token, map[string]any{
		"pacing": "self_paced", "timezone": "Asia/Kolkata", "starts_at": "2027-02-01T00:00:00Z",
		"enrollment": "key", "enroll_key": "open sesame", "policy": map[string]any{"late_seconds": 3600}})
	m := r.Map()
	if r.Status != 200 || m["pacing"] != "self_paced" || m["timezone"] != "Asia/Kolkata" || m["enroll_key"] != "open sesame" ||
		m["starts_at"] != "2027-02-01T00:00:00Z" || m["policy"].(map[string]any)["late_seconds"] != 3600.0 ||
		m["policy"].(map[string]any)["late_penalty_percent_per_day"] != 10.0 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
}

func TestBadCourseInputIsRefused(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	course := env.Course(ins, nil)
	path := fmt.Sprintf("/api/v1/courses/%d", course)
	cases := map[string]any{
		"an empty title":             map[string]any{"title": "  "},
		"a title of 201 characters":  map[string]any{"title": strings.Repeat("t", 201)},
		"an unknown pacing":          map[string]any{"pacing": "whenever"},
		"an unknown time zone":       map[string]any{"timezone": "Nowhere/Land"},
		"key enrolment with no key":  map[string]any{"enrollment": "key"},
		"a negative grace":           map[string]any{"policy": map[string]any{"grace_seconds": -1}},
		"a watch ratio above one":    map[string]any{"policy": map[string]any{"watch_complete_ratio": 1.5}},
		"a penalty above 100":        map[string]any{"policy": map[string]any{"late_penalty_percent_per_day": 101}},
		"an unknown policy field":    map[string]any{"policy": map[string]any{"bonus": 1}},
		"a string for published":     map[string]any{"published": "yes"},
		"a date that is not RFC3339": map[string]any{"starts_at": "next monday"},
		"setting created_by":         map[string]any{"created_by": 99},
		"a huge description":         map[string]any{"description": strings.Repeat("x", 200_001)},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if r := env.Do("PATCH", path, ins.Token, body); r.Status != 400 {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
		})
	}
	if r := env.Do("POST", "/api/v1/courses", ins.Token, map[string]any{}); r.Status != 400 || r.ErrCode() != "validation_failed" {
		t.Fatalf("create without title: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", path, ins.Token, nil); r.Map()["title"] != "Test course" {
		t.Fatalf("a refused patch changed the course: %s", r.Body)
	}
}

func TestCourseVisibilityAndRoles(t *testing.T) {
	env := pacertest.New(t)
	ins, stu, out := env.Register("Ines"), env.Register("Stu"), env.Register("Out")
	hidden := env.Course(ins, map[string]any{"published": false})
	open := env.Course(ins, map[string]any{"title": "Open one"})
	env.Enroll(stu, open)

	check := func(name, method, path string, u pacertest.User, body any, want int) {
		t.Helper()
		if r := env.Do(method, path, u.Token, body); r.Status != want {
			t.Errorf("%s: %s %s as %s = %d %s, want %d", name, method, path, u.Name, r.Status, r.Body, want)
		}
	}
	h := fmt.Sprintf("/api/v1/courses/%d", hidden)
	o := fmt.Sprintf("/api/v1/courses/%d", open)
	check("an unpublished course is invisible to outsiders", "GET", h, out, nil, 404)
	check("an unpublished course cannot be joined", "POST", h+"/enroll", out, map[string]any{}, 404)
	check("a published course is visible to anyone", "GET", o, out, nil, 200)
	check("member-only modules are 404 to outsiders of a published course", "GET", o+"/modules", out, nil, 404)
	check("members are staff-only", "GET", o+"/members", stu, nil, 403)
	check("members are 404 to outsiders", "GET", o+"/members", out, nil, 404)
	check("only instructors edit the course", "PATCH", o, stu, map[string]any{"title": "Mine"}, 403)
	check("outsiders cannot edit the course", "PATCH", o, out, map[string]any{"title": "Mine"}, 404)
	check("students cannot create modules", "POST", o+"/modules", stu, map[string]any{"title": "M"}, 403)
	check("students cannot set roles", "PUT", fmt.Sprintf("%s/members/%d", o, stu.ID), stu, map[string]any{"role": "instructor"}, 403)
	check("enrolling twice is a conflict", "POST", o+"/enroll", stu, map[string]any{}, 409)
	check("the last instructor cannot leave", "DELETE", o+"/enroll", ins, nil, 409)
	check("an unknown role is refused", "PUT", fmt.Sprintf("%s/members/%d", o, stu.ID), ins, map[string]any{"role": "king"}, 400)
	check("an unknown user cannot be added", "PUT", o+"/members/9999", ins, map[string]any{"role": "ta"}, 404)
	check("nor can a user who is not a member", "PUT", fmt.Sprintf("%s/members/%d", o, out.ID), ins, map[string]any{"role": "ta"}, 404)
	check("the last instructor cannot step down", "PUT", fmt.Sprintf("%s/members/%d", o, ins.ID), ins, map[string]any{"role": "student"}, 409)
	for _, bad := range []string{"0", "-1", "abc", "1.5", "99999999999999999999999", "%20"} {
		check("a malformed course id is not found", "GET", "/api/v1/courses/"+bad, stu, nil, 404)
	}
	check("no token is 401", "GET", o, pacertest.User{}, nil, 401)

	var list struct {
		Items []struct {
			ID     uint64 `json:"id"`
			MyRole string `json:"my_role"`
		}
	}
	env.Do("GET", "/api/v1/courses", out.Token, nil).Decode(&list)
	if len(list.Items) != 1 || list.Items[0].ID != open || list.Items[0].MyRole != "" {
		t.Fatalf("an outsider's catalogue: %+v", list.Items)
	}
	env.Do("GET", "/api/v1/courses", ins.Token, nil).Decode(&list)
	if len(list.Items) != 2 {
		t.Fatalf("the instructor's list: %+v", list.Items)
	}

	env.SetRole(ins, open, out, "ta")
	check("a TA sees the members", "GET", o+"/members", out, nil, 200)
	check("a TA cannot edit the course", "PATCH", o, out, map[string]any{"title": "x"}, 403)
	var members struct {
		Items []struct {
			UserID uint64 `json:"user_id"`
			Role   string
			Email  string
		}
	}
	env.Do("GET", o+"/members", ins.Token, nil).Decode(&members)
	roles := map[uint64]string{}
	for _, m := range members.Items {
		roles[m.UserID] = m.Role
	}
	if roles[ins.ID] != "instructor" || roles[stu.ID] != "student" || roles[out.ID] != "ta" {
		t.Fatalf("members: %+v", members.Items)
	}
	check("a student leaves", "DELETE", o+"/enroll", stu, nil, 204)
	check("who then is an outsider", "GET", o+"/modules", stu, nil, 404)
}

func TestEnrolmentKeys(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	c := env.Course(ins, map[string]any{"enrollment": "key", "enroll_key": "open sesame"})
	path := fmt.Sprintf("/api/v1/courses/%d/enroll", c)
	if r := env.Do("POST", path, stu.Token, map[string]any{"enroll_key": "wrong"}); r.Status != 403 {
		t.Fatalf("wrong key: %d", r.Status)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d", c), stu.Token, nil); strings.Contains(string(r.Body), "open sesame") {
		t.Fatal("the key is shown to a non-instructor")
	}
	r := env.Do("POST", path, stu.Token, map[string]any{"enroll_key": "open sesame"})
	if r.Status != 201 || r.Map()["role"] != "student" || r.Map()["enrolled_at"] == nil {
		t.Fatalf("right key: %d %s", r.Status, r.Body)
	}
}

// setup makes a course with two modules (the second requires the first) of
// one page each, and an enrolled student.
type setup struct {
	env          *pacertest.Env
	ins, stu     pacertest.User
	course       uint64
	m1, m2       uint64
	page1, page2 uint64
}

func newSetup(t *testing.T) setup {
	env := pacertest.New(t)
	s := setup{env: env, ins: env.Register("Ines"), stu: env.Register("Stu")}
	s.course = env.Course(s.ins, nil)
	s.m1 = env.Module(s.ins, s.course, map[string]any{"title": "Week 1"})
	s.m2 = env.Module(s.ins, s.course, map[string]any{"title": "Week 2", "prerequisites": []uint64{s.m1}})
	s.page1 = env.Item(s.ins, s.course, s.m1, map[string]any{"title": "Read me", "body": "# Hello\n\n<script>alert(1)</script>"})
	s.page2 = env.Item(s.ins, s.course, s.m2, map[string]any{"title": "Then me"})
	env.Enroll(s.stu, s.course)
	return s
}

type moduleRow struct {
	ID           uint64   `json:"id"`
	Title        string   `json:"title"`
	State        string   `json:"state"`
	LockedReason string   `json:"locked_reason"`
	Progress     *float64 `json:"progress"`
	Position     int      `json:"position"`
}

func (s setup) modules(t *testing.T, u pacertest.User) []moduleRow {
	t.Helper()
	var out struct{ Items []moduleRow }
	r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", s.course), u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("modules: %d %s", r.Status, r.Body)
	}
	r.Decode(&out)
	return out.Items
}

func TestPrerequisitesLockUntilCompletedAndViewingCompletes(t *testing.T) {
	s := newSetup(t)
	mods := s.modules(t, s.stu)
	if len(mods) != 2 || mods[0].State != "open" || mods[1].State != "locked" || mods[1].LockedReason != "complete 'Week 1' first" {
		t.Fatalf("before: %+v", mods)
	}
	r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page2), s.stu.Token, nil)
	if r.Status != 403 || !strings.Contains(string(r.Body), "complete 'Week 1' first") {
		t.Fatalf("a locked item: %d %s", r.Status, r.Body)
	}
	r = s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page1), s.stu.Token, nil)
	html := r.Map()["body_html"].(string)
	if r.Status != 200 || !strings.Contains(html, "<h1") || strings.Contains(html, "<script") {
		t.Fatalf("opening a page: %d %s", r.Status, r.Body)
	}
	if r.Map()["status"] != "completed" {
		t.Fatalf("opening a page did not complete it: %s", r.Body)
	}
	mods = s.modules(t, s.stu)
	if mods[0].State != "completed" || *mods[0].Progress != 1 || mods[1].State != "open" {
		t.Fatalf("after: %+v", mods)
	}
	var p struct {
		CourseProgress float64 `json:"course_progress"`
		Modules        []struct {
			ModuleID       uint64 `json:"module_id"`
			State          string
			CompletedItems int `json:"completed_items"`
			RequiredItems  int `json:"required_items"`
		}
		Items []struct {
			ItemID uint64 `json:"item_id"`
			Status string
		}
	}
	s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress", s.course), s.stu.Token, nil).Decode(&p)
	if p.CourseProgress != 0.5 || len(p.Modules) != 2 || p.Modules[0].CompletedItems != 1 || p.Modules[0].RequiredItems != 1 ||
		len(p.Items) != 2 || p.Items[0].Status != "completed" || p.Items[1].Status != "not_started" {
		t.Fatalf("progress: %+v", p)
	}
	// Staff read a student's progress with ?user=; a student may not.
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress?user=%d", s.course, s.stu.ID), s.ins.Token, nil); r.Map()["course_progress"] != 0.5 {
		t.Fatalf("staff view of progress: %s", r.Body)
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress?user=%d", s.course, s.ins.ID), s.stu.Token, nil); r.Status != 403 {
		t.Fatalf("a student reading another's progress: %d", r.Status)
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress?user=abc", s.course), s.ins.Token, nil); r.Status != 400 {
		t.Fatalf("a malformed ?user=: %d", r.Status)
	}
}

func TestTheCompleteRouteMarksPagesForStudentsOnly(t *testing.T) {
	s := newSetup(t)
	path := fmt.Sprintf("/api/v1/courses/%d/items/%d/complete", s.course, s.page1)
	if r := s.env.Do("POST", path, s.ins.Token, nil); r.Status != 403 {
		t.Fatalf("an instructor completing: %d", r.Status)
	}
	r := s.env.Do("POST", path, s.stu.Token, nil)
	if r.Status != 200 || r.Map()["course_progress"] != 0.5 {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	if r := s.env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/complete", s.course, s.page2), s.stu.Token, nil); r.Status != 200 {
		t.Fatalf("the second module opened after the first: %d %s", r.Status, r.Body)
	}
}

func TestUnpublishedContentIsHiddenFromStudents(t *testing.T) {
	s := newSetup(t)
	draft := s.env.Module(s.ins, s.course, map[string]any{"title": "Draft week", "published": false})
	hiddenPage := s.env.Item(s.ins, s.course, s.m1, map[string]any{"title": "Draft page", "published": false})
	for _, m := range s.modules(t, s.stu) {
		if m.ID == draft {
			t.Fatal("a student sees an unpublished module")
		}
	}
	if len(s.modules(t, s.ins)) != 3 {
		t.Fatal("the instructor does not see every module")
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules/%d", s.course, draft), s.stu.Token, nil); r.Status != 404 {
		t.Fatalf("an unpublished module: %d", r.Status)
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, hiddenPage), s.stu.Token, nil); r.Status != 404 {
		t.Fatalf("an unpublished item: %d", r.Status)
	}
	r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules/%d", s.course, s.m1), s.stu.Token, nil)
	if strings.Contains(string(r.Body), "Draft page") {
		t.Fatal("the module lists an unpublished item to a student")
	}
}

func TestAnItemOfAnotherCourseIsNotFound(t *testing.T) {
	s := newSetup(t)
	other := s.env.Course(s.ins, map[string]any{"title": "Other"})
	otherMod := s.env.Module(s.ins, other, nil)
	for _, p := range []string{
		fmt.Sprintf("/api/v1/courses/%d/items/%d", other, s.page1),
		fmt.Sprintf("/api/v1/courses/%d/modules/%d", other, s.m1),
		fmt.Sprintf("/api/v1/courses/%d/modules/%d", s.course, otherMod),
	} {
		if r := s.env.Do("GET", p, s.ins.Token, nil); r.Status != 404 {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	if r := s.env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/items/%d", other, s.page1), s.ins.Token, map[string]any{"title": "x"}); r.Status != 404 {
		t.Fatalf("patching through another course: %d", r.Status)
	}
	if r := s.env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/modules", s.course), s.ins.Token, map[string]any{"title": "X", "prerequisites": []uint64{otherMod}}); r.Status != 400 {
		t.Fatalf("a prerequisite from another course: %d", r.Status)
	}
}

func TestModulesCanBeReorderedEditedAndDeleted(t *testing.T) {
	s := newSetup(t)
	base := fmt.Sprintf("/api/v1/courses/%d/modules", s.course)
	m3 := s.env.Module(s.ins, s.course, map[string]any{"title": "Week 3", "position": 1})
	mods := s.modules(t, s.ins)
	if mods[0].ID != m3 || mods[1].ID != s.m1 || mods[2].ID != s.m2 || mods[2].Position != 3 {
		t.Fatalf("insert at position 1: %+v", mods)
	}
	if r := s.env.Do("PATCH", fmt.Sprintf("%s/%d", base, m3), s.ins.Token, map[string]any{"position": 3, "week": 3, "due_at": "2027-02-01T00:00:00Z"}); r.Status != 200 || r.Map()["week"] != 3.0 {
		t.Fatalf("move to the end: %d %s", r.Status, r.Body)
	}
	if mods = s.modules(t, s.ins); mods[2].ID != m3 {
		t.Fatalf("after move: %+v", mods)
	}
	if r := s.env.Do("PATCH", fmt.Sprintf("%s/%d", base, m3), s.ins.Token, map[string]any{"due_at": nil, "week": nil}); r.Status != 200 || r.Map()["due_at"] != nil || r.Map()["week"] != nil {
		t.Fatalf("clearing dates: %d %s", r.Status, r.Body)
	}
	if r := s.env.Do("PATCH", fmt.Sprintf("%s/%d", base, s.m1), s.ins.Token, map[string]any{"prerequisites": []uint64{s.m2}}); r.Status != 400 {
		t.Fatalf("a prerequisite cycle: %d %s", r.Status, r.Body)
	}
	if r := s.env.Do("PATCH", fmt.Sprintf("%s/%d", base, s.m1), s.ins.Token, map[string]any{"week": 0}); r.Status != 400 {
		t.Fatalf("week 0: %d", r.Status)
	}
	if r := s.env.Do("DELETE", fmt.Sprintf("%s/%d", base, s.m1), s.ins.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	mods = s.modules(t, s.stu)
	if len(mods) != 2 || mods[0].ID != s.m2 || mods[0].State != "open" {
		t.Fatalf("deleting a prerequisite unlocks what needed it: %+v", mods)
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page1), s.ins.Token, nil); r.Status != 404 {
		t.Fatalf("an item of a deleted module: %d", r.Status)
	}
}

func TestItemsAreValidatedAndEditable(t *testing.T) {
	s := newSetup(t)
	base := fmt.Sprintf("/api/v1/courses/%d/modules/%d/items", s.course, s.m1)
	for name, body := range map[string]any{
		"an unknown kind":       map[string]any{"kind": "essay", "title": "Q"},
		"a missing kind":        map[string]any{"title": "Q"},
		"a missing title":       map[string]any{"kind": "page"},
		"negative points":       map[string]any{"kind": "assignment", "title": "A", "points": -1},
		"a media id on a page":  map[string]any{"kind": "page", "title": "P", "media_id": 3},
		"a huge body":           map[string]any{"kind": "page", "title": "P", "body": strings.Repeat("b", 100_001)},
		"a title with newlines": map[string]any{"kind": "page", "title": "a\nb"},
	} {
		if r := s.env.Do("POST", base, s.ins.Token, body); r.Status != 400 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	item := fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page1)
	r := s.env.Do("PATCH", item, s.ins.Token, map[string]any{"title": "Renamed", "body": "[x](javascript:alert(1))"})
	if r.Status != 200 || r.Map()["title"] != "Renamed" || strings.Contains(r.Map()["body_html"].(string), "javascript:") {
		t.Fatalf("patch item: %d %s", r.Status, r.Body)
	}
	if r := s.env.Do("PATCH", item, s.ins.Token, map[string]any{"kind": "lecture"}); r.Status != 400 {
		t.Fatalf("changing the kind: %d", r.Status)
	}
	if r := s.env.Do("DELETE", item, s.stu.Token, nil); r.Status != 403 {
		t.Fatalf("a student deleting: %d", r.Status)
	}
	if r := s.env.Do("DELETE", item, s.ins.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	if r := s.env.Do("GET", item, s.ins.Token, nil); r.Status != 404 {
		t.Fatalf("deleted item: %d", r.Status)
	}
}

func TestTimeLockedWeeksOpenOnTheirDay(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	c := env.Course(ins, map[string]any{"starts_at": "2027-01-04T00:00:00Z", "timezone": "Europe/Berlin"})
	env.Module(ins, c, map[string]any{"title": "Week 1", "week": 1})
	m2 := env.Module(ins, c, map[string]any{"title": "Week 2", "week": 2})
	p := env.Item(ins, c, m2, nil)
	env.Enroll(stu, c)
	path := fmt.Sprintf("/api/v1/courses/%d/items/%d", c, p)
	// Week 2 opens seven Berlin calendar days after 2027-01-04 01:00 Berlin.
	r := env.Do("GET", path, stu.Token, nil)
	if r.Status != 403 || !strings.Contains(string(r.Body), "opens 2027-01-11T00:00:00Z") {
		t.Fatalf("before the week: %d %s", r.Status, r.Body)
	}
	env.Clock.Set(time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC))
	stu = env.Login(stu)
	if r := env.Do("GET", path, stu.Token, nil); r.Status != 200 {
		t.Fatalf("at the opening instant: %d %s", r.Status, r.Body)
	}
}

// indexesInStep checks that every order-index entry points at a record with
// the same course, module and position, and every record has one entry.
func indexesInStep(t *testing.T, env *pacertest.Env) {
	t.Helper()
	err := env.Bolt().View(func(tx *storage.Tx) error {
		entries := 0
		err := tx.Each(storage.ModulesByCourse, nil, func(k, _ []byte) error {
			entries++
			var m modules.Module
			if err := tx.Get(storage.Modules, storage.ID(storage.Part(k, 2)), &m); err != nil {
				t.Errorf("index entry %x has no module: %v", k, err)
				return nil
			}
			if m.CourseID != storage.Part(k, 0) || uint64(m.Position) != storage.Part(k, 1) {
				t.Errorf("index entry %x disagrees with module %+v", k, m)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := tx.Count(storage.Modules, nil); n != entries {
			t.Errorf("%d modules but %d index entries", n, entries)
		}
		items := 0
		err = tx.Each(storage.ItemsByModule, nil, func(k, _ []byte) error {
			items++
			var it modules.Item
			if err := tx.Get(storage.Items, storage.ID(storage.Part(k, 2)), &it); err != nil || it.ModuleID != storage.Part(k, 0) || uint64(it.Position) != storage.Part(k, 1) {
				t.Errorf("item index entry %x disagrees with %+v (%v)", k, it, err)
			}
			return nil
		})
		if n := tx.Count(storage.Items, nil); n != items {
			t.Errorf("%d items but %d index entries", n, items)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIndexesStayInStepWithRecords(t *testing.T) {
	s := newSetup(t)
	m3 := s.env.Module(s.ins, s.course, map[string]any{"title": "Inserted", "position": 1})
	extra := s.env.Item(s.ins, s.course, s.m1, map[string]any{"title": "First", "position": 1})
	s.env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/modules/%d", s.course, m3), s.ins.Token, map[string]any{"position": 2})
	s.env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, extra), s.ins.Token, map[string]any{"position": 2})
	indexesInStep(t, s.env)
	s.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page1), s.ins.Token, nil)
	s.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/modules/%d", s.course, s.m2), s.ins.Token, nil)
	indexesInStep(t, s.env)
}

// Item bodies, course structures and learner progress are cached between
// reads (modules/cache.go); every edit must show on the very next read.
func TestCachedReadsShowEveryEdit(t *testing.T) {
	s := newSetup(t)
	item := fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page1)
	get := func(u pacertest.User) map[string]any {
		t.Helper()
		r := s.env.Do("GET", item, u.Token, nil)
		if r.Status != 200 {
			t.Fatalf("get item: %d %s", r.Status, r.Body)
		}
		return r.Map()
	}
	get(s.stu)
	get(s.stu) // now served from the cache
	for i := 0; i < 3; i++ {
		title := fmt.Sprintf("Edit %d", i)
		if r := s.env.Do("PATCH", item, s.ins.Token, map[string]any{"title": title, "body": "*" + title + "*"}); r.Status != 200 {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
		if m := get(s.stu); m["title"] != title || !strings.Contains(m["body_html"].(string), "<em>"+title+"</em>") {
			t.Fatalf("after edit %d the student read %v / %v", i, m["title"], m["body_html"])
		}
	}
	// Progress: the first read completed page 1, so week 2 is open; a new
	// item in week 1 makes it incomplete again, and the lock comes back.
	if mods := s.modules(t, s.stu); mods[0].State != "completed" || mods[1].State != "open" {
		t.Fatalf("after viewing: %+v", mods)
	}
	extra := s.env.Item(s.ins, s.course, s.m1, map[string]any{"title": "One more"})
	if mods := s.modules(t, s.stu); mods[0].State != "open" || mods[1].State != "locked" {
		t.Fatalf("after a new item: %+v", mods)
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, extra), s.stu.Token, nil); r.Status != 200 || r.Map()["status"] != "completed" {
		t.Fatalf("viewing the new item: %d %s", r.Status, r.Body)
	}
	if mods := s.modules(t, s.stu); mods[0].State != "completed" || mods[1].State != "open" || *mods[0].Progress != 1 {
		t.Fatalf("after viewing the new item: %+v", mods)
	}
	// Unpublishing and deleting show at once.
	if r := s.env.Do("PATCH", item, s.ins.Token, map[string]any{"published": false}); r.Status != 200 {
		t.Fatalf("unpublish: %d %s", r.Status, r.Body)
	}
	if r := s.env.Do("GET", item, s.stu.Token, nil); r.Status != 404 {
		t.Fatalf("an unpublished item after a cached read: %d", r.Status)
	}
	if r := s.env.Do("DELETE", item, s.ins.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	if r := s.env.Do("GET", item, s.ins.Token, nil); r.Status != 404 {
		t.Fatalf("a deleted item after a cached read: %d", r.Status)
	}
}

// Memberships are cached for access checks; a role change, leaving and
// re-enrolling show on the next request.
func TestCachedMembershipsFollowChanges(t *testing.T) {
	s := newSetup(t)
	members := fmt.Sprintf("/api/v1/courses/%d/members", s.course)
	item := fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page2)
	for i := 0; i < 2; i++ { // the second read is served from the cache
		if r := s.env.Do("GET", members, s.stu.Token, nil); r.Status != 403 {
			t.Fatalf("a student listing members: %d", r.Status)
		}
	}
	s.env.SetRole(s.ins, s.course, s.stu, "ta")
	if r := s.env.Do("GET", members, s.stu.Token, nil); r.Status != 200 {
		t.Fatalf("a new TA listing members: %d %s", r.Status, r.Body)
	}
	// Staff see the locked week's page; back as a student, the lock holds.
	if r := s.env.Do("GET", item, s.stu.Token, nil); r.Status != 200 {
		t.Fatalf("a TA opening a page: %d %s", r.Status, r.Body)
	}
	s.env.SetRole(s.ins, s.course, s.stu, "student")
	if r := s.env.Do("GET", item, s.stu.Token, nil); r.Status != 403 {
		t.Fatalf("a student again opening a locked page: %d %s", r.Status, r.Body)
	}
	if r := s.env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", s.course), s.stu.Token, nil); r.Status != 204 {
		t.Fatalf("leave: %d %s", r.Status, r.Body)
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", s.course), s.stu.Token, nil); r.Status != 404 {
		t.Fatalf("modules after leaving: %d %s", r.Status, r.Body)
	}
	s.env.Enroll(s.stu, s.course)
	if mods := s.modules(t, s.stu); len(mods) != 2 {
		t.Fatalf("modules after re-enrolling: %+v", mods)
	}
}

// Item access decides a module's lock from that module and its
// prerequisites only; on random courses (prerequisite chains, unpublished
// modules and items, weeks opening over time, partial completion) it must
// agree with the full modules list for every item.
func TestItemAccessAgreesWithTheModulesList(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			env := pacertest.New(t)
			ins, stu := env.Register("Ines"), env.Register("Stu")
			c := env.Course(ins, map[string]any{"starts_at": pacertest.Start.AddDate(0, 0, -7).Format(time.RFC3339)})
			var mods []uint64
			items := map[uint64][]uint64{}
			published := map[uint64]bool{}
			for i := 0; i < 6; i++ {
				f := map[string]any{"title": fmt.Sprintf("M%d", i), "published": r.IntN(5) > 0}
				if r.IntN(2) == 0 {
					f["week"] = 1 + r.IntN(3)
				}
				var pre []uint64
				for _, p := range mods {
					if r.IntN(3) == 0 {
						pre = append(pre, p)
					}
				}
				f["prerequisites"] = pre
				m := env.Module(ins, c, f)
				mods = append(mods, m)
				for j := 0; j < 1+r.IntN(3); j++ {
					pub := r.IntN(6) > 0
					it := env.Item(ins, c, m, map[string]any{"title": fmt.Sprintf("P%d.%d", i, j), "published": pub})
					items[m] = append(items[m], it)
					published[it] = pub
				}
			}
			env.Enroll(stu, c)
			for round := 0; round < 3; round++ {
				for _, m := range mods {
					for _, it := range items[m] {
						// Each view may complete a module, so the list is
						// read again before each.
						var list struct{ Items []moduleRow }
						env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", c), stu.Token, nil).Decode(&list)
						var row moduleRow
						visible := false
						for _, x := range list.Items {
							if x.ID == m {
								row, visible = x, true
							}
						}
						res := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", c, it), stu.Token, nil)
						switch {
						case !visible || !published[it]:
							if res.Status != 404 {
								t.Fatalf("round %d: hidden item %d: %d", round, it, res.Status)
							}
						case row.State == "locked":
							if res.Status != 403 || !strings.Contains(string(res.Body), row.LockedReason) {
								t.Fatalf("round %d: item %d of a module locked (%s): %d %s", round, it, row.LockedReason, res.Status, res.Body)
							}
						default:
							if res.Status != 200 {
								t.Fatalf("round %d: item %d of an open module: %d %s", round, it, res.Status, res.Body)
							}
						}
					}
				}
				// Viewing opened pages completed some modules; a week later
				// more windows are open.
				env.Clock.Advance(7 * 24 * time.Hour)
				stu = env.Login(stu)
			}
		})
	}
}
