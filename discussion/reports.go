package discussion

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"

	"pacer/api"
	"pacer/errs"
	"pacer/storage"
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
	err := s.db.Update(func(tx *storage.Tx) error {
		sc, p, err := s.postScopeTx(tx, caller, postID)
		if err != nil {
			return err
		}
		if field != "" {
			return errs.Field("reason", field)
		}
		if p.Deleted {
			return errs.ConflictCode("conflict", "this post was deleted")
		}
		byPost := storage.Key(p.ID, caller)
		if tx.Has(storage.ReportsByPost, byPost) {
			return errs.ConflictCode("conflict", "you have already reported this post")
		}
		id, err := tx.NextID(storage.Reports)
		if err != nil {
			return err
		}
		r := reportRec{ID: id, CourseID: p.CourseID, ThreadID: p.ThreadID, PostID: p.ID, ReporterID: caller,
			Reason: reason, CreatedAt: s.now().UTC()}
		if err := tx.Put(storage.Reports, storage.ID(id), r); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.ReportsByCourse, reportKey(r), nil); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.ReportsByPost, byPost, u64(id)); err != nil {
			return err
		}
		out, err = reportView(tx, s.newAuthors(tx, p.CourseID), r, sc.thread, p)
		return err
	})
	return out, errs.Wrap(err, "report post")
}

// reportKey places a report in its course's queue: open ones first, each
// group oldest first.
func reportKey(r reportRec) []byte {
	resolved := uint64(0)
	if r.ResolvedAt != nil {
		resolved = 1
	}
	return storage.Key(r.CourseID, resolved, r.ID)
}

func reportView(tx *storage.Tx, au *authors, r reportRec, t threadRec, p postRec) (Report, error) {
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
func (s *Service) Reports(ctx context.Context, caller, courseID uint64, status string, page api.Page) (ReportList, error) {
	out := ReportList{Items: []Report{}}
	prefix := storage.Key(courseID)
	switch status {
	case "", ReportsOpen:
		prefix = storage.Key(courseID, 0)
	case ReportsResolved:
		prefix = storage.Key(courseID, 1)
	case ReportsAll:
	default:
		return out, errs.Field("status", "must be open, resolved or all")
	}
	start := prefix
	if page.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(page.Cursor)
		if err != nil || len(raw) != 16 {
			return out, errs.Field("cursor", "invalid")
		}
		start = append(append(storage.Key(courseID), raw...), 0)
	}
	err := s.db.View(func(tx *storage.Tx) error {
		a, err := s.courses.MemberAccessTx(tx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		au := s.newAuthors(tx, courseID)
		var lastKey []byte
		return tx.EachFrom(storage.ReportsByCourse, prefix, start, func(k, _ []byte) error {
			if len(out.Items) == page.Limit {
				out.NextCursor = base64.RawURLEncoding.EncodeToString(lastKey[8:])
				return storage.Stop
			}
			var r reportRec
			if err := tx.Get(storage.Reports, storage.ID(storage.Part(k, 2)), &r); err != nil {
				return err
			}
			t, err := getThread(tx, r.ThreadID)
			if err != nil {
				return err
			}
			p, err := getPost(tx, r.PostID)
			if err != nil {
				return err
			}
			v, err := reportView(tx, au, r, t, p)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
			lastKey = append(lastKey[:0], k...)
			return nil
		})
	})
	return out, errs.Wrap(err, "list reports")
}

// ResolveReport closes a report (staff of its course). Resolving twice is
// not an error.
func (s *Service) ResolveReport(ctx context.Context, caller, reportID uint64) error {
	err := s.db.Update(func(tx *storage.Tx) error {
		var r reportRec
		if err := tx.Get(storage.Reports, storage.ID(reportID), &r); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return errs.NotFoundf("report")
			}
			return err
		}
		a, err := s.courses.MemberAccessTx(tx, r.CourseID, caller)
		if err != nil {
			return notFound(err, "report")
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if r.ResolvedAt != nil {
			return nil
		}
		if err := tx.Delete(storage.ReportsByCourse, reportKey(r)); err != nil {
			return err
		}
		now := s.now().UTC()
		r.ResolvedAt, r.ResolvedBy = &now, caller
		if err := tx.Put(storage.Reports, storage.ID(r.ID), r); err != nil {
			return err
		}
		return tx.PutRaw(storage.ReportsByCourse, reportKey(r), nil)
	})
	return errs.Wrap(err, "resolve report")
}

// deleteReportsTx removes the reports of a thread's posts (its item is
// being deleted).
func deleteReportsTx(tx *storage.Tx, t threadRec) error {
	var gone []reportRec
	err := tx.Each(storage.ReportsByCourse, storage.Key(t.CourseID), func(k, _ []byte) error {
		var r reportRec
		if err := tx.Get(storage.Reports, storage.ID(storage.Part(k, 2)), &r); err != nil {
			return err
		}
		if r.ThreadID == t.ID {
			gone = append(gone, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range gone {
		for _, e := range []struct {
			b storage.Bucket
			k []byte
		}{
			{storage.Reports, storage.ID(r.ID)},
			{storage.ReportsByCourse, reportKey(r)},
			{storage.ReportsByPost, storage.Key(r.PostID, r.ReporterID)},
		} {
			if err := tx.Delete(e.b, e.k); err != nil {
				return err
			}
		}
	}
	return nil
}
