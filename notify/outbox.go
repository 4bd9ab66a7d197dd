package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
	"pacer/storage"
)

// The outbox keeps every e-mail Pacer wants to send in bbolt, queued in the
// same transaction as the notification it comes from, and the mail_outbox
// job delivers it. Delivery is at most once per message:
//
//   - A run first claims due mail in a committed transaction (state
//     "sending"), then talks to the SMTP server, then records the outcome in
//     another transaction. A claimed message is never claimed again, so two
//     runs, or a run after a crash, cannot send it twice.
//   - A failure that proves the server did not take the message (no
//     connection, a refusal before or at the end of DATA) puts it back as
//     "pending" with a backoff; a permanent refusal (5xx) or too many
//     attempts makes it "failed".
//   - A failure that leaves delivery unknown (the connection dropped after
//     the whole message was written, before the server answered) makes it
//     "unknown", and so does a crash between claim and outcome (found by a
//     later run once the claim is older than ClaimTimeout). Those are not
//     retried.
//
// The trade-off is deliberate: a crash or a broken connection at exactly the
// wrong moment can lose one e-mail (it stays visible in the outbox as
// "unknown"), but a learner never gets the same nudge twice. Every e-mail is
// also an in-app notification, so nothing is lost for good.

// JobMailOutbox is the scheduler name of SendOutbox.
const JobMailOutbox = "mail_outbox"

// E-mail states.
const (
	MailPending = "pending"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
	MailUnknown = "unknown"
)

// Queue states: the first part of an OutboxQueue key.
const (
	queuePending = 1 // Int(next attempt unix nanos)|mail
	queueSending = 2 // Int(claimed unix nanos)|mail
)

