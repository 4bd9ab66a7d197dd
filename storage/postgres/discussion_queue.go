package postgres

import (
	"context"

	"pacer/discussion"
)

// QueueReply implements discussion.Store; a reply queued twice is one
// entry. The insert goes with the transaction's next statement
// (DB.execLater).
func (s *Discussion) QueueReply(ctx context.Context, thread, post uint64) error {
	return s.db.execLater(ctx, `INSERT INTO discussion_reply_queue (thread_id, post_id) VALUES ($1, $2)
		ON CONFLICT (thread_id, post_id) DO NOTHING`, thread, post)
}

// QueuedReplies implements discussion.Store: one query of limit+1
// entries in (thread, post) order, the order delivery relies on to take
// each thread's replies together, oldest first.
//
// In a write transaction (a delivery, which drops what it took in the
// same transaction) the entries are taken FOR UPDATE SKIP LOCKED: replicas
// delivering at once split the queue, each taking entries no other holds,
// instead of all delivering the same replies. (Two deliveries that both
// tell one subscriber of one thread still conflict on the subscription
// they both write, and the later one runs again and finds it told.)
func (s *Discussion) QueuedReplies(ctx context.Context, limit int) ([]discussion.QueuedReply, bool, error) {
	lock := ""
	if t := txFrom(ctx); t != nil && t.writable {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT thread_id, post_id FROM discussion_reply_queue
		ORDER BY thread_id, post_id LIMIT $1`+lock, max(limit+1, 0))
	if err != nil {
		return nil, false, err
	}
	var out []discussion.QueuedReply
	for rows.Next() {
		var q discussion.QueuedReply
		if err := rows.Scan(&q.Thread, &q.Post); err != nil {
			rows.Close()
			return nil, false, err
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}

// DropQueued implements discussion.Store in one statement.
func (s *Discussion) DropQueued(ctx context.Context, rs []discussion.QueuedReply) error {
	if len(rs) == 0 {
		return nil
	}
	threads, posts := make([]int64, len(rs)), make([]int64, len(rs))
	for i, r := range rs {
		threads[i], posts[i] = int64(r.Thread), int64(r.Post)
	}
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM discussion_reply_queue q
		USING unnest($1::bigint[], $2::bigint[]) AS d (thread_id, post_id)
		WHERE q.thread_id = d.thread_id AND q.post_id = d.post_id`, threads, posts)
	return err
}

// CountQueued implements discussion.Store.
func (s *Discussion) CountQueued(ctx context.Context) (int, error) {
	var n int
	err := s.db.q(ctx).QueryRow(ctx, "SELECT count(*) FROM discussion_reply_queue").Scan(&n)
	return n, err
}
