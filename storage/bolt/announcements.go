// Package bolt is the embedded storage engine: it implements the domain
// packages' stores on bbolt (through package storage, which holds the
// buckets and keys). Only engine code names buckets; a domain package
// declares the store it needs in its own words and the server wires this
// package's implementation to it.
package bolt

import (
	"context"

	"pacer/announcements"
	"pacer/storage"
)

// Announcements implements announcements.Store. A record lives in
// storage.Announcements under its id; storage.AnnouncementsByCourse
// (course|id) lists a course's in id order, which is posting order.
type Announcements struct{ db *storage.DB }

// NewAnnouncements returns the store over db.
func NewAnnouncements(db *storage.DB) *Announcements { return &Announcements{db: db} }

// Add implements announcements.Store.
func (s *Announcements) Add(ctx context.Context, r announcements.Record) (announcements.Record, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id, err := tx.NextID(storage.Announcements)
		if err != nil {
			return err
		}
		r.ID = id
		if err := tx.Put(storage.Announcements, storage.ID(id), r); err != nil {
			return err
		}
		return tx.PutRaw(storage.AnnouncementsByCourse, storage.Key(r.CourseID, id), nil)
	})
	return r, err
}

// Newest implements announcements.Store: one reverse walk of the course's
// index from before, reading each record it keeps.
func (s *Announcements) Newest(ctx context.Context, course, before uint64, limit int) ([]announcements.Record, bool, error) {
	var out []announcements.Record
	var more bool
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var err error
		more, err = newest(tx, storage.AnnouncementsByCourse, storage.Key(course), before, limit, func(id uint64, room bool) (bool, error) {
			if !room {
				return true, nil // every announcement counts
			}
			var r announcements.Record
			if err := tx.Get(storage.Announcements, storage.ID(id), &r); err != nil {
				return false, err
			}
			out = append(out, r)
			return true, nil
		})
		return err
	})
	return out, more, err
}

// DeleteCourse implements announcements.Store.
func (s *Announcements) DeleteCourse(ctx context.Context, course uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var ids []uint64
		err := tx.Each(storage.AnnouncementsByCourse, storage.Key(course), func(k, _ []byte) error {
			ids = append(ids, storage.Part(k, 1))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.Delete(storage.Announcements, storage.ID(id)); err != nil {
				return err
			}
		}
		return tx.DeletePrefix(storage.AnnouncementsByCourse, storage.Key(course))
	})
}
