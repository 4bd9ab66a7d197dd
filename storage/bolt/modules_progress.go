package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"pacer/modules"
	"pacer/storage"
)

// Progress lives in storage.Progress under course|user|item, so that a
// learner's progress in a course, and a course's progress in user order,
// are each one walk of a prefix.

// Progress implements modules.Store.
func (s *Modules) Progress(ctx context.Context, course, user uint64) (map[uint64]modules.ItemProgress, error) {
	out := map[uint64]modules.ItemProgress{}
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.Progress, storage.Key(course, user), func(k, v []byte) error {
			var p modules.ItemProgress
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out[storage.Part(k, 2)] = p
			return nil
		})
	})
	return out, err
}

// ItemProgress implements modules.Store.
func (s *Modules) ItemProgress(ctx context.Context, course, user, item uint64) (modules.ItemProgress, error) {
	var p modules.ItemProgress
	err := s.db.Read(ctx, func(ctx context.Context) error {
		err := storage.TxFrom(ctx).Get(storage.Progress, storage.Key(course, user, item), &p)
		if errors.Is(err, storage.ErrNotFound) {
			return modules.ErrNoRecord
		}
		return err
	})
	return p, err
}

// PutProgress implements modules.Store.
func (s *Modules) PutProgress(ctx context.Context, course, user, item uint64, p modules.ItemProgress) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Put(storage.Progress, storage.Key(course, user, item), p)
	})
}

// Completed implements modules.Store. Only the status is read: sweeps ask
// this of every item of a module.
func (s *Modules) Completed(ctx context.Context, course, user, item uint64) (bool, error) {
	var done bool
	err := s.db.Read(ctx, func(ctx context.Context) error {
		raw := storage.TxFrom(ctx).GetRaw(storage.Progress, storage.Key(course, user, item))
		if raw == nil {
			return nil
		}
		var p struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		done = p.Status == modules.StatusCompleted
		return nil
	})
	return done, err
}

// EachProgress implements modules.Store.
func (s *Modules) EachProgress(ctx context.Context, course, user uint64, fn func(item uint64, completed bool)) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.Progress, storage.Key(course, user), func(k, v []byte) error {
			fn(storage.Part(k, 2), completedRaw(v))
			return nil
		})
	})
}

// EachCourseProgress implements modules.Store.
func (s *Modules) EachCourseProgress(ctx context.Context, course uint64, fn func(user, item uint64, completed bool)) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.Progress, storage.Key(course), func(k, v []byte) error {
			fn(storage.Part(k, 1), storage.Part(k, 2), completedRaw(v))
			return nil
		})
	})
}

// DeleteCourseProgress implements modules.Store.
func (s *Modules) DeleteCourseProgress(ctx context.Context, course uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).DeletePrefix(storage.Progress, storage.Key(course))
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
	var p modules.ItemProgress
	return json.Unmarshal(v, &p) == nil && p.Status == modules.StatusCompleted
}
