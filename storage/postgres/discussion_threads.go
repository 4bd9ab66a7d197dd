package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"pacer/discussion"
	"pacer/errs"
)

const threadCols = `id, course_id, board_id, item_id, title, author_id, opening_post_id, answer_post_id, last_post_id,
	pinned, locked, reply_count, created_at, last_activity_at, rev`

// threadDest are the scan targets of threadCols; utcThread finishes the
// scan.
func threadDest(t *discussion.ThreadRecord) []any {
	return []any{&t.ID, &t.CourseID, &t.BoardID, &t.ItemID, &t.Title, &t.AuthorID, &t.OpeningPostID, &t.AnswerPostID,
		&t.LastPostID, &t.Pinned, &t.Locked, &t.ReplyCount, &t.CreatedAt, &t.LastActivityAt, &t.Rev}
}

func utcThread(t *discussion.ThreadRecord) {
	t.CreatedAt, t.LastActivityAt = t.CreatedAt.UTC(), t.LastActivityAt.UTC()
}

func scanThread(row pgx.Row) (discussion.ThreadRecord, error) {
	var t discussion.ThreadRecord
	err := row.Scan(threadDest(&t)...)
	utcThread(&t)
	return t, err
}

func collectThreads(rows pgx.Rows, err error) ([]discussion.ThreadRecord, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (discussion.ThreadRecord, error) { return scanThread(r) })
}

const postCols = "id, course_id, thread_id, parent_id, depth, author_id, deleted, endorsed, created_at, edited_at, body_html, snippet, mentioned"

// postScan holds a post being scanned from postCols.
type postScan struct {
	p         discussion.PostRecord
	mentioned []int64
}

func (ps *postScan) dest() []any {
	p := &ps.p
	return []any{&p.ID, &p.CourseID, &p.ThreadID, &p.ParentID, &p.Depth, &p.AuthorID, &p.Deleted, &p.Endorsed,
		&p.CreatedAt, &p.EditedAt, &p.BodyHTML, &p.Snippet, &ps.mentioned}
}

// post is the scanned post, its instants in UTC.
func (ps *postScan) post() discussion.PostRecord {
	p := ps.p
	p.CreatedAt, p.EditedAt, p.Mentioned = p.CreatedAt.UTC(), utcPtr(p.EditedAt), uint64s(ps.mentioned)
	return p
}

func scanPost(row pgx.Row) (discussion.PostRecord, error) {
	var ps postScan
	err := row.Scan(ps.dest()...)
	return ps.post(), err
}

func collectPosts(rows pgx.Rows, err error) ([]discussion.PostRecord, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (discussion.PostRecord, error) { return scanPost(r) })
}

// postArgs are a post's columns in postCols order ($1…$13).
func postArgs(p discussion.PostRecord) []any {
	return []any{p.ID, p.CourseID, p.ThreadID, p.ParentID, p.Depth, p.AuthorID, p.Deleted, p.Endorsed,
		p.CreatedAt, p.EditedAt, p.BodyHTML, p.Snippet, mentionedArg(p)}
}

// mentionedArg is the stored list of members mentioned: NULL when none.
func mentionedArg(p discussion.PostRecord) []int64 {
	if len(p.Mentioned) == 0 {
		return nil
	}
	return discussionIDs(p.Mentioned)
}

// Thread implements discussion.Store.
func (s *Discussion) Thread(ctx context.Context, id uint64) (discussion.ThreadRecord, error) {
	t, err := scanThread(s.db.q(ctx).QueryRow(ctx, "SELECT "+threadCols+" FROM discussion_threads WHERE id = $1", id))
	if noRows(err) {
		return t, errs.NotFoundf("thread")
	}
	return t, err
}

// Threads implements discussion.Store: one query.
func (s *Discussion) Threads(ctx context.Context, ids []uint64) ([]discussion.ThreadRecord, error) {
	if len(ids) == 0 {
		return []discussion.ThreadRecord{}, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, "SELECT "+threadCols+" FROM discussion_threads WHERE id = ANY($1) ORDER BY id", int64s(ids))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (discussion.ThreadRecord, error) { return scanThread(r) })
}

