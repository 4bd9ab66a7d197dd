package media

import (
	"pacer/modules"
	"pacer/storage"
)

// BenchStore and BenchModules build the stores of the benchmarks'
// services. benchstore_test.go sets them to the bbolt engine's stores:
// that package imports this one, so only an external test file may
// import it.
var (
	BenchStore   func(db *storage.DB) Store
	BenchModules func(db *storage.DB) modules.Store
)
