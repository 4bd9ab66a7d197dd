package media_test

import (
	"pacer/media"
	"pacer/storage"
	"pacer/storage/bolt"
)

func init() {
	media.BenchStore = func(db *storage.DB) media.Store { return bolt.NewMedia(db) }
}
