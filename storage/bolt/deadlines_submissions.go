package bolt

import (
	"context"
	"encoding/binary"

	"pacer/deadlines"
	"pacer/storage"
)

// AddAttempt implements deadlines.Store: the attempt it supersedes moves
// to the history untouched. sub's ID, Attempt and Current are set at once.
func (s *Deadlines) AddAttempt(ctx context.Context, sub *deadlines.Submission) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		key := storage.Key(sub.CourseID, sub.ItemID, sub.UserID)
		attempt := 1
		if v := tx.GetRaw(storage.SubmissionsByItem, key); len(v) == 8 {
			var prev deadlines.Submission
			if err := tx.Get(storage.Submissions, v, &prev); err != nil {
				return err
			}
			attempt = prev.Attempt + 1
			if err := tx.PutRaw(storage.SubmissionHistory, storage.Key(sub.CourseID, sub.ItemID, sub.UserID, prev.ID), nil); err != nil {
				return err
			}
		}
		id, err := tx.NextID(storage.Submissions)
		if err != nil {
			return err
		}
		sub.ID, sub.Attempt, sub.Current = id, attempt, true
		if err := tx.Put(storage.Submissions, storage.ID(id), *sub); err != nil {
			return err
		}
		return tx.PutRaw(storage.SubmissionsByItem, key, storage.ID(id))
	})
}

// Submission implements deadlines.Store.
func (s *Deadlines) Submission(ctx context.Context, id uint64) (deadlines.Submission, error) {
	var sub deadlines.Submission
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.Get(storage.Submissions, storage.ID(id), &sub); err != nil {
			return deadlinesNotFound(err)
		}
		v := tx.GetRaw(storage.SubmissionsByItem, storage.Key(sub.CourseID, sub.ItemID, sub.UserID))
		sub.Current = len(v) == 8 && storage.Part(v, 0) == sub.ID
		return nil
	})
	return sub, err
}

// SaveSubmission implements deadlines.Store.
func (s *Deadlines) SaveSubmission(ctx context.Context, sub deadlines.Submission) error {
	sub.Current = false // decided on every read
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Put(storage.Submissions, storage.ID(sub.ID), sub)
	})
}

// Attempts implements deadlines.Store.
func (s *Deadlines) Attempts(ctx context.Context, course, item, user uint64) ([]deadlines.Submission, error) {
	var out []deadlines.Submission
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = attempts(storage.TxFrom(ctx), out, course, item, user)
		return err
	})
	return out, err
}

// attempts appends a learner's attempts at an item to out: the current one
// (SubmissionsByItem) and then the history, newest first.
func attempts(tx *storage.Tx, out []deadlines.Submission, course, item, user uint64) ([]deadlines.Submission, error) {
	v := tx.GetRaw(storage.SubmissionsByItem, storage.Key(course, item, user))
	if len(v) != 8 {
		return out, nil
	}
	var cur deadlines.Submission
	if err := tx.Get(storage.Submissions, v, &cur); err != nil {
		return out, err
	}
	cur.Current = true
	out = append(out, cur)
	err := tx.EachReverse(storage.SubmissionHistory, storage.Key(course, item, user), func(k, _ []byte) error {
		var old deadlines.Submission
		if err := tx.Get(storage.Submissions, storage.ID(storage.Part(k, 3)), &old); err != nil {
			return err
		}
		old.Current = false
		out = append(out, old)
		return nil
	})
	return out, err
}

// ItemAttempts implements deadlines.Store: one walk of the item's index
// from the learner from.
func (s *Deadlines) ItemAttempts(ctx context.Context, course, item, from uint64, limit int) ([]deadlines.Submission, uint64, error) {
	var out []deadlines.Submission
	var next uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		learners := 0
		return tx.EachFrom(storage.SubmissionsByItem, storage.Key(course, item), storage.Key(course, item, from), func(k, _ []byte) error {
			if learners == limit {
				next = storage.Part(k, 2)
				return storage.Stop
			}
			learners++
			var err error
			out, err = attempts(tx, out, course, item, storage.Part(k, 2))
			return err
		})
	})
	return out, next, err
}

// Submitters implements deadlines.Store.
func (s *Deadlines) Submitters(ctx context.Context, course, item uint64) ([]uint64, error) {
	var out []uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.SubmissionsByItem, storage.Key(course, item), func(k, _ []byte) error {
			out = append(out, storage.Part(k, 2))
			return nil
		})
	})
	return out, err
}

// Ungraded implements deadlines.Store: one walk of the course's current
// attempts.
func (s *Deadlines) Ungraded(ctx context.Context, course uint64) ([]deadlines.Submission, error) {
	var out []deadlines.Submission
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.SubmissionsByItem, storage.Key(course), func(_, v []byte) error {
			var sub deadlines.Submission
			if err := tx.Get(storage.Submissions, v, &sub); err != nil {
				return err
			}
			if sub.Score == nil {
				sub.Current = true
				out = append(out, sub)
			}
			return nil
		})
	})
	return out, err
}

// CourseSubmissions implements deadlines.Store: one walk of the course's
// current submissions, each learner's history read beside it.
func (s *Deadlines) CourseSubmissions(ctx context.Context, course uint64) ([]deadlines.Submission, error) {
	var out []deadlines.Submission
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.SubmissionsByItem, storage.Key(course), func(k, _ []byte) error {
			var err error
			out, err = attempts(tx, out, course, storage.Part(k, 1), storage.Part(k, 2))
			return err
		})
	})
	return out, err
}

// DeleteItem implements deadlines.Store.
func (s *Deadlines) DeleteItem(ctx context.Context, course, item uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var ids []uint64
		err := tx.Each(storage.SubmissionsByItem, storage.Key(course, item), func(_, v []byte) error {
			ids = append(ids, storage.Part(v, 0))
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Each(storage.SubmissionHistory, storage.Key(course, item), func(k, _ []byte) error {
			ids = append(ids, storage.Part(k, 3))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.Delete(storage.Submissions, storage.ID(id)); err != nil {
				return err
			}
		}
		if err := tx.DeletePrefix(storage.SubmissionHistory, storage.Key(course, item)); err != nil {
			return err
		}
		return tx.DeletePrefix(storage.SubmissionsByItem, storage.Key(course, item))
	})
}

// SubmittedNotes implements deadlines.Store.
func (s *Deadlines) SubmittedNotes(ctx context.Context, course, item uint64, staff []uint64) (map[uint64]deadlines.SubmittedNote, error) {
	out := map[uint64]deadlines.SubmittedNote{}
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for _, user := range staff {
			if v := tx.GetRaw(storage.SubmittedNotes, storage.Key(user, course, item)); len(v) == 16 {
				out[user] = deadlines.SubmittedNote{Notification: binary.BigEndian.Uint64(v), Count: binary.BigEndian.Uint64(v[8:])}
			}
		}
		return nil
	})
	return out, err
}

// PutSubmittedNotes implements deadlines.Store.
func (s *Deadlines) PutSubmittedNotes(ctx context.Context, course, item uint64, notes map[uint64]deadlines.SubmittedNote) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for user, n := range notes {
			v := make([]byte, 16)
			binary.BigEndian.PutUint64(v, n.Notification)
			binary.BigEndian.PutUint64(v[8:], n.Count)
			if err := tx.PutRaw(storage.SubmittedNotes, storage.Key(user, course, item), v); err != nil {
				return err
			}
		}
		return nil
	})
}
