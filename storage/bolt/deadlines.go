package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"time"

	"pacer/deadlines"
	"pacer/storage"
)

// Deadlines implements deadlines.Store. Its records and indexes:
//
//   - storage.Extensions: extension id -> deadlines.Extension;
//     storage.ExtensionsByLearner: course|user|module -> id | due nanos, so
//     that overrides are read without decoding a record;
//   - storage.Submissions: id -> deadlines.Submission;
//     storage.SubmissionsByItem: course|item|user -> the current attempt's
//     id; storage.SubmissionHistory: course|item|user|id -> nil for each
//     superseded attempt; storage.SubmittedNotes: staff|course|item ->
//     notification id | count; storage.SubmittedQueue: course|item|id ->
//     learner | submitted nanos, the submissions whose staff
//     notification is still to be delivered;
//   - storage.CalendarTokens: user -> generation;
//     storage.CalendarEvents: user|course|module|kind -> event state;
//   - storage.JobMarks: course|user|module|job -> instant nanos | outcome.
//
// (deadlines_*.go hold the submissions, the queue, calendar and marks.)
type Deadlines struct{ db *storage.DB }

// NewDeadlines returns the store over db.
func NewDeadlines(db *storage.DB) *Deadlines { return &Deadlines{db: db} }

var errMalformedExtension = errors.New("deadlines store: malformed extension index entry")

// extensionIndex is the value of an ExtensionsByLearner entry: the record's
// id and the due time.
func extensionIndex(id uint64, due time.Time) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, id)
	binary.BigEndian.PutUint64(b[8:], uint64(due.UnixNano()))
	return b
}

func parseExtensionIndex(v []byte) (id uint64, due time.Time, ok bool) {
	if len(v) != 16 {
		return 0, time.Time{}, false
	}
	return binary.BigEndian.Uint64(v), time.Unix(0, int64(binary.BigEndian.Uint64(v[8:]))).UTC(), true
}

// PutExtension implements deadlines.Store.
func (s *Deadlines) PutExtension(ctx context.Context, e deadlines.Extension) (deadlines.Extension, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		key := storage.Key(e.CourseID, e.UserID, e.ModuleID)
		if id, _, ok := parseExtensionIndex(tx.GetRaw(storage.ExtensionsByLearner, key)); ok {
			e.ID = id
		} else {
			id, err := tx.NextID(storage.Extensions)
			if err != nil {
				return err
			}
			e.ID = id
		}
		if err := tx.Put(storage.Extensions, storage.ID(e.ID), e); err != nil {
			return err
		}
		return tx.PutRaw(storage.ExtensionsByLearner, key, extensionIndex(e.ID, e.DueAt))
	})
	return e, err
}

// Extension implements deadlines.Store.
func (s *Deadlines) Extension(ctx context.Context, id uint64) (deadlines.Extension, error) {
	var e deadlines.Extension
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return deadlinesNotFound(storage.TxFrom(ctx).Get(storage.Extensions, storage.ID(id), &e))
	})
	return e, err
}

// deadlinesNotFound maps the engine's missing record to the store's.
func deadlinesNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return deadlines.ErrNotFound
	}
	return err
}

// DeleteExtension implements deadlines.Store.
func (s *Deadlines) DeleteExtension(ctx context.Context, id uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var e deadlines.Extension
		if err := tx.Get(storage.Extensions, storage.ID(id), &e); errors.Is(err, storage.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if err := tx.Delete(storage.Extensions, storage.ID(id)); err != nil {
			return err
		}
		return tx.Delete(storage.ExtensionsByLearner, storage.Key(e.CourseID, e.UserID, e.ModuleID))
	})
}

