package modules_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pacer/pacertest"
	"pacer/storage"
)

func TestCopyingACourseTakesContentShiftedButNoPeopleOrPosts(t *testing.T) {
	env := pacertest.New(t)
	ins, stu, ta := env.Register("Ines"), env.Register("Stu"), env.Register("Tara")
	course := env.Course(ins, map[string]any{"title": "Stats 2026", "starts_at": "2026-01-05T00:00:00Z"})
	env.Enroll(stu, course)
	env.Invite(ins, course, ta, "ta")
	m1 := env.Module(ins, course, map[string]any{"title": "Week 1", "week": 1})
	m2 := env.Module(ins, course, map[string]any{"title": "Project", "opens_at": "2026-02-01T00:00:00Z",
		"due_at": "2026-02-10T12:00:00Z", "prerequisites": []uint64{m1}})
	env.Item(ins, course, m1, map[string]any{"title": "Intro", "body": "Read **this**"})
	env.Item(ins, course, m2, map[string]any{"kind": "discussion", "title": "Talk"})
	r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/boards", course), ins.Token, map[string]any{"title": "Q&A", "mode": "qa"})
	if r.Status != 201 {
		t.Fatalf("board: %d %s", r.Status, r.Body)
	}
	board := r.ID()
	if r := env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), stu.Token, map[string]any{"title": "Hi", "body": "x"}); r.Status != 201 {
		t.Fatalf("thread: %d %s", r.Status, r.Body)
	}

	path := fmt.Sprintf("/api/v1/courses/%d/copy", course)
	for _, who := range []pacertest.User{stu, ta} {
		if r := env.Do("POST", path, who.Token, map[string]any{"title": "Stats 2027"}); r.Status != 403 {
			t.Errorf("copy by a %s: %d, want 403", who.Name, r.Status)
		}
	}
	if r := env.Do("POST", path, env.Register("Outsider").Token, map[string]any{"title": "x"}); r.Status != 404 {
		t.Errorf("copy by a non-member: %d, want 404", r.Status)
	}
	if r := env.Do("POST", path, ins.Token, map[string]any{}); r.Status != 400 {
		t.Errorf("copy without a title: %d, want 400", r.Status)
	}
	r = env.Do("POST", path, ins.Token, map[string]any{"title": "Stats 2027", "starts_at": "2027-01-04T00:00:00Z"})
	if r.Status != 201 {
		t.Fatalf("copy: %d %s", r.Status, r.Body)
	}
	c := r.Map()
	copyID := r.ID()
	if c["title"] != "Stats 2027" || c["published"] != false || c["starts_at"] != "2027-01-04T00:00:00Z" || c["my_role"] != "instructor" {
		t.Fatalf("copy: %s", r.Body)
	}
	r = env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/members", copyID), ins.Token, nil)
	var members struct {
		Items []struct {
			UserID uint64 `json:"user_id"`
		}
	}
	r.Decode(&members)
	if len(members.Items) != 1 || members.Items[0].UserID != ins.ID {
		t.Fatalf("members of the copy: %s", r.Body)
	}
	r = env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", copyID), ins.Token, nil)
	var mods struct {
		Items []struct {
			ID            uint64
			Title         string
			Week          int
			OpensAt       *string  `json:"opens_at"`
			DueAt         *string  `json:"due_at"`
			Prerequisites []uint64 `json:"prerequisites"`
		}
	}
	r.Decode(&mods)
	if len(mods.Items) != 2 || mods.Items[0].Title != "Week 1" || mods.Items[0].Week != 1 || mods.Items[1].Title != "Project" {
		t.Fatalf("modules of the copy: %s", r.Body)
	}
	// 2026-01-05 to 2027-01-04 is 364 days: explicit dates move as much.
	p := mods.Items[1]
	if p.OpensAt == nil || *p.OpensAt != "2027-01-31T00:00:00Z" || p.DueAt == nil || *p.DueAt != "2027-02-09T12:00:00Z" {
		t.Errorf("shifted dates: %s", r.Body)
	}
	if len(p.Prerequisites) != 1 || p.Prerequisites[0] != mods.Items[0].ID {
		t.Errorf("prerequisites should name the copy's module: %v", p.Prerequisites)
	}
	r = env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules/%d", copyID, mods.Items[0].ID), ins.Token, nil)
	var mod struct {
		Items []struct {
			ID       uint64
			CourseID uint64 `json:"course_id"`
			Title    string
		}
	}
	r.Decode(&mod)
	if len(mod.Items) != 1 || mod.Items[0].Title != "Intro" || mod.Items[0].CourseID != copyID {
		t.Fatalf("items of the copy: %s", r.Body)
	}
	r = env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/items/%d", copyID, mod.Items[0].ID), ins.Token, nil)
	if r.Status != 200 || r.Map()["body_html"] != "<p>Read <strong>this</strong></p>" {
		t.Errorf("item body: %d %s", r.Status, r.Body)
	}
	r = env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", copyID), ins.Token, nil)
	var boards struct {
		Items []struct {
			ID          uint64
			Title, Mode string
			ThreadCount int `json:"thread_count"`
		}
	}
	r.Decode(&boards)
	found := false
	for _, b := range boards.Items {
		if b.ID == board {
			t.Errorf("the copy lists the original's board")
		}
		if b.Title == "Q&A" {
			found = b.Mode == "qa"
		}
		if b.Title != "Module discussions" && b.ThreadCount != 0 {
			t.Errorf("board %q of the copy has %d threads", b.Title, b.ThreadCount)
		}
	}
	if !found {
		t.Errorf("the Q&A board was not copied: %s", r.Body)
	}
	// The student of the original is not in the copy.
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", copyID), stu.Token, nil); r.Status != 404 {
		t.Errorf("a student of the original reads the copy: %d", r.Status)
	}
}

