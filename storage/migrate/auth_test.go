package migrate_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"pacer/auth"
	"pacer/storage"
	"pacer/storage/bolt"
	"pacer/storage/migrate"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

// authClock is the instant both services see: already in UTC and to the
// microsecond, as PostgreSQL keeps it.
var authClock = time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)

// authService is the account service over one engine's store, with the
// same key on both engines, so that tokens issued before the copy are
// accepted after it.
func authService(t *testing.T, tx txn.Runner, store auth.Store) *auth.Service {
	t.Helper()
	key := []byte("a signing key of thirty-two bytes or more, for the copy test")
	svc, err := auth.NewService(key, auth.Config{Tx: tx, Store: store,
		Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}}, func() time.Time { return authClock })
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// authSame fails unless both engines answered the same, errors included
// (compared by text, which names the same sentinel on both). Values that
// come with an error are not compared: the contract says nothing of them.
func authSame(t *testing.T, what string, b, p any, berr, perr error) {
	t.Helper()
	if fmt.Sprint(berr) != fmt.Sprint(perr) {
		t.Errorf("%s: bbolt's error %v, PostgreSQL's %v", what, berr, perr)
		return
	}
	if berr != nil {
		return
	}
	if !reflect.DeepEqual(b, p) {
		t.Errorf("%s:\n bbolt      %+v\n PostgreSQL %+v", what, b, p)
	}
}

