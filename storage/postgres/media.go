package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/media"
)

// Media implements media.Store on tables media, media_captions,
// media_watches, media_usage and media_usage_counted (migration
// 0007_media.sql). What bbolt keeps as indexes beside the records are
// indexes of the tables here: a course's records (media_course), the users
// of a blob (media_sha256, media_captions_sha256) and the unattached list
// (the partial index media_unattached), so they cannot drift from the
// records.
type Media struct{ db *DB }

// NewMedia returns the media store over db.
func NewMedia(db *DB) *Media { return &Media{db: db} }

var _ media.Store = (*Media)(nil)

// mediaCols are a media row's columns in the order scanMedia reads them.
const mediaCols = `id, course_id, owner_id, purpose, content_type, size, sha256, filename, duration, created_at, attached_at`

// scanMedia reads one row of mediaCols.
func scanMedia(row pgx.Row) (media.Media, error) {
	var (
		m                 media.Media
		id, course, owner int64
		attached          *time.Time
	)
	err := row.Scan(&id, &course, &owner, &m.Purpose, &m.ContentType, &m.Size, &m.SHA256, &m.Filename,
		&m.Duration, &m.CreatedAt, &attached)
	if err != nil {
		return media.Media{}, err
	}
	m.ID, m.CourseID, m.OwnerID = uint64(id), uint64(course), uint64(owner)
	m.CreatedAt = m.CreatedAt.UTC()
	if attached != nil {
		t := attached.UTC()
		m.AttachedAt = &t
	}
	return m, nil
}

// Get implements media.Store.
func (s *Media) Get(ctx context.Context, id uint64) (media.Media, error) {
	m, err := scanMedia(s.db.q(ctx).QueryRow(ctx, `SELECT `+mediaCols+` FROM media WHERE id = $1`, int64(id)))
	if noRows(err) {
		return m, media.ErrNotFound
	}
	return m, err
}

// Add implements media.Store: the record and its captions in one
// transaction (the captions' rows need the new id).
func (s *Media) Add(ctx context.Context, m media.Media, captions []media.Caption) (media.Media, error) {
	out := m
	err := s.db.Write(ctx, func(ctx context.Context) error {
		var id int64
		err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO media
			(course_id, owner_id, purpose, content_type, size, sha256, filename, duration, created_at, attached_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			int64(m.CourseID), int64(m.OwnerID), m.Purpose, m.ContentType, m.Size, m.SHA256, m.Filename,
			m.Duration, m.CreatedAt, m.AttachedAt).Scan(&id)
		if err != nil {
			return err
		}
		out = m
		out.ID = uint64(id)
		if len(captions) == 0 {
			return nil
		}
		cs := make([]media.Caption, len(captions))
		for i, c := range captions {
			c.MediaID = out.ID
			cs[i] = c
		}
		return s.putCaptions(ctx, cs)
	})
	return out, err
}

// Attach implements media.Store: one update of every id, whose count of
// rows tells whether one was missing.
func (s *Media) Attach(ctx context.Context, at map[uint64]time.Time) error {
	if len(at) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(at))
	whens := make([]time.Time, 0, len(at))
	for id, when := range at {
		ids = append(ids, int64(id))
		whens = append(whens, when)
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		tag, err := s.db.q(ctx).Exec(ctx, `UPDATE media SET attached_at = a.at
			FROM unnest($1::bigint[], $2::timestamptz[]) AS a(id, at) WHERE media.id = a.id`, ids, whens)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != int64(len(ids)) {
			return media.ErrNotFound
		}
		return nil
	})
}

// Course implements media.Store: a keyset page of media_course, one row
// past the limit telling whether more follow.
func (s *Media) Course(ctx context.Context, course, after uint64, limit int) ([]media.Media, bool, error) {
	if limit < 0 {
		limit = 0
	}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT `+mediaCols+` FROM media
		WHERE course_id = $1 AND id > $2 ORDER BY id LIMIT $3`, int64(course), int64(after), limit+1)
	if err != nil {
		return nil, false, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (media.Media, error) { return scanMedia(r) })
	if err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}

// All implements media.Store.
func (s *Media) All(ctx context.Context) ([]media.Media, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT `+mediaCols+` FROM media ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (media.Media, error) { return scanMedia(r) })
}

// BlobInUse implements media.Store: an index probe on each table that
// names blobs.
func (s *Media) BlobInUse(ctx context.Context, sum string) (bool, error) {
	var used bool
	err := s.db.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM media WHERE sha256 = $1)
		OR EXISTS (SELECT 1 FROM media_captions WHERE sha256 = $1)`, sum).Scan(&used)
	return used, err
}

