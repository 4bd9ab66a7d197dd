package bolt

import (
	"bytes"
	"encoding/json"

	"pacer/cache"
	"pacer/discussion"
	"pacer/storage"
)

// decoded remembers the decoded form of stored records together with the
// bytes they were decoded from. A read still looks the record up in its own
// transaction and only skips the JSON decode when the stored bytes are the
// ones decoded before, so a hit is exact by construction: there is nothing
// to invalidate, and a transaction that began before a change sees its own
// (older) bytes and decodes them itself.
//
// Values are shared between readers and must be treated as immutable.
type decoded[K comparable, V any] struct {
	memo *cache.Memo[K, decodedEntry[V]]
}

type decodedEntry[V any] struct {
	raw []byte
	v   V
}

func newDecoded[K comparable, V any](max int) *decoded[K, V] {
	return &decoded[K, V]{memo: cache.NewMemo[K, decodedEntry[V]](max)}
}

// get returns the value decoded from raw, if raw is what it was decoded
// from.
func (d *decoded[K, V]) get(k K, raw []byte) (V, bool) {
	e, ok := d.memo.Get(k)
	if !ok || !bytes.Equal(e.raw, raw) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put remembers v as the decoding of raw, which must be a copy the caller
// owns.
func (d *decoded[K, V]) put(k K, raw []byte, v V) {
	d.memo.Put(k, decodedEntry[V]{raw: raw, v: v})
}

// Sizes of the decode memos: records are a few hundred bytes each.
const (
	maxMemoPosts   = 100_000
	maxMemoThreads = 20_000
)

// memos are the discussion store's decode memos.
type memos struct {
	posts   *decoded[uint64, discussion.PostRecord]
	threads *decoded[uint64, discussion.ThreadRecord]
	boards  *decoded[uint64, discussion.BoardRecord]
}

func newMemos() *memos {
	return &memos{posts: newDecoded[uint64, discussion.PostRecord](maxMemoPosts),
		threads: newDecoded[uint64, discussion.ThreadRecord](maxMemoThreads),
		boards:  newDecoded[uint64, discussion.BoardRecord](maxMemoThreads)}
}

// lookupRaw calls fn with the stored bytes at key without copying them (they
// are valid only during the call) and reports whether the key exists. Every
// key of the buckets it is used on has the same width, so the only key that
// starts with key is key itself.
func lookupRaw(tx *storage.Tx, b storage.Bucket, key []byte, fn func(v []byte) error) (bool, error) {
	found := false
	err := tx.Each(b, key, func(k, v []byte) error {
		if len(k) != len(key) {
			return nil
		}
		found = true
		if err := fn(v); err != nil {
			return err
		}
		return storage.Stop
	})
	return found, err
}

// memoGet reads the JSON record at key through a memo: decoded from the
// transaction's bytes unless the memo already holds their decoding. A
// missing record is storage.ErrNotFound.
func memoGet[K comparable, V any](tx *storage.Tx, d *decoded[K, V], b storage.Bucket, key []byte, k K) (V, error) {
	var out V
	found, err := lookupRaw(tx, b, key, func(v []byte) error {
		var err error
		out, err = decodeWith(d, k, v)
		return err
	})
	if err == nil && !found {
		err = storage.ErrNotFound
	}
	return out, err
}

// decodeWith decodes the stored bytes v of record k, unless the memo holds
// their decoding already.
func decodeWith[K comparable, V any](d *decoded[K, V], k K, v []byte) (V, error) {
	if hit, ok := d.get(k, v); ok {
		return hit, nil
	}
	var rec V
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, err
	}
	d.put(k, bytes.Clone(v), rec)
	return rec, nil
}

// thread reads a thread through the memo (thread records are plain
// values).
func (s *Discussion) thread(tx *storage.Tx, id uint64) (discussion.ThreadRecord, error) {
	t, err := memoGet(tx, s.memo.threads, storage.Threads, storage.ID(id), id)
	return t, discussionNotFound(err, "thread")
}

// sharedPost reads a post through the memo. The post's slice and pointer
// fields are shared with the memo: only read paths that never change a
// post use it.
func (s *Discussion) sharedPost(tx *storage.Tx, id uint64) (discussion.PostRecord, error) {
	p, err := memoGet(tx, s.memo.posts, storage.Posts, storage.ID(id), id)
	return p, discussionNotFound(err, "post")
}

// scanDensity is how many keys a range scan may pass per key wanted before
// point lookups are cheaper: a step of a cursor costs a few dozen
// nanoseconds, a lookup a descent of the tree from the root.
const scanDensity = 32

// eachOf calls fn with the stored bytes of each wanted key (sorted ids,
// keyed as key(id) in bucket b) that exists. Wanted keys close together
// are read in one range scan, others one by one.
func eachOf(tx *storage.Tx, b storage.Bucket, prefix []byte, key func(id uint64) []byte, ids []uint64, fn func(id uint64, v []byte) error) error {
	if len(ids) == 0 {
		return nil
	}
	first, last := ids[0], ids[len(ids)-1]
	if last-first >= uint64(len(ids))*scanDensity {
		for _, id := range ids {
			if _, err := lookupRaw(tx, b, key(id), func(v []byte) error { return fn(id, v) }); err != nil {
				return err
			}
		}
		return nil
	}
	i := 0
	return tx.EachFrom(b, prefix, key(first), func(k, v []byte) error {
		id := storage.Part(k[len(prefix):], 0)
		for i < len(ids) && ids[i] < id {
			i++
		}
		if i == len(ids) {
			return storage.Stop
		}
		if ids[i] != id || len(k) != len(prefix)+8 {
			return nil
		}
		return fn(id, v)
	})
}
