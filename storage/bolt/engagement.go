package bolt

import (
	"cmp"
	"context"
	"encoding/binary"
	"slices"

	"pacer/engagement"
	"pacer/storage"
)

// Engagement implements engagement.Store. Activity lives in
// storage.ActivityDays under course|user|day with a 4-byte big-endian
// count; ladder states in storage.Engagement under course|user. Both are
// keyed course first, so a course's records are one range, in user order.
type Engagement struct{ db *storage.DB }

// NewEngagement returns the store over db.
func NewEngagement(db *storage.DB) *Engagement { return &Engagement{db: db} }

// staleRun is how many activity days before the window CourseActivity
// steps over before it jumps past the rest of a learner's history with a
// fresh seek: a few old days are cheaper to step over than a seek, a long
// history is not.
const staleRun = 32

// AddActivity implements engagement.Store. The counts are written in key
// order, which keeps the writes sequential in the B+tree.
func (s *Engagement) AddActivity(ctx context.Context, counts []engagement.DayCount) error {
	byKey := func(a, b engagement.DayCount) int {
		return cmp.Or(cmp.Compare(a.Course, b.Course), cmp.Compare(a.User, b.User), cmp.Compare(uint64(a.Day), uint64(b.Day)))
	}
	sorted := counts // the activity flush hands them over in key order already
	if !slices.IsSortedFunc(sorted, byKey) {
		sorted = slices.Clone(counts)
		slices.SortFunc(sorted, byKey)
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for _, d := range sorted {
			k := storage.Key(d.Course, d.User, uint64(d.Day))
			var n uint32
			if raw := tx.GetRaw(storage.ActivityDays, k); len(raw) == 4 {
				n = binary.BigEndian.Uint32(raw)
			}
			var buf [4]byte
			binary.BigEndian.PutUint32(buf[:], n+d.Count)
			if err := tx.PutRaw(storage.ActivityDays, k, buf[:]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Activity implements engagement.Store: one seek to the first day of the
// window and a walk to today.
func (s *Engagement) Activity(ctx context.Context, course, user uint64, today int64, out []uint32) error {
	clear(out)
	n := int64(len(out))
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		start := storage.Key(course, user, uint64(max(today-n+1, 0)))
		return tx.EachFrom(storage.ActivityDays, storage.Key(course, user), start, func(k, v []byte) error {
			ago := today - int64(storage.Part(k, 2))
			if ago < 0 {
				return storage.Stop
			}
			if ago < n && len(v) == 4 {
				out[ago] = binary.BigEndian.Uint32(v)
			}
			return nil
		})
	})
}

// CourseActivity implements engagement.Store: one walk of the course's
// range, which jumps over a learner's long history before first.
func (s *Engagement) CourseActivity(ctx context.Context, course uint64, first, today int64, fn func(user uint64, day int64, count uint32)) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		prefix, start := storage.Key(course), storage.Key(course)
		for start != nil {
			from := start
			start = nil
			var user uint64
			stale := 0
			err := tx.EachFrom(storage.ActivityDays, prefix, from, func(k, v []byte) error {
				u, day := storage.Part(k, 1), int64(storage.Part(k, 2))
				if u != user {
					user, stale = u, 0
				}
				if day < first {
					if stale++; stale > staleRun {
						start = storage.Key(course, u, uint64(max(first, 0)))
						return storage.Stop
					}
					return nil
				}
				if day <= today && len(v) == 4 {
					fn(u, day, binary.BigEndian.Uint32(v))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// State implements engagement.Store.
func (s *Engagement) State(ctx context.Context, course, user uint64) ([]byte, bool, error) {
	var raw []byte
	err := s.db.Read(ctx, func(ctx context.Context) error {
		raw = storage.TxFrom(ctx).GetRaw(storage.Engagement, storage.Key(course, user)) // a copy
		return nil
	})
	return raw, raw != nil, err
}

// States implements engagement.Store.
func (s *Engagement) States(ctx context.Context, course uint64, fn func(user uint64, raw []byte) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.Engagement, storage.Key(course), func(k, v []byte) error {
			return fn(storage.Part(k, 1), v)
		})
	})
}

// PutState implements engagement.Store.
func (s *Engagement) PutState(ctx context.Context, course, user uint64, raw []byte) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).PutRaw(storage.Engagement, storage.Key(course, user), raw)
	})
}

// DeleteState implements engagement.Store.
func (s *Engagement) DeleteState(ctx context.Context, course, user uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Delete(storage.Engagement, storage.Key(course, user))
	})
}

// DeleteCourse implements engagement.Store: both buckets are keyed course
// first, so the course's records are one range of each.
func (s *Engagement) DeleteCourse(ctx context.Context, course uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		if err := tx.DeletePrefix(storage.ActivityDays, storage.Key(course)); err != nil {
			return err
		}
		return tx.DeletePrefix(storage.Engagement, storage.Key(course))
	})
}
