package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"pacer/modules"
	"pacer/storage"
)

// Members live in storage.Members under course|user, indexed by user
// (storage.MembersByUser: user|course) and, for instructors and TAs, by
// course (storage.StaffByCourse: course|user), so that work concerning a
// course's few staff reads a handful of keys instead of every member.

// staffIndexMark is the Settings key set once the staff index covers
// every member written before it existed.
var staffIndexMark = []byte("staff_index_built")

// RolesBetween implements modules.Store: one walk of the course's
// members in the range.
func (s *Modules) RolesBetween(ctx context.Context, course, lo, hi uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.EachFrom(storage.Members, storage.ID(course), storage.Key(course, lo), func(k, v []byte) error {
			user := storage.Part(k, 1)
			if user > hi {
				return storage.Stop
			}
			var m struct{ Role string }
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			out[user] = m.Role
			return nil
		})
	})
	return out, err
}

// Member implements modules.Store.
func (s *Modules) Member(ctx context.Context, course, user uint64) (modules.Member, error) {
	var m modules.Member
	err := s.db.Read(ctx, func(ctx context.Context) error {
		err := storage.TxFrom(ctx).Get(storage.Members, storage.Key(course, user), &m)
		if errors.Is(err, storage.ErrNotFound) {
			return modules.ErrNoRecord
		}
		return err
	})
	return m, err
}

// IsMember implements modules.Store.
func (s *Modules) IsMember(ctx context.Context, course, user uint64) (bool, error) {
	var ok bool
	err := s.db.Read(ctx, func(ctx context.Context) error {
		ok = storage.TxFrom(ctx).Has(storage.Members, storage.Key(course, user))
		return nil
	})
	return ok, err
}

// PutMember implements modules.Store.
func (s *Modules) PutMember(ctx context.Context, m modules.Member) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.Put(storage.Members, storage.Key(m.CourseID, m.UserID), m); err != nil {
			return err
		}
		staff := storage.Key(m.CourseID, m.UserID)
		switch {
		case !m.Staff():
			if err := tx.Delete(storage.StaffByCourse, staff); err != nil {
				return err
			}
		case !tx.Has(storage.StaffByCourse, staff):
			if err := tx.PutRaw(storage.StaffByCourse, staff, nil); err != nil {
				return err
			}
		}
		return tx.PutRaw(storage.MembersByUser, storage.Key(m.UserID, m.CourseID), nil)
	})
}

// MarkActive implements modules.Store: only the records change, so the
// indexes are left alone (the activity flush writes many of these).
func (s *Modules) MarkActive(ctx context.Context, seen []modules.Seen) ([]bool, error) {
	out := make([]bool, len(seen))
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for i, v := range seen {
			key := storage.Key(v.Course, v.User)
			var m modules.Member
			switch err := tx.Get(storage.Members, key, &m); {
			case errors.Is(err, storage.ErrNotFound):
				out[i] = false
				continue
			case err != nil:
				return err
			}
			out[i] = true
			if m.LastActiveAt != nil && !v.At.After(*m.LastActiveAt) {
				continue
			}
			at := v.At
			m.LastActiveAt = &at
			if err := tx.Put(storage.Members, key, m); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DeleteMember implements modules.Store.
func (s *Modules) DeleteMember(ctx context.Context, course, user uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.Delete(storage.Members, storage.Key(course, user)); err != nil {
			return err
		}
		if err := tx.Delete(storage.MembersByUser, storage.Key(user, course)); err != nil {
			return err
		}
		return tx.Delete(storage.StaffByCourse, storage.Key(course, user))
	})
}

// EachMember implements modules.Store.
func (s *Modules) EachMember(ctx context.Context, course uint64, fn func(modules.Member) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.Members, storage.Key(course), func(_, v []byte) error {
			var m modules.Member
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			return fn(m)
		})
	})
}

// SweepMembers implements modules.Store: one walk of the course's member
// records, each scanned (memberscan.go) rather than decoded.
func (s *Modules) SweepMembers(ctx context.Context, course uint64, out []modules.Swept) ([]modules.Swept, error) {
	out = out[:0]
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var times []time.Time // blocks the LastActiveAt pointers point into
		return storage.TxFrom(ctx).Each(storage.Members, storage.Key(course), func(_, v []byte) error {
			var m modules.Swept
			var last time.Time
			hasLast, ok := scanMember(v, &m, &last)
			if !ok {
				var full modules.Member
				if err := json.Unmarshal(v, &full); err != nil {
					return err
				}
				m = modules.Swept{UserID: full.UserID, Role: full.Role, EnrolledAt: full.EnrolledAt, LastActiveAt: full.LastActiveAt}
			} else if hasLast {
				if len(times) == cap(times) {
					// A new block: pointers into the old one stay valid.
					times = make([]time.Time, 0, 256)
				}
				times = append(times, last)
				m.LastActiveAt = &times[len(times)-1]
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// CoursesOf implements modules.Store.
func (s *Modules) CoursesOf(ctx context.Context, user uint64) ([]uint64, error) {
	var out []uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.MembersByUser, storage.Key(user), func(k, _ []byte) error {
			out = append(out, storage.Part(k, 1))
			return nil
		})
	})
	return out, err
}

// StaffOf implements modules.Store.
func (s *Modules) StaffOf(ctx context.Context, course uint64) ([]uint64, error) {
	var out []uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.StaffByCourse, storage.Key(course), func(k, _ []byte) error {
			out = append(out, storage.Part(k, 1))
			return nil
		})
	})
	return out, err
}

// BuildStaffIndex implements modules.Store: a data directory written
// before the staff index existed gets it once; afterwards only the mark
// is read.
func (s *Modules) BuildStaffIndex(ctx context.Context) error {
	var built bool
	if err := s.db.Read(ctx, func(ctx context.Context) error {
		built = storage.TxFrom(ctx).Has(storage.Settings, staffIndexMark)
		return nil
	}); err != nil || built {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.Members, nil, func(_, v []byte) error {
			var m modules.Member
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if !m.Staff() {
				return nil
			}
			return tx.PutRaw(storage.StaffByCourse, storage.Key(m.CourseID, m.UserID), nil)
		})
		if err != nil {
			return err
		}
		return tx.PutRaw(storage.Settings, staffIndexMark, []byte{1})
	})
}
