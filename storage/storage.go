// Package storage is the only package that imports bbolt. It offers domain
// packages a small transactional key-value API (records as JSON, fixed-width
// keys, prefix scans), opens the one database file, migrates its schema and
// streams hot backups. Bytes handed out are always copies: bbolt's slices are
// valid only inside their transaction.
package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"pacer/txn"
)

// ErrNotFound is returned by Get when the key is absent.
var ErrNotFound = txn.ErrNotFound

// ErrLocked is returned by Open when another process holds the database.
var ErrLocked = errors.New("storage: database is in use by another process")

// FileName is the database file inside the data directory.
const FileName = "pacer.db"

// initialMmapSize is bbolt's initial memory map (see Open).
const initialMmapSize = 1 << 30

// DB is the open database.
type DB struct {
	bolt  *bolt.DB
	path  string
	batch batcher // group commit of Batch calls (batch.go)
}

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for the file lock (default 2 s), so that a
	// second process gets a clear error instead of hanging.
	LockTimeout time.Duration
	// MaxBatchSize is the most Batch calls one commit takes (default 64):
	// a call that fails makes the others run again, so the group is
	// bounded.
	MaxBatchSize int
}

// Open opens (creating if needed) <dir>/pacer.db, creates every bucket and
// brings the schema to SchemaVersion.
func Open(dir string, opt Options) (*DB, error) {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = 2 * time.Second
	}
	if opt.MaxBatchSize <= 0 {
		opt.MaxBatchSize = 64
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	// bbolt grows its memory map under a lock that every open read
	// transaction holds, and a hot backup streams from one read transaction
	// at its client's pace: with the default small initial map, a write that
	// grew the file past the map waited — and every write behind it — until
	// a slow backup download ended (durability/backup_test.go). A 1 GiB map
	// costs address space only (the file still grows as written, except on
	// Windows), and until the database passes it no write waits for a reader.
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout, InitialMmapSize: initialMmapSize})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%w: data directory %s is locked (is another pacer running with --data %s?)", ErrLocked, dir, dir)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path, batch: batcher{max: opt.MaxBatchSize}}
	if err := db.migrate(); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) migrate() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket([]byte(Meta))
		v := meta.Get([]byte("schema_version"))
		have := uint64(0)
		if len(v) == 8 {
			have = binary.BigEndian.Uint64(v)
		}
		if have > SchemaVersion {
			return fmt.Errorf("database schema version %d is newer than this binary's %d", have, SchemaVersion)
		}
		// Version 0 → 1 is creating the buckets above. Later upgrades go
		// here, one step per version, inside this same transaction.
		return meta.Put([]byte("schema_version"), ID(SchemaVersion))
	})
}

// Close closes the database.
func (db *DB) Close() error { return db.bolt.Close() }

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx, db: db}) })
}

// Update runs fn in a read-write transaction that commits (with fsync) before
// Update returns nil; an error from fn rolls everything back.
func (db *DB) Update(fn func(*Tx) error) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx, db: db}) })
}

// WriteBackup streams a consistent copy of the database to w from a read
// transaction, while writers go on. It returns the bytes written.
func (db *DB) WriteBackup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Snapshot is one read transaction held for a hot backup, so that the size
// announced before streaming (the Content-Length of GET /admin/backup) and
// the bytes streamed come from the same moment. Taken from two transactions
// (the former BackupSize, then WriteBackup), a commit in between that grew
// the file made the stream longer than announced and the client received
// a silently truncated copy. Call WriteTo or Close exactly once.
type Snapshot struct{ tx *bolt.Tx }

// Snapshot begins a backup.
func (db *DB) Snapshot() (*Snapshot, error) {
	tx, err := db.bolt.Begin(false)
	if err != nil {
		return nil, err
	}
	return &Snapshot{tx: tx}, nil
}

// Size is the exact number of bytes WriteTo will write.
func (s *Snapshot) Size() int64 { return s.tx.Size() }

// WriteTo streams the copy to w and ends the snapshot.
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	defer s.tx.Rollback()
	return s.tx.WriteTo(w)
}

// Close ends a snapshot that is not written.
func (s *Snapshot) Close() error { return s.tx.Rollback() }

// Check runs bbolt's consistency check and returns the problems it found.
func (db *DB) Check() []error {
	var errs []error
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	return errs
}

// Tx is one transaction. It must not be used after its function returns.
type Tx struct {
	tx *bolt.Tx
	db *DB
	// open holds the buckets this transaction has looked up: bbolt looks a
	// bucket up and allocates its handle on every call in a read
	// transaction, and a hot request reads a handful of buckets dozens of
	// times.
	open []openBucket
}

type openBucket struct {
	name Bucket
	b    *bolt.Bucket
	// cur is the bucket's cursor for point reads (Uint64): a cursor keeps
	// its search stack, where each Get makes a new one.
	cur *bolt.Cursor
}