func TestAuthCopy(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	bstore := bolt.NewAuth(db)
	bsvc := authService(t, db, bstore)

	// Accounts through the service (hashed passwords, token generation 1)
	// and through the store (every field set, words outside ASCII).
	alice, err := bsvc.Register(ctx, auth.NewUser{Email: "  Alice@Example.TEST ", Password: "correct horse battery", Name: "Alice Ångström"})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := bsvc.Register(ctx, auth.NewUser{Email: "bob@example.test", Password: "another good password", Name: "Bob"})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := bsvc.CreateUser(ctx, auth.NewUser{Email: "root@example.test", Password: "administrator pass", Name: "Root"}, true)
	if err != nil {
		t.Fatal(err)
	}
	odd, err := bstore.AddUser(ctx, auth.User{Email: "Zoë.Łukasz@Exämple.test", Name: "Zoë 「テスト」 \"quoted\" \\ 🎓",
		PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", Disabled: true, CanCreateCourses: true,
		Timezone: "Pacific/Chatham", TokenGen: 7, CreatedAt: authClock.Add(-48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := bstore.AddUser(ctx, auth.User{Email: "e@example.test"}) // every other field empty, a zero instant
	if err != nil {
		t.Fatal(err)
	}

	// Alice's family rotates twice: a0 and a1 are used, a2 is current.
	a0 := alice.RefreshToken
	a1t, err := bsvc.Refresh(ctx, a0, "")
	if err != nil {
		t.Fatal(err)
	}
	a2t, err := bsvc.Refresh(ctx, a1t.RefreshToken, "")
	if err != nil {
		t.Fatal(err)
	}
	a1, a2 := a1t.RefreshToken, a2t.RefreshToken
	// Bob signs in twice more and logs one of them out (revoked); his
	// first sign-in is replayed and so revoked too.
	b1, _, err := bsvc.Login(ctx, "BOB@example.test", "another good password")
	if err != nil {
		t.Fatal(err)
	}
	b2, _, err := bsvc.Login(ctx, "bob@example.test", "another good password")
	if err != nil {
		t.Fatal(err)
	}
	if err := bsvc.Logout(ctx, b2.RefreshToken, nil); err != nil {
		t.Fatal(err)
	}
	b0next, err := bsvc.Refresh(ctx, bob.RefreshToken, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bsvc.Refresh(ctx, bob.RefreshToken, ""); err == nil {
		t.Fatal("a replayed token was accepted")
	}
	// A sign-in started through the store, under a hash with zero bytes
	// and an expired token; and one of the disabled account revoked with
	// all of its account's.
	rawHash := append([]byte{0, 0, 0xff}, make([]byte, 29)...)
	if _, err := bstore.StartSession(ctx, auth.Session{UserID: odd.ID, CreatedAt: authClock.Add(-40 * 24 * time.Hour),
		ExpiresAt: authClock.Add(-10 * 24 * time.Hour)}, rawHash, auth.RefreshToken{UserID: odd.ID, ExpiresAt: authClock.Add(-10 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := bstore.RevokeUser(ctx, odd.ID); err != nil {
		t.Fatal(err)
	}
	if err := bstore.PutSiteSettings(ctx, auth.SiteSettings{CourseCreation: auth.CreationCreators}); err != nil {
		t.Fatal(err)
	}

	pg := pgtest.Open(t)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "auth", From: bstore, To: postgres.NewAuth(pg)}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"auth/users": 5, "auth/sessions": 5, "auth/refresh_tokens": 8, "auth/site_settings": 1}
	if !reflect.DeepEqual(rep.Copied, want) {
		t.Errorf("copied %v, want %v", rep.Copied, want)
	}
	pstore := postgres.NewAuth(pg)
	psvc := authService(t, pg, pstore)

	// Every read of the store answers the same on both engines.
	bu, berr := bstore.Users(ctx)
	pu, perr := pstore.Users(ctx)
	authSame(t, "Users", bu, pu, berr, perr)
	if len(bu) != 5 {
		t.Fatalf("%d accounts on bbolt", len(bu))
	}
	for _, u := range bu {
		b, berr := bstore.User(ctx, u.ID)
		p, perr := pstore.User(ctx, u.ID)
		authSame(t, fmt.Sprint("User ", u.ID), b, p, berr, perr)
		for _, addr := range []string{u.Email, " " + u.Email + " "} {
			b, berr := bstore.UserByEmail(ctx, addr)
			p, perr := pstore.UserByEmail(ctx, addr)
			authSame(t, "UserByEmail "+addr, b, p, berr, perr)
			bid, berr := bstore.UserIDByEmail(ctx, addr)
			pid, perr := pstore.UserIDByEmail(ctx, addr)
			authSame(t, "UserIDByEmail "+addr, bid, pid, berr, perr)
		}
		bs, berr := bstore.SessionIDs(ctx, u.ID)
		ps, perr := pstore.SessionIDs(ctx, u.ID)
		authSame(t, fmt.Sprint("SessionIDs ", u.ID), bs, ps, berr, perr)
	}
	for _, addr := range []string{"alice@example.test", "ALICE@EXAMPLE.TEST", "zoë.łukasz@exämple.test", "nobody@example.test"} {
		b, berr := bstore.UserByEmail(ctx, addr)
		p, perr := pstore.UserByEmail(ctx, addr)
		authSame(t, "UserByEmail "+addr, b, p, berr, perr)
	}
	if p, err := pstore.User(ctx, admin.ID); err != nil || !p.IsAdmin {
		t.Errorf("the administrator on PostgreSQL: %+v %v", p, err)
	}
	if ids, _ := pstore.SessionIDs(ctx, empty.ID); ids != nil {
		t.Errorf("an account without sign-ins lists %v on PostgreSQL", ids)
	}
	for sid := uint64(0); sid <= 6; sid++ {
		b, berr := bstore.Session(ctx, sid)
		p, perr := pstore.Session(ctx, sid)
		authSame(t, fmt.Sprint("Session ", sid), b, p, berr, perr)
		for _, uid := range []uint64{alice.User.ID, bob.User.ID, odd.ID, 99} {
			bu, bs, berr := bstore.UserSession(ctx, uid, sid)
			pu, ps, perr := pstore.UserSession(ctx, uid, sid)
			authSame(t, fmt.Sprint("UserSession ", uid, " ", sid), [2]any{bu, bs}, [2]any{pu, ps}, berr, perr)
		}
	}
	hashes := [][]byte{rawHash, make([]byte, 32)}
	for _, tok := range []string{a0, a1, a2, bob.RefreshToken, b0next.RefreshToken, b1.RefreshToken, b2.RefreshToken} {
		h := sha256.Sum256([]byte(tok))
		hashes = append(hashes, h[:])
	}
	for i, h := range hashes {
		b, berr := bstore.RefreshToken(ctx, h)
		p, perr := pstore.RefreshToken(ctx, h)
		authSame(t, fmt.Sprint("RefreshToken ", i), b, p, berr, perr)
	}
	bst, berr := bstore.SiteSettings(ctx)
	pst, perr := pstore.SiteSettings(ctx)
	authSame(t, "SiteSettings", bst, pst, berr, perr)
	bany, berr := bstore.AnyUser(ctx)
	pany, perr := pstore.AnyUser(ctx)
	authSame(t, "AnyUser", bany, pany, berr, perr)

	// The families go on the same way on both engines: access tokens
	// issued before the copy are accepted, the current token rotates, a
	// used one revokes its sign-in, and a password still signs in.
	for _, access := range []string{alice.AccessToken, a2t.AccessToken, b1.AccessToken, b2.AccessToken} {
		b, berr := bsvc.Authenticate(ctx, access)
		p, perr := psvc.Authenticate(ctx, access)
		authSame(t, "Authenticate", b, p, berr, perr)
	}
	bnext, berr := bsvc.Refresh(ctx, a2, "")
	pnext, perr := psvc.Refresh(ctx, a2, "")
	if berr != nil || perr != nil {
		t.Fatalf("the current token of a copied family does not rotate: bbolt %v, PostgreSQL %v", berr, perr)
	}
	authSame(t, "Refresh's sign-in", [2]any{bnext.Session(), bnext.User}, [2]any{pnext.Session(), pnext.User}, nil, nil)
	bb1, berr := bsvc.Refresh(ctx, b1.RefreshToken, "")
	pb1, perr := psvc.Refresh(ctx, b1.RefreshToken, "")
	if berr != nil || perr != nil {
		t.Fatalf("Bob's current token does not rotate: bbolt %v, PostgreSQL %v", berr, perr)
	}
	authSame(t, "Bob's Refresh", [2]any{bb1.Session(), bb1.User}, [2]any{pb1.Session(), pb1.User}, nil, nil)
	for _, tok := range []string{a2, a0, b2.RefreshToken, bob.RefreshToken, "never issued"} {
		_, berr := bsvc.Refresh(ctx, tok, "")
		_, perr := psvc.Refresh(ctx, tok, "")
		if berr == nil || perr == nil {
			t.Errorf("a token that must not rotate did: bbolt %v, PostgreSQL %v", berr, perr)
		}
		authSame(t, "Refresh", nil, nil, berr, perr)
	}
	for _, sid := range []uint64{alice.Session(), bob.Session(), b1.Session(), b2.Session()} {
		b, berr := bstore.Session(ctx, sid)
		p, perr := pstore.Session(ctx, sid)
		authSame(t, fmt.Sprint("Session after the replays ", sid), b, p, berr, perr)
		if b.Revoked != (sid != b1.Session()) {
			t.Errorf("sign-in %d revoked: %v", sid, b.Revoked)
		}
	}
	// Tokens issued after the copy differ between the engines; each is
	// read on its own.
	for _, tok := range [][2]string{{a0, a0}, {a1, a1}, {a2, a2}, {b1.RefreshToken, b1.RefreshToken},
		{bnext.RefreshToken, pnext.RefreshToken}, {bb1.RefreshToken, pb1.RefreshToken}} {
		bh, ph := sha256.Sum256([]byte(tok[0])), sha256.Sum256([]byte(tok[1]))
		b, berr := bstore.RefreshToken(ctx, bh[:])
		p, perr := pstore.RefreshToken(ctx, ph[:])
		authSame(t, "RefreshToken after the rotations", b, p, berr, perr)
	}
	// The token Alice's replay revoked no longer rotates either.
	_, berr = bsvc.Refresh(ctx, bnext.RefreshToken, "")
	_, perr = psvc.Refresh(ctx, pnext.RefreshToken, "")
	authSame(t, "Refresh of a revoked sign-in", nil, nil, berr, perr)
	if perr == nil {
		t.Error("a token of a revoked sign-in rotated on PostgreSQL")
	}
	_, bl, berr := bsvc.Login(ctx, "alice@example.test", "correct horse battery")
	_, pl, perr := psvc.Login(ctx, "alice@example.test", "correct horse battery")
	authSame(t, "Login", bl, pl, berr, perr)

	// Ids given after the copy come past the copied ones.
	u, err := pstore.AddUser(ctx, auth.User{Email: "new@example.test", CreatedAt: authClock})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID <= empty.ID {
		t.Errorf("a new account got id %d, not past %d", u.ID, empty.ID)
	}
	sess, err := pstore.StartSession(ctx, auth.Session{UserID: u.ID, CreatedAt: authClock, ExpiresAt: authClock}, []byte("new"), auth.RefreshToken{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if sess.ID <= 5 {
		t.Errorf("a new sign-in got id %d, not past the 5 copied", sess.ID)
	}
}

// TestAuthCopyEmpty copies a store that never held anything: no account,
// and no site settings, which stay unsaved rather than becoming defaults.
func TestAuthCopyEmpty(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	pg := pgtest.Open(t)
	bstore, pstore := bolt.NewAuth(db), postgres.NewAuth(pg)
	rep, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "auth", From: bstore, To: pstore}}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total() != 0 {
		t.Errorf("copied %v from an empty store", rep.Copied)
	}
	_, err = pstore.SiteSettings(ctx)
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("site settings never saved read %v on PostgreSQL", err)
	}
	if some, err := pstore.AnyUser(ctx); some || err != nil {
		t.Errorf("AnyUser on PostgreSQL: %v %v", some, err)
	}
}

// TestAuthCopyRefusesABrokenAddressIndex copies an account its address
// does not find on bbolt: copied, it would be found by it on PostgreSQL,
// so the copy stops and leaves the target empty.
func TestAuthCopyRefusesABrokenAddressIndex(t *testing.T) {
	ctx := context.Background()
	db := openBolt(t)
	bstore := bolt.NewAuth(db)
	for _, addr := range []string{"a@example.test", "lost@example.test"} {
		if _, err := bstore.AddUser(ctx, auth.User{Email: addr, CreatedAt: authClock}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Update(func(tx *storage.Tx) error {
		return tx.Delete(storage.UsersByEmail, storage.EmailKey("lost@example.test"))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := bstore.UserByEmail(ctx, "lost@example.test"); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("the address without its index entry reads %v on bbolt", err)
	}
	pg := pgtest.Open(t)
	_, err := migrate.Copy(ctx, pg, []migrate.Owner{{Name: "auth", From: bstore, To: postgres.NewAuth(pg)}}, nil, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "address index") {
		t.Fatalf("the copy of a broken address index: %v", err)
	}
	if full, err := pg.NonEmptyTables(ctx); err != nil || len(full) > 0 {
		t.Errorf("a failed copy left rows in %v (%v)", full, err)
	}
}
