package bolt_test

import (
	"testing"

	"pacer/modules"
	modulestore "pacer/modules/storetest"
	"pacer/storage/bolt"
	"pacer/txn"
)

func TestModulesStore(t *testing.T) {
	modulestore.Run(t, func(t *testing.T) (modules.Store, txn.Runner) {
		db := open(t)
		return bolt.NewModules(db), db
	})
}
