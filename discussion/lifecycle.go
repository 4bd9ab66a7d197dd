package discussion

import (
	"pacer/modules"
	"pacer/storage"
)

// copyBoardsTx gives a course copy the original's boards, without their
// threads (modules.Service.OnCourseCopied). The general board exists
// already (OnCourseCreated) and takes the original's mode; the board of
// item threads comes with the first discussion item copied.
func (s *Service) copyBoardsTx(tx *storage.Tx, from, to modules.Course) error {
	var boards []boardRec
	err := tx.Each(storage.BoardsByCourse, storage.Key(from.ID), func(k, _ []byte) error {
		b, err := getBoard(tx, storage.Part(k, 1))
		if err == nil {
			boards = append(boards, b)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, b := range boards {
		switch b.Kind {
		case KindGeneral:
			g, err := s.ensureBoardTx(tx, to, KindGeneral)
			if err != nil {
				return err
			}
			g.Mode = b.Mode
			if err := tx.Put(storage.Boards, storage.ID(g.ID), g); err != nil {
				return err
			}
		case KindCustom:
			b.CourseID, b.CreatedBy, b.CreatedAt = to.ID, to.CreatedBy, s.now().UTC()
			if _, err := s.putBoardTx(tx, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteBoardsTx removes a deleted course's boards with their threads and
// posts (modules.Service.OnCourseDeleted). Only a course that never
// started is deleted, so the posts are its instructor's own.
func (s *Service) deleteBoardsTx(tx *storage.Tx, c modules.Course) error {
	var boards, threads []uint64
	err := tx.Each(storage.BoardsByCourse, storage.Key(c.ID), func(k, _ []byte) error {
		boards = append(boards, storage.Part(k, 1))
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range boards {
		err := tx.Each(storage.ThreadsByBoard, storage.Key(b), func(k, _ []byte) error {
			threads = append(threads, storage.Part(k, 3))
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, th := range threads {
		// A thread is removed as a deleted discussion item's is.
		if err := s.itemDeletedTx(tx, modules.Item{ThreadID: th}); err != nil {
			return err
		}
	}
	for _, b := range boards {
		if err := tx.Delete(storage.Boards, storage.ID(b)); err != nil {
			return err
		}
	}
	return tx.DeletePrefix(storage.BoardsByCourse, storage.Key(c.ID))
}
