package storage

import (
	"encoding/binary"
	"strings"
)

// Every key Pacer stores is built here, so the shapes in schema.go hold.

// ID is the 8-byte big-endian form of an ID; such keys sort numerically.
func ID(id uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, id)
	return b
}

// Key joins fixed-width parts into one composite key (course|user|item, ...).
// Every part is 8 bytes, so a prefix of parts is a prefix of the key.
func Key(parts ...uint64) []byte {
	b := make([]byte, 8*len(parts))
	for i, p := range parts {
		binary.BigEndian.PutUint64(b[8*i:], p)
	}
	return b
}

// Part returns the i-th 8-byte part of a composite key, or 0 if the key is
// too short.
func Part(key []byte, i int) uint64 {
	if len(key) < 8*(i+1) {
		return 0
	}
	return binary.BigEndian.Uint64(key[8*i:])
}

// Int sorts signed values (unix times, positions) as unsigned keys by
// flipping the sign bit, so negative instants sort before positive ones.
func Int(v int64) uint64 { return uint64(v) ^ (1 << 63) }

// FromInt reverses Int.
func FromInt(u uint64) int64 { return int64(u ^ (1 << 63)) }

// Str is a string key part; callers put it last since it is not fixed-width.
func Str(prefix []byte, s string) []byte {
	return append(append([]byte{}, prefix...), s...)
}

// EmailKey is the unique key of an e-mail address (case-insensitive).
func EmailKey(email string) []byte { return []byte(strings.ToLower(strings.TrimSpace(email))) }
