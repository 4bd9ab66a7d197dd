package deadlines

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
	"pacer/txn"
)

// Deadline is one due time of one learner, as GET /me/deadlines lists it.
type Deadline struct {
	CourseID     uint64     `json:"course_id"`
	CourseTitle  string     `json:"course_title"`
	ModuleID     uint64     `json:"module_id"`
	Title        string     `json:"title"`
	OpensAt      *time.Time `json:"opens_at"`
	DueAt        time.Time  `json:"due_at"`
	CutoffAt     time.Time  `json:"cutoff_at"`
	Extended     bool       `json:"extended"`
	Status       string     `json:"status"`
	State        string     `json:"state"`
	LockedReason string     `json:"locked_reason,omitempty"`
	Progress     float64    `json:"progress"`
}

// membership is one course of a user with their role in it; Learner is the
// course service's view of a student (nil for staff).
type membership struct {
	Course  modules.Course
	Member  modules.Member
	Learner *modules.Learner
}

// memberships lists the user's courses, each student one with its
// computed learner view (weeks, extensions, states, progress): the same
// computation as the modules list, so every view agrees.
func (s *Service) memberships(ctx context.Context, user uint64) ([]membership, error) {
	courses, err := s.courses.CoursesOf(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]membership, 0, len(courses))
	for _, id := range courses {
		c, err := s.courses.CourseRecord(ctx, id)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				continue
			}
			return nil, err
		}
		m, err := s.courses.Member(ctx, id, user)
		if errors.Is(err, txn.ErrNotFound) {
			continue // the index outlived the membership; nothing to show
		} else if err != nil {
			return nil, err
		}
		ms := membership{Course: c, Member: m}
		if !m.Staff() {
			if ms.Learner, err = s.courses.Learner(ctx, c, m, false); err != nil {
				return nil, err
			}
		}
		out = append(out, ms)
	}
	return out, nil
}

// Deadlines lists the caller's due times across the courses they study, in
// order of due time, each with its status at this moment (upcoming,
// due_soon, overdue, done, missed). Modules without a due time are left
// out; staff roles have no deadlines of their own.
func (s *Service) Deadlines(ctx context.Context, caller uint64) ([]Deadline, error) {
	out := []Deadline{}
	now := s.clock()
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		ms, err := s.memberships(ctx, caller)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Learner == nil {
				continue
			}
			times := m.Course.Times()
			for i := range m.Learner.Modules {
				v := &m.Learner.Modules[i]
				if v.DueAt == nil {
					continue
				}
				w := learnerWindow(v)
				d := Deadline{CourseID: m.Course.ID, CourseTitle: m.Course.Title, ModuleID: v.ID, Title: v.Title,
					OpensAt: v.OpensAt, DueAt: *v.DueAt, CutoffAt: *w.Cutoff(times), Extended: v.Extended,
					Status: calendar.DeadlineStatus(times, w, v.Complete(), now), State: v.State,
					LockedReason: v.LockedReason}
				if v.Progress != nil {
					d.Progress = *v.Progress
				}
				out = append(out, d)
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Deadline) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.CourseID, b.CourseID), cmp.Compare(a.ModuleID, b.ModuleID))
	})
	return out, errs.Wrap(err, "deadlines")
}
