package modules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"pacer/audit"
	"pacer/auth"
	"pacer/errs"
	"pacer/notify"
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
	// The invitation is counted before its transaction, not in it: on a
	// shared store the count is a statement of its own, which a request
	// holding its transaction's connection must not wait for (nor count
	// again each time the transaction is retried). An invitation that
	// is not sent, refused or failed, is given back.
	limitKey := fmt.Sprint(caller)
	if ok, wait := s.invitesByUser.Allow(ctx, limitKey); !ok {
		return SentInvitation{}, errs.Limited("too many invitations; try again later", wait)
	}
	var inv Invitation
	now := s.now().UTC()
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		found, err := s.pending(ctx, courseID, addr)
		if err != nil {
			return err
		}
		if found != nil {
			inv = *found
			inv.Role = role
			err = s.store.UpdateInvitation(ctx, inv)
		} else {
			inv, err = s.store.AddInvitation(ctx, Invitation{CourseID: courseID, Email: addr, Role: role,
				InvitedBy: caller, CreatedAt: now})
		}
		if err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "invitation_sent", CourseID: courseID,
			TargetID: inv.ID, Detail: role}); err != nil {
			return err
		}
		if found != nil {
			return nil
		}
		return s.tellInvitee(ctx, a.Course, inv)
	})
	if err != nil {
		s.invitesByUser.Refund(ctx, limitKey)
	}
	return inv.sent(), errs.Wrap(err, "invite")
}

// tellInvitee notifies the account with the invitation's address, if there
// is one; the notify outbox derives the e-mail. An address without an
// account gets no mail: Pacer mails only its own users, so an invitation
// cannot carry a course title to any address at all.
func (s *Service) tellInvitee(ctx context.Context, c Course, inv Invitation) error {
	if s.Notify == nil {
		return nil
	}
	user, err := s.users.UserIDByEmail(ctx, inv.Email)
	if err != nil || user == 0 {
		return err
	}
	from, err := s.users.User(ctx, inv.InvitedBy)
	if err != nil {
		return err
	}
	_, err = s.Notify.Add(ctx, notify.Notification{UserID: user, CourseID: c.ID, Kind: notify.KindInvitation,
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

// pending finds a course's pending invitation of an address, or nil.
func (s *Service) pending(ctx context.Context, courseID uint64, addr string) (*Invitation, error) {
	invs, err := s.store.InvitationsTo(ctx, addr)
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		if inv.CourseID == courseID {
			return &inv, nil
		}
	}
	return nil, nil
}

// CourseInvitations lists a course's pending invitations (instructors only).
func (s *Service) CourseInvitations(ctx context.Context, courseID, caller uint64) ([]SentInvitation, error) {
	out := []SentInvitation{}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		invs, err := s.store.CourseInvitations(ctx, courseID)
		for _, inv := range invs {
			out = append(out, inv.sent())
		}
		return err
	})
	return out, errs.Wrap(err, "course invitations")
}

// MyInvitations lists the invitations to the caller's e-mail address.
func (s *Service) MyInvitations(ctx context.Context, caller uint64) ([]MyInvitation, error) {
	out := []MyInvitation{}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		me, err := s.users.User(ctx, caller)
		if err != nil {
			return err
		}
		invs, err := s.store.InvitationsTo(ctx, emailKey(me.Email))
		if err != nil {
			return err
		}
		for _, inv := range invs {
			c, err := s.CourseRecord(ctx, inv.CourseID)
			if errs.Is(err, errs.NotFound) {
				continue
			} else if err != nil {
				return err
			}
			from, err := s.users.User(ctx, inv.InvitedBy)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			out = append(out, MyInvitation{ID: inv.ID, CourseID: c.ID, CourseTitle: c.Title, Role: inv.Role,
				InvitedBy: Inviter{ID: inv.InvitedBy, Name: from.Name}})
		}
		return nil
	})
	return out, errs.Wrap(err, "my invitations")
}

// invitation reads an invitation; a missing one is 404.
func (s *Service) invitation(ctx context.Context, id uint64) (Invitation, error) {
	inv, err := s.store.Invitation(ctx, id)
	if errors.Is(err, ErrNoRecord) {
		return inv, errs.NotFoundf("invitation")
	}
	return inv, err
}

// invitee reports whether the caller is the one an invitation is for.
func (s *Service) invitee(ctx context.Context, inv Invitation, caller uint64) (bool, error) {
	me, err := s.users.User(ctx, caller)
	if err != nil {
		return false, err
	}
	return emailKey(me.Email) == inv.Email, nil
}

// AcceptInvitation makes the invitee a member in the invitation's role.
// Anyone else gets 404, as if there were no such invitation.
func (s *Service) AcceptInvitation(ctx context.Context, id, caller uint64) (Enrolment, error) {
	var e Enrolment
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		inv, err := s.invitation(ctx, id)
		if err != nil {
			return err
		}
		if mine, err := s.invitee(ctx, inv, caller); err != nil || !mine {
			if err == nil {
				err = errs.NotFoundf("invitation")
			}
			return err
		}
		if _, err := s.store.Member(ctx, inv.CourseID, caller); err == nil {
			return errs.ConflictCode("already_enrolled", "you are already a member of this course")
		} else if !errors.Is(err, ErrNoRecord) {
			return err
		}
		c, err := s.CourseRecord(ctx, inv.CourseID)
		if err != nil {
			return err
		}
		if err := s.writable(ctx, c); err != nil {
			return err
		}
		e = Enrolment{Role: inv.Role, EnrolledAt: s.now().UTC()}
		if err := s.putMember(ctx, Member{CourseID: inv.CourseID, UserID: caller, Role: inv.Role,
			EnrolledAt: e.EnrolledAt, Joined: JoinedInvitation}); err != nil {
			return err
		}
		if err := s.store.DeleteInvitation(ctx, inv.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "invitation_accepted", CourseID: inv.CourseID,
			TargetID: inv.ID, Detail: inv.Role})
	})
	return e, errs.Wrap(err, "accept invitation")
}

// DeleteInvitation withdraws an invitation: the invitee declines it, or an
// instructor of its course revokes it. Anyone else gets 404.
func (s *Service) DeleteInvitation(ctx context.Context, id, caller uint64) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		inv, err := s.invitation(ctx, id)
		if err != nil {
			return err
		}
		action := "invitation_declined"
		mine, err := s.invitee(ctx, inv, caller)
		if err != nil {
			return err
		}
		if !mine {
			action = "invitation_revoked"
			role, err := s.role(ctx, inv.CourseID, caller)
			if err != nil {
				return err
			}
			if role != RoleInstructor {
				return errs.NotFoundf("invitation")
			}
		}
		if err := s.store.DeleteInvitation(ctx, inv.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: action, CourseID: inv.CourseID, TargetID: inv.ID})
	})
	return errs.Wrap(err, "delete invitation")
}

// emailKey is the form of an address that invitations are kept under and
// compared in: trimmed and lower case, as Invite's auth.NormalEmail leaves
// it (and the form the engine keys invitations by).
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