func TestAnArchivedCourseIsReadOnlyAndLeavesTheCatalogue(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	course := env.Course(ins, map[string]any{"title": "Old"})
	env.Enroll(stu, course)
	mod := env.Module(ins, course, nil)
	item := env.Item(ins, course, mod, nil)
	asg := env.Item(ins, course, mod, map[string]any{"kind": "assignment", "title": "Essay", "points": 10})
	r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", course), stu.Token, nil)
	var boards struct{ Items []struct{ ID uint64 } }
	r.Decode(&boards)
	board := boards.Items[0].ID
	r = env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), stu.Token, map[string]any{"title": "Hi", "body": "x"})
	thread := r.ID()
	path := fmt.Sprintf("/api/v1/courses/%d/archive", course)
	if r := env.Do("POST", path, stu.Token, nil); r.Status != 403 {
		t.Fatalf("archive by a student: %d", r.Status)
	}
	if r := env.Do("POST", path, ins.Token, nil); r.Status != 204 {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", path, ins.Token, nil); r.Status != 204 {
		t.Fatalf("archive twice: %d %s", r.Status, r.Body)
	}
	// Members still read it.
	for _, u := range []pacertest.User{ins, stu} {
		for _, p := range []string{fmt.Sprintf("/api/v1/courses/%d/items/%d", course, item), fmt.Sprintf("/api/v1/threads/%d", thread),
			fmt.Sprintf("/api/v1/courses/%d/modules", course), fmt.Sprintf("/api/v1/courses/%d/boards", course)} {
			if r := env.Do("GET", p, u.Token, nil); r.Status != 200 {
				t.Errorf("%s reads %s: %d %s", u.Name, p, r.Status, r.Body)
			}
		}
		r := env.Do("GET", "/api/v1/courses", u.Token, nil)
		var list struct {
			Items []struct {
				ID       uint64
				Archived bool
			}
		}
		r.Decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != course || !list.Items[0].Archived {
			t.Errorf("%s's list: %s", u.Name, r.Body)
		}
	}
	// Others no longer find it.
	other := env.Register("Other")
	if r := env.Do("GET", "/api/v1/courses", other.Token, nil); len(r.Map()["items"].([]any)) != 0 {
		t.Errorf("the catalogue lists an archived course: %s", r.Body)
	}
	if r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enroll", course), other.Token, map[string]any{}); r.Status != 404 {
		t.Errorf("enrol in an archived course: %d", r.Status)
	}
	// No writes, from anyone.
	writes := []struct {
		who          pacertest.User
		method, path string
		body         any
	}{
		{ins, "PATCH", fmt.Sprintf("/api/v1/courses/%d", course), map[string]any{"title": "New"}},
		{ins, "POST", fmt.Sprintf("/api/v1/courses/%d/modules", course), map[string]any{"title": "M"}},
		{ins, "PATCH", fmt.Sprintf("/api/v1/courses/%d/items/%d", course, item), map[string]any{"title": "T"}},
		{ins, "DELETE", fmt.Sprintf("/api/v1/courses/%d/modules/%d", course, mod), nil},
		{ins, "POST", fmt.Sprintf("/api/v1/courses/%d/boards", course), map[string]any{"title": "B", "mode": "qa"}},
		{stu, "POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), map[string]any{"title": "Hi", "body": "x"}},
		{ins, "DELETE", fmt.Sprintf("/api/v1/courses/%d", course), nil},
		{stu, "POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/complete", course, item), nil},
		{stu, "DELETE", fmt.Sprintf("/api/v1/courses/%d/enroll", course), nil},
		{stu, "POST", fmt.Sprintf("/api/v1/courses/%d/items/%d/submissions", course, asg), map[string]any{"body": "mine"}},
		{stu, "POST", fmt.Sprintf("/api/v1/threads/%d/replies", thread), map[string]any{"body": "late"}},
		{stu, "PUT", fmt.Sprintf("/api/v1/threads/%d/subscription", thread), nil},
		{ins, "POST", fmt.Sprintf("/api/v1/threads/%d/pin", thread), nil},
		{ins, "POST", fmt.Sprintf("/api/v1/courses/%d/extensions", course), map[string]any{"user_id": stu.ID, "module_id": mod, "due_at": "2027-03-01T00:00:00Z"}},
		{ins, "POST", fmt.Sprintf("/api/v1/courses/%d/invitations", course), map[string]any{"email": "x@example.test", "role": "ta"}},
		{ins, "POST", fmt.Sprintf("/api/v1/courses/%d/nudges", course), map[string]any{"user_ids": []uint64{stu.ID}, "message": "hi"}},
		{ins, "DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", course, stu.ID), nil},
	}
	for _, w := range writes {
		if r := env.Do(w.method, w.path, w.who.Token, w.body); r.Status != 409 || r.ErrCode() != "course_archived" {
			t.Errorf("%s %s: %d %s, want 409 course_archived", w.method, w.path, r.Status, r.Body)
		}
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	if r := env.DoHeaders("POST", fmt.Sprintf("/api/v1/courses/%d/media?filename=a.pdf", course), ins.Token, pdf,
		map[string]string{"Content-Type": "application/pdf"}); r.Status != 409 || r.ErrCode() != "course_archived" {
		t.Errorf("upload to an archived course: %d %s", r.Status, r.Body)
	}
	if r := env.Do("DELETE", path, stu.Token, nil); r.Status != 403 {
		t.Errorf("unarchive by a student: %d", r.Status)
	}
	if r := env.Do("DELETE", path, ins.Token, nil); r.Status != 204 {
		t.Fatalf("unarchive: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", course), ins.Token, map[string]any{"title": "New"}); r.Status != 200 {
		t.Errorf("patch after unarchiving: %d %s", r.Status, r.Body)
	}
}

