package modules_test

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"pacer/markdown"
	"pacer/modules"
)

// Another process writing the same store is another Service with caches
// of its own: every cached value the server read before its write must
// show the write on the server's next request, although the server's
// caches were never told of it.
func TestCachesShowAnotherProcesssWrites(t *testing.T) {
	s := newSetup(t)
	srv := s.env.Server
	other := modules.NewService(srv.Tx, srv.Stores.Revisions, srv.Stores.Modules, srv.Auth, markdown.New(), nil)
	ctx := context.Background()
	item := fmt.Sprintf("/api/v1/courses/%d/items/%d", s.course, s.page1)
	title := func() any {
		t.Helper()
		r := s.env.Do("GET", item, s.stu.Token, nil)
		if r.Status != 200 {
			t.Fatalf("get item: %d %s", r.Status, r.Body)
		}
		return r.Map()["title"]
	}

	// Fill every cache: the structure and the membership (modules list),
	// the item and the progress (viewing completes page 1).
	title()
	if mods := s.modules(t, s.stu); mods[0].State != "completed" || mods[1].State != "open" {
		t.Fatalf("after viewing: %+v", mods)
	}

	// The structure and the item.
	changed := "Changed elsewhere"
	if _, err := other.UpdateItem(ctx, s.ins.ID, s.course, s.page1, modules.ItemInput{Title: &changed}); err != nil {
		t.Fatal(err)
	}
	if got := title(); got != changed {
		t.Fatalf("item title after another process's edit = %v", got)
	}
	week := "Week One"
	if _, err := other.UpdateModule(ctx, s.ins.ID, s.course, s.m1, modules.ModuleInput{Title: &week}); err != nil {
		t.Fatal(err)
	}
	if mods := s.modules(t, s.stu); mods[0].Title != week {
		t.Fatalf("modules after another process's edit: %+v", mods)
	}

	// The progress: a new item elsewhere, completed elsewhere.
	extra, err := other.CreateItem(ctx, s.ins.ID, s.course, s.m1, modules.ItemInput{Kind: ptr(modules.KindPage), Title: ptr("More")})
	if err != nil {
		t.Fatal(err)
	}
	if mods := s.modules(t, s.stu); mods[0].State != "open" || mods[1].State != "locked" {
		t.Fatalf("after another process added an item: %+v", mods)
	}
	if _, err := other.Complete(ctx, s.stu.ID, s.course, extra.ID); err != nil {
		t.Fatal(err)
	}
	if mods := s.modules(t, s.stu); mods[0].State != "completed" || mods[1].State != "open" {
		t.Fatalf("after another process completed the item: %+v", mods)
	}

	// The membership.
	if err := other.RemoveMember(ctx, s.course, s.ins.ID, s.stu.ID); err != nil {
		t.Fatal(err)
	}
	if r := s.env.Do("GET", fmt.Sprintf("/api/v1/courses/%d/modules", s.course), s.stu.Token, nil); r.Status != 404 {
		t.Fatalf("modules after another process removed the student: %d %s", r.Status, r.Body)
	}
}

// Roles come from a cache of roles by bucket of users: an enrolment, a
// change of role and a removal made by another process are all seen by
// the next read of a bucket the server keeps.
func TestRolesShowAnotherProcesssWrites(t *testing.T) {
	s := newSetup(t)
	srv := s.env.Server
	other := modules.NewService(srv.Tx, srv.Stores.Revisions, srv.Stores.Modules, srv.Auth, markdown.New(), nil)
	ctx := context.Background()
	newcomer := s.env.Register("Newcomer")
	people := []uint64{s.ins.ID, s.stu.ID, newcomer.ID}
	roles := func(want map[uint64]string) {
		t.Helper()
		got, err := srv.Courses.Roles(ctx, s.course, people)
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("roles = %v, %v; want %v", got, err, want)
		}
	}
	roles(map[uint64]string{s.ins.ID: modules.RoleInstructor, s.stu.ID: modules.RoleStudent})
	if _, err := other.Enroll(ctx, s.course, newcomer.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	roles(map[uint64]string{s.ins.ID: modules.RoleInstructor, s.stu.ID: modules.RoleStudent, newcomer.ID: modules.RoleStudent})
	if _, err := other.SetRole(ctx, s.course, s.ins.ID, s.stu.ID, modules.RoleTA, false); err != nil {
		t.Fatal(err)
	}
	roles(map[uint64]string{s.ins.ID: modules.RoleInstructor, s.stu.ID: modules.RoleTA, newcomer.ID: modules.RoleStudent})
	if err := other.RemoveMember(ctx, s.course, s.ins.ID, newcomer.ID); err != nil {
		t.Fatal(err)
	}
	roles(map[uint64]string{s.ins.ID: modules.RoleInstructor, s.stu.ID: modules.RoleTA})
}

func ptr[T any](v T) *T { return &v }
