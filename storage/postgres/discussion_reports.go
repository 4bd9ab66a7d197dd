package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"pacer/discussion"
	"pacer/errs"
)

const reportCols = "id, course_id, thread_id, post_id, reporter_id, reason, created_at, resolved_by, resolved_at"

// reportDest are the scan targets of reportCols.
func reportDest(r *discussion.ReportRecord) []any {
	return []any{&r.ID, &r.CourseID, &r.ThreadID, &r.PostID, &r.ReporterID, &r.Reason, &r.CreatedAt, &r.ResolvedBy, &r.ResolvedAt}
}

func utcReport(r *discussion.ReportRecord) {
	r.CreatedAt, r.ResolvedAt = r.CreatedAt.UTC(), utcPtr(r.ResolvedAt)
}

// Report implements discussion.Store.
func (s *Discussion) Report(ctx context.Context, id uint64) (discussion.ReportRecord, error) {
	var r discussion.ReportRecord
	err := s.db.q(ctx).QueryRow(ctx, "SELECT "+reportCols+" FROM discussion_reports WHERE id = $1", id).Scan(reportDest(&r)...)
	if noRows(err) {
		return r, errs.NotFoundf("report")
	}
	utcReport(&r)
	return r, err
}

// Reported implements discussion.Store.
func (s *Discussion) Reported(ctx context.Context, post, user uint64) (bool, error) {
	var ok bool
	err := s.db.q(ctx).QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM discussion_reports WHERE post_id = $1 AND reporter_id = $2)",
		post, user).Scan(&ok)
	return ok, err
}

// AddReport implements discussion.Store.
func (s *Discussion) AddReport(ctx context.Context, r discussion.ReportRecord) (discussion.ReportRecord, error) {
	err := s.db.q(ctx).QueryRow(ctx, `INSERT INTO discussion_reports
			(course_id, thread_id, post_id, reporter_id, reason, created_at, resolved_by, resolved_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.CourseID, r.ThreadID, r.PostID, r.ReporterID, r.Reason, r.CreatedAt, r.ResolvedBy, r.ResolvedAt).Scan(&r.ID)
	return r, err
}

// SaveReport implements discussion.Store: the queue index follows the
// row.
func (s *Discussion) SaveReport(ctx context.Context, old, r discussion.ReportRecord) error {
	_, err := s.db.q(ctx).Exec(ctx, `UPDATE discussion_reports SET course_id = $2, thread_id = $3, post_id = $4,
			reporter_id = $5, reason = $6, created_at = $7, resolved_by = $8, resolved_at = $9
		WHERE id = $1`,
		r.ID, r.CourseID, r.ThreadID, r.PostID, r.ReporterID, r.Reason, r.CreatedAt, r.ResolvedBy, r.ResolvedAt)
	return err
}

// reportQueueOrder is a course's queue order, the expressions of index
// discussion_reports_queue.
const reportQueueOrder = "(r.resolved_at IS NOT NULL), r.id"

// CourseReports implements discussion.Store: one query of limit+1
// entries, each joined with its post and thread, walking the queue index
// from the place after.
func (s *Discussion) CourseReports(ctx context.Context, course uint64, status string, after *discussion.ReportPlace, limit int) ([]discussion.ReportEntry, bool, error) {
	var where strings.Builder
	args := []any{course}
	where.WriteString("r.course_id = $1")
	switch status {
	case discussion.ReportsOpen:
		where.WriteString(" AND r.resolved_at IS NULL")
	case discussion.ReportsResolved:
		where.WriteString(" AND r.resolved_at IS NOT NULL")
	}
	if after != nil {
		args = append(args, after.Resolved, after.ID)
		where.WriteString(" AND (" + reportQueueOrder + ") > ($2, $3)")
	}
	args = append(args, max(limit+1, 0))
	cols := func(alias, cols string) string {
		return alias + "." + strings.ReplaceAll(cols, ", ", ", "+alias+".")
	}
	sql := fmt.Sprintf(`SELECT %s, %s, %s FROM discussion_reports r
		JOIN discussion_threads t ON t.id = r.thread_id
		JOIN discussion_posts p ON p.id = r.post_id
		WHERE %s ORDER BY %s LIMIT $%d`,
		cols("r", reportCols), cols("t", strings.Join(strings.Fields(threadCols), " ")), cols("p", postCols),
		where.String(), reportQueueOrder, len(args))
	rows, err := s.db.q(ctx).Query(ctx, sql, args...)
	if err != nil {
		return nil, false, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (discussion.ReportEntry, error) {
		var e discussion.ReportEntry
		var ps postScan
		dest := append(append(reportDest(&e.Report), threadDest(&e.Thread)...), ps.dest()...)
		err := row.Scan(dest...)
		utcReport(&e.Report)
		utcThread(&e.Thread)
		e.Post = ps.post()
		return e, err
	})
	if err != nil {
		return nil, false, err
	}
	out, more := pageOf(out, limit)
	return out, more, nil
}
