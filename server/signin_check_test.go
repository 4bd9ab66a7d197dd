package server_test

import (
	"fmt"
	"testing"

	"pacer/pacertest"
)

// A request's check of its token may go with its first statement instead
// of before it (PostgreSQL); it is answered all the same as if it had been
// checked first: a token signed out a moment before writes nothing and is
// 401, and one whose sign-in changed otherwise (a new name) is served once,
// as its account is now.
func TestATokenIsCheckedBeforeAnythingItWrites(t *testing.T) {
	e := pacertest.New(t)
	ins := e.Register("Ada")
	course := e.Course(ins, nil)
	modules := fmt.Sprintf("/api/v1/courses/%d/modules", course)
	titles := func(u pacertest.User) map[string]int {
		t.Helper()
		r := e.Do("GET", modules, u.Token, nil)
		if r.Status != 200 {
			t.Fatalf("modules: %d %s", r.Status, r.Body)
		}
		var page struct {
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
		}
		r.Decode(&page)
		out := map[string]int{}
		for _, m := range page.Items {
			out[m.Title]++
		}
		return out
	}
	titles(ins) // the sign-in's check is cached from here on

	if r := e.Do("PATCH", "/api/v1/me", ins.Token, map[string]any{"name": "Ada Lovelace"}); r.Status != 200 {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", modules, ins.Token, map[string]any{"title": "After the rename"}); r.Status != 201 {
		t.Fatalf("write after a rename: %d %s", r.Status, r.Body)
	}
	r := e.Do("GET", "/api/v1/me", ins.Token, nil)
	if r.Status != 200 || r.Map()["name"] != "Ada Lovelace" {
		t.Fatalf("me after the rename: %d %s", r.Status, r.Body)
	}

	if r := e.Do("POST", "/api/v1/auth/logout", ins.Token, map[string]any{"refresh_token": ins.Refresh}); r.Status != 204 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", modules, ins.Token, map[string]any{"title": "After the logout"}); r.Status != 401 {
		t.Fatalf("write after the logout: %d %s, want 401", r.Status, r.Body)
	}
	if r := e.Do("GET", modules, ins.Token, nil); r.Status != 401 {
		t.Fatalf("read after the logout: %d %s, want 401", r.Status, r.Body)
	}
	got := titles(e.Login(ins))
	if got["After the rename"] != 1 || got["After the logout"] != 0 {
		t.Fatalf("modules stored: %v; want the one after the rename once, none after the logout", got)
	}
}
