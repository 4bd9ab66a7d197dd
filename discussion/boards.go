package discussion

import (
	"context"
	"errors"

	"pacer/errs"
	"pacer/modules"
)

// Boards lists a course's boards in the order they were made, so the
// general board comes first. A course made before boards existed gets its
// general board here.
func (s *Service) Boards(ctx context.Context, caller, courseID uint64) ([]Board, error) {
	out, err := s.boards(ctx, caller, courseID)
	if !errors.Is(err, errNeedsWrite) {
		return out, errs.Wrap(err, "list boards")
	}
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		_, err = s.ensureBoard(ctx, a.Course, KindGeneral)
		return err
	})
	if err != nil {
		return nil, errs.Wrap(err, "create general board")
	}
	out, err = s.boards(ctx, caller, courseID)
	return out, errs.Wrap(err, "list boards")
}

func (s *Service) boards(ctx context.Context, caller, courseID uint64) ([]Board, error) {
	out := []Board{}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if _, ok, err := s.builtinBoard(ctx, a.Course.ID, KindGeneral); err != nil {
			return err
		} else if !ok {
			return errNeedsWrite
		}
		items := s.newItemGate(ctx, a)
		boards, err := s.store.CourseBoards(ctx, courseID)
		if err != nil {
			return err
		}
		for _, b := range boards {
			v, err := s.boardView(ctx, b)
			if err != nil {
				return err
			}
			if b.Kind == KindItems && !a.Staff() {
				// Students count only the threads of items open to them,
				// so the count says nothing about unpublished items.
				if v.ThreadCount, err = s.visibleThreads(ctx, b.ID, items); err != nil {
					return err
				}
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

func (s *Service) boardView(ctx context.Context, b BoardRecord) (Board, error) {
	n, err := s.store.CountThreads(ctx, b.ID)
	return Board{ID: b.ID, CourseID: b.CourseID, Title: boardTitle(b), Mode: b.Mode, Kind: b.Kind,
		ThreadCount: n, CreatedAt: b.CreatedAt}, err
}

// boardTitle is a board's title for people. General boards made before
// the title was capitalised were stored as "general", the board's kind;
// they read as every new one does.
func boardTitle(b BoardRecord) string {
	if b.Kind == KindGeneral && b.Title == KindGeneral {
		return generalTitle
	}
	return b.Title
}

// visibleThreads counts the threads of a board whose items the gate opens.
func (s *Service) visibleThreads(ctx context.Context, board uint64, items *itemGate) (int, error) {
	threads, err := s.store.BoardThreads(ctx, board)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range threads {
		ok, err := items.open(t.ItemID)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
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
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		if _, err := s.ensureBoard(ctx, a.Course, KindGeneral); err != nil {
			return err
		}
		b, err := s.store.AddBoard(ctx, BoardRecord{CourseID: courseID, Title: title, Mode: mode, Kind: KindCustom,
			CreatedBy: caller, CreatedAt: s.now().UTC()})
		if err != nil {
			return err
		}
		out, err = s.boardView(ctx, b)
		return err
	})
	return out, errs.Wrap(err, "create board")
}

// Board returns one board.
func (s *Service) Board(ctx context.Context, caller, boardID uint64) (Board, error) {
	var out Board
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		b, _, err := s.boardAccess(ctx, caller, boardID)
		if err != nil {
			return err
		}
		out, err = s.boardView(ctx, b)
		return err
	})
	return out, errs.Wrap(err, "get board")
}
