package discussion

import (
	"context"
	"slices"

	"pacer/auth"
	"pacer/errs"
)

// Users reads accounts (auth.Service implements it), joining the
// transaction ctx carries.
type Users interface {
	User(ctx context.Context, id uint64) (auth.User, error)
}

// userName is a user's name as auth keeps it: the reader of names when
// no NameSource serves them (and of actors' names in notifications).
func (s *Service) userName(ctx context.Context, id uint64) (string, error) {
	u, err := s.users.User(ctx, id)
	return u.Name, err
}

// prefetch resolves the authors of many posts at once, so that each is
// not looked up on its own.
func (a *authors) prefetch(ids []uint64) error {
	need := make([]uint64, 0, len(ids))
	for _, id := range ids {
		if _, ok := a.seen[id]; !ok {
			need = append(need, id)
		}
	}
	slices.Sort(need)
	need = slices.Compact(need)
	if len(need) < 2 {
		return nil
	}
	// Each found is complete once both reads below are done; nothing is
	// kept in seen if either fails.
	found := make([]Author, len(need))
	for i, id := range need {
		found[i] = Author{ID: id, Name: "(unknown)"}
	}
	read := a.names
	if read == nil {
		read = a.byID
	}
	for i, id := range need {
		name, err := read(a.ctx, id)
		switch {
		case err == nil:
			found[i].Name = name
		case !errs.Is(err, errs.NotFound):
			return err
		}
	}
	for i, id := range need {
		role, err := a.roles(a.ctx, a.course, id)
		if err != nil {
			return err
		}
		found[i].Role = role
	}
	if len(a.seen) == 0 {
		a.seen = make(map[uint64]Author, len(found)) // sized once, not grown
	}
	for _, au := range found {
		a.seen[au.ID] = au
	}
	return nil
}
