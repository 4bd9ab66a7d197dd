package discussion

import (
	"context"

	"pacer/errs"
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

// subscribed reports whether user hears of replies in thread t: their own
// choice if they made one, otherwise whether they are staff who follow
// the course.
func (s *Service) subscribed(ctx context.Context, t ThreadRecord, user uint64, staff bool) (bool, error) {
	sub, err := s.store.Subscription(ctx, t.ID, user)
	if err != nil {
		return false, err
	}
	if chosen(sub) || !staff {
		// The follow setting cannot change the answer: not read.
		return subscribedBy(sub, staff, false), nil
	}
	follows, err := s.store.Follows(ctx, t.CourseID, user)
	return subscribedBy(sub, staff, follows), err
}

// courseFollowing is who of a course's staff follow its threads: the
// course's staff, and which of them follow.
type courseFollowing struct {
	staff     []uint64
	following map[uint64]bool
}

// courseFollowing reads a course's staff and which of them follow its
// threads: a few keys, read once per course per delivery.
func (s *Service) courseFollowing(ctx context.Context, course uint64) (courseFollowing, error) {
	staff, err := s.courses.Staff(ctx, course)
	if err != nil || len(staff) == 0 {
		return courseFollowing{}, err
	}
	following, err := s.store.Following(ctx, course, staff)
	return courseFollowing{staff: staff, following: following}, err
}

// followers are the staff who hear of a thread's replies by following
// it: those who follow the course's threads and have no subscription of
// their own to it (own, by user), or one that only follows.
func (f courseFollowing) followers(own map[uint64]Subscription) []Subscriber {
	var out []Subscriber
	for _, u := range f.staff {
		if sub := own[u]; (sub.State == SubNone || sub.State == SubFollowed) && f.following[u] {
			out = append(out, Subscriber{User: u, Subscription: Subscription{State: SubFollowed, Notification: own[u].Notification}})
		}
	}
	return out
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
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		out.FollowThreads, err = s.store.Follows(ctx, course, caller)
		return err
	})
	return out, errs.Wrap(err, "discussion settings")
}

// SetFollow changes the caller's settings in a course (staff only).
func (s *Service) SetFollow(ctx context.Context, caller, course uint64, in FollowSettingsInput) (FollowSettings, error) {
	var out FollowSettings
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if in.FollowThreads == nil {
			return errs.Field("follow_threads", "required")
		}
		out.FollowThreads = *in.FollowThreads
		return s.store.SetFollows(ctx, course, caller, *in.FollowThreads)
	})
	return out, errs.Wrap(err, "discussion settings")
}
