package postgres_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"pacer/auth"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
)

// Replicas starting at once on one database, each with a key of its own
// to offer, all sign with the one key stored, and so does the next start.
func TestSigningKeysAgreeAcrossReplicasStartingAtOnce(t *testing.T) {
	url := pgtest.URL(t)
	dbs := []*postgres.DB{openAt(t, url), openAt(t, url), openAt(t, url)}
	keys := make([][]byte, 9)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			fresh, err := auth.NewKey()
			if err != nil {
				t.Error(err)
				return
			}
			keys[i], err = auth.KeyFrom(context.Background(), postgres.NewSigningKeys(dbs[i%len(dbs)]), "", fresh)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range keys {
		if len(keys[i]) < auth.MinKeyBytes || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("replica %d has another key", i)
		}
	}
	again, err := auth.KeyFrom(context.Background(), postgres.NewSigningKeys(openAt(t, url)), "", nil)
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("a later start read another key (%v)", err)
	}
}
