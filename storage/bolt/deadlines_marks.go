package bolt

import (
	"context"
	"encoding/binary"

	"pacer/deadlines"
	"pacer/storage"
)

// A mark's value is the instant it is for (Unix nanoseconds) and its
// outcome (one byte).
func markValue(m deadlines.Mark) []byte {
	b := make([]byte, 9)
	binary.BigEndian.PutUint64(b, uint64(m.At.UnixNano()))
	b[8] = m.Outcome
	return b
}

// parseMark fills m's instant and outcome from a stored value.
func parseMark(v []byte, m *deadlines.Mark) bool {
	if len(v) != 9 {
		return false
	}
	m.At, m.Outcome = nanos(v), v[8]
	return true
}

func markKey(m deadlines.Mark) []byte {
	return storage.Key(m.Course, m.User, m.Module, uint64(m.Job))
}

// SweepFacts implements deadlines.Store: one walk of the course's
// extension index and one of its marks, both in learner order, so the
// sweep merges them with the members instead of seeking per learner.
func (s *Deadlines) SweepFacts(ctx context.Context, course uint64, job uint8) (deadlines.SweepFacts, error) {
	var out deadlines.SweepFacts
	err := s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := eachOverride(tx, course, func(o deadlines.Override) { out.Extensions = append(out.Extensions, o) }); err != nil {
			return err
		}
		return tx.Each(storage.JobMarks, storage.Key(course), func(k, v []byte) error {
			if storage.Part(k, 3) != uint64(job) {
				return nil
			}
			var m deadlines.Mark
			if parseMark(v, &m) {
				out.Marks = append(out.Marks, deadlines.SweptMark{User: storage.Part(k, 1), Module: storage.Part(k, 2), At: m.At})
			}
			return nil
		})
	})
	return out, err
}

// ClaimMarks implements deadlines.Store: a read and a write per mark, in
// the order given.
func (s *Deadlines) ClaimMarks(ctx context.Context, marks []deadlines.Mark, anyInstant bool) ([]bool, error) {
	claimed := make([]bool, len(marks))
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for i, m := range marks {
			key := markKey(m)
			var had deadlines.Mark
			if parseMark(tx.GetRaw(storage.JobMarks, key), &had) && (anyInstant || had.At.Equal(m.At)) {
				claimed[i] = false
				continue
			}
			if err := tx.PutRaw(storage.JobMarks, key, markValue(m)); err != nil {
				return err
			}
			claimed[i] = true
		}
		return nil
	})
	return claimed, err
}

// Missed implements deadlines.Store.
func (s *Deadlines) Missed(ctx context.Context, course, user uint64) ([]uint64, error) {
	var out []uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.JobMarks, storage.Key(course, user), func(k, v []byte) error {
			m := deadlines.Mark{Job: uint8(storage.Part(k, 3))}
			if m.Job != deadlines.MarkMissed || !parseMark(v, &m) || m.Outcome == deadlines.OutcomeDone {
				return nil
			}
			out = append(out, storage.Part(k, 2))
			return nil
		})
	})
	return out, err
}