// lockThreadToReplySQL locks the thread's row, then draws the post id:
// the outer query's nextval is evaluated for the row the locking scan
// returns, which it returns only once the lock is held (at READ COMMITTED
// after waiting for a holder, the version it committed), so ids drawn by
// a thread's replies grow in the order they take its lock.
const lockThreadToReplySQL = `WITH t AS MATERIALIZED (
		SELECT ` + threadCols + ` FROM discussion_threads WHERE id = $1 FOR UPDATE)
	SELECT t.*, b.id, b.course_id, b.title, b.mode, b.kind, b.created_by, b.created_at,
		nextval(pg_get_serial_sequence('discussion_posts', 'id'))
	FROM t JOIN discussion_boards b ON b.id = t.board_id`

// LockThreadToReply implements discussion.Store in one statement
// (lockThreadToReplySQL): SELECT … FOR UPDATE, which at READ COMMITTED
// waits for a transaction that holds the row and then reads the version
// it committed.
func (s *Discussion) LockThreadToReply(ctx context.Context, id uint64) (discussion.ThreadRecord, discussion.BoardRecord, uint64, error) {
	var (
		t   discussion.ThreadRecord
		b   discussion.BoardRecord
		pid int64
	)
	dest := append(threadDest(&t), &b.ID, &b.CourseID, &b.Title, &b.Mode, &b.Kind, &b.CreatedBy, &b.CreatedAt, &pid)
	err := s.db.q(ctx).QueryRow(ctx, lockThreadToReplySQL, int64(id)).Scan(dest...)
	if noRows(err) {
		return discussion.ThreadRecord{}, discussion.BoardRecord{}, 0, errs.NotFoundf("thread")
	}
	if err != nil {
		return discussion.ThreadRecord{}, discussion.BoardRecord{}, 0, err
	}
	utcThread(&t)
	b.CreatedAt = b.CreatedAt.UTC()
	return t, b, uint64(pid), nil
}

// listOrder is a board's list order, the expressions of index
// discussion_threads_list.
const listOrder = "(NOT pinned), (-last_post_id), id"

// BoardThreads implements discussion.Store: one walk of the list index.
func (s *Discussion) BoardThreads(ctx context.Context, board uint64) ([]discussion.ThreadRecord, error) {
	return collectThreads(s.db.q(ctx).Query(ctx,
		"SELECT "+threadCols+" FROM discussion_threads WHERE board_id = $1 ORDER BY "+listOrder, board))
}

// boardThreadsAfter reads up to n threads of a board's list after place
// (from the start when nil).
func (s *Discussion) boardThreadsAfter(ctx context.Context, board uint64, after *discussion.ThreadPlace, n int) ([]discussion.ThreadRecord, error) {
	if after == nil {
		return collectThreads(s.db.q(ctx).Query(ctx,
			"SELECT "+threadCols+" FROM discussion_threads WHERE board_id = $1 ORDER BY "+listOrder+" LIMIT $2", board, n))
	}
	return collectThreads(s.db.q(ctx).Query(ctx, "SELECT "+threadCols+` FROM discussion_threads
		WHERE board_id = $1 AND (`+listOrder+`) > ($2, $3, $4)
		ORDER BY `+listOrder+" LIMIT $5",
		board, !after.Pinned, -int64(after.LastPostID), after.ID, n))
}

// maxChunk bounds the rows a page reads at once when its filter turned
// down so many that it must read on.
const maxChunk = 1000

// BoardThreadsPage implements discussion.Store. keep may read other
// stores in the same transaction, so it runs on rows already read: one
// query of limit+1 threads when keep takes them all (the one past the
// page answers more), further ones, each twice as long, while it turns
// threads down.
func (s *Discussion) BoardThreadsPage(ctx context.Context, board uint64, after *discussion.ThreadPlace, limit int,
	keep func(discussion.ThreadRecord) (bool, error)) ([]discussion.ThreadRecord, bool, error) {
	var out []discussion.ThreadRecord
	n := max(limit+1, 1)
	for {
		chunk, err := s.boardThreadsAfter(ctx, board, after, n)
		if err != nil {
			return nil, false, err
		}
		for _, t := range chunk {
			if len(out) == limit {
				return out, true, nil
			}
			ok, err := keep(t)
			if err != nil {
				return out, false, err
			}
			if ok {
				out = append(out, t)
			}
		}
		if len(chunk) < n {
			return out, false, nil
		}
		p := discussion.PlaceOf(chunk[len(chunk)-1])
		after, n = &p, min(2*n, maxChunk)
	}
}

