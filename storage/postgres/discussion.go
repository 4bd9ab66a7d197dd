package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"pacer/discussion"
	"pacer/errs"
)

// Discussion implements discussion.Store on the discussion_* tables
// (migrations/0006_discussion.sql). Every read goes to the database: the
// bbolt engine's decode memos have no counterpart here, the rows are the
// only copy.
type Discussion struct{ db *DB }

// NewDiscussion returns the discussion store over db.
func NewDiscussion(db *DB) *Discussion { return &Discussion{db: db} }

var _ discussion.Store = (*Discussion)(nil)

// discussionIDs converts ids for a bigint[] parameter (never NULL).
func discussionIDs(ids []uint64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// uint64s converts a bigint[] column back; empty is nil, as a record
// decoded from JSON with omitempty has it.
func uint64s(ids []int64) []uint64 {
	if len(ids) == 0 {
		return nil
	}
	out := make([]uint64, len(ids))
	for i, id := range ids {
		out[i] = uint64(id)
	}
	return out
}

const boardCols = "id, course_id, title, mode, kind, created_by, created_at"

func scanBoard(row pgx.Row) (discussion.BoardRecord, error) {
	var b discussion.BoardRecord
	err := row.Scan(&b.ID, &b.CourseID, &b.Title, &b.Mode, &b.Kind, &b.CreatedBy, &b.CreatedAt)
	b.CreatedAt = b.CreatedAt.UTC()
	return b, err
}

// Board implements discussion.Store.
func (s *Discussion) Board(ctx context.Context, id uint64) (discussion.BoardRecord, error) {
	b, err := scanBoard(s.db.q(ctx).QueryRow(ctx, "SELECT "+boardCols+" FROM discussion_boards WHERE id = $1", id))
	if noRows(err) {
		return b, errs.NotFoundf("board")
	}
	return b, err
}

// CourseBoards implements discussion.Store.
func (s *Discussion) CourseBoards(ctx context.Context, course uint64) ([]discussion.BoardRecord, error) {
	rows, err := s.db.q(ctx).Query(ctx, "SELECT "+boardCols+" FROM discussion_boards WHERE course_id = $1 ORDER BY id", course)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (discussion.BoardRecord, error) { return scanBoard(r) })
}

// AddBoard implements discussion.Store.
func (s *Discussion) AddBoard(ctx context.Context, b discussion.BoardRecord) (discussion.BoardRecord, error) {
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO discussion_boards (course_id, title, mode, kind, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		b.CourseID, b.Title, b.Mode, b.Kind, b.CreatedBy, b.CreatedAt).Scan(&b.ID)
	return b, err
}

// PutBoard implements discussion.Store; the course is left as it was.
func (s *Discussion) PutBoard(ctx context.Context, b discussion.BoardRecord) error {
	_, err := s.db.q(ctx).Exec(ctx, `UPDATE discussion_boards SET title = $2, mode = $3, kind = $4, created_by = $5, created_at = $6
		WHERE id = $1`, b.ID, b.Title, b.Mode, b.Kind, b.CreatedBy, b.CreatedAt)
	return err
}

// CountThreads implements discussion.Store.
func (s *Discussion) CountThreads(ctx context.Context, board uint64) (int, error) {
	var n int
	err := s.db.q(ctx).QueryRow(ctx, "SELECT count(*) FROM discussion_threads WHERE board_id = $1", board).Scan(&n)
	return n, err
}

// DeleteCourseBoards implements discussion.Store. The domain removed the
// boards' threads already; the cascade would take any left.
func (s *Discussion) DeleteCourseBoards(ctx context.Context, course uint64) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM discussion_boards WHERE course_id = $1", course)
	return err
}

// Follows implements discussion.Store: discussion_follows_off holds those
// who turned following off.
func (s *Discussion) Follows(ctx context.Context, course, user uint64) (bool, error) {
	var off bool
	err := s.db.q(ctx).QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM discussion_follows_off WHERE course_id = $1 AND user_id = $2)",
		course, user).Scan(&off)
	return !off, err
}

// SetFollows implements discussion.Store.
func (s *Discussion) SetFollows(ctx context.Context, course, user uint64, on bool) error {
	sql := "INSERT INTO discussion_follows_off (course_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
	if on {
		sql = "DELETE FROM discussion_follows_off WHERE course_id = $1 AND user_id = $2"
	}
	_, err := s.db.q(ctx).Exec(ctx, sql, course, user)
	return err
}
