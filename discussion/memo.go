package discussion

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	"pacer/auth"
	"pacer/errs"
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
	memo *storage.Memo[K, decodedEntry[V]]
}

type decodedEntry[V any] struct {
	raw []byte
	v   V
}

func newDecoded[K comparable, V any](max int) *decoded[K, V] {
	return &decoded[K, V]{memo: storage.NewMemo[K, decodedEntry[V]](max)}
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
	maxMemoAuthors = 100_000
)

// memos are the service's decode memos.
type memos struct {
	posts   *decoded[uint64, postRec]
	threads *decoded[uint64, threadRec]
	boards  *decoded[uint64, boardRec]
	users   *decoded[uint64, string]
}

func newMemos() *memos {
	return &memos{posts: newDecoded[uint64, postRec](maxMemoPosts), threads: newDecoded[uint64, threadRec](maxMemoThreads),
		boards: newDecoded[uint64, boardRec](maxMemoThreads), users: newDecoded[uint64, string](maxMemoAuthors)}
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
// transaction's bytes unless the memo already holds their decoding.
func memoGet[K comparable, V any](tx *storage.Tx, d *decoded[K, V], b storage.Bucket, key []byte, k K) (V, error) {
	var out V
	found, err := lookupRaw(tx, b, key, func(v []byte) error {
		if hit, ok := d.get(k, v); ok {
			out = hit
			return nil
		}
		var rec V
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		d.put(k, bytes.Clone(v), rec)
		out = rec
		return nil
	})
	if err == nil && !found {
		err = storage.ErrNotFound
	}
	return out, err
}

// threadTx is getThread through the memo (thread records are plain values).
func (m *memos) threadTx(tx *storage.Tx, id uint64) (threadRec, error) {
	t, err := memoGet(tx, m.threads, storage.Threads, storage.ID(id), id)
	if errors.Is(err, storage.ErrNotFound) {
		return t, errs.NotFoundf("thread")
	}
	return t, err
}

// boardTx is getBoard through the memo.
func (m *memos) boardTx(tx *storage.Tx, id uint64) (boardRec, error) {
	b, err := memoGet(tx, m.boards, storage.Boards, storage.ID(id), id)
	if errors.Is(err, storage.ErrNotFound) {
		return b, errs.NotFoundf("board")
	}
	return b, err
}

// postTx is getPost through the memo. The post's slice and pointer fields
// are shared with the memo: only read paths that never change a post use
// it.
func (m *memos) postTx(tx *storage.Tx, id uint64) (postRec, error) {
	p, err := memoGet(tx, m.posts, storage.Posts, storage.ID(id), id)
	if errors.Is(err, storage.ErrNotFound) {
		return p, errs.NotFoundf("post")
	}
	return p, err
}

// userName is a user's name as stored, through the memo.
func (m *memos) userName(tx *storage.Tx, id uint64) (string, error) {
	var name string
	found, err := lookupRaw(tx, storage.Users, storage.ID(id), func(v []byte) error {
		var err error
		name, err = m.nameFrom(id, v)
		return err
	})
	if err == nil && !found {
		err = errs.NotFoundf("user")
	}
	return name, err
}

// nameFrom is the name in a stored user record.
func (m *memos) nameFrom(id uint64, v []byte) (string, error) {
	if hit, ok := m.users.get(id, v); ok {
		return hit, nil
	}
	var u auth.User
	if err := json.Unmarshal(v, &u); err != nil {
		return "", err
	}
	m.users.put(id, bytes.Clone(v), u.Name)
	return u.Name, nil
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

// prefetch resolves the authors of many posts at once, so that each is
// not looked up on its own.
func (a *authors) prefetch(ids []uint64) error {
	need := make([]uint64, 0, len(ids))
	for _, id := range ids {
		if _, ok := a.seen[id]; !ok {
			need = append(need, id)
		}
	}
	slices.Sort(need)
	need = slices.Compact(need)
	if len(need) < 2 {
		return nil
	}
	// Each found is complete once both reads below are done; nothing is
	// kept in seen if either fails.
	found := make([]Author, len(need))
	at := func(id uint64) *Author {
		i, _ := slices.BinarySearch(need, id)
		return &found[i]
	}
	for i, id := range need {
		found[i] = Author{ID: id, Name: "(unknown)"}
	}
	if a.names != nil {
		for i, id := range need {
			name, err := a.names(a.tx, id)
			switch {
			case err == nil:
				found[i].Name = name
			case !errs.Is(err, errs.NotFound):
				return err
			}
		}
	} else {
		err := eachOf(a.tx, storage.Users, nil, storage.ID, need, func(id uint64, v []byte) error {
			name, err := a.memo.nameFrom(id, v)
			at(id).Name = name
			return err
		})
		if err != nil {
			return err
		}
	}
	for i, id := range need {
		role, err := a.roles(a.tx, a.course, id)
		if err != nil {
			return err
		}
		found[i].Role = role
	}
	if len(a.seen) == 0 {
		a.seen = make(map[uint64]Author, len(found)) // sized once, not grown
	}
	for _, au := range found {
		a.seen[au.ID] = au
	}
	return nil
}