// AddThread implements discussion.Store in one statement: the opening
// post's id is drawn from the posts' sequence so that the thread can name
// it, then the thread and the post are inserted. (Foreign keys are
// checked at the statement's end, when the thread is there.)
func (s *Discussion) AddThread(ctx context.Context, t discussion.ThreadRecord, p discussion.PostRecord, source string) (discussion.ThreadRecord, discussion.PostRecord, error) {
	var tid, pid uint64
	args := []any{t.CourseID, t.BoardID, t.ItemID, t.Title, t.AuthorID, t.AnswerPostID, t.Pinned, t.Locked,
		t.ReplyCount, t.CreatedAt, t.LastActivityAt, t.Rev,
		p.CourseID, p.ParentID, p.Depth, p.AuthorID, p.Deleted, p.Endorsed, p.CreatedAt, p.EditedAt, p.BodyHTML, p.Snippet,
		mentionedArg(p), sourceArg(p, source)}
	err := s.db.q(ctx).QueryRow(ctx, `WITH p AS (SELECT nextval(pg_get_serial_sequence('discussion_posts', 'id')) AS id),
		t AS (INSERT INTO discussion_threads (course_id, board_id, item_id, title, author_id, opening_post_id, answer_post_id,
				last_post_id, pinned, locked, reply_count, created_at, last_activity_at, rev)
			SELECT $1::bigint, $2::bigint, $3::bigint, $4::text, $5::bigint, p.id, $6::bigint, p.id, $7::boolean, $8::boolean,
				$9::integer, $10::timestamptz, $11::timestamptz, $12::bigint FROM p
			RETURNING id, opening_post_id)
		INSERT INTO discussion_posts (`+postCols+`, source)
		SELECT t.opening_post_id, $13::bigint, t.id, $14::bigint, $15::integer, $16::bigint, $17::boolean, $18::boolean,
			$19::timestamptz, $20::timestamptz, $21::text, $22::text, $23::bigint[], $24::text FROM t
		RETURNING thread_id, id`, args...).Scan(&tid, &pid)
	if err != nil {
		return t, p, err
	}
	t.ID, t.OpeningPostID, t.LastPostID = tid, pid, pid
	p.ID, p.ThreadID = pid, tid
	return t, p, nil
}

// sourceArg is the stored source of p: none once it is deleted.
func sourceArg(p discussion.PostRecord, source string) *string {
	if p.Deleted {
		return nil
	}
	return &source
}

// SaveThread implements discussion.Store: the list index follows the
// row, whatever changed. Only the columns that differ from old are set
// (a reply changes four), and the write goes with the transaction's next
// statement (DB.execLater): nobody reads its row count.
func (s *Discussion) SaveThread(ctx context.Context, old, t discussion.ThreadRecord) error {
	set, args := threadChanges(old, t)
	return s.db.execLater(ctx, "UPDATE discussion_threads SET "+set+" WHERE id = $1", args...)
}

// DeleteThread implements discussion.Store: the thread's posts (with
// their sources), participants, subscriptions, read marks and reports go
// with it by cascade.
func (s *Discussion) DeleteThread(ctx context.Context, t discussion.ThreadRecord) error {
	_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM discussion_threads WHERE id = $1", t.ID)
	return err
}

// Post implements discussion.Store.
func (s *Discussion) Post(ctx context.Context, id uint64) (discussion.PostRecord, error) {
	p, err := scanPost(s.db.q(ctx).QueryRow(ctx, "SELECT "+postCols+" FROM discussion_posts WHERE id = $1", id))
	if noRows(err) {
		return p, errs.NotFoundf("post")
	}
	return p, err
}

// Posts implements discussion.Store.
func (s *Discussion) Posts(ctx context.Context, ids []uint64) ([]discussion.PostRecord, error) {
	if len(ids) == 0 {
		return []discussion.PostRecord{}, nil
	}
	return collectPosts(s.db.q(ctx).Query(ctx,
		"SELECT "+postCols+" FROM discussion_posts WHERE id = ANY($1) ORDER BY id", discussionIDs(ids)))
}

// NewPostID implements discussion.Store with the posts' identity
// sequence: larger than any id it gave before, and an id taken by a
// transaction that rolls back is left as a gap.
func (s *Discussion) NewPostID(ctx context.Context) (uint64, error) {
	var id uint64
	err := s.db.q(ctx).QueryRow(ctx, "SELECT nextval(pg_get_serial_sequence('discussion_posts', 'id'))").Scan(&id)
	return id, err
}

