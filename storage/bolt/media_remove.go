package bolt

import (
	"context"
	"errors"
	"time"

	"pacer/media"
	"pacer/storage"
)

// Remove implements media.Store.
func (s *Media) Remove(ctx context.Context, id uint64) (media.Removed, error) {
	var out media.Removed
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		out = media.Removed{}
		m, err := getMedia(tx, id)
		if err != nil {
			return err
		}
		return remove(tx, m, &out)
	})
	return out, err
}

// RemoveCourse implements media.Store.
func (s *Media) RemoveCourse(ctx context.Context, course uint64) (media.Removed, error) {
	var out media.Removed
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		out = media.Removed{}
		var ms []media.Media
		err := tx.Each(storage.MediaByCourse, storage.Key(course), func(k, _ []byte) error {
			m, err := getMedia(tx, storage.Part(k, 1))
			if err == nil {
				ms = append(ms, m)
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := remove(tx, m, &out); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// SweepUnattached implements media.Store: one walk of the unattached list
// from its oldest entry. An entry whose record is gone or was attached
// after all is only dropped, and counts towards the limit like the rest.
func (s *Media) SweepUnattached(ctx context.Context, before time.Time, limit int) (media.Removed, bool, error) {
	var out media.Removed
	more := false
	end := uint64(before.UnixNano())
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		out, more = media.Removed{}, false
		var keys [][]byte
		err := tx.Each(storage.MediaUnattached, nil, func(k, _ []byte) error {
			if storage.Part(k, 0) >= end || len(keys) == limit {
				return storage.Stop
			}
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		if err != nil {
			return err
		}
		more = len(keys) == limit
		for _, k := range keys {
			m, err := getMedia(tx, storage.Part(k, 1))
			switch {
			case errors.Is(err, media.ErrNotFound) || err == nil && !unattached(m):
				if err := tx.Delete(storage.MediaUnattached, k); err != nil {
					return err
				}
				continue
			case err != nil:
				return err
			}
			if err := remove(tx, m, &out); err != nil {
				return err
			}
		}
		return nil
	})
	return out, more, err
}

// remove deletes a record with its captions and every index entry of
// either, and adds them to out.
func remove(tx *storage.Tx, m media.Media, out *media.Removed) error {
	caps, err := captions(tx, m.ID)
	if err != nil {
		return err
	}
	out.Media = append(out.Media, m)
	out.Blobs = append(out.Blobs, m.SHA256)
	for _, c := range caps {
		if err := tx.Delete(storage.Captions, captionKey(m.ID, c.Lang)); err != nil {
			return err
		}
		if err := tx.Delete(storage.MediaBlobs, blobUseKey(c.SHA256, m.ID, c.Lang)); err != nil {
			return err
		}
		out.Blobs = append(out.Blobs, c.SHA256)
	}
	for _, del := range []struct {
		b storage.Bucket
		k []byte
	}{
		{storage.MediaBlobs, blobUseKey(m.SHA256, m.ID, "")},
		{storage.MediaByCourse, storage.Key(m.CourseID, m.ID)},
		{storage.MediaUnattached, unattachedKey(m)},
		{storage.Media, mediaKey(m.ID)},
	} {
		if err := tx.Delete(del.b, del.k); err != nil {
			return err
		}
	}
	return nil
}