func (t *Tx) bucket(b Bucket) *bolt.Bucket { return t.opened(b).b }

// opened is b's entry in t.open, opening the bucket on first use.
func (t *Tx) opened(b Bucket) *openBucket {
	for i := range t.open {
		if t.open[i].name == b {
			return &t.open[i]
		}
	}
	bk := t.tx.Bucket([]byte(b))
	if bk == nil {
		// Every bucket is created by Open; a missing one is a programming
		// error in schema.go, not a runtime condition.
		panic("storage: undeclared bucket " + string(b))
	}
	t.open = append(t.open, openBucket{name: b, b: bk})
	return &t.open[len(t.open)-1]
}

// Writable reports whether the transaction can write.
func (t *Tx) Writable() bool { return t.tx.Writable() }

// NextID returns the next ID of a bucket's sequence (1, 2, ...).
func (t *Tx) NextID(b Bucket) (uint64, error) {
	return t.bucket(b).NextSequence()
}

// Sequence is the last ID a bucket's sequence gave (0: none yet).
func (t *Tx) Sequence(b Bucket) uint64 { return t.bucket(b).Sequence() }

// Get decodes the JSON value at key into v, or returns ErrNotFound.
func (t *Tx) Get(b Bucket, key []byte, v any) error {
	raw := t.bucket(b).Get(key)
	if raw == nil {
		return ErrNotFound
	}
	// json.Unmarshal copies what it keeps, so the bbolt slice does not escape.
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s/%x: %w", b, key, err)
	}
	return nil
}

// Has reports whether key exists.
func (t *Tx) Has(b Bucket, key []byte) bool {
	return t.bucket(b).Get(key) != nil
}

// GetRaw returns a copy of the raw value at key, or nil.
func (t *Tx) GetRaw(b Bucket, key []byte) []byte {
	raw := t.bucket(b).Get(key)
	if raw == nil {
		return nil
	}
	return bytes.Clone(raw)
}

// Uint64 reads an 8-byte big-endian value at key without copying it (a
// counter, a revision); ok is false when there is none.
func (t *Tx) Uint64(b Bucket, key []byte) (v uint64, ok bool) {
	o := t.opened(b)
	if o.cur == nil || t.tx.Writable() {
		// A write may change the bucket between reads, which a kept
		// cursor does not follow.
		o.cur = o.b.Cursor()
	}
	k, raw := o.cur.Seek(key)
	if !bytes.Equal(k, key) || len(raw) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(raw), true
}

// Put stores v as JSON at key.
func (t *Tx) Put(b Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", b, err)
	}
	return t.bucket(b).Put(key, raw)
}

// PutRaw stores raw bytes at key (nil is stored as empty).
func (t *Tx) PutRaw(b Bucket, key, val []byte) error {
	if val == nil {
		val = []byte{}
	}
	return t.bucket(b).Put(key, val)
}

// Delete removes key; a missing key is not an error.
func (t *Tx) Delete(b Bucket, key []byte) error {
	return t.bucket(b).Delete(key)
}

// Each calls fn for every key with the prefix, in key order, until fn returns
// an error or Stop. k and v are valid only during the call.
func (t *Tx) Each(b Bucket, prefix []byte, fn func(k, v []byte) error) error {
	return t.EachFrom(b, prefix, prefix, fn)
}

// EachFrom is Each starting at the first key >= start (start should itself
// begin with prefix), which is how cursor pagination resumes.
func (t *Tx) EachFrom(b Bucket, prefix, start []byte, fn func(k, v []byte) error) error {
	c := t.bucket(b).Cursor()
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k, v); err != nil {
			if errors.Is(err, Stop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// EachReverse calls fn for every key with the prefix, last key first.
func (t *Tx) EachReverse(b Bucket, prefix []byte, fn func(k, v []byte) error) error {
	c := t.bucket(b).Cursor()
	end := prefixEnd(prefix)
	var k, v []byte
	if end == nil {
		k, v = c.Last()
	} else {
		k, v = c.Seek(end)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		if err := fn(k, v); err != nil {
			if errors.Is(err, Stop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// Count returns how many keys have the prefix.
func (t *Tx) Count(b Bucket, prefix []byte) int {
	n := 0
	_ = t.Each(b, prefix, func(_, _ []byte) error { n++; return nil })
	return n
}

// DeletePrefix removes every key with the prefix.
func (t *Tx) DeletePrefix(b Bucket, prefix []byte) error {
	var keys [][]byte
	_ = t.Each(b, prefix, func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil })
	bk := t.bucket(b)
	for _, k := range keys {
		if err := bk.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Stop ends an Each early without error.
var Stop = errors.New("stop iteration")

// prefixEnd is the smallest key greater than every key with the prefix, or
// nil when there is none (all 0xff).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
