package media

import (
	"context"

	"pacer/errs"
	"pacer/modules"
)

// CopyToCourse gives a course copy its own record of one of the
// original's course files, inside the copy's transaction
// (modules.Service.CopyMedia). The bytes are not copied: the new record
// and its captions name the same blobs, which now count as used twice, so
// deleting either course's file keeps the other's. The copy counts
// against the new course's quota like an upload. A file that is not the
// original's course file is refused (404), so a copy can never reach
// another course's files.
func (s *Service) CopyToCourse(ctx context.Context, from, to modules.Course, mediaID uint64) (uint64, error) {
	m, err := s.get(ctx, mediaID)
	if err != nil {
		return 0, err
	}
	if m.CourseID != from.ID || m.Purpose == PurposeSubmission {
		return 0, errs.NotFoundf("media")
	}
	caps, err := s.store.Captions(ctx, m.ID)
	if err != nil {
		return 0, err
	}
	m.CourseID, m.OwnerID, m.CreatedAt = to.ID, to.CreatedBy, s.now().UTC()
	if m, err = s.store.Add(ctx, m, caps); err != nil {
		return 0, err
	}
	return m.ID, s.store.AddUsage(ctx, map[Account]int64{accountOf(m): m.Size})
}

// DeleteCourseFiles removes a deleted course's files and captions
// (modules.Service.OnCourseDeleted), gives their bytes back to the quotas
// of the learners who uploaded them for submissions, and drops the
// course's own total. Their bytes, unless another record uses them, are
// left to the orphan sweep, which removes blobs no record names.
func (s *Service) DeleteCourseFiles(ctx context.Context, c modules.Course) error {
	removed, err := s.store.RemoveCourse(ctx, c.ID)
	if err != nil {
		return err
	}
	if err := s.giveBack(ctx, removed.Media); err != nil {
		return err
	}
	return s.store.ClearUsage(ctx, Account{ID: c.ID})
}
