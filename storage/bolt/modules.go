package bolt

import (
	"context"
	"errors"

	"pacer/modules"
	"pacer/storage"
)

// Modules implements modules.Store. Invitations live in
// storage.Invitations under their id, indexed by address
// (storage.InvitationsByEmail: address, a zero byte, id) and by course
// (storage.InvitationsByCourse: course|id). Members, courses, content and
// progress are laid out in members.go, modules_courses.go,
// modules_content.go and modules_progress.go.
type Modules struct{ db *storage.DB }

// NewModules returns the store over db.
func NewModules(db *storage.DB) *Modules { return &Modules{db: db} }

// byEmailKey is the InvitationsByEmail key: the normalised address, a
// zero byte (never part of an address) and the id, or the prefix of an
// address's keys when id is 0.
func byEmailKey(email string, id uint64) []byte {
	k := append(storage.EmailKey(email), 0)
	if id == 0 {
		return k
	}
	return append(k, storage.ID(id)...)
}

// AddInvitation implements modules.Store.
func (s *Modules) AddInvitation(ctx context.Context, inv modules.Invitation) (modules.Invitation, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id, err := tx.NextID(storage.Invitations)
		if err != nil {
			return err
		}
		inv.ID = id
		if err := tx.Put(storage.Invitations, storage.ID(id), inv); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.InvitationsByEmail, byEmailKey(inv.Email, id), nil); err != nil {
			return err
		}
		return tx.PutRaw(storage.InvitationsByCourse, storage.Key(inv.CourseID, id), nil)
	})
	return inv, err
}

// UpdateInvitation implements modules.Store.
func (s *Modules) UpdateInvitation(ctx context.Context, inv modules.Invitation) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if !tx.Has(storage.Invitations, storage.ID(inv.ID)) {
			return modules.ErrNoRecord
		}
		return tx.Put(storage.Invitations, storage.ID(inv.ID), inv)
	})
}

// Invitation implements modules.Store.
func (s *Modules) Invitation(ctx context.Context, id uint64) (modules.Invitation, error) {
	var inv modules.Invitation
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return invitation(storage.TxFrom(ctx), id, &inv)
	})
	return inv, err
}

func invitation(tx *storage.Tx, id uint64, inv *modules.Invitation) error {
	err := tx.Get(storage.Invitations, storage.ID(id), inv)
	if errors.Is(err, storage.ErrNotFound) {
		return modules.ErrNoRecord
	}
	return err
}

// InvitationsTo implements modules.Store.
func (s *Modules) InvitationsTo(ctx context.Context, email string) ([]modules.Invitation, error) {
	var out []modules.Invitation
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		prefix := byEmailKey(email, 0)
		return tx.Each(storage.InvitationsByEmail, prefix, func(k, _ []byte) error {
			var inv modules.Invitation
			if err := invitation(tx, storage.Part(k[len(prefix):], 0), &inv); err != nil {
				return err
			}
			out = append(out, inv)
			return nil
		})
	})
	return out, err
}

// CourseInvitations implements modules.Store.
func (s *Modules) CourseInvitations(ctx context.Context, course uint64) ([]modules.Invitation, error) {
	var out []modules.Invitation
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.InvitationsByCourse, storage.Key(course), func(k, _ []byte) error {
			var inv modules.Invitation
			if err := invitation(tx, storage.Part(k, 1), &inv); err != nil {
				return err
			}
			out = append(out, inv)
			return nil
		})
	})
	return out, err
}

// DeleteInvitation implements modules.Store.
func (s *Modules) DeleteInvitation(ctx context.Context, id uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var inv modules.Invitation
		err := invitation(tx, id, &inv)
		if errors.Is(err, modules.ErrNoRecord) {
			return nil
		}
		if err != nil {
			return err
		}
		return deleteInvitation(tx, inv)
	})
}

func deleteInvitation(tx *storage.Tx, inv modules.Invitation) error {
	if err := tx.Delete(storage.Invitations, storage.ID(inv.ID)); err != nil {
		return err
	}
	if err := tx.Delete(storage.InvitationsByEmail, byEmailKey(inv.Email, inv.ID)); err != nil {
		return err
	}
	return tx.Delete(storage.InvitationsByCourse, storage.Key(inv.CourseID, inv.ID))
}

// DeleteCourseInvitations implements modules.Store.
func (s *Modules) DeleteCourseInvitations(ctx context.Context, course uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		invs, err := s.CourseInvitations(ctx, course) // joins this transaction
		if err != nil {
			return err
		}
		tx := storage.TxFrom(ctx)
		for _, inv := range invs {
			if err := deleteInvitation(tx, inv); err != nil {
				return err
			}
		}
		return nil
	})
}
