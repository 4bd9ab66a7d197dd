package discussion

import (
	"context"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/storage"
)

// Staff follow the threads of their course by default: an instructor or TA
// hears of replies in every thread of the course's boards unless they
// opted out of that thread (DELETE .../subscription) or turned following
// off for the course (PUT /courses/:course/discussion-settings).
//
// It is evaluated lazily, at delivery, rather than written as a
// subscription per staff member per thread: a new TA then follows the
// threads that already exist, turning following off takes effect at once,
// and the reply path writes nothing more. Delivery reads the course's
// staff from the staff index (a few keys) once per thread per batch, never
// the course's members.

// subFollowed is the state byte of a subscription entry kept only to
// remember the unread reply notification of a staff member who follows
// the thread by default, not by their own choice (1) or opt-out (0).
const subFollowed = 2

// subState reads the state byte of a subscription entry: 0 opted out, 1
// subscribed, subFollowed; ok is false when there is no entry.
func subState(v []byte) (state byte, ok bool) {
	if len(v) == 0 {
		return 0, false
	}
	return v[0], true
}

// followsTx reports whether a staff member follows the threads of a
// course (the default).
func followsTx(tx *storage.Tx, course, user uint64) bool {
	return !tx.Has(storage.ThreadFollowOff, storage.Key(course, user))
}

// subscribedTx reports whether user hears of replies in thread t: their own
// choice if they made one, otherwise whether they are staff who follow
// the course.
func subscribedTx(tx *storage.Tx, t threadRec, user uint64, staff bool) bool {
	state, ok := subState(tx.GetRaw(storage.Subscriptions, storage.Key(t.ID, user)))
	if ok && state != subFollowed {
		return state == 1
	}
	return staff && followsTx(tx, t.CourseID, user)
}

// eachFollowerTx calls fn for each staff member of t's course who follows
// it by default and made no choice of their own about it, with the id of
// their unread reply notification about it, if any. It reads the staff
// index and each staff member's entry: a few keys, whatever the number of
// subscribers.
func (s *Service) eachFollowerTx(tx *storage.Tx, t threadRec, fn func(user, notification uint64)) error {
	staff, err := modules.StaffTx(tx, t.CourseID)
	if err != nil {
		return err
	}
	for _, u := range staff {
		v := tx.GetRaw(storage.Subscriptions, storage.Key(t.ID, u))
		if state, ok := subState(v); (ok && state != subFollowed) || !followsTx(tx, t.CourseID, u) {
			continue
		}
		// While their reply notification is unread there is nothing to tell
		// them (tellSubscribersTx), so their role need not be read.
		_, n := parseSubEntry(v)
		if n != 0 && notify.UnreadTx(tx, u, n) {
			continue
		}
		// The index may name someone whose membership was removed since.
		role, err := s.courses.RoleTx(tx, t.CourseID, u)
		if err != nil {
			return err
		}
		if role == modules.RoleInstructor || role == modules.RoleTA {
			fn(u, n)
		}
	}
	return nil
}

// FollowSettings is a staff member's discussion settings in one course.
type FollowSettings struct {
	// FollowThreads: hear of replies in every thread of the course's
	// boards, unless unsubscribed from the thread (default true).
	FollowThreads bool `json:"follow_threads"`
}

// FollowSettingsInput changes FollowSettings.
type FollowSettingsInput struct {
	FollowThreads *bool `json:"follow_threads"`
}

// Follow returns the caller's settings in a course (staff only: 404 for
// non-members, 403 for students).
func (s *Service) Follow(ctx context.Context, caller, course uint64) (FollowSettings, error) {
	var out FollowSettings
	err := s.db.View(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		out.FollowThreads = followsTx(tx, course, caller)
		return nil
	})
	return out, errs.Wrap(err, "discussion settings")
}

// SetFollow changes the caller's settings in a course (staff only).
func (s *Service) SetFollow(ctx context.Context, caller, course uint64, in FollowSettingsInput) (FollowSettings, error) {
	var out FollowSettings
	err := s.db.Update(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if in.FollowThreads == nil {
			return errs.Field("follow_threads", "required")
		}
		key := storage.Key(course, caller)
		if *in.FollowThreads {
			err = tx.Delete(storage.ThreadFollowOff, key)
		} else {
			err = tx.PutRaw(storage.ThreadFollowOff, key, nil)
		}
		out.FollowThreads = *in.FollowThreads
		return err
	})
	return out, errs.Wrap(err, "discussion settings")
}
