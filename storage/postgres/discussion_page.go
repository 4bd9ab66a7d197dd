package postgres

import (
	"context"
	"strings"

	"pacer/discussion"
	"pacer/errs"
)

// readerThreadSQL reads a thread, its board and one reader's state there
// in one statement: primary-key reads of the thread and board joined,
// the subscription joined by its key, and the read mark, participation
// and follow setting as scalar subqueries on their keys.
var readerThreadSQL = `SELECT ` + prefixCols("t", threadCols) + `, ` + prefixCols("b", boardCols) + `,
	coalesce((SELECT post_id FROM discussion_read_marks WHERE thread_id = t.id AND user_id = $2), 0),
	coalesce(s.state, 0), coalesce(s.notification, 0),
	EXISTS (SELECT 1 FROM discussion_participants WHERE thread_id = t.id AND user_id = $2),
	NOT EXISTS (SELECT 1 FROM discussion_follows_off WHERE course_id = t.course_id AND user_id = $2)
	FROM discussion_threads t
	JOIN discussion_boards b ON b.id = t.board_id
	LEFT JOIN discussion_subscriptions s ON s.thread_id = t.id AND s.user_id = $2
	WHERE t.id = $1`

// prefixCols qualifies each of a comma-separated list of columns with a
// table alias.
func prefixCols(alias, cols string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = alias + "." + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}

// ReaderThread implements discussion.Store: one statement. A thread's
// board cannot be missing here (threads reference their board), so no
// row means no thread.
func (s *Discussion) ReaderThread(ctx context.Context, thread, user uint64) (discussion.ReaderThread, error) {
	var r discussion.ReaderThread
	t, b := &r.Thread, &r.Board
	dest := append(threadDest(t), &b.ID, &b.CourseID, &b.Title, &b.Mode, &b.Kind, &b.CreatedBy, &b.CreatedAt,
		&r.ReadMark, &r.Subscription.State, &r.Subscription.Notification, &r.Participant, &r.Follows)
	err := s.db.q(ctx).QueryRow(ctx, readerThreadSQL, int64(thread), int64(user)).Scan(dest...)
	if noRows(err) {
		return discussion.ReaderThread{}, errs.NotFoundf("thread")
	}
	if err != nil {
		return discussion.ReaderThread{}, err
	}
	utcThread(t)
	b.CreatedAt = b.CreatedAt.UTC()
	return r, nil
}

// PostSources implements discussion.Store: one query.
func (s *Discussion) PostSources(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	out := make(map[uint64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, "SELECT id, source FROM discussion_posts WHERE id = ANY($1) AND source IS NOT NULL",
		int64s(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var src string
		if err := rows.Scan(&id, &src); err != nil {
			return nil, err
		}
		if src != "" {
			out[uint64(id)] = src
		}
	}
	return out, rows.Err()
}
