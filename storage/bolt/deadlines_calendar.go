package bolt

import (
	"context"
	"encoding/binary"
	"time"

	"pacer/deadlines"
	"pacer/storage"
)

// CalendarGeneration implements deadlines.Store.
func (s *Deadlines) CalendarGeneration(ctx context.Context, user uint64) (uint64, error) {
	var gen uint64
	err := s.db.Read(ctx, func(ctx context.Context) error {
		gen = calendarGen(storage.TxFrom(ctx), user)
		return nil
	})
	return gen, err
}

func calendarGen(tx *storage.Tx, user uint64) uint64 {
	if v := tx.GetRaw(storage.CalendarTokens, storage.ID(user)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// RotateCalendar implements deadlines.Store.
func (s *Deadlines) RotateCalendar(ctx context.Context, user uint64) (uint64, error) {
	var gen uint64
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		gen = calendarGen(tx, user) + 1
		return tx.PutRaw(storage.CalendarTokens, storage.ID(user), storage.ID(gen))
	})
	return gen, err
}

// EventStates implements deadlines.Store: one walk of the user's events.
func (s *Deadlines) EventStates(ctx context.Context, user uint64) (map[deadlines.EventKey]deadlines.EventState, error) {
	out := map[deadlines.EventKey]deadlines.EventState{}
	err := s.db.Read(ctx, func(ctx context.Context) error {
		return storage.TxFrom(ctx).Each(storage.CalendarEvents, storage.Key(user), func(k, v []byte) error {
			if len(v) != 24 || len(k) != 32 {
				return nil // unreadable: the event counts as new
			}
			key := deadlines.EventKey{Course: storage.Part(k, 1), Module: storage.Part(k, 2), Kind: uint8(storage.Part(k, 3))}
			out[key] = deadlines.EventState{At: nanos(v), Sequence: binary.BigEndian.Uint64(v[8:]), Modified: nanos(v[16:])}
			return nil
		})
	})
	return out, err
}

// nanos reads an instant stored as big-endian Unix nanoseconds.
func nanos(v []byte) time.Time { return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC() }

// PutEventStates implements deadlines.Store.
func (s *Deadlines) PutEventStates(ctx context.Context, user uint64, states map[deadlines.EventKey]deadlines.EventState) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for k, st := range states {
			b := make([]byte, 24)
			binary.BigEndian.PutUint64(b, uint64(st.At.UnixNano()))
			binary.BigEndian.PutUint64(b[8:], st.Sequence)
			binary.BigEndian.PutUint64(b[16:], uint64(st.Modified.UnixNano()))
			if err := tx.PutRaw(storage.CalendarEvents, storage.Key(user, k.Course, k.Module, uint64(k.Kind)), b); err != nil {
				return err
			}
		}
		return nil
	})
}
