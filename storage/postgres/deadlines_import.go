package postgres

import (
	"context"
	"fmt"

	"pacer/deadlines"
	"pacer/storage/records"
)

// Import implements migrate.Importer: one exported record, stored as it
// is with its id, in ctx's transaction.
func (s *Deadlines) Import(ctx context.Context, kind string, rec any) error {
	q := s.db.q(ctx)
	var err error
	switch kind {
	case "extensions":
		e, ok := rec.(deadlines.Extension)
		if !ok {
			return fmt.Errorf("deadlines import: %s given as %T", kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO extensions (id, course_id, user_id, module_id, due_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			int64(e.ID), int64(e.CourseID), int64(e.UserID), int64(e.ModuleID), e.DueAt, int64(e.CreatedBy), e.CreatedAt)
	case "submissions":
		sub, ok := rec.(deadlines.Submission)
		if !ok {
			return fmt.Errorf("deadlines import: %s given as %T", kind, rec)
		}
		rubric, rerr := rubricJSON(sub.Rubric)
		if rerr != nil {
			return rerr
		}
		// is_current is the exported Current: the bbolt store decided it
		// from its index of each learner's current attempt.
		_, err = q.Exec(ctx, `INSERT INTO submissions (`+submissionColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
			int64(sub.ID), int64(sub.CourseID), int64(sub.ItemID), int64(sub.ModuleID), int64(sub.UserID), sub.Attempt, sub.Current,
			sub.Status, sub.Body, sub.BodyHTML, int64(sub.MediaID), sub.PenaltyPercent, sub.SubmittedAt, sub.DueAt, sub.Score,
			sub.FinalScore, sub.Feedback, sub.FeedbackHTML, sub.GradedAt, int64(sub.GradedBy), sub.Adjustment, rubric)
	case "submitted_notes":
		n, ok := rec.(records.SubmittedNote)
		if !ok {
			return fmt.Errorf("deadlines import: %s given as %T", kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO submitted_notes (course_id, item_id, staff_id, notification_id, count)
			VALUES ($1, $2, $3, $4, $5)`, int64(n.Course), int64(n.Item), int64(n.Staff), int64(n.Notification), int64(n.Count))
	case "submitted_queue":
		e, ok := rec.(deadlines.QueuedSubmission)
		if !ok {
			return fmt.Errorf("deadlines import: %s given as %T", kind, rec)
		}
		// The entry keeps its id, which orders an item's entries by
		// arrival as it did on bbolt.
		_, err = q.Exec(ctx, `INSERT INTO submitted_queue (id, course_id, item_id, user_id, submitted_at) VALUES ($1, $2, $3, $4, $5)`,
			int64(e.ID), int64(e.Course), int64(e.Item), int64(e.Learner), deadlinesInstant(e.SubmittedAt))
	case "calendar_tokens":
		t, ok := rec.(records.CalendarToken)
		if !ok {
			return fmt.Errorf("deadlines import: %s given as %T", kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO calendar_tokens (user_id, generation) VALUES ($1, $2)`, int64(t.User), int64(t.Generation))
	case "calendar_events":
		e, ok := rec.(records.CalendarEvent)
		if !ok {
			return fmt.Errorf("deadlines import: %s given as %T", kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO calendar_events (user_id, course_id, module_id, kind, at_ns, sequence, modified_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			int64(e.User), int64(e.Key.Course), int64(e.Key.Module), int16(e.Key.Kind), e.At.UnixNano(), int64(e.Sequence), e.Modified)
	case "job_marks":
		m, ok := rec.(deadlines.Mark)
		if !ok {
			return fmt.Errorf("deadlines import: %s given as %T", kind, rec)
		}
		_, err = q.Exec(ctx, `INSERT INTO job_marks (course_id, user_id, module_id, job, at_ns, outcome)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			int64(m.Course), int64(m.User), int64(m.Module), int16(m.Job), m.At.UnixNano(), int16(m.Outcome))
	default:
		return fmt.Errorf("deadlines import: unknown kind %q", kind)
	}
	return err
}

// Counts implements migrate.Importer: one row per exported record in each
// table.
func (s *Deadlines) Counts(ctx context.Context) (map[string]int64, error) {
	var ext, subs, notes, queued, tokens, events, marks int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT
		(SELECT count(*) FROM extensions), (SELECT count(*) FROM submissions), (SELECT count(*) FROM submitted_notes),
		(SELECT count(*) FROM submitted_queue),
		(SELECT count(*) FROM calendar_tokens), (SELECT count(*) FROM calendar_events), (SELECT count(*) FROM job_marks)`).
		Scan(&ext, &subs, &notes, &queued, &tokens, &events, &marks)
	if err != nil {
		return nil, err
	}
	return map[string]int64{"extensions": ext, "submissions": subs, "submitted_notes": notes, "submitted_queue": queued,
		"calendar_tokens": tokens, "calendar_events": events, "job_marks": marks}, nil
}
