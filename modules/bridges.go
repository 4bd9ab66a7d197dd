package modules

import (
	"bytes"
	"encoding/json"
	"errors"

	"pacer/errs"
	"pacer/storage"
)

// The package-level reads other packages still make of this package's
// records inside their own bbolt transactions, for callers not yet given
// the service. Each is the Service method of the same name (owner.go),
// which reads through the store; these read the bbolt engine's records
// directly and go when their last caller has moved to the method.

// CourseTx is Service.CourseTx for callers not yet given the service.
//
// Deprecated: use Service.CourseTx.
func CourseTx(tx *storage.Tx, id uint64) (Course, error) {
	var c Course
	err := tx.Get(storage.Courses, storage.ID(id), &c)
	if errors.Is(err, storage.ErrNotFound) {
		return c, errs.NotFoundf("course")
	}
	return c, err
}

// EachCourseTx is Service.EachCourseTx for callers not yet given the
// service.
//
// Deprecated: use Service.EachCourseTx.
func EachCourseTx(tx *storage.Tx, fn func(Course) error) error {
	return tx.Each(storage.Courses, nil, func(_, v []byte) error {
		var c Course
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		return fn(c)
	})
}

// ModuleTx is Service.ModuleTx for callers not yet given the service.
//
// Deprecated: use Service.ModuleTx.
func ModuleTx(tx *storage.Tx, moduleID uint64) (Module, error) {
	var m Module
	err := tx.Get(storage.Modules, storage.ID(moduleID), &m)
	return m, err
}

// ModulesTx is Service.ModulesTx for callers not yet given the service.
//
// Deprecated: use Service.ModulesTx.
func ModulesTx(tx *storage.Tx, courseID uint64) ([]Module, error) {
	var out []Module
	err := tx.Each(storage.ModulesByCourse, storage.Key(courseID), func(k, _ []byte) error {
		var m Module
		if err := tx.Get(storage.Modules, storage.ID(storage.Part(k, 2)), &m); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// ItemsTx is Service.ItemsTx for callers not yet given the service.
//
// Deprecated: use Service.ItemsTx.
func ItemsTx(tx *storage.Tx, moduleID uint64) ([]Item, error) {
	var out []Item
	err := tx.Each(storage.ItemsByModule, storage.Key(moduleID), func(k, _ []byte) error {
		var it Item
		if err := tx.Get(storage.Items, storage.ID(storage.Part(k, 2)), &it); err != nil {
			return err
		}
		out = append(out, it)
		return nil
	})
	return out, err
}

// ItemTx is Service.ItemTx for callers not yet given the service.
//
// Deprecated: use Service.ItemTx.
func ItemTx(tx *storage.Tx, courseID, itemID uint64) (Item, error) {
	var it Item
	if err := tx.Get(storage.Items, storage.ID(itemID), &it); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return it, errs.NotFoundf("item")
		}
		return it, err
	}
	if it.CourseID != courseID {
		return it, errs.NotFoundf("item")
	}
	return it, nil
}

// CompletedTx is Service.CompletedTx for callers not yet given the
// service.
//
// Deprecated: use Service.CompletedTx.
func CompletedTx(tx *storage.Tx, courseID, userID, itemID uint64) (bool, error) {
	raw := tx.GetRaw(storage.Progress, storage.Key(courseID, userID, itemID))
	if raw == nil {
		return false, nil
	}
	var p struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return false, err
	}
	return p.Status == StatusCompleted, nil
}

// EachProgressTx is Service.EachProgressTx for callers not yet given the
// service.
//
// Deprecated: use Service.EachProgressTx.
func EachProgressTx(tx *storage.Tx, courseID, userID uint64, fn func(itemID uint64, completed bool)) error {
	return tx.Each(storage.Progress, storage.Key(courseID, userID), func(k, v []byte) error {
		fn(storage.Part(k, 2), completedRaw(v))
		return nil
	})
}

// EachCourseProgressTx is Service.EachCourseProgressTx for callers not
// yet given the service.
//
// Deprecated: use Service.EachCourseProgressTx.
func EachCourseProgressTx(tx *storage.Tx, courseID uint64, fn func(userID, itemID uint64, completed bool)) error {
	return tx.Each(storage.Progress, storage.Key(courseID), func(k, v []byte) error {
		fn(storage.Part(k, 1), storage.Part(k, 2), completedRaw(v))
		return nil
	})
}

var (
	completedPrefix = []byte(`{"status":"completed"`)
	statusPrefix    = []byte(`{"status":"`)
)

// completedRaw reports whether a stored ItemProgress says completed
// without decoding the common shapes (the engine does the same).
func completedRaw(v []byte) bool {
	if bytes.HasPrefix(v, completedPrefix) {
		return true
	}
	if bytes.HasPrefix(v, statusPrefix) {
		return false
	}
	var p ItemProgress
	return json.Unmarshal(v, &p) == nil && p.Status == StatusCompleted
}

// CoursesOfTx is Service.CoursesOfTx for callers not yet given the service.
//
// Deprecated: use Service.CoursesOfTx.
func CoursesOfTx(tx *storage.Tx, userID uint64) ([]uint64, error) {
	var out []uint64
	err := tx.Each(storage.MembersByUser, storage.Key(userID), func(k, _ []byte) error {
		out = append(out, storage.Part(k, 1))
		return nil
	})
	return out, err
}

// IsMemberTx is Service.IsMemberTx for callers not yet given the service.
//
// Deprecated: use Service.IsMemberTx.
func IsMemberTx(tx *storage.Tx, courseID, userID uint64) bool {
	return tx.Has(storage.Members, storage.Key(courseID, userID))
}

// EachMemberTx is Service.EachMemberTx for callers not yet given the service.
//
// Deprecated: use Service.EachMemberTx.
func EachMemberTx(tx *storage.Tx, courseID uint64, fn func(Member) error) error {
	return tx.Each(storage.Members, storage.Key(courseID), func(_, v []byte) error {
		var m Member
		if err := jsonDecode(v, &m); err != nil {
			return err
		}
		return fn(m)
	})
}

// MembersTx is Service.MembersTx for callers not yet given the service.
//
// Deprecated: use Service.MembersTx.
func MembersTx(tx *storage.Tx, courseID uint64) ([]Member, error) {
	var out []Member
	err := EachMemberTx(tx, courseID, func(m Member) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// MemberTx is Service.MemberTx for callers not yet given the service.
//
// Deprecated: use Service.MemberTx.
func MemberTx(tx *storage.Tx, courseID, userID uint64) (Member, error) {
	var m Member
	err := tx.Get(storage.Members, storage.Key(courseID, userID), &m)
	return m, err
}

// StaffTx is Service.StaffTx for callers not yet given the service.
//
// Deprecated: use Service.StaffTx.
func StaffTx(tx *storage.Tx, courseID uint64) ([]uint64, error) {
	var out []uint64
	err := tx.Each(storage.StaffByCourse, storage.Key(courseID), func(k, _ []byte) error {
		out = append(out, storage.Part(k, 1))
		return nil
	})
	return out, err
}
