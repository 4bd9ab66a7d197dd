package cache

import "sync"

// Memo is a bounded map for values derived from stored data (a decoding,
// an encoding) under keys that make every entry exact: the key is the
// value's whole source, or holds what changes with it. Unlike Cache, there
// is then nothing to invalidate. When full, it starts over empty; the hot
// entries come back on their next use.
//
// Values are shared between callers and must be treated as immutable.
type Memo[K comparable, V any] struct {
	mu      sync.RWMutex
	max     int
	entries map[K]V
}

// NewMemo returns a memo of at most max entries.
func NewMemo[K comparable, V any](max int) *Memo[K, V] {
	return &Memo[K, V]{max: max, entries: map[K]V{}}
}

// Get returns the value remembered under k.
func (m *Memo[K, V]) Get(k K) (V, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.entries[k]
	return v, ok
}

// Put remembers v under k.
func (m *Memo[K, V]) Put(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries) >= m.max {
		clear(m.entries)
	}
	m.entries[k] = v
}

// GetAll sets vals[i] to the value under keys[i] where there is one, in one
// lock for a whole page of lookups, and reports whether any key missed.
func (m *Memo[K, V]) GetAll(keys []K, vals []V) (missed bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for i, k := range keys {
		v, ok := m.entries[k]
		if ok {
			vals[i] = v
		}
		missed = missed || !ok
	}
	return missed
}

// PutAll remembers vals[i] under keys[i], in one lock.
func (m *Memo[K, V]) PutAll(keys []K, vals []V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.entries)+len(keys) > m.max {
		clear(m.entries)
	}
	for i, k := range keys {
		m.entries[k] = vals[i]
	}
}
