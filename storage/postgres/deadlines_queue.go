package postgres

import (
	"context"

	"pacer/deadlines"
)

// QueueSubmitted implements deadlines.Store: one INSERT, whose id comes
// from the table's identity, sent with the transaction's next statement
// (DB.execLater).
func (s *Deadlines) QueueSubmitted(ctx context.Context, q deadlines.QueuedSubmission) error {
	return s.db.execLater(ctx, `INSERT INTO submitted_queue (course_id, item_id, user_id, submitted_at)
		VALUES ($1, $2, $3, $4)`, int64(q.Course), int64(q.Item), int64(q.Learner), deadlinesInstant(q.SubmittedAt))
}

// QueuedSubmitted implements deadlines.Store: one query of limit+1
// entries in (course, item, id) order (index submitted_queue_take), the
// order delivery relies on to take each item's submissions together,
// oldest first.
//
// In a write transaction (a delivery, which drops what it took in the
// same transaction) the entries are taken FOR UPDATE SKIP LOCKED:
// replicas delivering at once split the queue, each taking entries no
// other holds, instead of all delivering the same submissions. (Two
// deliveries that both tell the staff of one item still conflict on the
// notices they both write, and the later one runs again.)
func (s *Deadlines) QueuedSubmitted(ctx context.Context, limit int) ([]deadlines.QueuedSubmission, bool, error) {
	lock := ""
	if t := txFrom(ctx); t != nil && t.writable {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT id, course_id, item_id, user_id, submitted_at FROM submitted_queue
		ORDER BY course_id, item_id, id LIMIT $1`+lock, max(limit+1, 0))
	if err != nil {
		return nil, false, err
	}
	var out []deadlines.QueuedSubmission
	for rows.Next() {
		var id, course, item, user int64
		var q deadlines.QueuedSubmission
		if err := rows.Scan(&id, &course, &item, &user, &q.SubmittedAt); err != nil {
			rows.Close()
			return nil, false, err
		}
		q.ID, q.Course, q.Item, q.Learner, q.SubmittedAt = uint64(id), uint64(course), uint64(item), uint64(user), q.SubmittedAt.UTC()
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}

// DropQueuedSubmitted implements deadlines.Store in one statement (ids
// are the table's own, so the id alone names an entry).
func (s *Deadlines) DropQueuedSubmitted(ctx context.Context, qs []deadlines.QueuedSubmission) error {
	if len(qs) == 0 {
		return nil
	}
	ids := make([]int64, len(qs))
	for i, q := range qs {
		ids[i] = int64(q.ID)
	}
	_, err := s.db.q(ctx).Exec(ctx, `DELETE FROM submitted_queue WHERE id = ANY($1)`, ids)
	return err
}

// CountQueuedSubmitted implements deadlines.Store.
func (s *Deadlines) CountQueuedSubmitted(ctx context.Context) (int, error) {
	var n int
	err := s.db.q(ctx).QueryRow(ctx, "SELECT count(*) FROM submitted_queue").Scan(&n)
	return n, err
}
