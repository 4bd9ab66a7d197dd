package discussion

import (
	"context"
	"slices"

	"pacer/auth"
	"pacer/cache"
	"pacer/errs"
)

// Users reads accounts (auth.Service implements it), joining the
// transaction ctx carries.
type Users interface {
	User(ctx context.Context, id uint64) (auth.User, error)
	// Names reads several accounts' names at once, leaving out those
	// that do not exist.
	Names(ctx context.Context, ids []uint64) (map[uint64]string, error)
	// NamesAhead names the revisions Names reads, for cache.Prefetch.
	NamesAhead(ctx context.Context, ids []uint64) []cache.Ahead
}

// userName is a user's name as auth keeps it: the reader of an author's
// name not read ahead (and of actors' names in notifications). It reads
// through the names' cache (Names), where reading the account cost a
// reply, whose answer names its author, a statement of its own.
func (s *Service) userName(ctx context.Context, id uint64) (string, error) {
	names, err := s.users.Names(ctx, []uint64{id})
	if err != nil {
		return "", err
	}
	name, ok := names[id]
	if !ok {
		return "", errs.NotFoundf("user")
	}
	return name, nil
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
	// Names and roles come in one call each, through their owners'
	// caches, whose revisions are all read together first; only those
	// not cached are read from the store, in one read each.
	if err := cache.Prefetch(a.ctx, append(a.namesAhead(a.ctx, need), a.rolesAhead(a.ctx, a.course, need)...)...); err != nil {
		return err
	}
	names, err := a.manyNames(a.ctx, need)
	if err != nil {
		return err
	}
	roles, err := a.manyRoles(a.ctx, a.course, need)
	if err != nil {
		return err
	}
	for i, id := range need {
		if name, ok := names[id]; ok {
			found[i].Name = name
		}
		found[i].Role = roles[id]
	}
	if len(a.seen) == 0 {
		a.seen = make(map[uint64]Author, len(found)) // sized once, not grown
	}
	for _, au := range found {
		a.seen[au.ID] = au
	}
	return nil
}
