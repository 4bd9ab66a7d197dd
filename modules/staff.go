package modules

import (
	"context"
	"errors"
)

// The staff index (MemberStore.StaffOf) lists each course's instructors
// and TAs. It is written with every member record (putMember, Leave), so
// that work that concerns a course's few staff (discussion delivery, which
// makes staff follow their course's threads) reads a handful of keys
// instead of decoding every member of a large course.

// Staff returns the users the staff index names for a course. A caller
// that acts on a role checks it (Role).
func (s *Service) Staff(ctx context.Context, courseID uint64) ([]uint64, error) {
	return s.store.StaffOf(ctx, courseID)
}

// BuildStaffIndex makes the staff index cover members stored before it
// existed (once; afterwards it only reads a mark). The server calls it at
// start.
func (s *Service) BuildStaffIndex(ctx context.Context) error { return s.store.BuildStaffIndex(ctx) }

// StaffMembers is the member records of a course's instructors and
// TAs, read through the staff index: a submission tells them in its own
// write, and reading a handful of records keeps that write short in a
// large course.
func (s *Service) StaffMembers(ctx context.Context, courseID uint64) ([]Member, error) {
	ids, err := s.store.StaffOf(ctx, courseID)
	if err != nil {
		return nil, err
	}
	var out []Member
	for _, id := range ids {
		m, err := s.store.Member(ctx, courseID, id)
		if errors.Is(err, ErrNoRecord) {
			continue
		} else if err != nil {
			return nil, err
		}
		if m.Staff() {
			out = append(out, m)
		}
	}
	return out, nil
}
