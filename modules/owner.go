package modules

import (
	"errors"

	"pacer/errs"
	"pacer/storage"
)

// Reads other packages make of this package's records, inside their own
// transactions and without access checks. They go through the store; the
// package-level functions of the same names (bridges.go) remain for
// callers not yet given the service.

// CourseTx reads a course without access checks (404 when there is none).
func (s *Service) CourseTx(tx *storage.Tx, id uint64) (Course, error) {
	c, err := s.store.Course(inTx(tx), id)
	if errors.Is(err, ErrNoRecord) {
		return c, errs.NotFoundf("course")
	}
	return c, err
}

// EachCourseTx calls fn with every course, in id order (the scheduler's
// sweeps).
func (s *Service) EachCourseTx(tx *storage.Tx, fn func(Course) error) error {
	return s.store.EachCourse(inTx(tx), fn)
}

// ModuleTx reads one module by id (storage.ErrNotFound when there is
// none, as callers in other packages expect).
func (s *Service) ModuleTx(tx *storage.Tx, moduleID uint64) (Module, error) {
	m, err := s.store.Module(inTx(tx), moduleID)
	if errors.Is(err, ErrNoRecord) {
		return m, storage.ErrNotFound
	}
	return m, err
}

// ModulesTx lists a course's modules in order, inside a caller's
// transaction.
func (s *Service) ModulesTx(tx *storage.Tx, courseID uint64) ([]Module, error) {
	return s.store.Modules(inTx(tx), courseID)
}

// ItemsTx lists a module's items in order, with their bodies, inside a
// caller's transaction.
func (s *Service) ItemsTx(tx *storage.Tx, moduleID uint64) ([]Item, error) {
	return s.store.Items(inTx(tx), moduleID)
}

// ItemTx loads an item of a course without access checks, through the
// item cache (404 for an item of another course).
func (s *Service) ItemTx(tx *storage.Tx, courseID, itemID uint64) (Item, error) {
	return s.itemTx(tx, courseID, itemID)
}

// CompletedTx reports whether a learner has completed an item. Sweeps ask
// this of every item of a module; the store reads only the status.
func (s *Service) CompletedTx(tx *storage.Tx, courseID, userID, itemID uint64) (bool, error) {
	return s.store.Completed(inTx(tx), courseID, userID, itemID)
}

// EachProgressTx calls fn for every item a learner has progress on in a
// course, in item order, with whether it is completed. Items no longer in
// the course may appear; the caller keeps the ones it knows.
func (s *Service) EachProgressTx(tx *storage.Tx, courseID, userID uint64, fn func(itemID uint64, completed bool)) error {
	return s.store.EachProgress(inTx(tx), courseID, userID, fn)
}

// EachCourseProgressTx calls fn for every progress record of a course, in
// user order and, per user, in item order: one walk for a sweep over
// every learner, merged with SweepTx's members (the same user order).
func (s *Service) EachCourseProgressTx(tx *storage.Tx, courseID uint64, fn func(userID, itemID uint64, completed bool)) error {
	return s.store.EachCourseProgress(inTx(tx), courseID, fn)
}
