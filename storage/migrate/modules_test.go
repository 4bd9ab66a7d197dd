package migrate_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"pacer/modules"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// TestModulesCopy fills a bbolt store through modules.Store, copies it
// and reads every record back through both stores: what PostgreSQL
// answers must be what bbolt answers, outlines and orders included.
func TestModulesCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	src := bolt.NewModules(db)
	f := fillModules(t, ctx, src)

	pg := pgtest.Open(t)
	dst := postgres.NewModules(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "modules", From: src, To: dst}}, nil, io.Discard)
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	want := map[string]int64{"modules/courses": 3, "modules/modules": 7, "modules/items": 7,
		"modules/members": 6, "modules/invitations": 3, "modules/progress": 5}
	if !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}

	compareModules(t, ctx, src, dst, f)

	// New records take ids past the copied ones.
	c, err := dst.AddCourse(ctx, modules.Course{Title: "after", Policy: modules.DefaultPolicy(), CreatedAt: f.at, UpdatedAt: f.at})
	if err != nil || c.ID <= f.maxCourse {
		t.Errorf("AddCourse after the copy: id %d (copied up to %d), %v", c.ID, f.maxCourse, err)
	}
	inv, err := dst.AddInvitation(ctx, modules.Invitation{CourseID: c.ID, Email: "new@example.org", Role: modules.RoleStudent, CreatedAt: f.at})
	if err != nil || inv.ID <= f.maxInvitation {
		t.Errorf("AddInvitation after the copy: id %d (copied up to %d), %v", inv.ID, f.maxInvitation, err)
	}
	if id, err := dst.NextModuleID(ctx); err != nil || id <= f.maxModule {
		t.Errorf("NextModuleID after the copy: %d (copied up to %d), %v", id, f.maxModule, err)
	}
	if id, err := dst.NextItemID(ctx); err != nil || id <= f.maxItem {
		t.Errorf("NextItemID after the copy: %d (copied up to %d), %v", id, f.maxItem, err)
	}
}

// filled is what fillModules stored, for the comparisons to ask about.
type filled struct {
	at                                          time.Time
	courses, modules, items, users, invitations []uint64
	emails                                      []string
	unlisted                                    uint64 // a module the last SetModules left out
	orphanModule, orphanItem                    uint64 // content of a course deleted before it
	maxCourse, maxModule, maxItem               uint64
	maxInvitation                               uint64
}

