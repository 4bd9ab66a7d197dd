package bolt_test

import (
	"testing"

	"pacer/media"
	mediastore "pacer/media/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestMediaStore(t *testing.T) {
	mediastore.Run(t, func(t *testing.T) (media.Store, txn.Runner) {
		db := open(t)
		return bolt.NewMedia(db), db
	})
}
