package discussion

import (
	"cmp"
	"context"
	"pacer/cache"
	"slices"
	"sync/atomic"
)

// threadCache keeps the posts of recently read threads, decoded and in id
// order, so that a thread page costs no index scan and no post lookups.
// An entry holds the thread record it was read with; it is used only while
// the record read by the caller's own transaction is the same. Every change
// of a post writes the thread record with a new Rev (saveThread), so an
// equal record means the same posts, and a transaction that began before a
// change sees the older record and never the newer posts, or the reverse.
// There is nothing to invalidate.
type threadCache struct {
	memo *cache.Memo[uint64, *threadPosts]
	// places are where threads are (their course and item), which never
	// changes once a thread exists: a reply foresees from it what its
	// access check will read, so that the check's revisions go with the
	// thread's lock in one round trip, also for a thread nobody has read
	// here yet (whose posts memo has no entry).
	places *cache.Memo[uint64, threadPlace]
}

// threadPlace is where a thread is: its course, and its discussion item
// (0 for none).
type threadPlace struct{ course, item uint64 }

// place returns where thread id is, when a read here saw it.
func (c *threadCache) place(id uint64) (threadPlace, bool) {
	if e, _ := c.memo.Get(id); e != nil {
		return threadPlace{e.thread.CourseID, e.thread.ItemID}, true
	}
	return c.places.Get(id)
}

// placed remembers where t is.
func (c *threadCache) placed(t ThreadRecord) {
	if p, ok := c.places.Get(t.ID); !ok || p != (threadPlace{t.CourseID, t.ItemID}) {
		c.places.Put(t.ID, threadPlace{t.CourseID, t.ItemID})
	}
}

// threadPosts is every post of a thread as of one thread record. It is
// shared by readers and never changed once built, but for the posts'
// sources, read the first time a page needs one (threadSources).
type threadPosts struct {
	thread ThreadRecord
	posts  []PostRecord
	// sources are the sources of posts, by id, once read (nil before).
	sources atomic.Pointer[map[uint64]string]
}

// Bounds of the thread cache: threads longer than maxCachedThreadPosts are
// read from the store page by page.
const (
	maxCachedThreads     = 2_000
	maxCachedThreadPosts = 500
	// A place is three words: every thread of a large site fits.
	maxPlacedThreads = 100_000
)

func newThreadCache() *threadCache {
	return &threadCache{memo: cache.NewMemo[uint64, *threadPosts](maxCachedThreads),
		places: cache.NewMemo[uint64, threadPlace](maxPlacedThreads)}
}

// threadPosts returns the posts of thread t, as read in ctx's
// transaction: from the cache when the entry was read with the same thread
// record, or read now (and kept). It returns nil for a thread too long to
// keep, to be read page by page.
func (s *Service) threadPosts(ctx context.Context, t ThreadRecord) (*threadPosts, error) {
	c := s.threads
	e, _ := c.memo.Get(t.ID)
	if e != nil && e.thread == t {
		return e, nil
	}
	if t.ReplyCount >= maxCachedThreadPosts {
		// ReplyCount leaves out deleted replies; the store checks.
		return nil, nil
	}
	posts, complete, err := s.store.ThreadPosts(ctx, t.ID, maxCachedThreadPosts)
	if err != nil || !complete {
		return nil, err
	}
	e = &threadPosts{thread: t, posts: posts}
	c.memo.Put(t.ID, e)
	return e, nil
}

// threadSources returns the sources of the posts of e, the thread's posts
// as read in ctx's transaction: read in one go the first time a page
// shows one, and kept with e. They cannot go stale: a post's source
// changes only with its thread record (saveThread), and e is used only
// with the record it was read with.
func (s *Service) threadSources(ctx context.Context, e *threadPosts) (map[uint64]string, error) {
	if m := e.sources.Load(); m != nil {
		return *m, nil
	}
	ids := make([]uint64, 0, len(e.posts))
	for _, p := range e.posts {
		if !p.Deleted {
			ids = append(ids, p.ID)
		}
	}
	m, err := s.store.PostSources(ctx, ids)
	if err != nil {
		return nil, err
	}
	e.sources.Store(&m)
	return m, nil
}

// after returns the posts with ids above id.
func (e *threadPosts) after(id uint64) []PostRecord {
	i, _ := slices.BinarySearchFunc(e.posts, id+1, func(p PostRecord, id uint64) int { return cmp.Compare(p.ID, id) })
	return e.posts[i:]
}

// unread is Store.CountUnread of the thread's posts: those with ids above
// after that user neither wrote nor saw deleted; without seeAll only the
// opening post counts.
func (e *threadPosts) unread(user, after uint64, seeAll bool) int {
	n := 0
	for _, p := range e.after(after) {
		if p.Deleted || p.AuthorID == user || (!seeAll && p.ID != e.thread.OpeningPostID) {
			continue
		}
		n++
	}
	return n
}