func fillModules(t *testing.T, ctx context.Context, s modules.Store) filled {
	t.Helper()
	at := time.Date(2026, 11, 30, 8, 15, 42, 123456000, time.UTC)
	later := at.Add(36*time.Hour + 987*time.Microsecond)
	ptr := func(t time.Time) *time.Time { return &t }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f := filled{at: at}

	// Courses: one full, one bare, one deleted (a gap in the ids), one
	// with no content at all.
	add := func(c modules.Course) modules.Course {
		c, err := s.AddCourse(ctx, c)
		must(err)
		return c
	}
	c1 := add(modules.Course{Title: "Ünïcode — 课程 🚀", Description: "a *b*", DescriptionHTML: "<p>a <em>b</em></p>",
		Published: true, Pacing: "fixed", StartsAt: ptr(later), Timezone: "Europe/Paris", Enrollment: "key",
		EnrollKey: "sésame", Policy: modules.Policy{GraceSeconds: 60, LateSeconds: 3600, LatePenaltyPercentPerDay: 12.5,
			InactiveAfterSeconds: 7, NudgeCooldownSeconds: 8, WatchCompleteRatio: 0.75}, CreatedBy: 7, CreatedAt: at, UpdatedAt: later})
	gone := add(modules.Course{Title: "gone", Policy: modules.DefaultPolicy(), CreatedAt: at, UpdatedAt: at})
	c2 := add(modules.Course{Title: "", Policy: modules.Policy{}, CreatedAt: at, UpdatedAt: at})
	c3 := add(modules.Course{Title: "archived", Archived: true, Pacing: "self", Policy: modules.DefaultPolicy(), CreatedAt: at, UpdatedAt: at})
	must(s.DeleteCourse(ctx, gone.ID))
	c3.Title = "archived, renamed"
	must(s.PutCourse(ctx, c3))
	f.courses = []uint64{c1.ID, c2.ID, c3.ID, gone.ID}
	f.maxCourse = c3.ID

	// Modules of c1: four set, then reordered with one left out (its
	// record stays, no longer listed); c2 has one module, c3 none.
	newModule := func(course uint64, title string, pre []uint64) modules.Module {
		id, err := s.NextModuleID(ctx)
		must(err)
		return modules.Module{ID: id, CourseID: course, Title: title, Prerequisites: pre, CreatedAt: at}
	}
	m1 := newModule(c1.ID, "Semaine 1 — début", []uint64{})
	m1.Summary, m1.SummaryHTML, m1.Week, m1.Published = "s", "<p>s</p>", 1, true
	m1.OpensAt, m1.DueAt = ptr(at), ptr(later)
	m2 := newModule(c1.ID, "two", nil)
	m2.Week = 2
	m3 := newModule(c1.ID, "three", []uint64{m1.ID, m2.ID})
	m3.DueAt = ptr(later)
	m4 := newModule(c1.ID, "four, left out", []uint64{m1.ID})
	setModules := func(course uint64, mods ...modules.Module) {
		for i := range mods {
			mods[i].Position = i + 1
		}
		must(s.SetModules(ctx, course, mods))
	}
	setModules(c1.ID, m1, m2, m3, m4)
	setModules(c1.ID, m3, m1, m2) // m3 first, m4 out
	m5 := newModule(c2.ID, "only", []uint64{})
	setModules(c2.ID, m5)
	// A reserved id never used: no record to copy.
	_, err := s.NextModuleID(ctx)
	must(err)
	// A module deleted as the service does: record, then the order.
	m6 := newModule(c2.ID, "deleted", nil)
	setModules(c2.ID, m5, m6)
	must(s.DeleteModule(ctx, m6.ID))
	setModules(c2.ID, m5)
	// And a module in a course of its own, emptied of items.
	m7 := newModule(c3.ID, "empty", nil)
	m8 := newModule(c3.ID, "emptied", nil)
	setModules(c3.ID, m7, m8)
	f.modules = []uint64{m1.ID, m2.ID, m3.ID, m4.ID, m5.ID, m6.ID, m7.ID, m8.ID}
	f.unlisted = m4.ID
	f.maxModule = m8.ID

	// Items: every kind's settings, reordered, one deleted; m2 has none,
	// m4 (unlisted) keeps one.
	newItem := func(m modules.Module, kind, title string) modules.Item {
		id, err := s.NextItemID(ctx)
		must(err)
		return modules.Item{ID: id, CourseID: m.CourseID, ModuleID: m.ID, Kind: kind, Title: title, CreatedAt: at, UpdatedAt: later}
	}
	setItems := func(m modules.Module, items ...modules.Item) []modules.Item {
		for i := range items {
			items[i].Position = i + 1
		}
		must(s.SetItems(ctx, m.ID, items))
		return items
	}
	page := newItem(m1, modules.KindPage, "Page ✓")
	page.Body, page.BodyHTML, page.Published = "# hé\n\n«quoted»", "<h1>hé</h1>\n<p>«quoted»</p>", true
	quiz := newItem(m1, modules.KindQuiz, "Quiz")
	quiz.Points = 12.75
	quiz.Quiz = &modules.QuizSettings{Attempts: 3, TimeLimitSeconds: 600, PassPercent: 70, Feedback: "after_due", Score: "best", Shuffle: true, Draw: 5}
	asg := newItem(m1, modules.KindAssignment, "Devoir")
	asg.Points = 20
	asg.Rubric = &modules.Rubric{Criteria: []modules.Criterion{
		{ID: 1, Title: "Clarté", Levels: []modules.Level{{ID: 1, Title: "faible", Points: 0}, {ID: 2, Title: "bien", Points: 2.5}}},
		{ID: 2, Title: "empty", Levels: []modules.Level{}},
	}}
	lecture := newItem(m1, modules.KindLecture, "Lecture")
	lecture.MediaID = 41
	del := newItem(m1, modules.KindPage, "deleted")
	items := setItems(m1, page, quiz, asg, lecture, del)
	items = setItems(m1, items[3], items[0], items[2], items[1], items[4]) // lecture, page, asg, quiz, del
	must(s.DeleteItem(ctx, items[4]))
	items = setItems(m1, items[:4]...)
	disc := newItem(m3, modules.KindDiscussion, "Discussion")
	disc.ThreadID = 99
	file := newItem(m3, modules.KindFile, "Fichier")
	file.MediaID, file.Published = 42, true
	m3items := setItems(m3, disc, file)
	old := setItems(m4, newItem(m4, modules.KindPage, "in a module left out"))
	gonem8 := setItems(m8, newItem(m8, modules.KindPage, "emptied"))
	must(s.DeleteItem(ctx, gonem8[0]))
	setItems(m8)
	f.items = []uint64{items[0].ID, items[1].ID, items[2].ID, items[3].ID, del.ID, m3items[0].ID, m3items[1].ID, old[0].ID, gonem8[0].ID}
	f.maxItem = old[0].ID

	// A course deleted without its content (the service removes the
	// content first): its module and item belong to no course.
	lost := add(modules.Course{Title: "lost", Policy: modules.DefaultPolicy(), CreatedAt: at, UpdatedAt: at})
	om := newModule(lost.ID, "orphan", nil)
	setModules(lost.ID, om)
	oi := setItems(om, newItem(om, modules.KindPage, "orphan item"))
	must(s.DeleteCourse(ctx, lost.ID))
	f.orphanModule, f.orphanItem = om.ID, oi[0].ID

	// Members: every role, with and without a last-active time and a way
	// of joining; one demoted from TA, one deleted, one updated.
	member := func(course, user uint64, role, joined string, last *time.Time) modules.Member {
		m := modules.Member{CourseID: course, UserID: user, Role: role, EnrolledAt: at.Add(time.Duration(user) * time.Minute), LastActiveAt: last, Joined: joined}
		must(s.PutMember(ctx, m))
		return m
	}
	member(c1.ID, 7, modules.RoleInstructor, modules.JoinedCreated, nil)
	ta := member(c1.ID, 8, modules.RoleTA, modules.JoinedAdmin, ptr(later))
	st := member(c1.ID, 9, modules.RoleStudent, modules.JoinedEnrolled, nil)
	member(c1.ID, 10, modules.RoleStudent, "", ptr(at))
	member(c2.ID, 9, modules.RoleTA, modules.JoinedInvitation, nil)
	member(c3.ID, 9, modules.RoleStudent, "", nil)
	member(c2.ID, 11, modules.RoleStudent, "", nil)
	must(s.DeleteMember(ctx, c2.ID, 11))
	ta.Role = modules.RoleStudent
	must(s.PutMember(ctx, ta))
	st.LastActiveAt = ptr(later.Add(time.Second))
	_, err = s.MarkActive(ctx, []modules.Seen{{Course: st.CourseID, User: st.UserID, At: *st.LastActiveAt}})
	must(err)
	f.users = []uint64{7, 8, 9, 10, 11, 12}

	// Invitations: one updated, one deleted (a gap), addresses that
	// share a prefix.
	invite := func(course uint64, email, role string) modules.Invitation {
		inv, err := s.AddInvitation(ctx, modules.Invitation{CourseID: course, Email: email, Role: role, InvitedBy: 7, CreatedAt: later})
		must(err)
		return inv
	}
	i1 := invite(c1.ID, "anne@example.org", modules.RoleStudent)
	i2 := invite(c1.ID, "anne@example.org.uk", modules.RoleTA)
	i3 := invite(c2.ID, "josé@exämple.org", modules.RoleStudent)
	i4 := invite(c2.ID, "anne@example.org", modules.RoleStudent)
	must(s.DeleteInvitation(ctx, i3.ID))
	i4.Role = modules.RoleInstructor
	must(s.UpdateInvitation(ctx, i4))
	f.invitations = []uint64{i1.ID, i2.ID, i3.ID, i4.ID}
	f.emails = []string{"anne@example.org", "anne@example.org.uk", "josé@exämple.org", "nobody@example.org"}
	f.maxInvitation = i4.ID

	// Progress: completed and not, one on an item since deleted, and one
	// in a course since deleted.
	progress := func(course, user, item uint64, status string, done *time.Time) {
		must(s.PutProgress(ctx, course, user, item, modules.ItemProgress{Status: status, CompletedAt: done, UpdatedAt: later}))
	}
	progress(c1.ID, 9, items[0].ID, modules.StatusCompleted, ptr(later))
	progress(c1.ID, 9, items[1].ID, modules.StatusInProgress, nil)
	progress(c1.ID, 10, items[0].ID, modules.StatusNotStarted, nil)
	progress(c1.ID, 9, del.ID, modules.StatusCompleted, ptr(at))
	progress(gone.ID, 9, 12345, modules.StatusCompleted, ptr(at))
	return f
}

