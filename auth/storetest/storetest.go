// Package storetest is the contract of auth.Store: what every engine's
// implementation must do, checked the same way for each (the bbolt engine
// runs it in storage/bolt; the next engine runs it too).
package storetest

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"pacer/auth"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (auth.Store, txn.Runner)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("AddUser gives growing ids and keeps every field", func(t *testing.T) { addUser(t, open) })
	t.Run("an account is found by its address whatever its case", func(t *testing.T) { byEmail(t, open) })
	t.Run("a taken address is refused and nothing is stored", func(t *testing.T) { emailTaken(t, open) })
	t.Run("missing accounts are not found, and AnyUser sees the first", func(t *testing.T) { usersNotFound(t, open) })
	t.Run("PutUser replaces an account and Users lists all in id order", func(t *testing.T) { putAndList(t, open) })
	t.Run("UsersAmong reads the accounts that exist among ids", func(t *testing.T) { usersAmong(t, open) })
	t.Run("NamesBetween reads the names of the accounts in a range of ids", func(t *testing.T) { namesBetween(t, open) })
	t.Run("StartSession keeps the sign-in and its first refresh token", func(t *testing.T) { startSession(t, open) })
	t.Run("UserSession needs both the account and the sign-in", func(t *testing.T) { userSession(t, open) })
	t.Run("Revoke marks the sign-ins it finds, in the order given", func(t *testing.T) { revoke(t, open) })
	t.Run("RevokeUser revokes every sign-in of one account only", func(t *testing.T) { revokeUser(t, open) })
	t.Run("SessionIDs lists every sign-in of one account only, in id order", func(t *testing.T) { sessionIDs(t, open) })
	t.Run("Rotate marks the old token used and keeps the next", func(t *testing.T) { rotate(t, open) })
	t.Run("site settings are not found until saved", func(t *testing.T) { settings(t, open) })
	t.Run("a store joins the caller's transaction", func(t *testing.T) { joinsTransaction(t, open) })
	t.Run("work that failed can run again from the start", func(t *testing.T) { rerun(t, open) })
}

var at = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

var bg = context.Background()

func user(n int) auth.User {
	return auth.User{Email: string(rune('a'+n)) + "@example.test", Name: "User " + string(rune('A'+n)),
		PasswordHash: "$argon2id$hash", Timezone: "Europe/Paris", TokenGen: 1, CreatedAt: at.Add(time.Duration(n) * time.Minute)}
}

func addUser(t *testing.T, open Open) {
	s, _ := open(t)
	var last uint64
	for i := range 3 {
		in := user(i)
		in.IsAdmin, in.CanCreateCourses = i == 1, i == 2
		got, err := s.AddUser(bg, in)
		if err != nil {
			t.Fatalf("AddUser: %v", err)
		}
		if got.ID <= last {
			t.Fatalf("id %d after %d: ids must grow", got.ID, last)
		}
		last = got.ID
		in.ID = got.ID
		if got != in {
			t.Errorf("AddUser returned %+v, want %+v", got, in)
		}
		read := mustUser(t, s, got.ID)
		if !read.CreatedAt.Equal(in.CreatedAt) {
			t.Fatalf("read back created at %v, want %v", read.CreatedAt, in.CreatedAt)
		}
		read.CreatedAt = in.CreatedAt // the instant, whatever its location
		if read != in {
			t.Errorf("read back %+v, want %+v", read, in)
		}
	}
}

func mustUser(t *testing.T, s auth.Store, id uint64) auth.User {
	t.Helper()
	u, err := s.User(bg, id)
	if err != nil {
		t.Fatalf("User(%d): %v", id, err)
	}
	return u
}

func mustAdd(t *testing.T, s auth.Store, u auth.User) auth.User {
	t.Helper()
	got, err := s.AddUser(bg, u)
	if err != nil {
		t.Fatalf("AddUser(%s): %v", u.Email, err)
	}
	return got
}

