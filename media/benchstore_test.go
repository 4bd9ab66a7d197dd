package media_test

import (
	"pacer/media"
	"pacer/modules"
	"pacer/storage"
	"pacer/storage/bolt"
)

func init() {
	media.BenchStore = func(db *storage.DB) media.Store { return bolt.NewMedia(db) }
	media.BenchModules = func(db *storage.DB) modules.Store { return bolt.NewModules(db) }
}
