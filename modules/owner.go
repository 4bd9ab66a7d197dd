package modules

import (
	"context"
	"errors"

	"pacer/errs"
	"pacer/txn"
)

// Reads other packages make of this package's records, without access
// checks. They go through the store and join the transaction ctx carries
// (or run in one of their own).

// CourseRecord reads a course without access checks (404 when there is
// none).
func (s *Service) CourseRecord(ctx context.Context, id uint64) (Course, error) {
	c, err := s.store.Course(ctx, id)
	if errors.Is(err, ErrNoRecord) {
		return c, errs.NotFoundf("course")
	}
	return c, err
}

// EachCourse calls fn with every course, in id order (the scheduler's
// sweeps).
func (s *Service) EachCourse(ctx context.Context, fn func(Course) error) error {
	return s.store.EachCourse(ctx, fn)
}

// Module reads one module by id (txn.ErrNotFound when there is none, as
// callers in other packages expect).
func (s *Service) Module(ctx context.Context, moduleID uint64) (Module, error) {
	m, err := s.store.Module(ctx, moduleID)
	if errors.Is(err, ErrNoRecord) {
		return m, txn.ErrNotFound
	}
	return m, err
}

// Modules lists a course's modules in order.
func (s *Service) Modules(ctx context.Context, courseID uint64) ([]Module, error) {
	return s.store.Modules(ctx, courseID)
}

// Items lists a module's items in order, with their bodies.
func (s *Service) Items(ctx context.Context, moduleID uint64) ([]Item, error) {
	return s.store.Items(ctx, moduleID)
}

// Item loads an item of a course without access checks, through the item
// cache (404 for an item of another course).
func (s *Service) Item(ctx context.Context, courseID, itemID uint64) (Item, error) {
	var it Item
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		it, err = s.item(ctx, courseID, itemID)
		return err
	})
	return it, err
}

// Completed reports whether a learner has completed an item. Sweeps ask
// this of every item of a module; the store reads only the status.
func (s *Service) Completed(ctx context.Context, courseID, userID, itemID uint64) (bool, error) {
	return s.store.Completed(ctx, courseID, userID, itemID)
}

// EachProgress calls fn for every item a learner has progress on in a
// course, in item order, with whether it is completed. Items no longer in
// the course may appear; the caller keeps the ones it knows.
func (s *Service) EachProgress(ctx context.Context, courseID, userID uint64, fn func(itemID uint64, completed bool)) error {
	return s.store.EachProgress(ctx, courseID, userID, fn)
}

// EachCourseProgress calls fn for every progress record of a course, in
// user order and, per user, in item order: one walk for a sweep over every
// learner, merged with Sweep's members (the same user order).
func (s *Service) EachCourseProgress(ctx context.Context, courseID uint64, fn func(userID, itemID uint64, completed bool)) error {
	return s.store.EachCourseProgress(ctx, courseID, fn)
}

// StudentItem is the short access check of a report that follows an
// earlier one on the same item (a lecture's watch heartbeats, every ten
// seconds of every learner watching): the caller is still a student of
// the course, and the item and its module are still published. It
// answers from the caches of the course's structure, the membership and
// the item (the revisions AccessAhead names), where reading the
// membership, module and course records cost a heartbeat three store
// reads and decodes. ok is false when the answer is no or cannot be
// given; the caller then runs the full check (ItemAccess), which gives
// the right error. The course comes back for its policy.
func (s *Service) StudentItem(ctx context.Context, courseID, userID, itemID uint64) (Item, Course, bool, error) {
	var (
		it Item
		c  Course
		ok bool
	)
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		if err := s.prefetch(ctx, courseID, userID, itemID); err != nil {
			return err
		}
		m, err := s.cachedMember(ctx, courseID, userID)
		if errors.Is(err, ErrNoRecord) || err == nil && m.Role != RoleStudent {
			return nil
		} else if err != nil {
			return err
		}
		st, err := s.structureOf(ctx, courseID)
		if errors.Is(err, txn.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		it, err = s.item(ctx, courseID, itemID)
		if errs.Is(err, errs.NotFound) || err == nil && !it.Published {
			// "No" here: the full check gives the answer.
			return nil
		} else if err != nil {
			return err
		}
		for _, mod := range st.modules {
			if mod.ID == it.ModuleID {
				c, ok = st.course, mod.Published
				break
			}
		}
		return nil
	})
	if err != nil || !ok {
		return Item{}, Course{}, false, err
	}
	return it, c, true, nil
}
