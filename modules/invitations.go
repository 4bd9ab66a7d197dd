package modules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pacer/audit"
	"pacer/auth"
	"pacer/errs"
	"pacer/notify"
	"pacer/storage"
)

// Invitation asks the person with an e-mail address to join a course in a
// role. It is how staff bring people in: the invitee becomes a member only
// by accepting, so nobody is made a member against their will, and the
// inviter learns nothing about the address (not even whether it has an
// account) that they did not write themselves.
type Invitation struct {
	ID        uint64    `json:"id"`
	CourseID  uint64    `json:"course_id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	InvitedBy uint64    `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
}

// SentInvitation is the answer to the inviter: only what they wrote.
type SentInvitation struct {
	ID        uint64    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

func (inv Invitation) sent() SentInvitation {
	return SentInvitation{ID: inv.ID, Email: inv.Email, Role: inv.Role, CreatedAt: inv.CreatedAt}
}

// Inviter names who sent an invitation.
type Inviter struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

// MyInvitation is a pending invitation as its invitee sees it.
type MyInvitation struct {
	ID          uint64  `json:"id"`
	CourseID    uint64  `json:"course_id"`
	CourseTitle string  `json:"course_title"`
	Role        string  `json:"role"`
	InvitedBy   Inviter `json:"invited_by"`
}

// byEmailKey is the InvitationsByEmail key: the normalized address, a zero
// byte (never part of an address) and the invitation id.
func byEmailKey(email string, id uint64) []byte {
	k := append(storage.EmailKey(email), 0)
	if id == 0 {
		return k
	}
	return append(k, storage.ID(id)...)
}

// Invite invites the person with an e-mail address to a course
// (instructors only). The answer is the same whether or not the address
// has an account; a person who has one is told in-app and by e-mail, one
// who registers later with the address finds the invitation then. Inviting
// an address again changes the role of its pending invitation.
func (s *Service) Invite(ctx context.Context, courseID, caller uint64, email, role string) (SentInvitation, error) {
	fields := map[string]string{}
	addr, ok := auth.NormalEmail(email)
	if !ok {
		fields["email"] = "must be an e-mail address"
	}
	switch role {
	case RoleInstructor, RoleTA, RoleStudent:
	default:
		fields["role"] = "must be instructor, ta or student"
	}
	if len(fields) > 0 {
		return SentInvitation{}, errs.Validation(fields)
	}
	var inv Invitation
	err := s.db.Update(func(tx *storage.Tx) error {
		a, err := s.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		if ok, wait := s.invitesByUser.Allow(fmt.Sprint(caller)); !ok {
			return errs.Limited("too many invitations; try again later", wait)
		}
		found, err := pendingTx(tx, courseID, addr)
		if err != nil {
			return err
		}
		if found != nil {
			inv = *found
			inv.Role = role
		} else {
			id, err := tx.NextID(storage.Invitations)
			if err != nil {
				return err
			}
			inv = Invitation{ID: id, CourseID: courseID, Email: addr, Role: role, InvitedBy: caller, CreatedAt: s.now().UTC()}
		}
		if err := s.putInvitation(tx, inv); err != nil {
			return err
		}
		if err := s.Audit.RecordTx(tx, audit.Entry{ActorID: caller, Action: "invitation_sent", CourseID: courseID,
			TargetID: inv.ID, Detail: role}); err != nil {
			return err
		}
		if found != nil {
			return nil
		}
		return s.tellInvitee(tx, a.Course, inv)
	})
	return inv.sent(), errs.Wrap(err, "invite")
}

// tellInvitee notifies the account with the invitation's address, if there
// is one; the notify outbox derives the e-mail. An address without an
// account gets no mail: Pacer mails only its own users, so an invitation
// cannot carry a course title to any address at all.
func (s *Service) tellInvitee(tx *storage.Tx, c Course, inv Invitation) error {
	user := auth.ByEmailTx(tx, inv.Email)
	if user == 0 || s.Notify == nil {
		return nil
	}
	from, err := auth.LookupTx(tx, inv.InvitedBy)
	if err != nil {
		return err
	}
	_, err = s.Notify.AddTx(tx, notify.Notification{UserID: user, CourseID: c.ID, Kind: notify.KindInvitation,
		Title: "Join " + c.Title,
		Body: fmt.Sprintf("%s invites you to join %s as %s. Accept or decline on your dashboard; "+
			"you become a member only if you accept.", from.Name, c.Title, roleArticle(inv.Role)),
		Link: "/dashboard"})
	return err
}

func roleArticle(r string) string {
	switch r {
	case RoleInstructor:
		return "an instructor"
	case RoleTA:
		return "a TA"
	}
	return "a student"
}

func (s *Service) putInvitation(tx *storage.Tx, inv Invitation) error {
	if err := tx.Put(storage.Invitations, storage.ID(inv.ID), inv); err != nil {
		return err
	}
	if err := tx.PutRaw(storage.InvitationsByEmail, byEmailKey(inv.Email, inv.ID), nil); err != nil {
		return err
	}
	return tx.PutRaw(storage.InvitationsByCourse, storage.Key(inv.CourseID, inv.ID), nil)
}

func deleteInvitation(tx *storage.Tx, inv Invitation) error {
	if err := tx.Delete(storage.Invitations, storage.ID(inv.ID)); err != nil {
		return err
	}
	if err := tx.Delete(storage.InvitationsByEmail, byEmailKey(inv.Email, inv.ID)); err != nil {
		return err
	}
	return tx.Delete(storage.InvitationsByCourse, storage.Key(inv.CourseID, inv.ID))
}

// pendingTx finds a course's pending invitation of an address, or nil.
func pendingTx(tx *storage.Tx, courseID uint64, addr string) (*Invitation, error) {
	var found *Invitation
	err := eachInvitation(tx, addr, func(inv Invitation) error {
		if inv.CourseID == courseID {
			found = &inv
			return storage.Stop
		}
		return nil
	})
	return found, err
}

// eachInvitation calls fn with every pending invitation of an address.
func eachInvitation(tx *storage.Tx, addr string, fn func(Invitation) error) error {
	prefix := byEmailKey(addr, 0)
	err := tx.Each(storage.InvitationsByEmail, prefix, func(k, _ []byte) error {
		var inv Invitation
		if err := tx.Get(storage.Invitations, k[len(prefix):], &inv); err != nil {
			return err
		}
		return fn(inv)
	})
	if errors.Is(err, storage.Stop) {
		return nil
	}
	return err
}

// CourseInvitations lists a course's pending invitations (instructors only).
func (s *Service) CourseInvitations(ctx context.Context, courseID, caller uint64) ([]SentInvitation, error) {
	out := []SentInvitation{}
	err := s.db.View(func(tx *storage.Tx) error {
		a, err := s.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		return tx.Each(storage.InvitationsByCourse, storage.Key(courseID), func(k, _ []byte) error {
			var inv Invitation
			if err := tx.Get(storage.Invitations, storage.ID(storage.Part(k, 1)), &inv); err != nil {
				return err
			}
			out = append(out, inv.sent())
			return nil
		})
	})
	return out, errs.Wrap(err, "course invitations")
}

// MyInvitations lists the invitations to the caller's e-mail address.
func (s *Service) MyInvitations(ctx context.Context, caller uint64) ([]MyInvitation, error) {
	out := []MyInvitation{}
	err := s.db.View(func(tx *storage.Tx) error {
		me, err := auth.LookupTx(tx, caller)
		if err != nil {
			return err
		}
		return eachInvitation(tx, me.Email, func(inv Invitation) error {
			c, err := CourseTx(tx, inv.CourseID)
			if errs.Is(err, errs.NotFound) {
				return nil
			} else if err != nil {
				return err
			}
			from, err := auth.LookupTx(tx, inv.InvitedBy)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			out = append(out, MyInvitation{ID: inv.ID, CourseID: c.ID, CourseTitle: c.Title, Role: inv.Role,
				InvitedBy: Inviter{ID: inv.InvitedBy, Name: from.Name}})
			return nil
		})
	})
	return out, errs.Wrap(err, "my invitations")
}

// invitationTx reads an invitation; a missing one is 404.
func invitationTx(tx *storage.Tx, id uint64) (Invitation, error) {
	var inv Invitation
	err := tx.Get(storage.Invitations, storage.ID(id), &inv)
	if errors.Is(err, storage.ErrNotFound) {
		return inv, errs.NotFoundf("invitation")
	}
	return inv, err
}

// inviteeTx reports whether the caller is the one an invitation is for.
func inviteeTx(tx *storage.Tx, inv Invitation, caller uint64) (bool, error) {
	me, err := auth.LookupTx(tx, caller)
	if err != nil {
		return false, err
	}
	return string(storage.EmailKey(me.Email)) == inv.Email, nil
}

// AcceptInvitation makes the invitee a member in the invitation's role.
// Anyone else gets 404, as if there were no such invitation.
func (s *Service) AcceptInvitation(ctx context.Context, id, caller uint64) (Enrolment, error) {
	var e Enrolment
	err := s.db.Update(func(tx *storage.Tx) error {
		inv, err := invitationTx(tx, id)
		if err != nil {
			return err
		}
		if mine, err := inviteeTx(tx, inv, caller); err != nil || !mine {
			if err == nil {
				err = errs.NotFoundf("invitation")
			}
			return err
		}
		if _, err := MemberTx(tx, inv.CourseID, caller); err == nil {
			return errs.ConflictCode("already_enrolled", "you are already a member of this course")
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		c, err := CourseTx(tx, inv.CourseID)
		if err != nil {
			return err
		}
		if err := writableTx(tx, c); err != nil {
			return err
		}
		e = Enrolment{Role: inv.Role, EnrolledAt: s.now().UTC()}
		if err := s.putMember(tx, Member{CourseID: inv.CourseID, UserID: caller, Role: inv.Role,
			EnrolledAt: e.EnrolledAt, Joined: JoinedInvitation}); err != nil {
			return err
		}
		if err := deleteInvitation(tx, inv); err != nil {
			return err
		}
		return s.Audit.RecordTx(tx, audit.Entry{ActorID: caller, Action: "invitation_accepted", CourseID: inv.CourseID,
			TargetID: inv.ID, Detail: inv.Role})
	})
	return e, errs.Wrap(err, "accept invitation")
}

// DeleteInvitation withdraws an invitation: the invitee declines it, or an
// instructor of its course revokes it. Anyone else gets 404.
func (s *Service) DeleteInvitation(ctx context.Context, id, caller uint64) error {
	err := s.db.Update(func(tx *storage.Tx) error {
		inv, err := invitationTx(tx, id)
		if err != nil {
			return err
		}
		action := "invitation_declined"
		mine, err := inviteeTx(tx, inv, caller)
		if err != nil {
			return err
		}
		if !mine {
			action = "invitation_revoked"
			role, err := s.RoleTx(tx, inv.CourseID, caller)
			if err != nil {
				return err
			}
			if role != RoleInstructor {
				return errs.NotFoundf("invitation")
			}
		}
		if err := deleteInvitation(tx, inv); err != nil {
			return err
		}
		return s.Audit.RecordTx(tx, audit.Entry{ActorID: caller, Action: action, CourseID: inv.CourseID, TargetID: inv.ID})
	})
	return errs.Wrap(err, "delete invitation")
}
