package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"pacer/notify"
	"pacer/storage"
)

// The outbox: a mail lives in storage.Outbox under its id (ids grow with
// time, so id order is the order mails were queued). storage.OutboxQueue
// holds one key per mail waiting for something: state|Int(unix nanos)|id,
// where the state is 1 for a pending mail (at its next attempt) and 2 for
// a sending one (at its claim). The key is derived from the stored mail
// alone (queueKey), so every rewrite moves it by deleting the old mail's
// key and putting the new one's.
const (
	queuePending = 1
	queueSending = 2
)

// queueKey is where m waits in storage.OutboxQueue, or nil when its state
// waits for nothing.
func queueKey(m notify.Email) []byte {
	switch {
	case m.State == notify.MailPending:
		return storage.Key(queuePending, storage.Int(m.NextAttemptAt.UnixNano()), m.ID)
	case m.State == notify.MailSending && m.ClaimedAt != nil:
		return storage.Key(queueSending, storage.Int(m.ClaimedAt.UnixNano()), m.ID)
	}
	return nil
}

// putMail stores m and its queue key, after removing old's key (old is
// the mail as stored before, or nil for a new one).
func putMail(tx *storage.Tx, old *notify.Email, m notify.Email) error {
	if old != nil {
		if k := queueKey(*old); k != nil {
			if err := tx.Delete(storage.OutboxQueue, k); err != nil {
				return err
			}
		}
	}
	if err := tx.Put(storage.Outbox, storage.ID(m.ID), m); err != nil {
		return err
	}
	if k := queueKey(m); k != nil {
		return tx.PutRaw(storage.OutboxQueue, k, nil)
	}
	return nil
}

// getMail reads one mail, or returns notify.ErrNoMail.
func getMail(tx *storage.Tx, id uint64) (notify.Email, error) {
	var m notify.Email
	err := tx.Get(storage.Outbox, storage.ID(id), &m)
	if errors.Is(err, storage.ErrNotFound) {
		return m, notify.ErrNoMail
	}
	return m, err
}

// Queue implements notify.Store.
func (s *Notify) Queue(ctx context.Context, m notify.Email) (notify.Email, error) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		// bbolt has one writer: a look inside the transaction is enough.
		if m.Cause != "" && tx.Has(storage.OutboxCauses, []byte(m.Cause)) {
			return notify.ErrAlreadyTold
		}
		id, err := tx.NextID(storage.Outbox)
		if err != nil {
			return err
		}
		m.ID = id
		if m.Cause != "" {
			if err := tx.PutRaw(storage.OutboxCauses, []byte(m.Cause), storage.ID(id)); err != nil {
				return err
			}
		}
		return putMail(tx, nil, m)
	})
	return m, err
}

// QueueAll implements notify.Store: Queue of each, in one transaction
// (bbolt pays no round trip per statement).
func (s *Notify) QueueAll(ctx context.Context, ms []notify.Email) ([]notify.Email, error) {
	return eachOnce(ctx, s.db, ms, s.Queue, func(m *notify.Email) { m.ID = 0 })
}

// Put implements notify.Store.
func (s *Notify) Put(ctx context.Context, m notify.Email) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		old, err := getMail(tx, m.ID)
		if err != nil {
			return err
		}
		m.Cause = old.Cause // the index of causes keeps Queue's
		return putMail(tx, &old, m)
	})
}

// Mail implements notify.Store.
func (s *Notify) Mail(ctx context.Context, id uint64) (notify.Email, error) {
	var m notify.Email
	err := s.db.Read(ctx, func(ctx context.Context) error {
		var err error
		m, err = getMail(storage.TxFrom(ctx), id)
		return err
	})
	return m, err
}

// Mails implements notify.Store.
func (s *Notify) Mails(ctx context.Context, user uint64) ([]notify.Email, error) {
	var out []notify.Email
	err := s.db.Read(ctx, func(ctx context.Context) error {
		out = nil
		return storage.TxFrom(ctx).Each(storage.Outbox, nil, func(_, v []byte) error {
			var m notify.Email
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if user == 0 || m.UserID == user {
				out = append(out, m)
			}
			return nil
		})
	})
	return out, err
}

// NewestMails implements notify.Store: one reverse walk of the outbox,
// which is in id order.
func (s *Notify) NewestMails(ctx context.Context, state string, before uint64, limit int) ([]notify.Email, bool, error) {
	var out []notify.Email
	var more bool
	err := s.db.Read(ctx, func(ctx context.Context) error {
		out, more = nil, false
		return storage.TxFrom(ctx).EachReverse(storage.Outbox, nil, func(k, v []byte) error {
			if before != 0 && storage.Part(k, 0) >= before {
				return nil
			}
			var m notify.Email
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if state != "" && m.State != state {
				return nil
			}
			if len(out) == limit {
				more = true
				return storage.Stop
			}
			out = append(out, m)
			return nil
		})
	})
	return out, more, err
}

// Queued implements notify.Store: one walk of the state's part of the
// queue, which is in time order.
func (s *Notify) Queued(ctx context.Context, state string, until time.Time, limit int) ([]notify.Email, error) {
	var prefix uint64
	switch state {
	case notify.MailPending:
		prefix = queuePending
	case notify.MailSending:
		prefix = queueSending
	default:
		return nil, nil // no other state waits in the queue
	}
	var out []notify.Email
	err := s.db.Read(ctx, func(ctx context.Context) error {
		out = nil
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.OutboxQueue, storage.Key(prefix), func(k, _ []byte) error {
			if !until.IsZero() && storage.FromInt(storage.Part(k, 1)) > until.UnixNano() {
				return storage.Stop
			}
			if limit > 0 && len(out) == limit {
				return storage.Stop
			}
			m, err := getMail(tx, storage.Part(k, 2))
			switch {
			case errors.Is(err, notify.ErrNoMail):
				return nil
			case err != nil:
				return err
			case m.State == state:
				out = append(out, m)
			}
			return nil
		})
	})
	return out, err
}

// Prunable implements notify.Store: a walk in id order that ends at the
// first mail young enough to keep.
func (s *Notify) Prunable(ctx context.Context, cutoff time.Time, logged bool, limit int) ([]notify.Email, error) {
	var out []notify.Email
	err := s.db.Read(ctx, func(ctx context.Context) error {
		out = nil
		return storage.TxFrom(ctx).Each(storage.Outbox, nil, func(_, v []byte) error {
			var m notify.Email
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if !m.CreatedAt.Before(cutoff) || len(out) == limit {
				return storage.Stop
			}
			switch m.State {
			case notify.MailSent, notify.MailFailed, notify.MailUnknown:
				out = append(out, m)
			case notify.MailPending:
				if logged && m.Logged {
					out = append(out, m)
				}
			}
			return nil
		})
	})
	return out, err
}

// Delete implements notify.Store.
func (s *Notify) Delete(ctx context.Context, ids []uint64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		for _, id := range ids {
			m, err := getMail(tx, id)
			switch {
			case errors.Is(err, notify.ErrNoMail):
				continue
			case err != nil:
				return err
			}
			if k := queueKey(m); k != nil {
				if err := tx.Delete(storage.OutboxQueue, k); err != nil {
					return err
				}
			}
			if m.Cause != "" {
				if err := tx.Delete(storage.OutboxCauses, []byte(m.Cause)); err != nil {
					return err
				}
			}
			if err := tx.Delete(storage.Outbox, storage.ID(id)); err != nil {
				return err
			}
		}
		return nil
	})
}
