package discussion

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"pacer/errs"
	"pacer/page"
)

// ReportPost reports a post the caller can see to the course's staff. A
// member reports a post once.
func (s *Service) ReportPost(ctx context.Context, caller, postID uint64, in ReportInput) (Report, error) {
	reason := ""
	field := ""
	switch {
	case in.Reason == nil || strings.TrimSpace(*in.Reason) == "":
		field = "required"
	case !utf8.ValidString(*in.Reason) || strings.ContainsRune(*in.Reason, 0):
		field = "must be valid text"
	case utf8.RuneCountInString(strings.TrimSpace(*in.Reason)) > maxReason:
		field = "must be at most 1000 characters"
	default:
		reason = strings.TrimSpace(*in.Reason)
	}
	var out Report
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		sc, p, err := s.postScope(ctx, caller, postID)
		if err != nil {
			return err
		}
		if field != "" {
			return errs.Field("reason", field)
		}
		if p.Deleted {
			return errs.ConflictCode("conflict", "this post was deleted")
		}
		reported, err := s.store.Reported(ctx, p.ID, caller)
		if err != nil {
			return err
		}
		if reported {
			return errs.ConflictCode("conflict", "you have already reported this post")
		}
		r, err := s.store.AddReport(ctx, ReportRecord{CourseID: p.CourseID, ThreadID: p.ThreadID, PostID: p.ID,
			ReporterID: caller, Reason: reason, CreatedAt: s.now().UTC()})
		if err != nil {
			return err
		}
		out, err = reportView(s.newAuthors(ctx, p.CourseID), r, sc.thread, p)
		return err
	})
	return out, errs.Wrap(err, "report post")
}

func reportView(au *authors, r ReportRecord, t ThreadRecord, p PostRecord) (Report, error) {
	reporter, err := au.get(r.ReporterID)
	if err != nil {
		return Report{}, err
	}
	author, err := au.get(p.AuthorID)
	if err != nil {
		return Report{}, err
	}
	return Report{ID: r.ID, CourseID: r.CourseID, ThreadID: r.ThreadID, ThreadTitle: t.Title, PostID: r.PostID,
		PostAuthor: author, PostSnippet: p.Snippet, PostDeleted: p.Deleted, Reporter: reporter, Reason: r.Reason,
		CreatedAt: r.CreatedAt, Resolved: r.ResolvedAt != nil, ResolvedAt: r.ResolvedAt}, nil
}

// Reports lists a course's reports for its staff: status "open" (the
// default), "resolved" or "all" (open first).
func (s *Service) Reports(ctx context.Context, caller, courseID uint64, status string, req page.Request) (ReportList, error) {
	out := ReportList{Items: []Report{}}
	switch status {
	case "":
		status = ReportsOpen
	case ReportsOpen, ReportsResolved, ReportsAll:
	default:
		return out, errs.Field("status", "must be open, resolved or all")
	}
	var after *ReportPlace
	if req.Cursor != "" {
		var err error
		if after, err = parseReportCursor(req.Cursor); err != nil {
			return out, err
		}
	}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		au := s.newAuthors(ctx, courseID)
		reports, more, err := s.store.CourseReports(ctx, courseID, status, after, req.Limit)
		if err != nil {
			return err
		}
		for _, e := range reports {
			v, err := reportView(au, e.Report, e.Thread, e.Post)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
		}
		if more && len(reports) > 0 {
			last := reports[len(reports)-1].Report
			out.NextCursor = reportCursor(ReportPlace{Resolved: last.ResolvedAt != nil, ID: last.ID})
		}
		return nil
	})
	return out, errs.Wrap(err, "list reports")
}

// reportCursor is the opaque form of a place in a course's report queue:
// resolved (0 or 1) and the report id, 8 bytes each, in the order the
// queue is sorted by.
func reportCursor(p ReportPlace) string {
	raw := make([]byte, 16)
	if p.Resolved {
		raw[7] = 1
	}
	binary.BigEndian.PutUint64(raw[8:], p.ID)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func parseReportCursor(c string) (*ReportPlace, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) != 16 {
		return nil, errs.Field("cursor", "invalid")
	}
	resolved := binary.BigEndian.Uint64(raw)
	if resolved > 1 {
		return nil, errs.Field("cursor", "invalid")
	}
	return &ReportPlace{Resolved: resolved == 1, ID: binary.BigEndian.Uint64(raw[8:])}, nil
}

// ResolveReport closes a report (staff of its course). Resolving twice is
// not an error.
func (s *Service) ResolveReport(ctx context.Context, caller, reportID uint64) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		r, err := s.store.Report(ctx, reportID)
		if err != nil {
			return err
		}
		a, err := s.courses.MemberAccess(ctx, r.CourseID, caller)
		if err != nil {
			return notFound(err, "report")
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if r.ResolvedAt != nil {
			return nil
		}
		old := r
		now := s.now().UTC()
		r.ResolvedAt, r.ResolvedBy = &now, caller
		return s.store.SaveReport(ctx, old, r)
	})
	return errs.Wrap(err, "resolve report")
}
