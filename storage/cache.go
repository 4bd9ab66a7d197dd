package storage

import "sync"

// Cache keeps values derived from the store (decoded records, computed
// structures) by key, so that hot reads skip bbolt and JSON. It is exact, not
// eventually consistent: a value is served only to read transactions, and a
// read transaction never stores a value older than a committed change.
//
// Writers call Invalidate inside the transaction that changes a key's
// source data. When that transaction commits, the key's entry is dropped and
// the key is stamped with a new commit number. A reader fills a key only if
// the commit number it saw before its transaction began is at least that
// stamp; otherwise its snapshot may predate the change. A transaction that
// rolls back (including a db.Batch member that is retried) invalidates
// nothing, since its changes never happened.
//
// Values must be treated as immutable by everyone: Get hands out the stored
// value itself.
type Cache[K comparable, V any] struct {
	mu      sync.Mutex
	max     int
	writes  bool // serve writable transactions too (see ServeWrites)
	entries map[K]V
	stamps  map[K]uint64 // commit number of the last change of each key
	floor   uint64       // fills from transactions older than this are refused
}

// NewCache returns a cache that holds at most max keys; when full, it starts
// over empty (the hot keys come back on their next read).
func NewCache[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, entries: map[K]V{}, stamps: map[K]uint64{}}
}

// ServeWrites lets writable transactions read the cache too (never fill
// it). Use it only where a write may build on a value a moment old: bbolt
// releases its writer lock before commit handlers run, so the next write can
// begin before the previous one's invalidation, and a value changed earlier
// in the same transaction is not seen either. Transactions that change the
// cached data itself must call NoCache.
func (c *Cache[K, V]) ServeWrites() *Cache[K, V] {
	c.writes = true
	return c
}

// Get returns the cached value of k. Transactions marked NoCache always
// miss, and so do writable ones unless ServeWrites was set. A nil cache
// always misses.
func (c *Cache[K, V]) Get(tx *Tx, k K) (V, bool) {
	var zero V
	if c == nil || !tx.CacheOK() || (tx.Writable() && !c.writes) {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[k]
	return v, ok
}

// Fill stores v, read in tx, as k's value, unless tx may predate a change of
// k or is a write (whose own changes may still roll back).
func (c *Cache[K, V]) Fill(tx *Tx, k K, v V) {
	if c == nil || tx.Writable() || !tx.CacheOK() || tx.db == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if tx.seq < c.floor || tx.seq < c.stamps[k] {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = v
}

// Invalidate drops k's value once tx commits. Call it in every transaction
// that changes what k's value is derived from.
func (c *Cache[K, V]) Invalidate(tx *Tx, k K) {
	db := tx.db
	tx.tx.OnCommit(func() {
		// bbolt runs commit handlers after the commit is durable and visible:
		// a reader that loads this number (or a later one) before it begins
		// sees the change.
		seq := db.commits.Add(1)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.entries, k)
		if len(c.stamps) >= c.max {
			// Forgetting stamps is safe only with a floor above all of them.
			clear(c.stamps)
			clear(c.entries)
			c.floor = seq
		}
		c.stamps[k] = seq
	})
}