func byEmail(t *testing.T, open Open) {
	s, _ := open(t)
	mustAdd(t, s, user(0))
	b := mustAdd(t, s, user(1))
	for _, addr := range []string{"b@example.test", "B@Example.TEST", "  b@example.test\t"} {
		got, err := s.UserByEmail(bg, addr)
		if err != nil || got.ID != b.ID {
			t.Errorf("UserByEmail(%q) = %d, %v; want %d", addr, got.ID, err, b.ID)
		}
	}
	for _, addr := range []string{"b@example.test", " B@Example.test"} {
		if id, err := s.UserIDByEmail(bg, addr); err != nil || id != b.ID {
			t.Errorf("UserIDByEmail(%q) = %d, %v; want %d", addr, id, err, b.ID)
		}
	}
	if _, err := s.UserByEmail(bg, "nobody@example.test"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("an address without an account: %v, want ErrNotFound", err)
	}
	if _, err := s.UserIDByEmail(bg, "nobody@example.test"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("the id of an address without an account: %v, want ErrNotFound", err)
	}
}

func emailTaken(t *testing.T, open Open) {
	s, _ := open(t)
	a := mustAdd(t, s, user(0))
	dup := user(1)
	dup.Email = "A@example.test"
	if _, err := s.AddUser(bg, dup); !errors.Is(err, auth.ErrEmailTaken) {
		t.Fatalf("a second account for the address: %v, want ErrEmailTaken", err)
	}
	users, err := s.Users(bg)
	if err != nil || len(users) != 1 {
		t.Fatalf("after a refused account there are %d accounts (%v), want 1", len(users), err)
	}
	if got, _ := s.UserByEmail(bg, "a@example.test"); got.ID != a.ID || got.Name != a.Name {
		t.Errorf("the address now finds %+v, want the first account", got)
	}
}

func usersNotFound(t *testing.T, open Open) {
	s, _ := open(t)
	if _, err := s.User(bg, 42); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("User of an empty store: %v, want ErrNotFound", err)
	}
	if some, err := s.AnyUser(bg); err != nil || some {
		t.Errorf("AnyUser of an empty store: %v, %v", some, err)
	}
	users, err := s.Users(bg)
	if err != nil || len(users) != 0 {
		t.Errorf("Users of an empty store: %v, %v", users, err)
	}
	mustAdd(t, s, user(0))
	if some, err := s.AnyUser(bg); err != nil || !some {
		t.Errorf("AnyUser with an account: %v, %v", some, err)
	}
}

func namesBetween(t *testing.T, open Open) {
	s, _ := open(t)
	var ids []uint64
	for i := range 5 {
		ids = append(ids, mustAdd(t, s, user(i)).ID)
	}
	got, err := s.NamesBetween(bg, ids[1], ids[3])
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]string{}
	for _, id := range ids[1:4] {
		want[id] = mustUser(t, s, id).Name
	}
	if !maps.Equal(got, want) {
		t.Errorf("NamesBetween(%d, %d) = %v, want %v (both ends included, nothing outside)", ids[1], ids[3], got, want)
	}
	if got, err := s.NamesBetween(bg, ids[4]+1, math.MaxUint64); err != nil || len(got) != 0 {
		t.Errorf("NamesBetween past the last account = %v, %v; want none", got, err)
	}
	if got, err := s.NamesBetween(bg, 0, math.MaxUint64); err != nil || len(got) != len(ids) {
		t.Errorf("NamesBetween(0, max) = %v, %v; want all %d", got, err, len(ids))
	}
}

