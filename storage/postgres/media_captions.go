package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/media"
)

// Captions live in media_captions, one row per media and language; the
// blob a replaced caption named stops being used with its row.

const captionCols = `media_id, lang, label, sha256, size, cues, created_at`

func scanCaption(row pgx.Row) (media.Caption, error) {
	var (
		c  media.Caption
		id int64
	)
	if err := row.Scan(&id, &c.Lang, &c.Label, &c.SHA256, &c.Size, &c.Cues, &c.CreatedAt); err != nil {
		return media.Caption{}, err
	}
	c.MediaID = uint64(id)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, nil
}

// Captions implements media.Store.
func (s *Media) Captions(ctx context.Context, m uint64) ([]media.Caption, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT `+captionCols+` FROM media_captions
		WHERE media_id = $1 ORDER BY lang`, int64(m))
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (media.Caption, error) { return scanCaption(r) })
	if out == nil && err == nil {
		out = []media.Caption{}
	}
	return out, err
}

// Caption implements media.Store.
func (s *Media) Caption(ctx context.Context, m uint64, lang string) (media.Caption, error) {
	c, err := scanCaption(s.db.q(ctx).QueryRow(ctx, `SELECT `+captionCols+` FROM media_captions
		WHERE media_id = $1 AND lang = $2`, int64(m), lang))
	if noRows(err) {
		return c, media.ErrNotFound
	}
	return c, err
}

// CountCaptions implements media.Store.
func (s *Media) CountCaptions(ctx context.Context, m uint64) (int, error) {
	var n int
	err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM media_captions WHERE media_id = $1`, int64(m)).Scan(&n)
	return n, err
}

// PutCaption implements media.Store. On bbolt a caption of a media that
// does not exist is stored all the same; here the foreign key refuses it,
// which no caller does (captions are put on a media just read).
func (s *Media) PutCaption(ctx context.Context, c media.Caption) error {
	return s.putCaptions(ctx, []media.Caption{c})
}

// putCaptions stores captions in one statement, each replacing the row of
// its media and language. Of two captions for the same media and language
// the later wins, as when they are put one after the other (one INSERT …
// ON CONFLICT may not touch a row twice).
func (s *Media) putCaptions(ctx context.Context, cs []media.Caption) error {
	type key struct {
		media uint64
		lang  string
	}
	last := make(map[key]int, len(cs))
	for i, c := range cs {
		last[key{c.MediaID, c.Lang}] = i
	}
	if len(last) < len(cs) {
		kept := make([]media.Caption, 0, len(last))
		for i, c := range cs {
			if last[key{c.MediaID, c.Lang}] == i {
				kept = append(kept, c)
			}
		}
		cs = kept
	}
	var (
		ids                 = make([]int64, len(cs))
		langs, labels, sums = make([]string, len(cs)), make([]string, len(cs)), make([]string, len(cs))
		sizes               = make([]int64, len(cs))
		cues                = make([]int32, len(cs))
		created             = make([]time.Time, len(cs))
	)
	for i, c := range cs {
		ids[i], langs[i], labels[i], sums[i] = int64(c.MediaID), c.Lang, c.Label, c.SHA256
		sizes[i], cues[i], created[i] = c.Size, int32(c.Cues), c.CreatedAt
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO media_captions (`+captionCols+`)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::integer[], $7::timestamptz[])
		ON CONFLICT (media_id, lang) DO UPDATE SET label = excluded.label, sha256 = excluded.sha256,
			size = excluded.size, cues = excluded.cues, created_at = excluded.created_at`,
		ids, langs, labels, sums, sizes, cues, created)
	return err
}

// DeleteCaption implements media.Store.
func (s *Media) DeleteCaption(ctx context.Context, m uint64, lang string) error {
	tag, err := s.db.q(ctx).Exec(ctx, `DELETE FROM media_captions WHERE media_id = $1 AND lang = $2`, int64(m), lang)
	if err == nil && tag.RowsAffected() == 0 {
		return media.ErrNotFound
	}
	return err
}
