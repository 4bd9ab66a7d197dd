package modules

import (
	"sync"

	"pacer/storage"
)

// structure is a course's content as lists need it: the course record, its
// modules in order and each module's item heads (no bodies). Every learner
// request reads it, and it changes only when staff edit the course, so it
// is kept in memory.
type structure struct {
	course  Course
	modules []Module
	items   map[uint64][]Item
}

// structureCache holds structures by course. A course's version is bumped
// after every committed edit; a reader records the version before its read
// transaction and stores what it read only if the version is unchanged, so
// a transaction that began before an edit never repopulates the cache with
// the old content.
type structureCache struct {
	mu       sync.Mutex
	versions map[uint64]uint64
	entries  map[uint64]*structure
}

func newStructureCache() *structureCache {
	return &structureCache{versions: map[uint64]uint64{}, entries: map[uint64]*structure{}}
}

func (c *structureCache) get(course uint64) (*structure, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[course], c.versions[course]
}

func (c *structureCache) put(course, version uint64, st *structure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.versions[course] != version {
		return
	}
	if len(c.entries) >= 10_000 {
		c.entries = map[uint64]*structure{}
	}
	c.entries[course] = st
}

func (c *structureCache) invalidate(course uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.versions[course]++
	delete(c.entries, course)
}

// writeCourse runs an edit of a course's content and, after it commits,
// drops the course's cached structure. The edit reads the store itself, never
// the cache: it must not build on a copy that an edit committed a moment
// earlier has not yet invalidated.
func (s *Service) writeCourse(courseID uint64, fn func(tx *storage.Tx) error) error {
	defer s.cache.invalidate(courseID)
	return s.db.Update(func(tx *storage.Tx) error {
		tx.NoCache()
		return fn(tx)
	})
}

// structureTx returns a course's structure, from the cache unless the
// transaction is a course edit.
func (s *Service) structureTx(tx *storage.Tx, courseID uint64) (*structure, error) {
	if tx.CacheOK() {
		if st, _ := s.cache.get(courseID); st != nil {
			return st, nil
		}
	}
	_, version := s.cache.get(courseID)
	st := &structure{items: map[uint64][]Item{}}
	if err := tx.Get(storage.Courses, storage.ID(courseID), &st.course); err != nil {
		return nil, err
	}
	mods, err := orderedModules(tx, courseID)
	if err != nil {
		return nil, err
	}
	st.modules = mods
	for _, m := range mods {
		heads, err := moduleItemHeads(tx, courseID, m.ID)
		if err != nil {
			return nil, err
		}
		st.items[m.ID] = heads
	}
	if tx.CacheOK() {
		s.cache.put(courseID, version, st)
	}
	return st, nil
}
