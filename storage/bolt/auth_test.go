package bolt_test

import (
	"context"
	"testing"

	"pacer/auth"
	authstore "pacer/auth/storetest"
	"pacer/storage"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestAuthStore(t *testing.T) {
	authstore.Run(t, func(t *testing.T) (auth.Store, txn.Runner) {
		db := open(t)
		return bolt.NewAuth(db), db
	})
}

// auth's *Tx bridges read the store's keys themselves (see auth/bridge.go):
// what the store writes, they must read.
func TestAuthBridgesReadWhatTheStoreWrites(t *testing.T) {
	db := open(t)
	s := bolt.NewAuth(db)
	ctx := context.Background()
	view := func(fn func(tx *storage.Tx)) {
		t.Helper()
		if err := db.View(func(tx *storage.Tx) error { fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	view(func(tx *storage.Tx) {
		if st, err := auth.SiteSettingsTx(tx); err != nil || st != auth.DefaultSiteSettings() {
			t.Errorf("SiteSettingsTx before any were saved: %+v, %v", st, err)
		}
	})
	u, err := s.AddUser(ctx, auth.User{Email: "ann@example.test", Name: "Ann", CanCreateCourses: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.AddUser(ctx, auth.User{Email: "bob@example.test", Name: "Bob"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutSiteSettings(ctx, auth.SiteSettings{CourseCreation: auth.CreationCreators}); err != nil {
		t.Fatal(err)
	}
	view(func(tx *storage.Tx) {
		if id := auth.ByEmailTx(tx, " Ann@Example.test"); id != u.ID {
			t.Errorf("ByEmailTx = %d, want %d", id, u.ID)
		}
		if id := auth.ByEmailTx(tx, "nobody@example.test"); id != 0 {
			t.Errorf("ByEmailTx of an unknown address = %d, want 0", id)
		}
		if got, err := auth.LookupTx(tx, u.ID); err != nil || got.Name != "Ann" {
			t.Errorf("LookupTx = %+v, %v", got, err)
		}
		if st, err := auth.SiteSettingsTx(tx); err != nil || st.CourseCreation != auth.CreationCreators {
			t.Errorf("SiteSettingsTx = %+v, %v", st, err)
		}
		if ok, err := auth.MayCreateCoursesTx(tx, u.ID); err != nil || !ok {
			t.Errorf("a granted user may not create courses: %v", err)
		}
		if ok, err := auth.MayCreateCoursesTx(tx, other.ID); err != nil || ok {
			t.Errorf("an ungranted user may create courses under creators: %v", err)
		}
	})
}
