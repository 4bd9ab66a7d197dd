package bolt

import (
	"context"

	"pacer/discussion"
	"pacer/storage"
)

// Participant implements discussion.Store.
func (s *Discussion) Participant(ctx context.Context, thread, user uint64) (bool, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return participant(tx, thread, user)
	}
	return view(s, ctx, func(tx *storage.Tx) (bool, error) { return participant(tx, thread, user) })
}

func participant(tx *storage.Tx, thread, user uint64) (bool, error) {
	return tx.Has(storage.Participants, storage.Key(thread, user)), nil
}

// Participants implements discussion.Store: a key lookup per user, in one
// transaction.
func (s *Discussion) Participants(ctx context.Context, thread uint64, users []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	err := s.read(ctx, func(tx *storage.Tx) error {
		for _, u := range users {
			if tx.Has(storage.Participants, storage.Key(thread, u)) {
				out[u] = true
			}
		}
		return nil
	})
	return out, err
}

// AddParticipant implements discussion.Store. A Put of a key already
// there would still rewrite its page, hence the look first.
func (s *Discussion) AddParticipant(ctx context.Context, thread, user uint64) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		k := storage.Key(thread, user)
		if tx.Has(storage.Participants, k) {
			return nil
		}
		return tx.PutRaw(storage.Participants, k, nil)
	})
}

// ReadMark implements discussion.Store.
func (s *Discussion) ReadMark(ctx context.Context, thread, user uint64) (uint64, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return readMark(tx, thread, user)
	}
	return view(s, ctx, func(tx *storage.Tx) (uint64, error) { return readMark(tx, thread, user) })
}

func readMark(tx *storage.Tx, thread, user uint64) (uint64, error) {
	return readU64(tx.GetRaw(storage.ReadStates, storage.Key(thread, user))), nil
}

// ReadMarks implements discussion.Store: a key lookup per thread and user,
// in one transaction.
func (s *Discussion) ReadMarks(ctx context.Context, users map[uint64][]uint64) (map[uint64]map[uint64]uint64, error) {
	out := make(map[uint64]map[uint64]uint64, len(users))
	err := s.read(ctx, func(tx *storage.Tx) error {
		for t, us := range users {
			for _, u := range us {
				m, _ := readMark(tx, t, u)
				if m == 0 {
					continue
				}
				if out[t] == nil {
					out[t] = make(map[uint64]uint64)
				}
				out[t][u] = m
			}
		}
		return nil
	})
	return out, err
}

// MoveReadMarks implements discussion.Store. A mark only ever moves
// forward, so writing the same marks twice changes nothing more.
func (s *Discussion) MoveReadMarks(ctx context.Context, marks []discussion.ReadMark) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		for _, m := range marks {
			key := storage.Key(m.Thread, m.User)
			if stored, _ := readMark(tx, m.Thread, m.User); stored >= m.Post {
				continue
			}
			if !tx.Has(storage.Threads, storage.ID(m.Thread)) {
				continue // the thread went away since it was read
			}
			if err := tx.PutRaw(storage.ReadStates, key, storage.ID(m.Post)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Subscription implements discussion.Store.
func (s *Discussion) Subscription(ctx context.Context, thread, user uint64) (discussion.Subscription, error) {
	if tx := storage.TxFrom(ctx); tx != nil {
		return subscription(tx, thread, user)
	}
	return view(s, ctx, func(tx *storage.Tx) (discussion.Subscription, error) { return subscription(tx, thread, user) })
}

func subscription(tx *storage.Tx, thread, user uint64) (discussion.Subscription, error) {
	return parseSubEntry(tx.GetRaw(storage.Subscriptions, storage.Key(thread, user))), nil
}

// SetSubscription implements discussion.Store; SubNone removes the entry.
func (s *Discussion) SetSubscription(ctx context.Context, thread, user uint64, sub discussion.Subscription) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		if sub.State == discussion.SubNone {
			return tx.Delete(storage.Subscriptions, storage.Key(thread, user))
		}
		return tx.PutRaw(storage.Subscriptions, storage.Key(thread, user), subEntry(sub))
	})
}

// SetSubscriptions implements discussion.Store.
func (s *Discussion) SetSubscriptions(ctx context.Context, thread uint64, subs []discussion.Subscriber) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		for _, sb := range subs {
			k := storage.Key(thread, sb.User)
			var err error
			if sb.State == discussion.SubNone {
				err = tx.Delete(storage.Subscriptions, k)
			} else {
				err = tx.PutRaw(storage.Subscriptions, k, subEntry(sb.Subscription))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// SubscribeReplier implements discussion.Store.
func (s *Discussion) SubscribeReplier(ctx context.Context, thread, user uint64) error {
	return s.write(ctx, func(tx *storage.Tx) error {
		sub, err := subscription(tx, thread, user)
		if err != nil || (sub.State != discussion.SubNone && sub.State != discussion.SubFollowed) {
			return err
		}
		sub.State = discussion.SubOn
		return tx.PutRaw(storage.Subscriptions, storage.Key(thread, user), subEntry(sub))
	})
}

// Subscribers implements discussion.Store.
func (s *Discussion) Subscribers(ctx context.Context, threads []uint64) (map[uint64][]discussion.Subscriber, error) {
	out := make(map[uint64][]discussion.Subscriber, len(threads))
	err := s.read(ctx, func(tx *storage.Tx) error {
		for _, t := range threads {
			if _, done := out[t]; done {
				continue
			}
			err := tx.Each(storage.Subscriptions, storage.Key(t), func(k, v []byte) error {
				out[t] = append(out[t], discussion.Subscriber{User: storage.Part(k, 1), Subscription: parseSubEntry(v)})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Following implements discussion.Store: a key lookup per user, in one
// transaction.
func (s *Discussion) Following(ctx context.Context, course uint64, users []uint64) (map[uint64]bool, error) {
	out := make(map[uint64]bool, len(users))
	err := s.read(ctx, func(tx *storage.Tx) error {
		for _, u := range users {
			if on, _ := follows(tx, course, u); on {
				out[u] = true
			}
		}
		return nil
	})
	return out, err
}
