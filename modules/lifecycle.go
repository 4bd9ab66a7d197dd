package modules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pacer/audit"
	"pacer/errs"
)

// Course lifecycle: copying a course for its next term, archiving a
// finished one, deleting one that never started. See the contract's
// "Course lifecycle and site settings".

// ErrArchived is the answer to any write to an archived course but the
// undo of its archiving.
var ErrArchived = errs.ConflictCode("course_archived", "this course is archived and read-only; an instructor can unarchive it")

// writable refuses writes to an archived course. Every write of a
// course's content or people reaches the course through Access in a
// writable transaction, so deciding here covers every package at once;
// reads run in read transactions and are unaffected.
//
// txn.Runner does not say whether ctx's transaction writes; a Write
// joins a read-write transaction and is refused inside a read-only one
// (without running fn), which answers it. Only an archived course asks,
// and ctx always carries a transaction here (access runs in one).
func (s *Service) writable(ctx context.Context, c Course) error {
	if !c.Archived {
		return nil
	}
	joined := false
	_ = s.tx.Write(ctx, func(context.Context) error { joined = true; return nil })
	if joined {
		return ErrArchived
	}
	return nil
}

// mayCreate is 403 for a user the site does not let create courses.
func (s *Service) mayCreate(ctx context.Context, userID uint64) error {
	ok, err := s.users.MayCreateCourses(ctx, userID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Forbid("on this site only course creators may create courses; ask an administrator")
	}
	return nil
}

// instructor loads a course and requires the caller to be one of its
// instructors (404 for non-members, 403 for other roles), without the
// archive rule: the lifecycle operations below decide that themselves.
func (s *Service) instructor(ctx context.Context, courseID, caller uint64) (Course, error) {
	c, err := s.CourseRecord(ctx, courseID)
	if err != nil {
		return c, err
	}
	m, err := s.store.Member(ctx, courseID, caller)
	if errors.Is(err, ErrNoRecord) {
		return c, errs.NotFoundf("course")
	} else if err != nil {
		return c, err
	}
	return c, Access{Course: c, Member: &m}.RequireInstructor()
}

// SetArchived archives a course or undoes it (instructors only). Archiving
// twice changes nothing.
func (s *Service) SetArchived(ctx context.Context, caller, courseID uint64, archived bool) error {
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		c, err := s.instructor(ctx, courseID, caller)
		if err != nil || c.Archived == archived {
			return err
		}
		c.Archived = archived
		c.UpdatedAt = s.now().UTC()
		if err := s.store.PutCourse(ctx, c); err != nil {
			return err
		}
		action := "course_archived"
		if !archived {
			action = "course_unarchived"
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: action, CourseID: c.ID, Detail: c.Title})
	})
	return errs.Wrap(err, "archive course")
}

// CopyInput is the body of a course copy. StartsAt, when given, is the new
// term's start: explicit module dates move with it.
type CopyInput struct {
	Title    *string    `json:"title"`
	StartsAt *time.Time `json:"starts_at"`
}

// CopyHook lets a package that owns part of a course copy it, inside the
// copy's transaction.
type CopyHook func(ctx context.Context, from, to Course) error

// MediaCopier gives the copy of a course its own records of the
// original's files (the bytes are shared, not copied) and returns the new
// id of a media.
type MediaCopier func(ctx context.Context, from, to Course, mediaID uint64) (uint64, error)

// CopyCourse makes a new unpublished course from one the caller teaches:
// its settings, modules (dates shifted to the new start), items, boards
// and media, but no people except the caller, its instructor, and no
// work, posts or progress. The original may be archived: copying a
// finished course for the next term is what copying is for.
func (s *Service) CopyCourse(ctx context.Context, caller, courseID uint64, in CopyInput) (Course, error) {
	fields := map[string]string{}
	var title string
	if in.Title == nil {
		fields["title"] = "required"
	} else if t, r := ValidTitle(*in.Title); r != "" {
		fields["title"] = r
	} else {
		title = t
	}
	var c Course
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		src, err := s.instructor(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		if err := s.mayCreate(ctx, caller); err != nil {
			return err
		}
		now := s.now().UTC()
		c = src
		c.Title, c.Published, c.Archived = title, false, false
		c.CreatedBy, c.CreatedAt, c.UpdatedAt = caller, now, now
		var shift time.Duration
		if in.StartsAt != nil {
			start := in.StartsAt.UTC()
			if src.StartsAt != nil {
				shift = start.Sub(*src.StartsAt)
			}
			c.StartsAt = &start
		}
		if c, err = s.store.AddCourse(ctx, c); err != nil {
			return err
		}
		if err := s.putMember(ctx, Member{CourseID: c.ID, UserID: caller, Role: RoleInstructor, EnrolledAt: now, Joined: JoinedCreated}); err != nil {
			return err
		}
		for _, f := range s.OnCourseCreated {
			if err := f(ctx, c); err != nil {
				return err
			}
		}
		for _, f := range s.OnCourseCopied {
			if err := f(ctx, src, c); err != nil {
				return err
			}
		}
		if err := s.copyContent(ctx, src, c, shift, now); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "course_copied", CourseID: c.ID,
			TargetID: src.ID, Detail: fmt.Sprintf("copy of course %d", src.ID)})
	})
	return c, errs.Wrap(err, "copy course")
}

