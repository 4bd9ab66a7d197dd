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
		err = s.stagePosting(ctx, p)
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
// row holds every word of one post, so the postings are its lexemes (the
// staged postings were folded into their rows by Finish, which the copy
// calls before counting).
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

// The search postings come out of bbolt in (course, word, post) order, so
// the words of one post arrive scattered through the whole export, while
// PostgreSQL keeps them in one row per post. Merging each posting into
// its row as it comes (as AddPostings does) would rewrite the row, and
// re-index every word already in it, once per word: quadratic in the
// words of a post, seconds for one long post. Instead each posting is
// staged in a temporary table of the copy's transaction, and the rows are
// built once from all of them (foldPostings).

// Finish implements migrate.Finisher: the staged search postings become
// one row per post.
func (s *Discussion) Finish(ctx context.Context) error { return s.foldPostings(ctx) }

// searchStaging is the temporary table of staged postings; it goes with
// the transaction, committed or not.
const searchStaging = "discussion_search_copy"

// stagePosting stages one posting, making the staging table the first
// time. (The two statements cannot share a round trip: a batch prepares
// its insert before the table exists.)
func (s *Discussion) stagePosting(ctx context.Context, p discussion.Posting) error {
	q := s.db.q(ctx)
	_, err := q.Exec(ctx, "CREATE TEMP TABLE IF NOT EXISTS "+searchStaging+` (course_id bigint NOT NULL, post_id bigint NOT NULL,
		thread_id bigint NOT NULL, term text NOT NULL) ON COMMIT DROP`)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, "INSERT INTO "+searchStaging+" (course_id, post_id, thread_id, term) VALUES ($1, $2, $3, $4)",
		p.Course, p.Post, p.Thread, p.Term)
	return err
}

// foldPostings builds the search rows from the staged postings, one
// insert of each post's row with all its words, and drops the staging
// table so that a second call finds nothing left to do. Without staged
// postings it does nothing.
func (s *Discussion) foldPostings(ctx context.Context) error {
	var staged bool
	if err := s.db.q(ctx).QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", "pg_temp."+searchStaging).Scan(&staged); err != nil || !staged {
		return err
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO discussion_search (course_id, post_id, thread_id, terms)
		SELECT course_id, post_id, max(thread_id), array_to_tsvector(array_agg(DISTINCT term))
		FROM `+searchStaging+`
		GROUP BY course_id, post_id
		ORDER BY course_id, post_id`)
	if err != nil {
		return fmt.Errorf("build the search rows from the copied postings: %w", err)
	}
	_, err = s.db.q(ctx).Exec(ctx, "DROP TABLE "+searchStaging)
	return err
}

// discussionWrongRecord is a record of a type its kind does not carry.
func discussionWrongRecord(kind string, rec any) error {
	return fmt.Errorf("discussion: a %s record cannot be a %T", kind, rec)
}