func usersAmong(t *testing.T, open Open) {
	s, _ := open(t)
	var ids []uint64
	for i := range 4 {
		ids = append(ids, mustAdd(t, s, user(i)).ID)
	}
	missing := ids[3] + 100
	got, err := s.UsersAmong(bg, []uint64{ids[2], missing, ids[0], ids[2]})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("UsersAmong = %d accounts %v, want the two that exist", len(got), slices.Collect(maps.Keys(got)))
	}
	for _, id := range []uint64{ids[0], ids[2]} {
		if want := mustUser(t, s, id); got[id].ID != id || got[id].Email != want.Email || got[id].Name != want.Name {
			t.Errorf("UsersAmong[%d] = %+v, want %+v", id, got[id], want)
		}
	}
	if got, err := s.UsersAmong(bg, nil); err != nil || len(got) != 0 {
		t.Errorf("UsersAmong(none) = %v, %v; want none", got, err)
	}
}

func putAndList(t *testing.T, open Open) {
	s, _ := open(t)
	var ids []uint64
	for i := range 4 {
		ids = append(ids, mustAdd(t, s, user(i)).ID)
	}
	u := mustUser(t, s, ids[2])
	u.Name, u.Disabled, u.TokenGen, u.Timezone = "Renamed", true, 7, "UTC"
	if err := s.PutUser(bg, u); err != nil {
		t.Fatal(err)
	}
	if got := mustUser(t, s, ids[2]); got.Name != "Renamed" || !got.Disabled || got.TokenGen != 7 || got.Timezone != "UTC" {
		t.Errorf("after PutUser: %+v", got)
	}
	if got, err := s.UserByEmail(bg, u.Email); err != nil || got.Name != "Renamed" {
		t.Errorf("by address after PutUser: %+v, %v", got, err)
	}
	users, err := s.Users(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(ids) {
		t.Fatalf("Users lists %d, want %d", len(users), len(ids))
	}
	for i, u := range users {
		if u.ID != ids[i] {
			t.Errorf("Users[%d] is %d, want %d (id order)", i, u.ID, ids[i])
		}
	}
	if users[2].Name != "Renamed" {
		t.Errorf("Users shows %q, want the replaced account", users[2].Name)
	}
}

func hash(n byte) []byte {
	h := make([]byte, 32)
	for i := range h {
		h[i] = n
	}
	return h
}

func mustStart(t *testing.T, s auth.Store, user uint64, h []byte) auth.Session {
	t.Helper()
	sess, err := s.StartSession(bg, auth.Session{UserID: user, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}, h,
		auth.RefreshToken{UserID: user, ExpiresAt: at.Add(time.Hour)})
	if err != nil {
		t.Fatalf("StartSession: %v", err)
	}
	return sess
}

func startSession(t *testing.T, open Open) {
	s, _ := open(t)
	u := mustAdd(t, s, user(0))
	var last uint64
	for i := range 3 {
		sess := mustStart(t, s, u.ID, hash(byte(i+1)))
		if sess.ID <= last {
			t.Fatalf("session id %d after %d: ids must grow", sess.ID, last)
		}
		last = sess.ID
		got, err := s.Session(bg, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != sess.ID || got.UserID != u.ID || !got.CreatedAt.Equal(at) || !got.ExpiresAt.Equal(at.Add(time.Hour)) || got.Revoked {
			t.Errorf("Session(%d) = %+v", sess.ID, got)
		}
		tok, err := s.RefreshToken(bg, hash(byte(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		if tok.Session != sess.ID || tok.UserID != u.ID || tok.Used || !tok.ExpiresAt.Equal(at.Add(time.Hour)) {
			t.Errorf("first refresh token of session %d = %+v", sess.ID, tok)
		}
	}
	if _, err := s.Session(bg, last+1); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a missing session: %v, want ErrNotFound", err)
	}
	if _, err := s.RefreshToken(bg, hash(99)); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a missing refresh token: %v, want ErrNotFound", err)
	}
}

func userSession(t *testing.T, open Open) {
	s, _ := open(t)
	u := mustAdd(t, s, user(0))
	sess := mustStart(t, s, u.ID, hash(1))
	gu, gs, err := s.UserSession(bg, u.ID, sess.ID)
	if err != nil || gu.ID != u.ID || gu.Email != u.Email || gs.ID != sess.ID || gs.UserID != u.ID {
		t.Errorf("UserSession = %+v, %+v, %v", gu, gs, err)
	}
	if _, _, err := s.UserSession(bg, u.ID+1, sess.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a missing account: %v, want ErrNotFound", err)
	}
	if _, _, err := s.UserSession(bg, u.ID, sess.ID+1); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a missing session: %v, want ErrNotFound", err)
	}
}

func revoked(t *testing.T, s auth.Store, id uint64) bool {
	t.Helper()
	sess, err := s.Session(bg, id)
	if err != nil {
		t.Fatalf("Session(%d): %v", id, err)
	}
	return sess.Revoked
}

func revoke(t *testing.T, open Open) {
	s, _ := open(t)
	u := mustAdd(t, s, user(0))
	a, b, c := mustStart(t, s, u.ID, hash(1)), mustStart(t, s, u.ID, hash(2)), mustStart(t, s, u.ID, hash(3))
	got, err := s.Revoke(bg, []uint64{c.ID, 999, a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != c.ID || got[1] != a.ID {
		t.Errorf("Revoke found %v, want [%d %d]", got, c.ID, a.ID)
	}
	if !revoked(t, s, a.ID) || revoked(t, s, b.ID) || !revoked(t, s, c.ID) {
		t.Error("Revoke changed other sessions than those given")
	}
	if got, err := s.Revoke(bg, []uint64{a.ID}); err != nil || len(got) != 1 {
		t.Errorf("revoking a revoked session again: %v, %v; want it found", got, err)
	}
	if got, err := s.Revoke(bg, nil); err != nil || len(got) != 0 {
		t.Errorf("revoking nothing: %v, %v", got, err)
	}
}

func revokeUser(t *testing.T, open Open) {
	s, _ := open(t)
	u, v := mustAdd(t, s, user(0)), mustAdd(t, s, user(1))
	a, b := mustStart(t, s, u.ID, hash(1)), mustStart(t, s, u.ID, hash(2))
	other := mustStart(t, s, v.ID, hash(3))
	if _, err := s.Revoke(bg, []uint64{a.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeUser(bg, u.ID); err != nil {
		t.Fatal(err)
	}
	if !revoked(t, s, a.ID) || !revoked(t, s, b.ID) {
		t.Error("a sign-in of the account is still valid")
	}
	if revoked(t, s, other.ID) {
		t.Error("another account's sign-in was revoked")
	}
	if err := s.RevokeUser(bg, 999); err != nil {
		t.Errorf("an account without sign-ins: %v", err)
	}
}

func sessionIDs(t *testing.T, open Open) {
	s, _ := open(t)
	u := mustAdd(t, s, user(0))
	v := mustAdd(t, s, user(1))
	if got, err := s.SessionIDs(bg, u.ID); err != nil || len(got) != 0 {
		t.Fatalf("an account without sign-ins: %v, %v", got, err)
	}
	a := mustStart(t, s, u.ID, hash(1))
	mustStart(t, s, v.ID, hash(2))
	b := mustStart(t, s, u.ID, hash(3))
	if _, err := s.Revoke(bg, []uint64{a.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionIDs(bg, u.ID)
	if err != nil || len(got) != 2 || got[0] != a.ID || got[1] != b.ID {
		t.Errorf("SessionIDs = %v, %v; want [%d %d]", got, err, a.ID, b.ID)
	}
}

func rotate(t *testing.T, open Open) {
	s, _ := open(t)
	u := mustAdd(t, s, user(0))
	sess := mustStart(t, s, u.ID, hash(1))
	next := auth.RefreshToken{Session: sess.ID, UserID: u.ID, ExpiresAt: at.Add(time.Hour)}
	if err := s.Rotate(bg, hash(1), hash(2), next); err != nil {
		t.Fatal(err)
	}
	old, err := s.RefreshToken(bg, hash(1))
	if err != nil || !old.Used || old.Session != sess.ID || old.UserID != u.ID || !old.ExpiresAt.Equal(at.Add(time.Hour)) {
		t.Errorf("the rotated token = %+v, %v; want it used and otherwise unchanged", old, err)
	}
	got, err := s.RefreshToken(bg, hash(2))
	if err != nil || got.Used || got.Session != sess.ID || got.UserID != u.ID || !got.ExpiresAt.Equal(next.ExpiresAt) {
		t.Errorf("the next token = %+v, %v", got, err)
	}
	if err := s.Rotate(bg, hash(9), hash(10), next); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("rotating a missing token: %v, want ErrNotFound", err)
	}
	if _, err := s.RefreshToken(bg, hash(10)); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("a failed rotation kept its next token: %v", err)
	}
}

func settings(t *testing.T, open Open) {
	s, _ := open(t)
	if _, err := s.SiteSettings(bg); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("settings never saved: %v, want ErrNotFound", err)
	}
	for _, want := range []string{auth.CreationCreators, auth.CreationAnyone} {
		if err := s.PutSiteSettings(bg, auth.SiteSettings{CourseCreation: want}); err != nil {
			t.Fatal(err)
		}
		got, err := s.SiteSettings(bg)
		if err != nil || got.CourseCreation != want {
			t.Errorf("after saving %q: %+v, %v", want, got, err)
		}
	}
}

var errAbort = errors.New("abort")

func joinsTransaction(t *testing.T, open Open) {
	s, run := open(t)
	err := run.Write(bg, func(ctx context.Context) error {
		u, err := s.AddUser(ctx, user(0))
		if err != nil {
			return err
		}
		if _, err := s.UserByEmail(ctx, u.Email); err != nil {
			t.Errorf("inside the transaction the new account is not found: %v", err)
		}
		sess, err := s.StartSession(ctx, auth.Session{UserID: u.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}, hash(1), auth.RefreshToken{UserID: u.ID})
		if err != nil {
			return err
		}
		if _, _, err := s.UserSession(ctx, u.ID, sess.ID); err != nil {
			t.Errorf("inside the transaction the new sign-in is not found: %v", err)
		}
		if err := s.PutSiteSettings(ctx, auth.SiteSettings{CourseCreation: auth.CreationCreators}); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	if users, _ := s.Users(bg); len(users) != 0 {
		t.Errorf("an aborted transaction left %d accounts", len(users))
	}
	if some, _ := s.AnyUser(bg); some {
		t.Error("an aborted transaction left AnyUser true")
	}
	if _, err := s.RefreshToken(bg, hash(1)); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("an aborted transaction left a refresh token: %v", err)
	}
	if _, err := s.SiteSettings(bg); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("an aborted transaction left site settings: %v", err)
	}
}

func rerun(t *testing.T, open Open) {
	s, run := open(t)
	attempts := 0
	work := func(ctx context.Context) error {
		attempts++
		u, err := s.AddUser(ctx, user(0))
		if err != nil {
			return err
		}
		if _, err := s.StartSession(ctx, auth.Session{UserID: u.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}, hash(1), auth.RefreshToken{UserID: u.ID}); err != nil {
			return err
		}
		if attempts == 1 {
			return errAbort // as a conflict would make an engine retry
		}
		return nil
	}
	if err := run.Write(bg, work); !errors.Is(err, errAbort) {
		t.Fatalf("first attempt: %v", err)
	}
	if err := run.Write(bg, work); err != nil {
		t.Fatalf("second attempt: %v (the first left its address taken?)", err)
	}
	users, err := s.Users(bg)
	if err != nil || len(users) != 1 {
		t.Fatalf("after a failed and a good attempt there are %d accounts, want 1", len(users))
	}
	tok, err := s.RefreshToken(bg, hash(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UserSession(bg, users[0].ID, tok.Session); err != nil {
		t.Errorf("the kept refresh token's sign-in: %v", err)
	}
}