func compareModules(t *testing.T, ctx context.Context, b, p modules.Store, f filled) {
	t.Helper()
	same := func(what string, want, got any, werr, gerr error) {
		t.Helper()
		if (werr == nil) != (gerr == nil) || (werr != nil && !errors.Is(gerr, werr)) {
			t.Errorf("%s: bbolt says %v, PostgreSQL %v", what, werr, gerr)
			return
		}
		if werr != nil {
			return // what comes with an error is not an answer
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s:\nbbolt      %+v\nPostgreSQL %+v", what, want, got)
		}
	}
	var bc, pc []modules.Course
	werr := b.EachCourse(ctx, func(c modules.Course) error { bc = append(bc, c); return nil })
	gerr := p.EachCourse(ctx, func(c modules.Course) error { pc = append(pc, c); return nil })
	same("EachCourse", bc, pc, werr, gerr)
	if len(bc) != 3 {
		t.Errorf("%d courses, want 3", len(bc))
	}
	for _, id := range f.courses {
		w, werr := b.Course(ctx, id)
		g, gerr := p.Course(ctx, id)
		same("Course", w, g, werr, gerr)
		wo, werr := b.Outline(ctx, id)
		gotO, gerr := p.Outline(ctx, id)
		same("Outline", wo, gotO, werr, gerr)
		wm, werr := b.Modules(ctx, id)
		gm, gerr := p.Modules(ctx, id)
		same("Modules", wm, gm, werr, gerr)
		wi, werr := b.CourseItems(ctx, id)
		gi, gerr := p.CourseItems(ctx, id)
		same("CourseItems", wi, gi, werr, gerr)
		wi2, werr := b.CourseInvitations(ctx, id)
		gi2, gerr := p.CourseInvitations(ctx, id)
		same("CourseInvitations", wi2, gi2, werr, gerr)
		var wm2, gm2 []modules.Member
		werr = b.EachMember(ctx, id, func(m modules.Member) error { wm2 = append(wm2, m); return nil })
		gerr = p.EachMember(ctx, id, func(m modules.Member) error { gm2 = append(gm2, m); return nil })
		same("EachMember", wm2, gm2, werr, gerr)
		ws, werr := b.SweepMembers(ctx, id, nil)
		gs, gerr := p.SweepMembers(ctx, id, nil)
		same("SweepMembers", ws, gs, werr, gerr)
		wst, werr := b.StaffOf(ctx, id)
		gst, gerr := p.StaffOf(ctx, id)
		same("StaffOf", wst, gst, werr, gerr)
		type row struct {
			user, item uint64
			done       bool
		}
		var wr, gr []row
		werr = b.EachCourseProgress(ctx, id, func(u, i uint64, d bool) { wr = append(wr, row{u, i, d}) })
		gerr = p.EachCourseProgress(ctx, id, func(u, i uint64, d bool) { gr = append(gr, row{u, i, d}) })
		same("EachCourseProgress", wr, gr, werr, gerr)
		for _, u := range f.users {
			wm, werr := b.Member(ctx, id, u)
			gm, gerr := p.Member(ctx, id, u)
			same("Member", wm, gm, werr, gerr)
			wok, werr := b.IsMember(ctx, id, u)
			gok, gerr := p.IsMember(ctx, id, u)
			same("IsMember", wok, gok, werr, gerr)
			wp, werr := b.Progress(ctx, id, u)
			gp, gerr := p.Progress(ctx, id, u)
			same("Progress", wp, gp, werr, gerr)
			var wr, gr []row
			werr = b.EachProgress(ctx, id, u, func(i uint64, d bool) { wr = append(wr, row{u, i, d}) })
			gerr = p.EachProgress(ctx, id, u, func(i uint64, d bool) { gr = append(gr, row{u, i, d}) })
			same("EachProgress", wr, gr, werr, gerr)
			for _, it := range append(f.items, 12345) {
				wp, werr := b.ItemProgress(ctx, id, u, it)
				gp, gerr := p.ItemProgress(ctx, id, u, it)
				same("ItemProgress", wp, gp, werr, gerr)
				wd, werr := b.Completed(ctx, id, u, it)
				gd, gerr := p.Completed(ctx, id, u, it)
				same("Completed", wd, gd, werr, gerr)
			}
		}
	}
	// The outline of the main course, spelled out: the copy keeps the
	// reordered modules and items in the order last set.
	o, err := p.Outline(ctx, f.courses[0])
	if err != nil {
		t.Fatal(err)
	}
	var order []uint64
	for _, m := range o.Modules {
		order = append(order, m.ID)
		for _, it := range o.Items[m.ID] {
			order = append(order, it.ID)
		}
	}
	wantOrder := []uint64{f.modules[2], f.items[5], f.items[6], f.modules[0], f.items[0], f.items[1], f.items[2], f.items[3], f.modules[1]}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("PostgreSQL outline order %v, want %v", order, wantOrder)
	}

	for _, id := range f.modules {
		w, werr := b.Module(ctx, id)
		g, gerr := p.Module(ctx, id)
		if id == f.unlisted {
			// bbolt keeps the record as the last SetModules that listed
			// it wrote it; PostgreSQL's row has no place in the order,
			// which reads as position 0, as its own SetModules leaves it.
			if g.Position != 0 {
				t.Errorf("unlisted module: position %d", g.Position)
			}
			w.Position = 0
		}
		same("Module", w, g, werr, gerr)
		wi, werr := b.Items(ctx, id)
		gi, gerr := p.Items(ctx, id)
		same("Items", wi, gi, werr, gerr)
	}
	// The orphans are not copied: bbolt still answers for them, by id
	// only; PostgreSQL's foreign keys could not hold them.
	if _, err := b.Module(ctx, f.orphanModule); err != nil {
		t.Errorf("bbolt orphan module: %v", err)
	}
	if _, err := p.Module(ctx, f.orphanModule); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("PostgreSQL orphan module: %v", err)
	}
	if _, err := b.Item(ctx, f.orphanItem); err != nil {
		t.Errorf("bbolt orphan item: %v", err)
	}
	if _, err := p.Item(ctx, f.orphanItem); !errors.Is(err, modules.ErrNoRecord) {
		t.Errorf("PostgreSQL orphan item: %v", err)
	}
	for _, id := range f.items {
		w, werr := b.Item(ctx, id)
		g, gerr := p.Item(ctx, id)
		same("Item", w, g, werr, gerr)
	}
	for _, u := range f.users {
		w, werr := b.CoursesOf(ctx, u)
		g, gerr := p.CoursesOf(ctx, u)
		same("CoursesOf", w, g, werr, gerr)
	}
	for _, id := range f.invitations {
		w, werr := b.Invitation(ctx, id)
		g, gerr := p.Invitation(ctx, id)
		same("Invitation", w, g, werr, gerr)
	}
	for _, e := range f.emails {
		w, werr := b.InvitationsTo(ctx, e)
		g, gerr := p.InvitationsTo(ctx, e)
		same("InvitationsTo", w, g, werr, gerr)
	}
}
