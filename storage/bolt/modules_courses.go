package bolt

import (
	"context"
	"encoding/json"
	"errors"

	"pacer/modules"
	"pacer/storage"
)

// Courses live in storage.Courses under their id.

// Course implements modules.Store.
func (s *Modules) Course(ctx context.Context, id uint64) (modules.Course, error) {
	var c modules.Course
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return course(storage.TxFrom(ctx), id, &c)
	})
	return c, err
}

func course(tx *storage.Tx, id uint64, c *modules.Course) error {
	err := tx.Get(storage.Courses, storage.ID(id), c)
	if errors.Is(err, storage.ErrNotFound) {
		return modules.ErrNoRecord
	}
	return err
}

// AddCourse implements modules.Store.
func (s *Modules) AddCourse(ctx context.Context, c modules.Course) (modules.Course, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id, err := tx.NextID(storage.Courses)
		if err != nil {
			return err
		}
		c.ID = id
		return tx.Put(storage.Courses, storage.ID(id), c)
	})
	return c, err
}

// PutCourse implements modules.Store.
func (s *Modules) PutCourse(ctx context.Context, c modules.Course) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Put(storage.Courses, storage.ID(c.ID), c)
	})
}

// DeleteCourse implements modules.Store.
func (s *Modules) DeleteCourse(ctx context.Context, id uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Delete(storage.Courses, storage.ID(id))
	})
}

// EachCourse implements modules.Store.
func (s *Modules) EachCourse(ctx context.Context, fn func(modules.Course) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.Courses, nil, func(_, v []byte) error {
			var c modules.Course
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			return fn(c)
		})
	})
}
