package postgres

import (
	"context"

	"pacer/discussion"
)

// Participant implements discussion.Store.
func (s *Discussion) Participant(ctx context.Context, thread, user uint64) (bool, error) {
	var ok bool
	err := s.db.q(ctx).QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM discussion_participants WHERE thread_id = $1 AND user_id = $2)",
		thread, user).Scan(&ok)
	return ok, err
}

// Participants implements discussion.Store: one query.
func (s *Discussion) Participants(ctx context.Context, thread uint64, users []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if len(users) == 0 {
		return out, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, "SELECT user_id FROM discussion_participants WHERE thread_id = $1 AND user_id = ANY($2)",
		int64(thread), int64s(users))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var user int64
		if err := rows.Scan(&user); err != nil {
			return nil, err
		}
		out[uint64(user)] = true
	}
	return out, rows.Err()
}

// AddParticipant implements discussion.Store: an insert that ignores a
// duplicate, sent with the transaction's next statement (DB.execLater).
func (s *Discussion) AddParticipant(ctx context.Context, thread, user uint64) error {
	return s.db.execLater(ctx, "INSERT INTO discussion_participants (thread_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
		thread, user)
}

// ReadMark implements discussion.Store.
func (s *Discussion) ReadMark(ctx context.Context, thread, user uint64) (uint64, error) {
	var post uint64
	err := s.db.q(ctx).QueryRow(ctx, "SELECT post_id FROM discussion_read_marks WHERE thread_id = $1 AND user_id = $2",
		thread, user).Scan(&post)
	if noRows(err) {
		return 0, nil
	}
	return post, err
}

