package postgres

import (
	"context"
	"fmt"

	"pacer/discussion"
	"pacer/storage/records"
)

// Import implements migrate.Importer: one exported record, stored as it
// is with its id, in ctx's transaction.
func (s *Discussion) Import(ctx context.Context, kind string, rec any) error {
	q := s.db.q(ctx)
	var err error
	switch kind {
	case "discussion_boards":
		b, ok := rec.(discussion.BoardRecord)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO discussion_boards (`+boardCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			b.ID, b.CourseID, b.Title, b.Mode, b.Kind, b.CreatedBy, b.CreatedAt)
	case "discussion_threads":
		t, ok := rec.(discussion.ThreadRecord)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO discussion_threads (`+threadCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			t.ID, t.CourseID, t.BoardID, t.ItemID, t.Title, t.AuthorID, t.OpeningPostID, t.AnswerPostID, t.LastPostID,
			t.Pinned, t.Locked, t.ReplyCount, t.CreatedAt, t.LastActivityAt, t.Rev)
	case "discussion_posts":
		p, ok := rec.(records.DiscussionPost)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		// The source goes as bbolt held it: none, or the text (even
		// empty), whether or not the post is deleted.
		var source *string
		if p.HasSource {
			source = &p.Source
		}
		_, err = q.Exec(ctx, `INSERT INTO discussion_posts (`+postCols+`, source)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			append(postArgs(p.Post), source)...)
	case "discussion_participants":
		p, ok := rec.(records.DiscussionParticipant)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, "INSERT INTO discussion_participants (thread_id, user_id) VALUES ($1, $2)", p.Thread, p.User)
	case "discussion_subscriptions":
		sb, ok := rec.(records.DiscussionSubscription)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO discussion_subscriptions (thread_id, user_id, state, notification)
			VALUES ($1, $2, $3, $4)`, sb.Thread, sb.User, int16(sb.State), sb.Notification)
	case "discussion_read_marks":
		m, ok := rec.(discussion.ReadMark)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, "INSERT INTO discussion_read_marks (thread_id, user_id, post_id) VALUES ($1, $2, $3)",
			m.Thread, m.User, m.Post)
	case "discussion_follows_off":
		f, ok := rec.(records.DiscussionFollowOff)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, "INSERT INTO discussion_follows_off (course_id, user_id) VALUES ($1, $2)", f.Course, f.User)
	case "discussion_reports":
		r, ok := rec.(discussion.ReportRecord)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO discussion_reports (`+reportCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.ID, r.CourseID, r.ThreadID, r.PostID, r.ReporterID, r.Reason, r.CreatedAt, r.ResolvedBy, r.ResolvedAt)
	case "discussion_search":
		p, ok := rec.(discussion.Posting)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		if p.Term == "" {
			return fmt.Errorf("%s: a posting of the empty word cannot be stored", kind)
		}
		err = s.AddPostings(ctx, []discussion.Posting{p})
	case "discussion_reply_queue":
		r, ok := rec.(discussion.QueuedReply)
		if !ok {
			return discussionWrongRecord(kind, rec)
		}
		// The queue's id is only its arrival order, which bbolt did not
		// keep: records come in (thread, post) order and are numbered so.
		_, err = q.Exec(ctx, "INSERT INTO discussion_reply_queue (thread_id, post_id) VALUES ($1, $2)", r.Thread, r.Post)
	default:
		return fmt.Errorf("discussion: unknown kind %q", kind)
	}
	return err
}

// Counts implements migrate.Importer: records of each kind held. A search
// row holds every word of one post, so the postings are its lexemes.
func (s *Discussion) Counts(ctx context.Context) (map[string]int64, error) {
	queries := map[string]string{
		"discussion_boards":        "SELECT count(*) FROM discussion_boards",
		"discussion_threads":       "SELECT count(*) FROM discussion_threads",
		"discussion_posts":         "SELECT count(*) FROM discussion_posts",
		"discussion_participants":  "SELECT count(*) FROM discussion_participants",
		"discussion_subscriptions": "SELECT count(*) FROM discussion_subscriptions",
		"discussion_read_marks":    "SELECT count(*) FROM discussion_read_marks",
		"discussion_follows_off":   "SELECT count(*) FROM discussion_follows_off",
		"discussion_reports":       "SELECT count(*) FROM discussion_reports",
		"discussion_search":        "SELECT coalesce(sum(length(terms)), 0) FROM discussion_search",
		"discussion_reply_queue":   "SELECT count(*) FROM discussion_reply_queue",
	}
	out := map[string]int64{}
	for kind, sql := range queries {
		var n int64
		if err := s.db.q(ctx).QueryRow(ctx, sql).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", kind, err)
		}
		out[kind] = n
	}
	return out, nil
}

// discussionWrongRecord is a record of a type its kind does not carry.
func discussionWrongRecord(kind string, rec any) error {
	return fmt.Errorf("discussion: a %s record cannot be a %T", kind, rec)
}
