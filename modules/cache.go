package modules

import (
	"errors"

	"pacer/storage"
)

// structure is a course's content as lists need it: the course record, its
// modules in order and each module's item heads (no bodies). Every learner
// request reads it, and it changes only when staff edit the course, so it
// is kept in memory (Service.structures), invalidated by writeCourse.
type structure struct {
	course  Course
	modules []Module
	items   map[uint64][]Item
}

// learnerKey names one learner's progress in one course
// (Service.progress, invalidated by Mark).
type learnerKey struct{ course, user uint64 }

// Cache sizes: a course structure is a few KB; a learner's progress map a
// few hundred bytes per item; an item holds its body twice (Markdown and
// HTML), so fewer are kept.
const (
	maxCachedCourses  = 10_000
	maxCachedLearners = 200_000
	maxCachedItems    = 4_096
)

// writeCourse runs an edit of a course's content and drops the course's
// cached structure when it commits. The edit reads the store itself, never
// the cache: it must not build on a copy that an edit committed a moment
// earlier has not yet invalidated.
func (s *Service) writeCourse(courseID uint64, fn func(tx *storage.Tx) error) error {
	return s.db.Update(func(tx *storage.Tx) error {
		tx.NoCache()
		s.structures.Invalidate(tx, courseID)
		return fn(tx)
	})
}

// structureTx returns a course's structure, from the cache unless the
// transaction is a course edit.
func (s *Service) structureTx(tx *storage.Tx, courseID uint64) (*structure, error) {
	if st, ok := s.structures.Get(tx, courseID); ok {
		return st, nil
	}
	o, err := s.store.Outline(inTx(tx), courseID)
	if errors.Is(err, ErrNoRecord) {
		// Callers in other packages (through MediaItems, Learner)
		// expect the engine's not-found.
		return nil, storage.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	st := &structure{course: o.Course, modules: o.Modules, items: o.Items}
	s.structures.Fill(tx, courseID, st)
	return st, nil
}

// progressTx returns a learner's progress records by item. The map is shared
// with the cache: callers must not change it.
func (s *Service) progressTx(tx *storage.Tx, courseID, userID uint64) (map[uint64]ItemProgress, error) {
	k := learnerKey{courseID, userID}
	if p, ok := s.progress.Get(tx, k); ok {
		return p, nil
	}
	out, err := s.store.Progress(inTx(tx), courseID, userID)
	if err != nil {
		return nil, err
	}
	s.progress.Fill(tx, k, out)
	return out, nil
}
