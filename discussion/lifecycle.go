package discussion

import (
	"context"

	"pacer/modules"
)

// copyBoardsTx gives a course copy the original's boards, without their
// threads (modules.Service.OnCourseCopied). The general board exists
// already (OnCourseCreated) and takes the original's mode; the board of
// item threads comes with the first discussion item copied.
func (s *Service) copyBoardsTx(ctx context.Context, from, to modules.Course) error {
	boards, err := s.store.CourseBoards(ctx, from.ID)
	if err != nil {
		return err
	}
	for _, b := range boards {
		switch b.Kind {
		case KindGeneral:
			g, err := s.ensureBoard(ctx, to, KindGeneral)
			if err != nil {
				return err
			}
			g.Mode = b.Mode
			if err := s.store.PutBoard(ctx, g); err != nil {
				return err
			}
		case KindCustom:
			b.CourseID, b.CreatedBy, b.CreatedAt = to.ID, to.CreatedBy, s.now().UTC()
			if _, err := s.store.AddBoard(ctx, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteBoardsTx removes a deleted course's boards with their threads and
// posts (modules.Service.OnCourseDeleted). Only a course that never
// started is deleted, so the posts are its instructor's own.
func (s *Service) deleteBoardsTx(ctx context.Context, c modules.Course) error {
	boards, err := s.store.CourseBoards(ctx, c.ID)
	if err != nil {
		return err
	}
	var threads []ThreadRecord
	for _, b := range boards {
		ts, err := s.store.BoardThreads(ctx, b.ID)
		if err != nil {
			return err
		}
		threads = append(threads, ts...)
	}
	for _, t := range threads {
		// A thread is removed as a deleted discussion item's is.
		if err := s.deleteThread(ctx, t); err != nil {
			return err
		}
	}
	return s.store.DeleteCourseBoards(ctx, c.ID)
}