// copyContent copies the modules and items of src into c: one read of
// the original's content, new ids, the kind hooks and media copies of
// each item, then each new module's items and the new order stored.
func (s *Service) copyContent(ctx context.Context, src, c Course, shift time.Duration, now time.Time) error {
	mods, err := s.store.Modules(ctx, src.ID)
	if err != nil {
		return err
	}
	all, err := s.store.CourseItems(ctx, src.ID)
	if err != nil {
		return err
	}
	byModule := map[uint64][]Item{}
	for _, it := range all {
		byModule[it.ModuleID] = append(byModule[it.ModuleID], it)
	}
	moved := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		v := t.Add(shift)
		return &v
	}
	ids := map[uint64]uint64{}
	for _, m := range mods {
		if ids[m.ID], err = s.store.NextModuleID(ctx); err != nil {
			return err
		}
	}
	media := map[uint64]uint64{}
	newMods := make([]Module, 0, len(mods))
	for _, m := range mods {
		items := byModule[m.ID]
		nm := m
		nm.ID, nm.CourseID, nm.CreatedAt = ids[m.ID], c.ID, now
		nm.OpensAt, nm.DueAt = moved(m.OpensAt), moved(m.DueAt)
		nm.Prerequisites = make([]uint64, 0, len(m.Prerequisites))
		for _, p := range m.Prerequisites {
			if id, ok := ids[p]; ok {
				nm.Prerequisites = append(nm.Prerequisites, id)
			}
		}
		newMods = append(newMods, nm)
		copies := make([]Item, 0, len(items))
		for _, it := range items {
			ni := it
			ni.CourseID, ni.ModuleID, ni.ThreadID = c.ID, nm.ID, 0
			ni.CreatedAt, ni.UpdatedAt = now, now
			if it.MediaID != 0 && s.CopyMedia != nil {
				if _, ok := media[it.MediaID]; !ok {
					if media[it.MediaID], err = s.CopyMedia(ctx, src, c, it.MediaID); err != nil {
						return err
					}
				}
				ni.MediaID = media[it.MediaID]
			}
			if ni.ID, err = s.store.NextItemID(ctx); err != nil {
				return err
			}
			if h := s.kinds[ni.Kind]; h.Created != nil {
				if err := h.Created(ctx, c, &ni); err != nil {
					return err
				}
			}
			if h := s.kinds[ni.Kind]; h.Copied != nil {
				if err := h.Copied(ctx, it, ni); err != nil {
					return err
				}
			}
			copies = append(copies, ni)
		}
		if err := s.renumberItems(ctx, nm.ID, copies); err != nil {
			return err
		}
	}
	return s.renumber(ctx, c.ID, newMods)
}

// DeleteCourse removes a course that never started: unpublished, and with
// nobody in it but the instructor deleting it (409 otherwise). Its
// content, pending invitations and what other packages keep of it
// (OnCourseDeleted) go with it.
func (s *Service) DeleteCourse(ctx context.Context, caller, courseID uint64) error {
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		c, err := s.instructor(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := s.writable(ctx, c); err != nil {
			return err
		}
		if c.Published {
			return errs.ConflictCode("conflict", "only an unpublished course can be deleted; unpublish it first, or archive it")
		}
		members := 0
		if err := s.store.EachMember(ctx, courseID, func(Member) error { members++; return nil }); err != nil {
			return err
		}
		if members > 1 {
			return errs.ConflictCode("conflict", "a course with members other than its instructor cannot be deleted; archive it instead")
		}
		items, err := s.store.CourseItems(ctx, courseID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := s.items.Bump(ctx, it.ID, 0); err != nil {
				return err
			}
			// The kind hooks let go of what hangs on each item (threads).
			if h := s.kinds[it.Kind]; h.Deleted != nil {
				if err := h.Deleted(ctx, it); err != nil {
					return err
				}
			}
		}
		if err := s.store.DeleteCourseContent(ctx, courseID); err != nil {
			return err
		}
		if err := s.store.DeleteCourseProgress(ctx, courseID); err != nil {
			return err
		}
		if err := s.store.DeleteCourseInvitations(ctx, courseID); err != nil {
			return err
		}
		for _, f := range s.OnCourseDeleted {
			if err := f(ctx, c); err != nil {
				return err
			}
		}
		if err := s.dropMember(ctx, courseID, caller); err != nil {
			return err
		}
		if err := s.store.DeleteCourse(ctx, courseID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "course_deleted", CourseID: courseID, Detail: c.Title})
	})
	return errs.Wrap(err, "delete course")
}

// RemoveMember takes a member out of a course (instructors only). Their
// work is kept, so enrolling again picks it up. The last instructor cannot
// be removed (409): a course always keeps one.
func (s *Service) RemoveMember(ctx context.Context, courseID, caller, userID uint64) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		m, err := s.store.Member(ctx, courseID, userID)
		if errors.Is(err, ErrNoRecord) {
			return errs.NotFoundf("member")
		} else if err != nil {
			return err
		}
		if m.Role == RoleInstructor {
			if err := s.lastInstructor(ctx, courseID); err != nil {
				return err
			}
		}
		if err := s.dropMember(ctx, courseID, userID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "member_removed", CourseID: courseID,
			TargetID: userID, Detail: m.Role})
	})
	return errs.Wrap(err, "remove member")
}
