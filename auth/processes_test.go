package auth_test

import (
	"context"
	"testing"

	"pacer/auth"
	"pacer/pacertest"
)

// Two account services over one store stand for two processes: each keeps
// its own caches, and only the store's revisions tell one of the other's
// writes.
func twoProcesses(t *testing.T) (a, b *auth.Service, store auth.Store) {
	t.Helper()
	// The application's store, on whichever engine the run uses; the two
	// services below are the test's own.
	srv := pacertest.New(t).Server
	store = srv.Stores.Auth
	key := []byte("a signing key of at least thirty-two bytes")
	open := func() *auth.Service {
		svc, err := auth.NewService(key, auth.Config{Tx: srv.Tx, Store: store, Revisions: srv.Stores.Revisions,
			Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	return open(), open(), store
}

var bg = context.Background()

func signUp(t *testing.T, svc *auth.Service, name string) auth.Tokens {
	t.Helper()
	tok, err := svc.Register(bg, auth.NewUser{Email: name + "@example.test", Password: "correct horse battery", Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// authenticates asserts that svc accepts token (and returns who it names),
// or refuses it when want is false.
func authenticates(t *testing.T, svc *auth.Service, token string, want bool) *auth.Identity {
	t.Helper()
	id, err := svc.Authenticate(bg, token)
	if want && err != nil {
		t.Fatalf("the token is refused: %v", err)
	}
	if !want && err == nil {
		t.Fatalf("the token still works, for %+v", id)
	}
	return id
}

func TestAnotherProcessSeesAnAccountChangeAtOnce(t *testing.T) {
	a, b, _ := twoProcesses(t)
	ann := signUp(t, a, "ann")
	// b checks the token and reads the name, and keeps both.
	if id := authenticates(t, b, ann.AccessToken, true); id.Name != "ann" || id.Timezone != "UTC" {
		t.Fatalf("b sees %+v", id)
	}
	names := func() (string, error) {
		got, err := b.Names(bg, []uint64{ann.User.ID})
		return got[ann.User.ID], err
	}
	if n, err := names(); err != nil || n != "ann" {
		t.Fatalf("b's name = %q, %v", n, err)
	}

	name, zone := "Ann B", "Europe/Berlin"
	if _, _, err := a.UpdateMe(bg, ann.User.ID, auth.Update{Name: &name, Timezone: &zone}, ""); err != nil {
		t.Fatal(err)
	}
	if id := authenticates(t, b, ann.AccessToken, true); id.Name != name || id.Timezone != zone {
		t.Errorf("after a's change b sees %+v", id)
	}
	if n, err := names(); err != nil || n != name {
		t.Errorf("after a's change b's name = %q, %v", n, err)
	}
}

func TestAnotherProcessShutsADisabledAccountOutAtOnce(t *testing.T) {
	a, b, _ := twoProcesses(t)
	admin := signUp(t, a, "admin")
	ann := signUp(t, a, "ann")
	authenticates(t, b, ann.AccessToken, true)

	yes := true
	if _, err := a.AdminUpdate(bg, admin.User.ID, ann.User.ID, auth.AdminUpdate{Disabled: &yes}, ""); err != nil {
		t.Fatal(err)
	}
	authenticates(t, b, ann.AccessToken, false)
	authenticates(t, b, admin.AccessToken, true)
}

func TestAnotherProcessEndsALoggedOutSignInAtOnce(t *testing.T) {
	a, b, _ := twoProcesses(t)
	ann := signUp(t, a, "ann")
	other, _, err := a.Login(bg, "ann@example.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	authenticates(t, b, ann.AccessToken, true)
	authenticates(t, b, other.AccessToken, true)

	caller := authenticates(t, a, ann.AccessToken, true)
	if err := a.Logout(bg, ann.RefreshToken, caller); err != nil {
		t.Fatal(err)
	}
	authenticates(t, b, ann.AccessToken, false)
	authenticates(t, b, other.AccessToken, true) // another sign-in stays

	// Logging out by the refresh token alone (a page's sign-out).
	if err := a.Logout(bg, other.RefreshToken, nil); err != nil {
		t.Fatal(err)
	}
	authenticates(t, b, other.AccessToken, false)
}

func TestAnotherProcessEndsEverySignInOfAChangedPasswordAtOnce(t *testing.T) {
	a, b, _ := twoProcesses(t)
	ann := signUp(t, a, "ann")
	other, _, err := a.Login(bg, "ann@example.test", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	authenticates(t, b, ann.AccessToken, true)
	authenticates(t, b, other.AccessToken, true)

	pw, current := "a brand new secret", "correct horse battery"
	if _, _, err := a.UpdateMe(bg, ann.User.ID, auth.Update{Password: &pw, CurrentPassword: &current}, ""); err != nil {
		t.Fatal(err)
	}
	authenticates(t, b, ann.AccessToken, false)
	authenticates(t, b, other.AccessToken, false)
}

func TestAnotherProcessEndsTheSignInOfAReusedRefreshTokenAtOnce(t *testing.T) {
	a, b, _ := twoProcesses(t)
	ann := signUp(t, a, "ann")
	next, err := a.Refresh(bg, ann.RefreshToken, "")
	if err != nil {
		t.Fatal(err)
	}
	authenticates(t, b, next.AccessToken, true)
	if _, err := a.Refresh(bg, ann.RefreshToken, ""); err == nil {
		t.Fatal("a reused refresh token was accepted")
	}
	authenticates(t, b, next.AccessToken, false)
}

// The tests above would pass without any cache: this one shows that b
// does keep the check, by changing an account behind the service's back,
// without the bump every write of the service makes.
func TestTheCheckIsKeptUntilItsRevisionChanges(t *testing.T) {
	a, b, store := twoProcesses(t)
	ann := signUp(t, a, "ann")
	authenticates(t, b, ann.AccessToken, true)
	u, err := store.User(bg, ann.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	u.Name = "unbumped"
	if err := store.PutUser(bg, u); err != nil {
		t.Fatal(err)
	}
	if id := authenticates(t, b, ann.AccessToken, true); id.Name != "ann" {
		t.Fatalf("b read the account again (%q): its check was not kept", id.Name)
	}
	// a never cached the check: it reads the store.
	if id := authenticates(t, a, ann.AccessToken, true); id.Name != "unbumped" {
		t.Fatalf("a sees %q", id.Name)
	}
}

// Names comes from a cache of names by bucket of ids: once another
// process added an account to a bucket b keeps, or renamed one in it, b's
// next Names says so.
func TestAnotherProcessSeesNamesAddedAndChangedAtOnce(t *testing.T) {
	a, b, _ := twoProcesses(t)
	ann := signUp(t, a, "ann")
	if got, err := b.Names(bg, []uint64{ann.User.ID, ann.User.ID + 1}); err != nil || len(got) != 1 || got[ann.User.ID] != "ann" {
		t.Fatalf("b's names = %v, %v; want ann alone", got, err)
	}
	// The next account's id is in the same bucket as ann's (the first
	// 1,024 ids share one), which b now keeps.
	bob := signUp(t, a, "bob")
	got, err := b.Names(bg, []uint64{ann.User.ID, bob.User.ID})
	if err != nil || got[ann.User.ID] != "ann" || got[bob.User.ID] != "bob" {
		t.Fatalf("after a added bob, b's names = %v, %v", got, err)
	}
	name := "Ann B"
	if _, _, err := a.UpdateMe(bg, ann.User.ID, auth.Update{Name: &name}, ""); err != nil {
		t.Fatal(err)
	}
	got, err = b.Names(bg, []uint64{bob.User.ID, ann.User.ID})
	if err != nil || got[ann.User.ID] != name || got[bob.User.ID] != "bob" {
		t.Fatalf("after a renamed ann, b's names = %v, %v", got, err)
	}
}
