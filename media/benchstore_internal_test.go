package media

import "pacer/storage"

// BenchStore builds the record store of the benchmarks' service.
// benchstore_test.go sets it to the bbolt engine's store: that package
// imports this one, so only an external test file may import it.
var BenchStore func(db *storage.DB) Store
