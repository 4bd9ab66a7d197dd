package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"pacer/media"
	"pacer/storage"
)

// Media implements media.Store. A record lives in storage.Media under its
// id, and three indexes are written in the same transaction as the records
// they describe (media_keys.go has their keys):
//
//   - storage.MediaByCourse (course|id) lists a course's records;
//   - storage.MediaBlobs (sha256|media|lang) names every user of a blob, a
//     record's own file with lang "" and each of its captions;
//   - storage.MediaUnattached (created|id) lists the submission uploads
//     without AttachedAt, oldest first, for the sweep.
type Media struct{ db *storage.DB }

// NewMedia returns the store over db.
func NewMedia(db *storage.DB) *Media { return &Media{db: db} }

// getMedia reads a record, mapping a missing key to media.ErrNotFound.
func getMedia(tx *storage.Tx, id uint64) (media.Media, error) {
	var m media.Media
	err := tx.Get(storage.Media, mediaKey(id), &m)
	if errors.Is(err, storage.ErrNotFound) {
		return m, media.ErrNotFound
	}
	return m, err
}

// Get implements media.Store.
func (s *Media) Get(ctx context.Context, id uint64) (media.Media, error) {
	var m media.Media
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		m, err = getMedia(storage.TxFrom(ctx), id)
		return err
	})
	return m, err
}

// Add implements media.Store.
func (s *Media) Add(ctx context.Context, m media.Media, captions []media.Caption) (media.Media, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		id, err := tx.NextID(storage.Media)
		if err != nil {
			return err
		}
		m.ID = id
		if err := tx.Put(storage.Media, mediaKey(id), m); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.MediaByCourse, storage.Key(m.CourseID, id), nil); err != nil {
			return err
		}
		if unattached(m) {
			if err := tx.PutRaw(storage.MediaUnattached, unattachedKey(m), nil); err != nil {
				return err
			}
		}
		if err := tx.PutRaw(storage.MediaBlobs, blobUseKey(m.SHA256, id, ""), nil); err != nil {
			return err
		}
		for _, c := range captions {
			c.MediaID = id
			if err := putCaption(tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	return m, err
}

// unattached reports whether m belongs on the unattached list.
func unattached(m media.Media) bool {
	return m.Purpose == media.PurposeSubmission && m.AttachedAt == nil
}

// Attach implements media.Store.
func (s *Media) Attach(ctx context.Context, at map[uint64]time.Time) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for id, when := range at {
			m, err := getMedia(tx, id)
			if err != nil {
				return err
			}
			m.AttachedAt = &when
			if err := tx.Delete(storage.MediaUnattached, unattachedKey(m)); err != nil {
				return err
			}
			if err := tx.Put(storage.Media, mediaKey(id), m); err != nil {
				return err
			}
		}
		return nil
	})
}

// Course implements media.Store: one walk of the course's index from
// after.
func (s *Media) Course(ctx context.Context, course, after uint64, limit int) ([]media.Media, bool, error) {
	var out []media.Media
	more := false
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		out, more = nil, false
		return tx.EachFrom(storage.MediaByCourse, storage.Key(course), storage.Key(course, after+1), func(k, _ []byte) error {
			if len(out) >= limit {
				more = true
				return storage.Stop
			}
			m, err := getMedia(tx, storage.Part(k, 1))
			if err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	return out, more, err
}

// All implements media.Store.
func (s *Media) All(ctx context.Context) ([]media.Media, error) {
	var out []media.Media
	err := s.db.Read(ctx, func(ctx context.Context) error {
		out = nil
		return storage.TxFrom(ctx).Each(storage.Media, nil, func(_, v []byte) error {
			var m media.Media
			// json.Unmarshal copies what it keeps, so nothing aliases
			// bbolt's memory.
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// BlobInUse implements media.Store: the first use under the blob's prefix
// answers.
func (s *Media) BlobInUse(ctx context.Context, sum string) (bool, error) {
	used := false
	err := s.db.Read(ctx, func(ctx context.Context) error {
		used = false
		return storage.TxFrom(ctx).Each(storage.MediaBlobs, blobPrefix(sum), func(_, _ []byte) error {
			used = true
			return storage.Stop
		})
	})
	return used, err
}

// LockBlob implements media.Store: a bbolt database is one process's, and
// the media service orders its own uploads and removals.
func (s *Media) LockBlob(context.Context, string) (func(), error) { return func() {}, nil }