// Email is one message in the outbox.
type Email struct {
	ID      uint64 `json:"id"`
	UserID  uint64 `json:"user_id"`
	To      string `json:"to"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	// Unsubscribe is the signed link for the List-Unsubscribe header.
	Unsubscribe   string     `json:"unsubscribe,omitempty"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	ClaimedAt     *time.Time `json:"claimed_at,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	// Logged is set once a mail kept in the outbox (no --smtp-url) has been
	// written to the log, so each is logged once.
	Logged    bool      `json:"logged,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Sender delivers one e-mail. It returns nil once the server accepted it,
// an error wrapping ErrPermanent when the server refused it for good, one
// wrapping ErrMaybeSent when delivery is unknown, and any other error for a
// failure worth retrying.
type Sender interface {
	Send(ctx context.Context, m Email) error
}

// Outcomes a Sender reports besides success and "try again".
var (
	ErrPermanent = errors.New("mail refused permanently")
	ErrMaybeSent = errors.New("mail may have been delivered")
)

// OutboxConfig is what the outbox is built from.
type OutboxConfig struct {
	DB      *storage.DB
	Now     func() time.Time
	Log     *slog.Logger
	BaseURL string
	Signer  Signer
	// Sender delivers mail; nil keeps mail in the outbox and logs it.
	Sender Sender
	// Settle, when set, runs before each run composes mail: it stores
	// notifications that other services add late (Service.Settle).
	Settle func() error
	// BatchWindow is how long replies and mentions wait to be mailed
	// together, and the least time between two such mails to one person
	// (default 15 minutes).
	BatchWindow time.Duration
	// RetryBase is the wait after the first failed attempt; it doubles with
	// each further attempt up to RetryMax (defaults 1 minute and 1 hour).
	RetryBase, RetryMax time.Duration
	// MaxAttempts is how many failed attempts make a mail "failed" (8).
	MaxAttempts int
	// ClaimTimeout is how old a claim must be before a later run calls it
	// interrupted (default 10 minutes, far beyond one SMTP conversation).
	ClaimTimeout time.Duration
	// SendTimeout bounds one SMTP conversation (default 30 seconds).
	SendTimeout time.Duration
	// Retention is how long settled mail (sent, failed, unknown) stays in
	// the outbox, and, without a sender, mail already logged (default 30
	// days). Every e-mail is also an in-app notification, so the outbox is
	// a delivery queue, not an archive.
	Retention time.Duration
}

// Outbox queues, batches and sends e-mail.
type Outbox struct {
	db      *storage.DB
	now     func() time.Time
	log     *slog.Logger
	baseURL string
	signer  Signer
	sender  Sender
	cfg     OutboxConfig
	// run serialises runs of the job: claims are safe without it, but two
	// runs composing the same batch would mail it twice.
	run sync.Mutex
}

// NewOutbox builds the outbox. Hook it into the notification service with
// svc.Added = append(svc.Added, outbox.Added).
func NewOutbox(cfg OutboxConfig) *Outbox {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.BatchWindow <= 0 {
		cfg.BatchWindow = 15 * time.Minute
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Minute
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = time.Hour
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.ClaimTimeout <= 0 {
		cfg.ClaimTimeout = 10 * time.Minute
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	return &Outbox{db: cfg.DB, now: cfg.Now, log: cfg.Log, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		signer: cfg.Signer, sender: cfg.Sender, cfg: cfg}
}

// Sending reports whether mail leaves the outbox (an SMTP URL is set).
func (o *Outbox) Sending() bool { return o.sender != nil }

// batched kinds are discussion events: a busy thread would otherwise send
// one mail per post, so they wait in a per-user batch.
var batched = map[string]bool{KindReply: true, KindMention: true, KindAnswer: true, KindEndorsed: true}

// maxBatchEntries bounds what one batch keeps in full; later entries are
// only counted.
const maxBatchEntries = 50

// batch is the head of a user's discussion notifications waiting to be
// mailed together. The notifications themselves are stored one key each in
// MailBatchEntries, so that adding one to a busy user's batch writes a few
// dozen bytes instead of rewriting the whole batch.
type batch struct {
	// Entries is only read: batches written before entries had keys of
	// their own kept them here.
	Entries    []Notification `json:"entries,omitempty"`
	Count      int            `json:"count"`
	Dropped    int            `json:"dropped"`
	FirstAt    time.Time      `json:"first_at"`
	LastMailAt time.Time      `json:"last_mail_at"`
}

func (b batch) pending() int { return len(b.Entries) + b.Count }

// due is when a batch may be mailed: a window after its first entry, and
// never sooner than a window after the previous batch mail.
func (b batch) due(window time.Duration) time.Time {
	d := b.FirstAt.Add(window)
	if next := b.LastMailAt.Add(window); next.After(d) {
		d = next
	}
	return d
}

// Added is the notification hook: it runs inside the transaction that
// stores n and queues its e-mail, if the user wants e-mail of that kind.
// Discussion kinds join the user's batch instead. It only writes records.
func (o *Outbox) Added(tx *storage.Tx, n Notification) error {
	u, err := auth.LookupTx(tx, n.UserID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil
		}
		return err
	}
	if u.Disabled || u.Email == "" {
		return nil
	}
	p, err := PrefsTx(tx, u.ID)
	if err != nil {
		return err
	}
	if !p.Wants(n.Kind) {
		return nil
	}
	if batched[n.Kind] {
		return o.addToBatch(tx, n)
	}
	m := o.compose(u.ID, []Notification{n}, 0)
	m.To = u.Email
	_, err = o.queueTx(tx, m)
	return err
}

func (o *Outbox) addToBatch(tx *storage.Tx, n Notification) error {
	key := storage.ID(n.UserID)
	var b batch
	if err := tx.Get(storage.MailBatches, key, &b); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if b.pending() == 0 && b.Dropped == 0 {
		b.FirstAt = n.CreatedAt
	}
	if b.pending() < maxBatchEntries {
		b.Count++
		if err := tx.Put(storage.MailBatchEntries, storage.Key(n.UserID, uint64(b.Count)), n); err != nil {
			return err
		}
	} else {
		b.Dropped++
	}
	return tx.Put(storage.MailBatches, key, b)
}

// batchEntries reads a batch's notifications in the order they came.
func batchEntries(tx *storage.Tx, user uint64, b batch) ([]Notification, error) {
	out := append([]Notification(nil), b.Entries...)
	err := tx.Each(storage.MailBatchEntries, storage.Key(user), func(_, v []byte) error {
		var n Notification
		if err := jsonUnmarshal(v, &n); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// queueTx stores a composed mail as pending, due now.
func (o *Outbox) queueTx(tx *storage.Tx, m Email) (Email, error) {
	id, err := tx.NextID(storage.Outbox)
	if err != nil {
		return m, err
	}
	now := o.now().UTC()
	m.ID, m.State, m.CreatedAt, m.NextAttemptAt = id, MailPending, now, now
	if err := tx.Put(storage.Outbox, storage.ID(id), m); err != nil {
		return m, err
	}
	return m, tx.PutRaw(storage.OutboxQueue, queueKey(queuePending, now, id), nil)
}

func queueKey(state uint64, at time.Time, id uint64) []byte {
	return storage.Key(state, storage.Int(at.UnixNano()), id)
}

// Mail returns one outbox message.
func (o *Outbox) Mail(id uint64) (Email, error) {
	var m Email
	err := o.db.View(func(tx *storage.Tx) error { return tx.Get(storage.Outbox, storage.ID(id), &m) })
	if errors.Is(err, storage.ErrNotFound) {
		return m, errs.NotFoundf("mail")
	}
	return m, errs.Wrap(err, "read mail")
}

// Mails lists the outbox, oldest first, optionally only one user's mail.
func (o *Outbox) Mails(user uint64) ([]Email, error) {
	var out []Email
	err := o.db.View(func(tx *storage.Tx) error {
		return tx.Each(storage.Outbox, nil, func(_, v []byte) error {
			var m Email
			if err := jsonUnmarshal(v, &m); err != nil {
				return err
			}
			if user == 0 || m.UserID == user {
				out = append(out, m)
			}
			return nil
		})
	})
	return out, errs.Wrap(err, "list mail")
}

// SendOutbox is the mail_outbox job. At now it turns due batches into
// mails, calls interrupted claims "unknown", and sends every pending mail
// whose attempt is due (or, with no sender, logs it once). It reports how
// many mails it composed, sent, failed or logged. Running it twice at the
// same instant changes nothing the second time.
func (o *Outbox) SendOutbox(ctx context.Context, now time.Time) (int, error) {
	o.run.Lock()
	defer o.run.Unlock()
	now = now.UTC()
	// Notifications added late would otherwise miss the batch they are
	// due in.
	if o.cfg.Settle != nil {
		if err := o.cfg.Settle(); err != nil {
			return 0, err
		}
	}
	changed, err := o.flushBatches(now)
	if err != nil {
		return changed, err
	}
	n, err := o.expireClaims(now)
	changed += n
	if err != nil {
		return changed, err
	}
	n, err = o.prune(now)
	changed += n
	if err != nil {
		return changed, err
	}
	if o.sender == nil {
		n, err := o.logPending(now)
		return changed + n, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return changed, err
		}
		claimed, err := o.claim(now, claimBatch)
		if err != nil || len(claimed) == 0 {
			return changed, err
		}
		for i, m := range claimed {
			if err := ctx.Err(); err != nil {
				// Not yet attempted: hand the rest back untouched.
				return changed, errors.Join(err, o.release(claimed[i:]))
			}
			if err := o.deliver(ctx, m, now); err != nil {
				return changed, errors.Join(err, o.release(claimed[i+1:]))
			}
			changed++
		}
	}
}

// claimBatch bounds how many mails one claim takes: a crash loses (as
// "unknown") at most the claimed mails not yet sent.
const claimBatch = 10

// flushBatches composes one mail for each user batch that is due.
func (o *Outbox) flushBatches(now time.Time) (int, error) {
	var due []uint64
	var stale [][]byte
	err := o.db.View(func(tx *storage.Tx) error {
		return tx.Each(storage.MailBatches, nil, func(k, v []byte) error {
			var b batch
			if err := jsonUnmarshal(v, &b); err != nil {
				return err
			}
			switch {
			case b.pending() > 0 && !now.Before(b.due(o.cfg.BatchWindow)):
				due = append(due, storage.Part(k, 0))
			case b.pending() == 0 && now.Sub(b.LastMailAt) > o.cfg.BatchWindow:
				stale = append(stale, append([]byte(nil), k...))
			}
			return nil
		})
	})
	if err != nil || (len(due) == 0 && len(stale) == 0) {
		return 0, err
	}
	n := 0
	err = o.db.Update(func(tx *storage.Tx) error {
		n = 0
		for _, k := range stale {
			if err := tx.Delete(storage.MailBatches, k); err != nil {
				return err
			}
		}
		for _, user := range due {
			key := storage.ID(user)
			var b batch
			if err := tx.Get(storage.MailBatches, key, &b); err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					continue
				}
				return err
			}
			if b.pending() == 0 || now.Before(b.due(o.cfg.BatchWindow)) {
				continue
			}
			entries, err := batchEntries(tx, user, b)
			if err != nil {
				return err
			}
			if err := tx.DeletePrefix(storage.MailBatchEntries, storage.Key(user)); err != nil {
				return err
			}
			u, err := auth.LookupTx(tx, user)
			switch {
			case errs.Is(err, errs.NotFound):
			case err != nil:
				return err
			case !u.Disabled && u.Email != "":
				m := o.compose(user, entries, b.Dropped)
				m.To = u.Email
				if _, err := o.queueTx(tx, m); err != nil {
					return err
				}
				n++
			}
			if err := tx.Put(storage.MailBatches, key, batch{LastMailAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, errs.Wrap(err, "flush mail batches")
}

// expireClaims marks mails claimed longer than ClaimTimeout ago (a run
// that crashed mid-send) as "unknown": they may have gone out.
func (o *Outbox) expireClaims(now time.Time) (int, error) {
	limit := now.Add(-o.cfg.ClaimTimeout)
	var keys [][]byte
	err := o.db.View(func(tx *storage.Tx) error {
		return tx.Each(storage.OutboxQueue, storage.Key(queueSending), func(k, _ []byte) error {
			if storage.FromInt(storage.Part(k, 1)) > limit.UnixNano() {
				return storage.Stop
			}
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
	})
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	err = o.db.Update(func(tx *storage.Tx) error {
		for _, k := range keys {
			id := storage.Part(k, 2)
			if err := tx.Delete(storage.OutboxQueue, k); err != nil {
				return err
			}
			var m Email
			if err := tx.Get(storage.Outbox, storage.ID(id), &m); err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					continue
				}
				return err
			}
			m.State, m.LastError = MailUnknown, "interrupted while sending; not retried so that it is never sent twice"
			if err := tx.Put(storage.Outbox, storage.ID(id), m); err != nil {
				return err
			}
			o.log.Warn("mail: an interrupted send is not retried", "mail", id)
		}
		return nil
	})
	return len(keys), errs.Wrap(err, "expire mail claims")
}

// prune deletes mail older than Retention that will never be sent (or,
// without a sender, was already logged). Ids grow with time, so the scan
// stops at the first mail young enough to keep.
func (o *Outbox) prune(now time.Time) (int, error) {
	cutoff := now.Add(-o.cfg.Retention)
	var doomed []Email
	err := o.db.View(func(tx *storage.Tx) error {
		return tx.Each(storage.Outbox, nil, func(_, v []byte) error {
			var m Email
			if err := jsonUnmarshal(v, &m); err != nil {
				return err
			}
			if !m.CreatedAt.Before(cutoff) || len(doomed) == 10_000 {
				return storage.Stop
			}
			switch m.State {
			case MailSent, MailFailed, MailUnknown:
				doomed = append(doomed, m)
			case MailPending:
				if o.sender == nil && m.Logged {
					doomed = append(doomed, m)
				}
			}
			return nil
		})
	})
	if err != nil || len(doomed) == 0 {
		return 0, err
	}
	err = o.db.Update(func(tx *storage.Tx) error {
		for _, m := range doomed {
			if m.State == MailPending {
				if err := tx.Delete(storage.OutboxQueue, queueKey(queuePending, m.NextAttemptAt, m.ID)); err != nil {
					return err
				}
			}
			if err := tx.Delete(storage.Outbox, storage.ID(m.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	return len(doomed), errs.Wrap(err, "prune mail")
}

// logPending writes each pending mail to the log once, for a server with
// no --smtp-url. The mail stays pending, so configuring SMTP later sends it.
// Only the envelope is logged: bodies carry signed links.
func (o *Outbox) logPending(now time.Time) (int, error) {
	var ids []uint64
	err := o.db.View(func(tx *storage.Tx) error {
		return tx.Each(storage.OutboxQueue, storage.Key(queuePending), func(k, _ []byte) error {
			id := storage.Part(k, 2)
			var m Email
			if err := tx.Get(storage.Outbox, storage.ID(id), &m); err != nil {
				return err
			}
			if !m.Logged {
				ids = append(ids, id)
			}
			return nil
		})
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	err = o.db.Update(func(tx *storage.Tx) error {
		for _, id := range ids {
			var m Email
			if err := tx.Get(storage.Outbox, storage.ID(id), &m); err != nil {
				return err
			}
			m.Logged = true
			if err := tx.Put(storage.Outbox, storage.ID(id), m); err != nil {
				return err
			}
			// The recipient is named by user id: logs travel further
			// than the database and outlive an account's deletion.
			o.log.Info("mail kept in the outbox (no --smtp-url)", "mail", m.ID, "user", m.UserID, "kind", m.Kind, "subject", m.Subject)
		}
		return nil
	})
	return len(ids), errs.Wrap(err, "log pending mail")
}

// claim marks up to limit due mails "sending" in one committed transaction
// and returns them.
func (o *Outbox) claim(now time.Time, limit int) ([]Email, error) {
	due := func(tx *storage.Tx) ([][]byte, error) {
		var keys [][]byte
		err := tx.Each(storage.OutboxQueue, storage.Key(queuePending), func(k, _ []byte) error {
			if storage.FromInt(storage.Part(k, 1)) > now.UnixNano() || len(keys) == limit {
				return storage.Stop
			}
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		return keys, err
	}
	// A read first, so that a tick with nothing to send costs no commit.
	var keys [][]byte
	if err := o.db.View(func(tx *storage.Tx) error {
		var err error
		keys, err = due(tx)
		return err
	}); err != nil || len(keys) == 0 {
		return nil, errs.Wrap(err, "find due mail")
	}
	var out []Email
	err := o.db.Update(func(tx *storage.Tx) error {
		keys, err := due(tx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			id := storage.Part(k, 2)
			if err := tx.Delete(storage.OutboxQueue, k); err != nil {
				return err
			}
			var m Email
			if err := tx.Get(storage.Outbox, storage.ID(id), &m); err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					continue
				}
				return err
			}
			if m.State != MailPending {
				continue
			}
			claimed := now
			m.State, m.ClaimedAt = MailSending, &claimed
			m.Attempts++
			if err := tx.Put(storage.Outbox, storage.ID(id), m); err != nil {
				return err
			}
			if err := tx.PutRaw(storage.OutboxQueue, queueKey(queueSending, now, id), nil); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, errs.Wrap(err, "claim mail")
}

// release hands claimed mails that were never attempted back as pending.
func (o *Outbox) release(ms []Email) error {
	if len(ms) == 0 {
		return nil
	}
	return o.db.Update(func(tx *storage.Tx) error {
		for _, m := range ms {
			m.Attempts--
			if err := o.settleTx(tx, m, MailPending, m.NextAttemptAt, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

// deliver sends one claimed mail and records the outcome. The error it
// returns is about recording, not sending: a failed send is an outcome.
func (o *Outbox) deliver(ctx context.Context, m Email, now time.Time) error {
	sctx, cancel := context.WithTimeout(ctx, o.cfg.SendTimeout)
	err := o.sender.Send(sctx, m)
	cancel()
	state, next, why := MailSent, time.Time{}, ""
	switch {
	case err == nil:
	case errors.Is(err, ErrMaybeSent):
		state, why = MailUnknown, err.Error()
	case errors.Is(err, ErrPermanent):
		state, why = MailFailed, err.Error()
	case m.Attempts >= o.cfg.MaxAttempts:
		state, why = MailFailed, fmt.Sprintf("gave up after %d attempts: %v", m.Attempts, err)
	default:
		state, why, next = MailPending, err.Error(), now.Add(o.backoff(m.Attempts))
	}
	if err != nil {
		o.log.Warn("mail: send failed", "mail", m.ID, "user", m.UserID, "attempt", m.Attempts, "state", state,
			"err", maskAddresses(err.Error()))
	}
	return o.db.Update(func(tx *storage.Tx) error { return o.settleTx(tx, m, state, next, why) })
}

// backoff is the wait after the n-th failed attempt: RetryBase·2^(n-1),
// at most RetryMax.
func (o *Outbox) backoff(n int) time.Duration {
	d := o.cfg.RetryBase
	for i := 1; i < n && d < o.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, o.cfg.RetryMax)
}

// settleTx moves a claimed mail to its next state and fixes its queue entry.
func (o *Outbox) settleTx(tx *storage.Tx, m Email, state string, next time.Time, why string) error {
	if m.ClaimedAt != nil {
		if err := tx.Delete(storage.OutboxQueue, queueKey(queueSending, *m.ClaimedAt, m.ID)); err != nil {
			return err
		}
	}
	m.State, m.LastError, m.ClaimedAt = state, why, nil
	switch state {
	case MailSent:
		sent := o.now().UTC()
		m.SentAt = &sent
	case MailPending:
		m.NextAttemptAt = next
		if err := tx.PutRaw(storage.OutboxQueue, queueKey(queuePending, next, m.ID), nil); err != nil {
			return err
		}
	}
	return tx.Put(storage.Outbox, storage.ID(m.ID), m)
}

// MailSummary is one outbox line for operators: the envelope and the
// delivery state, without the bodies (which carry signed links).
type MailSummary struct {
	ID            uint64     `json:"id"`
	UserID        uint64     `json:"user_id"`
	To            string     `json:"to"`
	Kind          string     `json:"kind"`
	Subject       string     `json:"subject"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at"`
}

// Page lists the outbox newest first, optionally one state only, for
// GET /api/v1/admin/outbox. The cursor is the id of the last mail of the
// previous page.
func (o *Outbox) Page(state string, p api.Page) (api.List[MailSummary], error) {
	out := api.Items[MailSummary](nil)
	switch state {
	case "", MailPending, MailSending, MailSent, MailFailed, MailUnknown:
	default:
		return out, errs.Field("state", "must be pending, sending, sent, failed or unknown")
	}
	before, err := p.CursorID()
	if err != nil {
		return out, err
	}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	err = o.db.View(func(tx *storage.Tx) error {
		return tx.EachReverse(storage.Outbox, nil, func(k, v []byte) error {
			if before != 0 && storage.Part(k, 0) >= before {
				return nil
			}
			var m Email
			if err := jsonUnmarshal(v, &m); err != nil {
				return err
			}
			if state != "" && m.State != state {
				return nil
			}
			if len(out.Items) == p.Limit {
				out.NextCursor = api.FormatID(out.Items[len(out.Items)-1].ID)
				return storage.Stop
			}
			out.Items = append(out.Items, MailSummary{ID: m.ID, UserID: m.UserID, To: m.To, Kind: m.Kind,
				Subject: m.Subject, State: m.State, Attempts: m.Attempts, NextAttemptAt: m.NextAttemptAt,
				LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
			return nil
		})
	})
	return out, errs.Wrap(err, "list outbox")
}

// maskAddresses hides the local part of every e-mail address in text
// bound for the log ("<ann@example.org>: no such user" becomes
// "<…@example.org>: no such user"), keeping the domain, which is what an
// operator needs to tell one mail server's trouble from another's.
func maskAddresses(text string) string {
	var b strings.Builder
	for {
		at := strings.IndexByte(text, '@')
		if at < 0 {
			b.WriteString(text)
			return b.String()
		}
		start := at
		for start > 0 && localPart(text[start-1]) {
			start--
		}
		b.WriteString(text[:start])
		if start < at {
			b.WriteString("…")
		}
		b.WriteByte('@')
		text = text[at+1:]
	}
}

// localPart reports whether c may be in the local part of an address.
func localPart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0
}
