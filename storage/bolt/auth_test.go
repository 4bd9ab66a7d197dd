package bolt_test

import (
	"testing"

	"pacer/auth"
	authstore "pacer/auth/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestAuthStore(t *testing.T) {
	authstore.Run(t, func(t *testing.T) (auth.Store, txn.Runner) {
		db := open(t)
		return bolt.NewAuth(db), db
	})
}
