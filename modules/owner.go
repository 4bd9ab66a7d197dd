package modules

import (
	"bytes"
	"encoding/json"

	"pacer/storage"
)

// Reads other packages make of this package's records, inside their own
// transactions and without access checks: courses, modules and progress
// are read only through here, so their keys and encodings stay this
// package's (a second storage engine implements these, not the callers).

// EachCourseTx calls fn with every course, in id order (the scheduler's
// sweeps).
func EachCourseTx(tx *storage.Tx, fn func(Course) error) error {
	return tx.Each(storage.Courses, nil, func(_, v []byte) error {
		var c Course
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		return fn(c)
	})
}

// ModuleTx reads one module by id.
func ModuleTx(tx *storage.Tx, moduleID uint64) (Module, error) {
	var m Module
	err := tx.Get(storage.Modules, storage.ID(moduleID), &m)
	return m, err
}

// CompletedTx reports whether a learner has completed an item. Only the
// status is decoded: sweeps ask this of every item of a module.
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

// EachProgressTx calls fn for every item a learner has progress on in a
// course, in item order, with whether it is completed. Items no longer in
// the course may appear; the caller keeps the ones it knows.
func EachProgressTx(tx *storage.Tx, courseID, userID uint64, fn func(itemID uint64, completed bool)) error {
	return tx.Each(storage.Progress, storage.Key(courseID, userID), func(k, v []byte) error {
		fn(storage.Part(k, 2), completedRaw(v))
		return nil
	})
}

// EachCourseProgressTx calls fn for every progress record of a course, in
// user order and, per user, in item order: one walk for a sweep over
// every learner, merged with SweepTx's members (the same user order).
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

// completedRaw reports whether a stored ItemProgress says completed.
// encoding/json writes fields in struct order and Status comes first, so
// the common case is a prefix test instead of a decode (sweeps ask it of
// every record of a course); any other shape is decoded.
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