// ReadMarks implements discussion.Store: one query, a primary-key lookup
// per (thread, user) asked (readMarksSQL).
func (s *Discussion) ReadMarks(ctx context.Context, users map[uint64][]uint64) (map[uint64]map[uint64]uint64, error) {
	out := make(map[uint64]map[uint64]uint64, len(users))
	var threads, ids []int64
	for t, us := range users {
		for _, u := range us {
			threads, ids = append(threads, int64(t)), append(ids, int64(u))
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, readMarksSQL, threads, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var thread, user, post int64
		if err := rows.Scan(&thread, &user, &post); err != nil {
			return nil, err
		}
		m := out[uint64(thread)]
		if m == nil {
			m = make(map[uint64]uint64)
			out[uint64(thread)] = m
		}
		m[uint64(user)] = uint64(post)
	}
	return out, rows.Err()
}

// readMarksSQL reads the marks of (thread, user) pairs given as two
// arrays: a LATERAL primary-key lookup per pair, which PostgreSQL cannot
// turn into a scan of every thread's marks (a user asked twice answers
// twice, as the same mark).
const readMarksSQL = `SELECT k.thread_id, k.user_id, m.post_id
	FROM unnest($1::bigint[], $2::bigint[]) AS k (thread_id, user_id)
	CROSS JOIN LATERAL (SELECT post_id FROM discussion_read_marks m
		WHERE m.thread_id = k.thread_id AND m.user_id = k.user_id) m`

// MoveReadMarks implements discussion.Store in one statement: the marks
// of threads that still exist (the join) are upserted in thread, then
// user order, each only forward. Several marks of one reader in one
// thread count as their furthest.
func (s *Discussion) MoveReadMarks(ctx context.Context, marks []discussion.ReadMark) error {
	if len(marks) == 0 {
		return nil
	}
	threads, users, posts := make([]int64, len(marks)), make([]int64, len(marks)), make([]int64, len(marks))
	for i, m := range marks {
		threads[i], users[i], posts[i] = int64(m.Thread), int64(m.User), int64(m.Post)
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO discussion_read_marks (thread_id, user_id, post_id)
		SELECT m.thread_id, m.user_id, max(m.post_id)
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS m (thread_id, user_id, post_id)
		JOIN discussion_threads t ON t.id = m.thread_id
		GROUP BY m.thread_id, m.user_id
		ORDER BY m.thread_id, m.user_id
		ON CONFLICT (thread_id, user_id) DO UPDATE SET post_id = excluded.post_id
			WHERE discussion_read_marks.post_id < excluded.post_id`, threads, users, posts)
	return err
}

// Subscription implements discussion.Store.
func (s *Discussion) Subscription(ctx context.Context, thread, user uint64) (discussion.Subscription, error) {
	var sub discussion.Subscription
	err := s.db.q(ctx).QueryRow(ctx, "SELECT state, notification FROM discussion_subscriptions WHERE thread_id = $1 AND user_id = $2",
		thread, user).Scan(&sub.State, &sub.Notification)
	if noRows(err) {
		return discussion.Subscription{}, nil
	}
	return sub, err
}

// SetSubscription implements discussion.Store; SubNone removes the row.
func (s *Discussion) SetSubscription(ctx context.Context, thread, user uint64, sub discussion.Subscription) error {
	if sub.State == discussion.SubNone {
		_, err := s.db.q(ctx).Exec(ctx, "DELETE FROM discussion_subscriptions WHERE thread_id = $1 AND user_id = $2", thread, user)
		return err
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO discussion_subscriptions (thread_id, user_id, state, notification)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (thread_id, user_id) DO UPDATE SET state = excluded.state, notification = excluded.notification`,
		thread, user, int16(sub.State), sub.Notification)
	return err
}

// SetSubscriptions implements discussion.Store: one upsert of the
// subscriptions in user order, and one delete when some are SubNone, both
// sent with the transaction's next statement (DB.execLater): a delivery
// setting the subscriptions of many threads pays no round trip for them.
func (s *Discussion) SetSubscriptions(ctx context.Context, thread uint64, subs []discussion.Subscriber) error {
	var users, notes, gone []int64
	var states []int16
	for _, sb := range subs {
		if sb.State == discussion.SubNone {
			gone = append(gone, int64(sb.User))
			continue
		}
		users, states, notes = append(users, int64(sb.User)), append(states, int16(sb.State)), append(notes, int64(sb.Notification))
	}
	if len(gone) > 0 {
		if err := s.db.execLater(ctx, "DELETE FROM discussion_subscriptions WHERE thread_id = $1 AND user_id = ANY($2)",
			int64(thread), gone); err != nil {
			return err
		}
	}
	if len(users) == 0 {
		return nil
	}
	return s.db.execLater(ctx, `INSERT INTO discussion_subscriptions (thread_id, user_id, state, notification)
		SELECT $1, s.user_id, s.state, s.notification
		FROM unnest($2::bigint[], $3::smallint[], $4::bigint[]) AS s (user_id, state, notification)
		ORDER BY s.user_id
		ON CONFLICT (thread_id, user_id) DO UPDATE SET state = excluded.state, notification = excluded.notification`,
		int64(thread), users, states, notes)
}

// SubscribeReplier implements discussion.Store: one upsert whose update
// applies only to a default follow, so that at any isolation it neither
// overrides an opt-out written meanwhile nor loses the notification a
// delivery recorded. It is sent with the transaction's next statement
// (DB.execLater).
func (s *Discussion) SubscribeReplier(ctx context.Context, thread, user uint64) error {
	return s.db.execLater(ctx, `INSERT INTO discussion_subscriptions AS s (thread_id, user_id, state, notification)
		VALUES ($1, $2, $3, 0)
		ON CONFLICT (thread_id, user_id) DO UPDATE SET state = excluded.state WHERE s.state IN ($4, $5)`,
		thread, user, int16(discussion.SubOn), int16(discussion.SubNone), int16(discussion.SubFollowed))
}

// Subscribers implements discussion.Store: one query.
func (s *Discussion) Subscribers(ctx context.Context, threads []uint64) (map[uint64][]discussion.Subscriber, error) {
	out := make(map[uint64][]discussion.Subscriber, len(threads))
	if len(threads) == 0 {
		return out, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, `SELECT thread_id, user_id, state, notification FROM discussion_subscriptions
		WHERE thread_id = ANY($1) ORDER BY thread_id, user_id`, int64s(threads))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var thread uint64
		var sb discussion.Subscriber
		if err := rows.Scan(&thread, &sb.User, &sb.State, &sb.Notification); err != nil {
			return nil, err
		}
		out[thread] = append(out[thread], sb)
	}
	return out, rows.Err()
}

// Following implements discussion.Store: one query for those among users
// who turned following off; the others follow.
func (s *Discussion) Following(ctx context.Context, course uint64, users []uint64) (map[uint64]bool, error) {
	out := make(map[uint64]bool, len(users))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := s.db.q(ctx).Query(ctx, "SELECT user_id FROM discussion_follows_off WHERE course_id = $1 AND user_id = ANY($2)",
		int64(course), int64s(users))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	off := map[uint64]bool{}
	for rows.Next() {
		var user int64
		if err := rows.Scan(&user); err != nil {
			return nil, err
		}
		off[uint64(user)] = true
	}
	for _, u := range users {
		if !off[u] {
			out[u] = true
		}
	}
	return out, rows.Err()
}