// SavePost implements discussion.Store: the post is inserted or
// rewritten with its source (none once deleted), by an upsert sent with
// the transaction's next statement (DB.execLater).
func (s *Discussion) SavePost(ctx context.Context, p discussion.PostRecord, source string) error {
	return s.db.execLater(ctx, `INSERT INTO discussion_posts (`+postCols+`, source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (id) DO UPDATE SET course_id = excluded.course_id, thread_id = excluded.thread_id,
			parent_id = excluded.parent_id, depth = excluded.depth, author_id = excluded.author_id,
			deleted = excluded.deleted, endorsed = excluded.endorsed, created_at = excluded.created_at,
			edited_at = excluded.edited_at, body_html = excluded.body_html, snippet = excluded.snippet,
			mentioned = excluded.mentioned, source = excluded.source`,
		append(postArgs(p), sourceArg(p, source))...)
}

// UpdatePost implements discussion.Store: the record's columns, not the
// source.
func (s *Discussion) UpdatePost(ctx context.Context, p discussion.PostRecord) error {
	_, err := s.db.q(ctx).Exec(ctx, `UPDATE discussion_posts SET course_id = $2, thread_id = $3, parent_id = $4, depth = $5,
			author_id = $6, deleted = $7, endorsed = $8, created_at = $9, edited_at = $10, body_html = $11, snippet = $12,
			mentioned = $13
		WHERE id = $1`, postArgs(p)...)
	return err
}

// PostSource implements discussion.Store.
func (s *Discussion) PostSource(ctx context.Context, id uint64) (string, error) {
	var src *string
	err := s.db.q(ctx).QueryRow(ctx, "SELECT source FROM discussion_posts WHERE id = $1", id).Scan(&src)
	if noRows(err) || src == nil {
		return "", nil
	}
	return *src, err
}

// ThreadPosts implements discussion.Store: one query of at most max+1
// posts, the one past max telling a thread too long.
func (s *Discussion) ThreadPosts(ctx context.Context, thread uint64, max int) ([]discussion.PostRecord, bool, error) {
	sql := "SELECT " + postCols + " FROM discussion_posts WHERE thread_id = $1 ORDER BY id"
	args := []any{thread}
	if max > 0 {
		sql += " LIMIT $2"
		args = append(args, max+1)
	}
	posts, err := collectPosts(s.db.q(ctx).Query(ctx, sql, args...))
	if err != nil {
		return nil, false, err
	}
	if max > 0 && len(posts) > max {
		return nil, false, nil
	}
	return posts, true, nil
}

// PostsAfter implements discussion.Store: one query of limit+1 posts
// when keep takes them all (the one past the page answers more), further
// ones, each twice as long, while keep turns posts down. keep runs on rows
// already read.
func (s *Discussion) PostsAfter(ctx context.Context, thread, after uint64, limit int, keep func(id, author uint64) bool) ([]discussion.PostRecord, bool, error) {
	var out []discussion.PostRecord
	n := max(limit+1, 1)
	for {
		chunk, err := collectPosts(s.db.q(ctx).Query(ctx,
			"SELECT "+postCols+" FROM discussion_posts WHERE thread_id = $1 AND id > $2 ORDER BY id LIMIT $3", thread, after, n))
		if err != nil {
			return nil, false, err
		}
		for _, p := range chunk {
			if !keep(p.ID, p.AuthorID) {
				continue
			}
			if len(out) == limit {
				return out, true, nil
			}
			out = append(out, p)
		}
		if len(chunk) < n {
			return out, false, nil
		}
		after, n = chunk[len(chunk)-1].ID, min(2*n, maxChunk)
	}
}

// CountUnread implements discussion.Store: one count over the thread's
// index entries (author and deletion are in the index).
func (s *Discussion) CountUnread(ctx context.Context, t discussion.ThreadRecord, user, after uint64, seeAll bool) (int, error) {
	var n int
	err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM discussion_posts
		WHERE thread_id = $1 AND id > $2 AND NOT deleted AND author_id <> $3 AND ($4 OR id = $5)`,
		t.ID, after, user, seeAll, t.OpeningPostID).Scan(&n)
	return n, err
}
