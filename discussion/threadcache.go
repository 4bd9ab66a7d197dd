package discussion

import (
	"cmp"
	"slices"

	"pacer/storage"
)

// threadCache keeps the posts of recently read threads, decoded and in id
// order, so that a thread page costs no index scan and no post lookups.
// An entry holds the thread record it was read with; it is used only while
// the record read by the caller's own transaction is the same. Every change
// of a post writes the thread record with a new Rev (saveThreadTx), so an
// equal record means the same posts, and a transaction that began before a
// change sees the older record and never the newer posts, or the reverse.
// There is nothing to invalidate.
type threadCache struct {
	memo *storage.Memo[uint64, *threadPosts]
}

// threadPosts is every post of a thread as of one thread record. It is
// shared by readers and never changed once built.
type threadPosts struct {
	thread threadRec
	posts  []postRec
}

// Bounds of the thread cache: threads longer than maxCachedThreadPosts are
// read from the store page by page.
const (
	maxCachedThreads     = 2_000
	maxCachedThreadPosts = 500
)

func newThreadCache() *threadCache {
	return &threadCache{memo: storage.NewMemo[uint64, *threadPosts](maxCachedThreads)}
}

// postsTx returns the posts of the scope's thread, from the cache when the
// entry was read with the same thread record, or read now (and kept). It
// returns nil for a thread too long to keep, to be read page by page.
func (s *Service) threadPostsTx(tx *storage.Tx, t threadRec) (*threadPosts, error) {
	c := s.threads
	e, _ := c.memo.Get(t.ID)
	if e != nil && e.thread == t {
		return e, nil
	}
	if t.ReplyCount >= maxCachedThreadPosts {
		// ReplyCount leaves out deleted replies; the scan below checks.
		return nil, nil
	}
	e = &threadPosts{thread: t}
	tooLong := false
	err := tx.Each(storage.PostsByThread, storage.Key(t.ID), func(k, _ []byte) error {
		if len(e.posts) == maxCachedThreadPosts {
			tooLong = true
			return storage.Stop
		}
		p, err := s.memo.postTx(tx, storage.Part(k, 1))
		if err != nil {
			return err
		}
		e.posts = append(e.posts, p)
		return nil
	})
	if err != nil || tooLong {
		return nil, err
	}
	c.memo.Put(t.ID, e)
	return e, nil
}

// after returns the posts with ids above id.
func (e *threadPosts) after(id uint64) []postRec {
	i, _ := slices.BinarySearchFunc(e.posts, id+1, func(p postRec, id uint64) int { return cmp.Compare(p.ID, id) })
	return e.posts[i:]
}