// Extensions implements deadlines.Store: one walk of the course's (or the
// learner's) index, reading each record.
func (s *Deadlines) Extensions(ctx context.Context, course, user uint64) ([]deadlines.Extension, error) {
	var out []deadlines.Extension
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		prefix := storage.Key(course)
		if user != 0 {
			prefix = storage.Key(course, user)
		}
		return tx.Each(storage.ExtensionsByLearner, prefix, func(_, v []byte) error {
			id, _, ok := parseExtensionIndex(v)
			if !ok {
				return errMalformedExtension
			}
			var e deadlines.Extension
			if err := tx.Get(storage.Extensions, storage.ID(id), &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// Overrides implements deadlines.Store.
func (s *Deadlines) Overrides(ctx context.Context, course, user uint64) (map[uint64]time.Time, error) {
	var out map[uint64]time.Time
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.ExtensionsByLearner, storage.Key(course, user), func(k, v []byte) error {
			_, due, ok := parseExtensionIndex(v)
			if !ok {
				return errMalformedExtension
			}
			if out == nil {
				out = map[uint64]time.Time{}
			}
			out[storage.Part(k, 2)] = due
			return nil
		})
	})
	return out, err
}

// ModuleOverrides implements deadlines.Store: one walk of the course's
// index (extensions are few).
func (s *Deadlines) ModuleOverrides(ctx context.Context, course, module uint64) (map[uint64]time.Time, error) {
	var out map[uint64]time.Time
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return eachOverride(storage.TxFrom(ctx), course, func(o deadlines.Override) {
			if o.Module != module {
				return
			}
			if out == nil {
				out = map[uint64]time.Time{}
			}
			out[o.User] = o.Due
		})
	})
	return out, err
}

// eachOverride walks a course's extension index in learner then module
// order.
func eachOverride(tx *storage.Tx, course uint64, fn func(deadlines.Override)) error {
	return tx.Each(storage.ExtensionsByLearner, storage.Key(course), func(k, v []byte) error {
		_, due, ok := parseExtensionIndex(v)
		if !ok {
			return errMalformedExtension
		}
		fn(deadlines.Override{User: storage.Part(k, 1), Module: storage.Part(k, 2), Due: due})
		return nil
	})
}

// DeleteCourse implements deadlines.Store. The records keyed by id
// (extensions, submissions) are found through their course-first indexes,
// which are written in the same transaction as the records; the indexes,
// the marks and the queued submissions are ranges of the course. Submitted notices and calendar
// event states are keyed by user first, so their buckets are walked
// whole, reading keys only: a course is deleted rarely (only one that
// never started), and an index by course for these alone would cost
// every write that keeps them.
func (s *Deadlines) DeleteCourse(ctx context.Context, course uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		prefix := storage.Key(course)
		var extensions []uint64
		err := tx.Each(storage.ExtensionsByLearner, prefix, func(_, v []byte) error {
			id, _, ok := parseExtensionIndex(v)
			if !ok {
				return errMalformedExtension
			}
			extensions = append(extensions, id)
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range extensions {
			if err := tx.Delete(storage.Extensions, storage.ID(id)); err != nil {
				return err
			}
		}
		var submissions []uint64
		err = tx.Each(storage.SubmissionsByItem, prefix, func(_, v []byte) error {
			submissions = append(submissions, storage.Part(v, 0))
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.SubmissionHistory, prefix, func(k, _ []byte) error {
			submissions = append(submissions, storage.Part(k, 3))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range submissions {
			if err := tx.Delete(storage.Submissions, storage.ID(id)); err != nil {
				return err
			}
		}
		for _, b := range []storage.Bucket{storage.ExtensionsByLearner, storage.SubmissionsByItem, storage.SubmissionHistory, storage.JobMarks, storage.SubmittedQueue} {
			if err := tx.DeletePrefix(b, prefix); err != nil {
				return err
			}
		}
		// SubmittedNotes: staff|course|item; CalendarEvents:
		// user|course|module|kind. The course is the second part of both.
		for _, b := range []storage.Bucket{storage.SubmittedNotes, storage.CalendarEvents} {
			if err := deleteWhere(tx, b, func(k []byte) bool { return storage.Part(k, 1) == course }); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteWhere removes the keys of b that match picks, found in one walk of
// the whole bucket and deleted after it (a cursor must not delete under
// itself).
func deleteWhere(tx *storage.Tx, b storage.Bucket, match func(k []byte) bool) error {
	var keys [][]byte
	err := tx.Each(b, nil, func(k, _ []byte) error {
		if match(k) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(b, k); err != nil {
			return err
		}
	}
	return nil
}
