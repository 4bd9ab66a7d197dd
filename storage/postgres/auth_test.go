package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/auth"
	authstore "pacer/auth/storetest"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"
)

func TestAuthStore(t *testing.T) {
	authstore.Run(t, func(t *testing.T) (auth.Store, txn.Runner) {
		db := pgtest.Open(t)
		return postgres.NewAuth(db), db
	})
}

// A taken address leaves the caller's transaction usable, as on bbolt: the
// conflict is not raised as an error that would abort it.
func TestAuthEmailTakenKeepsTransaction(t *testing.T) {
	db := pgtest.Open(t)
	s := postgres.NewAuth(db)
	ctx := context.Background()
	if _, err := s.AddUser(ctx, auth.User{Email: "a@example.test", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	err := db.Write(ctx, func(ctx context.Context) error {
		if _, err := s.AddUser(ctx, auth.User{Email: " A@example.test", CreatedAt: time.Now()}); !errors.Is(err, auth.ErrEmailTaken) {
			t.Errorf("a taken address: %v, want ErrEmailTaken", err)
		}
		_, err := s.AddUser(ctx, auth.User{Email: "b@example.test", CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatalf("the transaction after ErrEmailTaken: %v", err)
	}
	if users, err := s.Users(ctx); err != nil || len(users) != 2 {
		t.Errorf("Users = %d, %v; want 2", len(users), err)
	}
}