func TestOnlyAnUnpublishedCourseWithoutMembersCanBeDeleted(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	published := env.Course(ins, nil)
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", published), ins.Token, nil); r.Status != 409 {
		t.Errorf("delete a published course: %d", r.Status)
	}
	withStudent := env.Course(ins, nil)
	env.Enroll(stu, withStudent)
	env.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", withStudent), ins.Token, map[string]any{"published": false})
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", withStudent), ins.Token, nil); r.Status != 409 {
		t.Errorf("delete a course with a student: %d", r.Status)
	}
	draft := env.Course(ins, map[string]any{"published": false})
	mod := env.Module(ins, draft, nil)
	env.Item(ins, draft, mod, map[string]any{"kind": "discussion", "title": "Talk"})
	r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/boards", draft), ins.Token, nil)
	var boards struct{ Items []struct{ ID uint64 } }
	r.Decode(&boards)
	board := boards.Items[0].ID
	thread := env.Do("POST", fmt.Sprintf("/api/v1/boards/%d/threads", board), ins.Token, map[string]any{"title": "Hi", "body": "x"}).ID()
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", draft), stu.Token, nil); r.Status != 404 {
		t.Errorf("delete by a stranger: %d", r.Status)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", draft), ins.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d", draft), ins.Token, nil); r.Status != 404 {
		t.Errorf("the deleted course answers %d", r.Status)
	}
	if errs := env.Bolt().Check(); len(errs) > 0 {
		t.Errorf("store check after delete: %v", errs)
	}
	// Its boards and threads went with it.
	err := env.Bolt().View(func(tx *storage.Tx) error {
		for _, k := range []struct {
			b  storage.Bucket
			id uint64
		}{{storage.Boards, board}, {storage.Threads, thread}, {storage.Courses, draft}} {
			if tx.Has(k.b, storage.ID(k.id)) {
				t.Errorf("%s %d outlived its course", k.b, k.id)
			}
		}
		if n := tx.Count(storage.BoardsByCourse, storage.Key(draft)); n != 0 {
			t.Errorf("%d board index entries outlived the course", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCourseCreationFollowsTheSiteSetting(t *testing.T) {
	env := pacertest.New(t)
	admin, u, creator := env.Admin(), env.Register("Uma"), env.Register("Cara")
	if r := env.Do("GET", "/api/v1/admin/settings", admin.Token, nil); r.Status != 200 || r.Map()["course_creation"] != "anyone" {
		t.Fatalf("default settings: %d %s", r.Status, r.Body)
	}
	if r := env.Do("PATCH", "/api/v1/admin/settings", u.Token, map[string]any{"course_creation": "creators"}); r.Status != 403 {
		t.Fatalf("settings by a non-admin: %d", r.Status)
	}
	if r := env.Do("PATCH", "/api/v1/admin/settings", admin.Token, map[string]any{"course_creation": "nobody"}); r.Status != 400 {
		t.Fatalf("a bad setting: %d", r.Status)
	}
	if r := env.Do("PATCH", "/api/v1/admin/settings", admin.Token, map[string]any{"course_creation": "creators"}); r.Status != 200 {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	r := env.Do("PATCH", fmt.Sprintf("/api/v1/admin/users/%d", creator.ID), admin.Token, map[string]any{"can_create_courses": true})
	if r.Status != 200 || r.Map()["can_create_courses"] != true {
		t.Fatalf("grant: %d %s", r.Status, r.Body)
	}
	if r := env.Do("POST", "/api/v1/courses", u.Token, map[string]any{"title": "Mine"}); r.Status != 403 {
		t.Errorf("create without the grant: %d", r.Status)
	}
	for _, who := range []pacertest.User{creator, admin} {
		if r := env.Do("POST", "/api/v1/courses", who.Token, map[string]any{"title": "Mine"}); r.Status != 201 {
			t.Errorf("create by %s: %d %s", who.Name, r.Status, r.Body)
		}
	}
	env.Do("PATCH", "/api/v1/admin/settings", admin.Token, map[string]any{"course_creation": "anyone"})
	if r := env.Do("POST", "/api/v1/courses", u.Token, map[string]any{"title": "Mine"}); r.Status != 201 {
		t.Errorf("create when anyone may: %d", r.Status)
	}
}

func TestRemovingAMemberKeepsTheLastInstructor(t *testing.T) {
	env := pacertest.New(t)
	ins, stu := env.Register("Ines"), env.Register("Stu")
	course := env.Course(ins, nil)
	env.Enroll(stu, course)
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", course, ins.ID), stu.Token, nil); r.Status != 403 {
		t.Errorf("removal by a student: %d", r.Status)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", course, ins.ID), ins.Token, nil); r.Status != 409 {
		t.Errorf("removing the last instructor: %d", r.Status)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", course, stu.ID), ins.Token, nil); r.Status != 204 {
		t.Fatalf("remove: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", course), stu.Token, nil); r.Status != 404 {
		t.Errorf("a removed student still reads the course: %d", r.Status)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", course, stu.ID), ins.Token, nil); r.Status != 404 {
		t.Errorf("removing a non-member: %d", r.Status)
	}
}

// TestARemovedTAIsNoLongerStaffAnywhere removes a TA and checks the staff
// index forgot them: discussion delivery reads that index to make staff
// follow every thread, so a stale entry would keep sending a removed TA
// the course's replies.
func TestARemovedTAIsNoLongerStaffAnywhere(t *testing.T) {
	env := pacertest.New(t)
	ins, ta := env.Register("Ines"), env.Register("Tara")
	course := env.Course(ins, nil)
	env.Invite(ins, course, ta, "ta")
	staff := func() []uint64 {
		var ids []uint64
		if err := env.Bolt().View(func(tx *storage.Tx) error {
			var err error
			ids, err = env.Server.Courses.Staff(storage.WithTx(context.Background(), tx), course)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := staff(); !slices.Contains(got, ta.ID) {
		t.Fatalf("the TA is not in the staff index: %v", got)
	}
	if r := env.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d/members/%d", course, ta.ID), ins.Token, nil); r.Status != 204 {
		t.Fatalf("remove the TA: %d %s", r.Status, r.Body)
	}
	if got := staff(); slices.Contains(got, ta.ID) {
		t.Errorf("a removed TA is still in the staff index: %v", got)
	}
}

func TestTheSchedulerLeavesAnArchivedCourseAlone(t *testing.T) {
	env := pacertest.New(t)
	ins := env.Register("Ines")
	unread := func(u pacertest.User) float64 {
		return env.Do("GET", "/api/v1/notifications", env.Login(u).Token, nil).Map()["unread"].(float64)
	}
	build := func(title string) pacertest.User {
		c := env.Course(ins, map[string]any{"title": title, "starts_at": "2027-01-04T00:00:00Z"})
		for w := 1; w <= 3; w++ {
			m := env.Module(ins, c, map[string]any{"title": fmt.Sprintf("Week %d", w), "week": w})
			env.Item(ins, c, m, map[string]any{"kind": "assignment", "title": fmt.Sprintf("Task %d", w), "points": 10})
		}
		stu := env.Register("Stu")
		env.Enroll(stu, c)
		if title == "Archived" {
			if r := env.Do("POST", fmt.Sprintf("/api/v1/courses/%d/archive", c), ins.Token, nil); r.Status != 204 {
				t.Fatalf("archive: %d", r.Status)
			}
		}
		return stu
	}
	live, archived := build("Live"), build("Archived")
	before := unread(archived)
	env.Clock.Advance(20 * 24 * time.Hour)
	jobs, err := env.Server.Scheduler.Jobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if _, err := env.Server.Scheduler.RunAt(j.Name, env.Clock.Now()); err != nil {
			t.Fatalf("run %s: %v", j.Name, err)
		}
	}
	if unread(live) == 0 {
		t.Fatalf("the live course's student was told nothing: the test proves nothing")
	}
	if n := unread(archived); n != before {
		t.Errorf("the archived course's student got %v notifications from the scheduler", n-before)
	}
}
