package bolt

import (
	"context"
	"encoding/json"
	"errors"

	"pacer/media"
	"pacer/storage"
)

// Captions implements media.Store.
func (s *Media) Captions(ctx context.Context, m uint64) ([]media.Caption, error) {
	var out []media.Caption
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = captions(storage.TxFrom(ctx), m)
		return err
	})
	return out, err
}

// captions lists a media's captions in language order (key order).
func captions(tx *storage.Tx, m uint64) ([]media.Caption, error) {
	out := []media.Caption{}
	err := tx.Each(storage.Captions, storage.Key(m), func(_, v []byte) error {
		var c media.Caption
		// json.Unmarshal copies what it keeps.
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// Caption implements media.Store.
func (s *Media) Caption(ctx context.Context, m uint64, lang string) (media.Caption, error) {
	var c media.Caption
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		c, err = getCaption(storage.TxFrom(ctx), m, lang)
		return err
	})
	return c, err
}

func getCaption(tx *storage.Tx, m uint64, lang string) (media.Caption, error) {
	var c media.Caption
	err := tx.Get(storage.Captions, captionKey(m, lang), &c)
	if errors.Is(err, storage.ErrNotFound) {
		return media.Caption{}, media.ErrNotFound
	}
	return c, err
}

// CountCaptions implements media.Store: it counts keys, decoding nothing.
func (s *Media) CountCaptions(ctx context.Context, m uint64) (int, error) {
	n := 0
	err := s.db.Read(ctx, func(ctx context.Context) error {
		n = storage.TxFrom(ctx).Count(storage.Captions, storage.Key(m))
		return nil
	})
	return n, err
}

// PutCaption implements media.Store.
func (s *Media) PutCaption(ctx context.Context, c media.Caption) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return putCaption(storage.TxFrom(ctx), c)
	})
}

// putCaption stores c with its blob's use, dropping the use of the blob
// of the captions it replaces.
func putCaption(tx *storage.Tx, c media.Caption) error {
	switch old, err := getCaption(tx, c.MediaID, c.Lang); {
	case err == nil:
		if err := tx.Delete(storage.MediaBlobs, blobUseKey(old.SHA256, c.MediaID, c.Lang)); err != nil {
			return err
		}
	case !errors.Is(err, media.ErrNotFound):
		return err
	}
	if err := tx.Put(storage.Captions, captionKey(c.MediaID, c.Lang), c); err != nil {
		return err
	}
	return tx.PutRaw(storage.MediaBlobs, blobUseKey(c.SHA256, c.MediaID, c.Lang), nil)
}

// DeleteCaption implements media.Store.
func (s *Media) DeleteCaption(ctx context.Context, m uint64, lang string) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		c, err := getCaption(tx, m, lang)
		if err != nil {
			return err
		}
		if err := tx.Delete(storage.Captions, captionKey(m, lang)); err != nil {
			return err
		}
		return tx.Delete(storage.MediaBlobs, blobUseKey(c.SHA256, m, lang))
	})
}