// removeSQL deletes the media rows that the statement's first part
// selects (a CTE named "doomed" with their ids), with their captions, and
// answers each record with its captions' blobs in language order, the
// records in the order of doomed's column ord. The captions are deleted
// here rather than by the foreign key's cascade so that their blobs can
// be returned by the same statement.
const removeSQL = `, gone AS (
		DELETE FROM media USING doomed WHERE media.id = doomed.id
		RETURNING doomed.ord, ` + mediaColsQualified + `
	), caps AS (
		DELETE FROM media_captions c USING gone WHERE c.media_id = gone.id
		RETURNING c.media_id, c.lang, c.sha256
	)
	SELECT ` + mediaColsGone + `,
		coalesce((SELECT array_agg(caps.sha256 ORDER BY caps.lang) FROM caps WHERE caps.media_id = gone.id), '{}')
	FROM gone ORDER BY gone.ord`

const (
	mediaColsQualified = `media.id, media.course_id, media.owner_id, media.purpose, media.content_type, media.size,
		media.sha256, media.filename, media.duration, media.created_at, media.attached_at`
	mediaColsGone = `gone.id, gone.course_id, gone.owner_id, gone.purpose, gone.content_type, gone.size,
		gone.sha256, gone.filename, gone.duration, gone.created_at, gone.attached_at`
)

// remove runs one removal statement (a doomed CTE, then removeSQL) and
// gathers what it took away.
func (s *Media) remove(ctx context.Context, doomed string, args ...any) (media.Removed, error) {
	out := media.Removed{}
	rows, err := s.db.q(ctx).Query(ctx, doomed+removeSQL, args...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			m        media.Media
			id       int64
			course   int64
			owner    int64
			attached *time.Time
			blobs    []string
		)
		if err := rows.Scan(&id, &course, &owner, &m.Purpose, &m.ContentType, &m.Size, &m.SHA256, &m.Filename,
			&m.Duration, &m.CreatedAt, &attached, &blobs); err != nil {
			return media.Removed{}, err
		}
		m.ID, m.CourseID, m.OwnerID = uint64(id), uint64(course), uint64(owner)
		m.CreatedAt = m.CreatedAt.UTC()
		if attached != nil {
			t := attached.UTC()
			m.AttachedAt = &t
		}
		out.Media = append(out.Media, m)
		out.Blobs = append(out.Blobs, m.SHA256)
		out.Blobs = append(out.Blobs, blobs...)
	}
	if err := rows.Err(); err != nil {
		return media.Removed{}, err
	}
	return out, nil
}

// Remove implements media.Store.
func (s *Media) Remove(ctx context.Context, id uint64) (media.Removed, error) {
	var out media.Removed
	err := s.db.Write(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.remove(ctx, `WITH doomed AS (SELECT $1::bigint AS id, 0 AS ord)`, int64(id))
		if err == nil && len(out.Media) == 0 {
			err = media.ErrNotFound
		}
		return err
	})
	return out, err
}

// RemoveCourse implements media.Store: the course's records in id order.
func (s *Media) RemoveCourse(ctx context.Context, course uint64) (media.Removed, error) {
	var out media.Removed
	err := s.db.Write(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.remove(ctx, `WITH doomed AS (SELECT id, id AS ord FROM media WHERE course_id = $1)`, int64(course))
		return err
	})
	return out, err
}

// SweepUnattached implements media.Store: the front of the unattached
// list (media_unattached), up to limit, in upload order. The purpose is
// written as a literal ('submission', media.PurposeSubmission) because
// only then can the planner match the partial index's predicate.
func (s *Media) SweepUnattached(ctx context.Context, before time.Time, limit int) (media.Removed, bool, error) {
	var out media.Removed
	if limit <= 0 {
		return media.Removed{}, false, nil
	}
	err := s.db.Write(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.remove(ctx, `WITH doomed AS (
			SELECT id, row_number() OVER (ORDER BY created_at, id) AS ord FROM (
				SELECT id, created_at FROM media
				WHERE purpose = 'submission' AND attached_at IS NULL AND created_at < $1
				ORDER BY created_at, id LIMIT $2) AS front)`, before, limit)
		return err
	})
	return out, len(out.Media) == limit, err
}
