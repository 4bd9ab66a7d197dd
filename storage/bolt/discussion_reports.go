package bolt

import (
	"context"

	"pacer/discussion"
	"pacer/storage"
)

// Report implements discussion.Store.
func (s *Discussion) Report(ctx context.Context, id uint64) (discussion.ReportRecord, error) {
	var r discussion.ReportRecord
	err := s.read(ctx, func(tx *storage.Tx) error {
		return discussionNotFound(tx.Get(storage.Reports, storage.ID(id), &r), "report")
	})
	return r, err
}

// Reported implements discussion.Store.
func (s *Discussion) Reported(ctx context.Context, post, user uint64) (bool, error) {
	var ok bool
	err := s.read(ctx, func(tx *storage.Tx) error {
		ok = tx.Has(storage.ReportsByPost, storage.Key(post, user))
		return nil
	})
	return ok, err
}

// AddReport implements discussion.Store.
func (s *Discussion) AddReport(ctx context.Context, r discussion.ReportRecord) (discussion.ReportRecord, error) {
	err := s.write(ctx, func(tx *storage.Tx) error {
		id, err := tx.NextID(storage.Reports)
		if err != nil {
			return err
		}
		r.ID = id
		if err := tx.Put(storage.Reports, storage.ID(id), r); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.ReportsByCourse, reportKeyOf(r), nil); err != nil {
			return err
		}
		return tx.PutRaw(storage.ReportsByPost, storage.Key(r.PostID, r.ReporterID), storage.ID(id))
	})
	return r, err
}

// SaveReport implements discussion.Store.
func (s *Discussion) SaveReport(ctx context.Context, old, r discussion.ReportRecord) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		if err := tx.Delete(storage.ReportsByCourse, reportKeyOf(old)); err != nil {
			return err
		}
		if err := tx.Put(storage.Reports, storage.ID(r.ID), r); err != nil {
			return err
		}
		return tx.PutRaw(storage.ReportsByCourse, reportKeyOf(r), nil)
	})
}

// CourseReports implements discussion.Store: one walk of the course's
// queue index from the key after the place, within the status's group.
func (s *Discussion) CourseReports(ctx context.Context, course uint64, status string, after *discussion.ReportPlace, limit int) ([]discussion.ReportEntry, bool, error) {
	var out []discussion.ReportEntry
	var more bool
	prefix := storage.Key(course)
	switch status {
	case discussion.ReportsOpen:
		prefix = storage.Key(course, 0)
	case discussion.ReportsResolved:
		prefix = storage.Key(course, 1)
	}
	start := prefix
	if after != nil {
		start = append(reportKey(course, after.Resolved, after.ID), 0)
	}
	err := s.read(ctx, func(tx *storage.Tx) error {
		return tx.EachFrom(storage.ReportsByCourse, prefix, start, func(k, _ []byte) error {
			if len(out) == limit {
				more = true
				return storage.Stop
			}
			var e discussion.ReportEntry
			err := tx.Get(storage.Reports, storage.ID(storage.Part(k, 2)), &e.Report)
			if err != nil {
				return err
			}
			if e.Thread, err = s.thread(tx, e.Report.ThreadID); err != nil {
				return err
			}
			if e.Post, err = post(tx, e.Report.PostID); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, more, err
}

// deleteThreadReports removes the reports of a thread's posts.
func deleteThreadReports(tx *storage.Tx, t discussion.ThreadRecord) error {
	var gone []discussion.ReportRecord
	err := tx.Each(storage.ReportsByCourse, storage.Key(t.CourseID), func(k, _ []byte) error {
		var r discussion.ReportRecord
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
			{storage.ReportsByCourse, reportKeyOf(r)},
			{storage.ReportsByPost, storage.Key(r.PostID, r.ReporterID)},
		} {
			if err := tx.Delete(e.b, e.k); err != nil {
				return err
			}
		}
	}
	return nil
}
