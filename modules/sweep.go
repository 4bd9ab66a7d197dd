package modules

import (
	"context"
	"time"
)

// Swept is a member of a course as a sweep over every enrolment judges
// them: who, in which role, when their weeks start and when they were last
// active. It is Member without what no sweep reads (the course, known to
// the caller, and how they joined).
type Swept struct {
	UserID       uint64
	Role         string
	EnrolledAt   time.Time
	LastActiveAt *time.Time
}

// Staff reports whether the member teaches the course.
func (m Swept) Staff() bool { return m.Role == RoleInstructor || m.Role == RoleTA }

// Member is the swept member as a Member of course, for code that judges
// one learner at a time.
func (m Swept) Member(course uint64) Member {
	return Member{CourseID: course, UserID: m.UserID, Role: m.Role, EnrolledAt: m.EnrolledAt, LastActiveAt: m.LastActiveAt}
}

// Sweep returns every member of a course, in user order, in one read
// (no access check). It is the
// set-oriented read of the sweeps that judge a whole course at every tick
// (engagement's flag_inactive over every enrolment of the site): out is
// reused, so a sweep over many courses keeps one buffer.
func (s *Service) Sweep(ctx context.Context, courseID uint64, out []Swept) ([]Swept, error) {
	return s.store.SweepMembers(ctx, courseID, out)
}
