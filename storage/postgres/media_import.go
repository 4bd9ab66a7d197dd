package postgres

import (
	"context"
	"fmt"

	"pacer/media"
	"pacer/storage/records"
)

// Import implements migrate.Importer: one exported record, stored as it
// is with its id, in ctx's transaction.
func (s *Media) Import(ctx context.Context, kind string, rec any) error {
	switch kind {
	case "media":
		m, ok := rec.(media.Media)
		if !ok {
			return mediaImportType(kind, rec)
		}
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO media
			(id, course_id, owner_id, purpose, content_type, size, sha256, filename, duration, created_at, attached_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			int64(m.ID), int64(m.CourseID), int64(m.OwnerID), m.Purpose, m.ContentType, m.Size, m.SHA256, m.Filename,
			m.Duration, m.CreatedAt, m.AttachedAt)
		return err
	case "media_captions":
		c, ok := rec.(media.Caption)
		if !ok {
			return mediaImportType(kind, rec)
		}
		return s.putCaptions(ctx, []media.Caption{c})
	case "media_watches":
		w, ok := rec.(records.MediaWatch)
		if !ok {
			return mediaImportType(kind, rec)
		}
		return s.PutWatch(ctx, w.Key, w.State)
	case "media_usage":
		u, ok := rec.(records.MediaUsage)
		if !ok {
			return mediaImportType(kind, rec)
		}
		// bbolt's totals are never below 0 (AddUsage clamps them, and
		// CountedUsage's are sums of sizes); the column refuses one that
		// is, so it is clamped as CountedUsage clamps here.
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO media_usage (is_user, id, bytes) VALUES ($1, $2, greatest(0, $3::bigint))`,
			u.Account.User, int64(u.Account.ID), u.Bytes)
		return err
	case "media_usage_counted":
		if _, ok := rec.(records.MediaUsageCounted); !ok {
			return mediaImportType(kind, rec)
		}
		_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO media_usage_counted DEFAULT VALUES`)
		return err
	}
	return fmt.Errorf("media: no records of kind %q", kind)
}

func mediaImportType(kind string, rec any) error {
	return fmt.Errorf("media: a %s record cannot be a %T", kind, rec)
}

// Counts implements migrate.Importer: one row per exported record in each
// kind's table.
func (s *Media) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, kind := range []string{"media", "media_captions", "media_watches", "media_usage", "media_usage_counted"} {
		var n int64
		// The kinds are the tables' names, written here, never input.
		if err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM `+kind).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", kind, err)
		}
		out[kind] = n
	}
	return out, nil
}
