package discussion

import (
	"context"
	"errors"

	"pacer/errs"
	"pacer/modules"
	"pacer/storage"
)

// Boards lists a course's boards in the order they were made, so the
// general board comes first. A course made before boards existed gets its
// general board here.
func (s *Service) Boards(ctx context.Context, caller, courseID uint64) ([]Board, error) {
	out, err := s.boards(caller, courseID)
	if !errors.Is(err, errNeedsWrite) {
		return out, errs.Wrap(err, "list boards")
	}
	err = s.db.Update(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		_, err = s.ensureBoardTx(tx, a.Course, KindGeneral)
		return err
	})
	if err != nil {
		return nil, errs.Wrap(err, "create general board")
	}
	out, err = s.boards(caller, courseID)
	return out, errs.Wrap(err, "list boards")
}

func (s *Service) boards(caller, courseID uint64) ([]Board, error) {
	out := []Board{}
	err := s.db.View(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		if _, err := s.ensureBoardTx(tx, a.Course, KindGeneral); err != nil {
			return err
		}
		items := s.newItemGate(tx, a)
		return tx.Each(storage.BoardsByCourse, storage.Key(courseID), func(k, _ []byte) error {
			b, err := getBoard(tx, storage.Part(k, 1))
			if err != nil {
				return err
			}
			v := boardView(tx, b)
			if b.Kind == KindItems && !a.Staff() {
				// Students count only the threads of items open to them,
				// so the count says nothing about unpublished items.
				if v.ThreadCount, err = visibleThreads(tx, b.ID, items); err != nil {
					return err
				}
			}
			out = append(out, v)
			return nil
		})
	})
	return out, err
}

func boardView(tx *storage.Tx, b boardRec) Board {
	return Board{ID: b.ID, CourseID: b.CourseID, Title: boardTitle(b), Mode: b.Mode, Kind: b.Kind,
		ThreadCount: tx.Count(storage.ThreadsByBoard, storage.Key(b.ID)), CreatedAt: b.CreatedAt}
}

// boardTitle is a board's title for people. General boards made before
// the title was capitalised were stored as "general", the board's kind;
// they read as every new one does.
func boardTitle(b boardRec) string {
	if b.Kind == KindGeneral && b.Title == KindGeneral {
		return generalTitle
	}
	return b.Title
}

// visibleThreads counts the threads of a board whose items the gate opens.
func visibleThreads(tx *storage.Tx, board uint64, items *itemGate) (int, error) {
	n := 0
	err := tx.Each(storage.ThreadsByBoard, storage.Key(board), func(k, _ []byte) error {
		t, err := getThread(tx, storage.Part(k, 3))
		if err != nil {
			return err
		}
		ok, err := items.open(t.ItemID)
		if ok {
			n++
		}
		return err
	})
	return n, err
}

// CreateBoard adds a board to a course (staff only).
func (s *Service) CreateBoard(ctx context.Context, caller, courseID uint64, in BoardInput) (Board, error) {
	fields := map[string]string{}
	var title string
	if in.Title == nil {
		fields["title"] = "required"
	} else if t, r := modules.ValidTitle(*in.Title); r != "" {
		fields["title"] = r
	} else {
		title = t
	}
	mode := ModeDiscussion
	if in.Mode != nil {
		switch *in.Mode {
		case ModeDiscussion, ModeQA:
			mode = *in.Mode
		default:
			fields["mode"] = "must be discussion or qa"
		}
	}
	var out Board
	err := s.db.Update(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		if _, err := s.ensureBoardTx(tx, a.Course, KindGeneral); err != nil {
			return err
		}
		b, err := s.putBoardTx(tx, boardRec{CourseID: courseID, Title: title, Mode: mode, Kind: KindCustom,
			CreatedBy: caller, CreatedAt: s.now().UTC()})
		out = boardView(tx, b)
		return err
	})
	return out, errs.Wrap(err, "create board")
}

// Board returns one board.
func (s *Service) Board(ctx context.Context, caller, boardID uint64) (Board, error) {
	var out Board
	err := s.db.View(func(tx *storage.Tx) error {
		b, _, err := s.boardAccessTx(tx, caller, boardID)
		if err != nil {
			return err
		}
		out = boardView(tx, b)
		return nil
	})
	return out, errs.Wrap(err, "get board")
}
