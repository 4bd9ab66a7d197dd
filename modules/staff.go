package modules

import (
	"errors"

	"pacer/storage"
)

// The staff index (storage.StaffByCourse) lists each course's instructors
// and TAs. It is written with every member record (putMember, Leave), so
// that work that concerns a course's few staff (discussion delivery, which
// makes staff follow their course's threads) reads a handful of keys
// instead of decoding every member of a large course.

// staffIndexMark is the Settings key set once the index covers every
// member written before it existed.
var staffIndexMark = []byte("staff_index_built")

// indexStaffTx keeps m's entry in the staff index in step with its role.
func indexStaffTx(tx *storage.Tx, m Member) error {
	key := storage.Key(m.CourseID, m.UserID)
	if m.Staff() {
		if tx.Has(storage.StaffByCourse, key) {
			return nil
		}
		return tx.PutRaw(storage.StaffByCourse, key, nil)
	}
	return tx.Delete(storage.StaffByCourse, key)
}

// StaffTx returns the users the staff index names for a course. An entry
// may outlive a membership removed by a path that forgot the index, so a
// caller that acts on a role checks it (RoleTx).
func StaffTx(tx *storage.Tx, courseID uint64) ([]uint64, error) {
	var out []uint64
	err := tx.Each(storage.StaffByCourse, storage.Key(courseID), func(k, _ []byte) error {
		out = append(out, storage.Part(k, 1))
		return nil
	})
	return out, err
}

// BuildStaffIndex fills the staff index from the member records once, for
// a data directory written before the index existed; afterwards it only
// reads the mark. The server calls it at start.
func (s *Service) BuildStaffIndex() error {
	var built bool
	if err := s.db.View(func(tx *storage.Tx) error {
		built = tx.Has(storage.Settings, staffIndexMark)
		return nil
	}); err != nil || built {
		return err
	}
	return s.db.Update(func(tx *storage.Tx) error {
		err := tx.Each(storage.Members, nil, func(_, v []byte) error {
			var m Member
			if err := jsonDecode(v, &m); err != nil {
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

// StaffMembersTx is the member records of a course's instructors and TAs,
// read through the staff index: a submission tells them in its own write,
// and reading a handful of keys keeps that write short in a large course.
func StaffMembersTx(tx *storage.Tx, courseID uint64) ([]Member, error) {
	ids, err := StaffTx(tx, courseID)
	if err != nil {
		return nil, err
	}
	var out []Member
	for _, id := range ids {
		m, err := MemberTx(tx, courseID, id)
		if errors.Is(err, storage.ErrNotFound) {
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
