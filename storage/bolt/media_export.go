package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"pacer/media"
	"pacer/storage"
	"pacer/storage/records"
)

// Export implements migrate.Exporter: every media record followed by its
// captions, then the watch states, the quota totals and the mark that the
// totals were counted. The indexes (storage.MediaByCourse,
// storage.MediaBlobs, storage.MediaUnattached) are made from the records
// and not exported: the PostgreSQL schema derives them.
//
// Captions are read under their record, so a caption whose record is gone
// is not exported: the PostgreSQL schema cannot hold one (its foreign
// key). Only PutCaption on a removed record leaves one on bbolt, where it
// serves no record and only keeps its blob counted as used.
func (s *Media) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		err := tx.Each(storage.Media, nil, func(k, v []byte) error {
			var m media.Media
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode media %d: %w", storage.Part(k, 0), err)
			}
			if err := put("media", m); err != nil {
				return err
			}
			return tx.Each(storage.Captions, storage.Key(m.ID), func(_, v []byte) error {
				var c media.Caption
				if err := json.Unmarshal(v, &c); err != nil {
					return fmt.Errorf("decode a caption of media %d: %w", m.ID, err)
				}
				return put("media_captions", c)
			})
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.Watch, nil, func(k, v []byte) error {
			key := media.WatchKey{Course: storage.Part(k, 0), User: storage.Part(k, 1), Item: storage.Part(k, 2)}
			var st media.WatchState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("decode the watch state %+v: %w", key, err)
			}
			return put("media_watches", records.MediaWatch{Key: key, State: st})
		})
		if err != nil {
			return err
		}
		counted := false
		err = tx.Each(storage.MediaUsage, nil, func(k, v []byte) error {
			if bytes.Equal(k, []byte(usageCounted)) {
				counted = true
				return nil
			}
			if len(k) != 9 || k[0] != 'c' && k[0] != 'u' {
				return fmt.Errorf("a quota total under an unknown key %q", k)
			}
			a := media.Account{User: k[0] == 'u', ID: binary.BigEndian.Uint64(k[1:])}
			// A value of another length reads as 0 (usage), so it is
			// copied as 0.
			var n int64
			if len(v) == 8 {
				n = int64(binary.BigEndian.Uint64(v))
			}
			return put("media_usage", records.MediaUsage{Account: a, Bytes: n})
		})
		if err != nil || !counted {
			return err
		}
		return put("media_usage_counted", records.MediaUsageCounted{})
	})
}
