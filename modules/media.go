package modules

import (
	"context"

	"pacer/errs"
)

// MediaItems lists the items of a course that show a media file (lecture
// and file items name it by media_id), in course order, published or not.
// It reads the cached course structure, so it costs no item bodies.
func (s *Service) MediaItems(ctx context.Context, courseID, mediaID uint64) ([]Item, error) {
	var out []Item
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.mediaItems(ctx, courseID, mediaID)
		return err
	})
	return out, err
}

func (s *Service) mediaItems(ctx context.Context, courseID, mediaID uint64) ([]Item, error) {
	st, err := s.structureOf(ctx, courseID)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, mod := range st.modules {
		for _, it := range st.items[mod.ID] {
			if it.MediaID == mediaID && (it.Kind == KindLecture || it.Kind == KindFile) {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// MediaAccess decides whether a member may read a course file of a
// course: a file answers exactly as the items that show it do, so that
// its sequential ID is no way around an item's gate. Staff read every
// file. A student reads a file when at least one item that uses it is
// visible and open to them; when the items they can see are all locked,
// the answer is the first one's 403 with its lock reason; when they can
// see none (or no item uses the file: it is the staff's), 404. Non-members
// get 404 as everywhere.
func (s *Service) MediaAccess(ctx context.Context, caller, courseID, mediaID uint64) (Access, error) {
	var a Access
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		a, err = s.mediaAccess(ctx, caller, courseID, mediaID)
		return err
	})
	return a, err
}

func (s *Service) mediaAccess(ctx context.Context, caller, courseID, mediaID uint64) (Access, error) {
	a, err := s.memberAccess(ctx, courseID, caller)
	if err != nil || a.Staff() {
		return a, err
	}
	uses, err := s.mediaItems(ctx, courseID, mediaID)
	if err != nil {
		return a, err
	}
	if len(uses) == 0 {
		return a, errs.NotFoundf("media")
	}
	l, err := s.learner(ctx, a.Course, *a.Member, learnerScope{st: a.st})
	if err != nil {
		return a, err
	}
	var locked error
	for _, it := range uses {
		_, err := l.gate(it)
		switch {
		case err == nil:
			return a, nil
		case locked == nil && errs.Is(err, errs.Forbidden):
			locked = err
		}
	}
	if locked != nil {
		return a, locked
	}
	return a, errs.NotFoundf("media")
}
