package auth_test

import (
	"context"
	"testing"

	"pacer/auth"
	"pacer/storage"
	"pacer/storage/bolt"
)

// benchService is an account service over a fresh store, with one signed-in
// account; it returns the account's access token.
func benchService(b *testing.B) (*auth.Service, string) {
	db, err := storage.Open(b.TempDir(), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	svc, err := auth.NewService(make([]byte, auth.MinKeyBytes), auth.Config{Tx: db, Store: bolt.NewAuth(db), Revisions: bolt.NewRevisions(db),
		Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	t, err := svc.Register(context.Background(), auth.NewUser{Email: "ann@example.test", Password: "long enough pw", Name: "Ann"})
	if err != nil {
		b.Fatal(err)
	}
	return svc, t.AccessToken
}

// Every authenticated request checks its token, its sign-in and its account.
func BenchmarkAuthenticate(b *testing.B) {
	svc, token := benchService(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Authenticate(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthenticateParallel(b *testing.B) {
	svc, token := benchService(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.Authenticate(ctx, token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
