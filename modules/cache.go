package modules

import (
	"context"
	"errors"

	"pacer/cache"
	"pacer/txn"
)

// The service keeps four caches (package cache: a value is served only to
// a transaction that reads the revision it was loaded at). Every write that
// changes a cached value's source bumps its revision in its own
// transaction, before the change; these are all of them:
//
//   - modules.structure (course): the course record, its modules and
//     item heads (Service.structures). Bumped by writeCourse, which every
//     edit of a course's record or content runs in (course update,
//     archiving, deletion, module and item writes). A new course (create,
//     copy) has nothing cached to bump.
//   - modules.progress (course, user): a learner's progress records
//     (Service.progress). Bumped by mark, the one writer of progress. A
//     course's deletion removes its progress without bumping: it bumps the
//     course's structure, and no read gets past a missing course.
//   - modules.item (item): one item with its body (Service.items).
//     Bumped for every item stored or removed: renumberItems (SetItems
//     writes every item of the module), deleteItem, and a course's
//     deletion for each of its items.
//   - modules.member (course, user): one membership as access decisions
//     see it, without last_active_at (Service.members). Bumped by
//     forgetMember, which every write of a member record calls first
//     (putMember, dropMember), except MarkActive's, which changes only
//     last_active_at: the activity flush moves it every few seconds for
//     every learner at work, and bumping each would have emptied the cache
//     of every active learner at every flush.
//   - modules.roles (course, bucket): the roles in a course of the users
//     whose ids are in one bucket of rolesPerBucket ids (bucket = id /
//     rolesPerBucket), read together (Roles; cache.Buckets): a page
//     naming fifty members checks a revision or two instead of fifty.
//     Bumped by forgetMember too, in the member's bucket.
const (
	kindStructure = "modules.structure"
	kindProgress  = "modules.progress"
	kindItem      = "modules.item"
	kindMember    = "modules.member"
	kindRoles     = "modules.roles"
)

// rolesPerBucket is how many consecutive user ids share a revision of
// their roles in a course: a membership that changes reloads the roles
// of its bucket, in one read, the next time any of them is asked for.
const rolesPerBucket = 1024

// structure is a course's content as lists need it: the course record, its
// modules in order and each module's item heads (no bodies). Every learner
// request reads it, and it changes only when staff edit the course, so it
// is kept in memory (Service.structures).
type structure struct {
	course  Course
	modules []Module
	items   map[uint64][]Item
}

// Cache sizes: a course structure is a few KB; a learner's progress map a
// few hundred bytes per item; an item holds its body twice (Markdown and
// HTML), so fewer are kept.
const (
	maxCachedCourses  = 10_000
	maxCachedLearners = 200_000
	maxCachedItems    = 4_096
)

// writeCourse runs an edit of a course's content in a write transaction
// that bumps the course's structure first, so that the edit's own reads
// of the structure come from the store, never from a copy of what it is
// about to change.
func (s *Service) writeCourse(ctx context.Context, courseID uint64, fn func(ctx context.Context) error) error {
	return s.tx.Write(ctx, func(ctx context.Context) error {
		if err := s.structures.Bump(ctx, courseID, 0); err != nil {
			return err
		}
		return fn(ctx)
	})
}

// prefetch reads ahead, in one round trip where the engine needs one per
// revision, the revisions a caller's view of a course checks: the
// structure, the membership and the learner's progress, an item's when
// itemID is not 0, and the learner's extended due times (ExtensionSource).
func (s *Service) prefetch(ctx context.Context, courseID, userID, itemID uint64) error {
	return cache.Prefetch(ctx, s.AccessAhead(ctx, courseID, userID, itemID)...)
}

// AccessAhead names for cache.Prefetch the revisions that Access,
// MemberAccess (itemID 0) and ItemAccess check, so that a caller that
// reads more through caches can read them all in one go first.
func (s *Service) AccessAhead(ctx context.Context, courseID, userID, itemID uint64) []cache.Ahead {
	ahead := []cache.Ahead{s.structures.Ahead(courseID, 0), s.members.Ahead(courseID, userID), s.progress.Ahead(courseID, userID)}
	if itemID != 0 {
		ahead = append(ahead, s.items.Ahead(itemID, 0))
	}
	if s.Extensions != nil {
		ahead = append(ahead, s.Extensions.OverridesAhead(ctx, courseID, userID))
	}
	return ahead
}

// structureOf returns a course's structure, through the cache.
func (s *Service) structureOf(ctx context.Context, courseID uint64) (*structure, error) {
	return s.structures.Read(ctx, courseID, 0, func(ctx context.Context) (*structure, error) {
		o, err := s.store.Outline(ctx, courseID)
		if errors.Is(err, ErrNoRecord) {
			// Callers in other packages (through MediaItems, Learner)
			// expect the engine's not-found.
			return nil, txn.ErrNotFound
		} else if err != nil {
			return nil, err
		}
		return &structure{course: o.Course, modules: o.Modules, items: o.Items}, nil
	})
}

// progressOf returns a learner's progress records by item. The map is
// shared with the cache: callers must not change it.
func (s *Service) progressOf(ctx context.Context, courseID, userID uint64) (map[uint64]ItemProgress, error) {
	return s.progress.Read(ctx, courseID, userID, func(ctx context.Context) (map[uint64]ItemProgress, error) {
		return s.store.Progress(ctx, courseID, userID)
	})
}

// forgetMember bumps the cached membership of a user in a course. Every
// write of a member record calls it before the write (putMember,
// dropMember), but for MarkActive's, which changes nothing cached; only
// this package writes member records.
func (s *Service) forgetMember(ctx context.Context, courseID, userID uint64) error {
	if err := s.roles.Bump(ctx, courseID, userID); err != nil {
		return err
	}
	return s.members.Bump(ctx, courseID, userID)
}

// cachedMember reads one membership through the membership cache
// (ErrNoRecord when there is none, which is not kept), without
// LastActiveAt, which the cache does not keep: it is nil whether or not
// the read hit.
func (s *Service) cachedMember(ctx context.Context, courseID, userID uint64) (Member, error) {
	return s.members.Read(ctx, courseID, userID, func(ctx context.Context) (Member, error) {
		m, err := s.store.Member(ctx, courseID, userID)
		m.LastActiveAt = nil
		return m, err
	})
}

// newCaches builds the service's caches over revs (nil: caches that never
// keep anything).
func newCaches(s *Service, revs cache.Revisions) {
	s.structures = cache.New[*structure](kindStructure, maxCachedCourses, revs)
	s.progress = cache.New[map[uint64]ItemProgress](kindProgress, maxCachedLearners, revs)
	s.items = cache.New[Item](kindItem, maxCachedItems, revs)
	s.members = cache.New[Member](kindMember, maxCachedLearners, revs)
	s.roles = cache.NewBuckets[string](kindRoles, rolesPerBucket, maxCachedCourses, revs)
}
