package modules

import (
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
