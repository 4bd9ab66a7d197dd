package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"pacer/discussion"
	"pacer/errs"
)

// readerThreadOf reads a thread, its board and one reader's state there
// in one statement: primary-key reads of the thread and board joined,
// the subscription joined by its key, and the read mark, participation
// and follow setting as scalar subqueries on their keys. %[1]s is the
// thread's id and %[2]s the reader's.
const readerThreadOf = `SELECT %[3]s, %[4]s,
	coalesce((SELECT post_id FROM discussion_read_marks WHERE thread_id = t.id AND user_id = %[2]s), 0),
	coalesce(s.state, 0), coalesce(s.notification, 0),
	EXISTS (SELECT 1 FROM discussion_participants WHERE thread_id = t.id AND user_id = %[2]s),
	NOT EXISTS (SELECT 1 FROM discussion_follows_off WHERE course_id = t.course_id AND user_id = %[2]s)
	FROM discussion_threads t
	JOIN discussion_boards b ON b.id = t.board_id
	LEFT JOIN discussion_subscriptions s ON s.thread_id = t.id AND s.user_id = %[2]s
	WHERE t.id = %[1]s`

var (
	readerThreadSQL = fmt.Sprintf(readerThreadOf, "$1", "$2", prefixCols("t", threadCols), prefixCols("b", boardCols))
	// readerThreadsSQL is readerThreadOf for the pairs of two arrays,
	// each row after its pair's ordinal: a nested loop of the
	// statement above (LATERAL with LIMIT), as manyRevisionsSQL.
	readerThreadsSQL = `SELECT k.i, x.* FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k (thread_id, user_id, i)
	CROSS JOIN LATERAL (` + fmt.Sprintf(readerThreadOf, "k.thread_id", "k.user_id", prefixCols("t", threadCols), prefixCols("b", boardCols)) + ` LIMIT 1) x`
)

// prefixCols qualifies each of a comma-separated list of columns with a
// table alias.
func prefixCols(alias, cols string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = alias + "." + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}

// readerDest is where a row of readerThreadOf goes.
func readerDest(r *discussion.ReaderThread) []any {
	b := &r.Board
	return append(threadDest(&r.Thread), &b.ID, &b.CourseID, &b.Title, &b.Mode, &b.Kind, &b.CreatedBy, &b.CreatedAt,
		&r.ReadMark, &r.Subscription.State, &r.Subscription.Notification, &r.Participant, &r.Follows)
}

func utcReader(r *discussion.ReaderThread) {
	utcThread(&r.Thread)
	r.Board.CreatedAt = r.Board.CreatedAt.UTC()
}

// readerAsk is a thread page's reader row asked of looseReads: the
// thread and the reader, and the answer (ok false: no such thread).
type readerAsk struct {
	thread, user uint64
	row          discussion.ReaderThread
	ok           bool
}

// queueReaderThreads queues the statement answering asks.
func queueReaderThreads(b *pgx.Batch, asks []*readerAsk) {
	threads := make([]int64, len(asks))
	users := make([]int64, len(asks))
	for i, a := range asks {
		threads[i], users[i] = int64(a.thread), int64(a.user)
	}
	b.Queue(readerThreadsSQL, threads, users)
}

// scanReaderThreads reads the rows of readerThreadsSQL into asks, and
// closes them.
func scanReaderThreads(rows pgx.Rows, asks []*readerAsk) error {
	defer rows.Close()
	for rows.Next() {
		var i int64
		var r discussion.ReaderThread
		if err := rows.Scan(append([]any{&i}, readerDest(&r)...)...); err != nil {
			return err
		}
		if i < 1 || int(i) > len(asks) {
			return fmt.Errorf("postgres: reader row %d of %d", i, len(asks))
		}
		utcReader(&r)
		asks[i-1].row, asks[i-1].ok = r, true
	}
	return rows.Err()
}

// ReaderThread implements discussion.Store: one statement. A thread's
// board cannot be missing here (threads reference their board), so no
// row means no thread. As the first statement of a read marked
// txn.Cached, it goes with the read's revisions and its request's checks
// in the round trip shared by the cached reads asking at the same time
// (looseReads): a thread page, once its thread is cached, is a share of
// one round trip.
func (s *Discussion) ReaderThread(ctx context.Context, thread, user uint64) (discussion.ReaderThread, error) {
	if t := txFrom(ctx); t != nil && t.alone && !t.loose && t.begin != "" && !t.writable {
		ask := &readerAsk{thread: thread, user: user}
		keys, _, _, _ := t.unknown(t.want)
		t.want = nil
		if err := s.db.readLoose(ctx, t, keys, ask); err != nil {
			return discussion.ReaderThread{}, err
		}
		if !ask.ok {
			return discussion.ReaderThread{}, errs.NotFoundf("thread")
		}
		return ask.row, nil
	}
	var r discussion.ReaderThread
	err := s.db.q(ctx).QueryRow(ctx, readerThreadSQL, int64(thread), int64(user)).Scan(readerDest(&r)...)
	if noRows(err) {
		return discussion.ReaderThread{}, errs.NotFoundf("thread")
	}
	if err != nil {
		return discussion.ReaderThread{}, err
	}
	utcReader(&r)
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
