package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"pacer/auth"
	"pacer/errs"
	"pacer/page"
	"pacer/txn"
)

// The outbox keeps every e-mail Pacer wants to send in its store, queued in
// the same transaction as the notification it comes from, and the mail_outbox
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
	// Cause names what the mail tells of, so that it is queued once
	// however many runs compose it (Mails.Queue): the cause of the
	// notification it comes from, or the user's batch. Empty for none.
	Cause string `json:"cause,omitempty"`
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

// Users reads accounts (auth.Service), joining the transaction ctx
// carries.
type Users interface {
	User(ctx context.Context, id uint64) (auth.User, error)
	// UsersAmong is the accounts among ids that exist, in one read.
	UsersAmong(ctx context.Context, ids []uint64) (map[uint64]auth.User, error)
}

// OutboxConfig is what the outbox is built from.
type OutboxConfig struct {
	// Tx runs the outbox's transactions; Store keeps the mail (the
	// engine's implementation, joining Tx's transactions).
	Tx      txn.Runner
	Store   Store
	Now     func() time.Time
	Log     *slog.Logger
	BaseURL string
	Signer  Signer
	// Users reads the accounts mail goes to.
	Users Users
	// Sender delivers mail; nil keeps mail in the outbox and logs it.
	Sender Sender
	// Settle, when set, runs before each run composes mail: it stores
	// notifications that other services add late (Service.Settle).
	Settle func(ctx context.Context) error
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
	tx      txn.Runner
	store   Store
	now     func() time.Time
	log     *slog.Logger
	baseURL string
	signer  Signer
	users   Users
	sender  Sender
	cfg     OutboxConfig
	// run serialises runs of the job in this process: claims are safe
	// without it, but two runs composing the same batch would mail it
	// twice. Across processes the scheduler's Leader lets one process run
	// the job at a time.
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
	return &Outbox{tx: cfg.Tx, store: cfg.Store, now: cfg.Now, log: cfg.Log, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		signer: cfg.Signer, users: cfg.Users, sender: cfg.Sender, cfg: cfg}
}

// Sending reports whether mail leaves the outbox (an SMTP URL is set).
func (o *Outbox) Sending() bool { return o.sender != nil }

// batched kinds are discussion events: a busy thread would otherwise send
// one mail per post, so they wait in a per-user batch.
var batched = map[string]bool{KindReply: true, KindMention: true, KindAnswer: true, KindEndorsed: true}

// maxBatchEntries bounds what one batch keeps in full; later entries are
// only counted.
const maxBatchEntries = 50

func (b Batch) pending() int { return len(b.Entries) + b.Count }

// due is when a batch may be mailed: a window after its first entry, and
// never sooner than a window after the previous batch mail.
func (b Batch) due(window time.Duration) time.Time {
	d := b.FirstAt.Add(window)
	if next := b.LastMailAt.Add(window); next.After(d) {
		d = next
	}
	return d
}

// lookup reads a user through auth, in the transaction ctx carries.
func (o *Outbox) lookup(ctx context.Context, id uint64) (auth.User, error) {
	var u auth.User
	err := o.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		u, err = o.users.User(ctx, id)
		return err
	})
	return u, err
}

// Added is the notification hook: it runs inside the transaction (carried
// by ctx) that stores ns and queues the e-mail of each, if its user wants
// e-mail of that kind. Discussion kinds join the user's batch instead. It
// only writes records. The recipients' accounts, preferences and batch
// heads are read once for all of ns.
func (o *Outbox) Added(ctx context.Context, ns []Notification) error {
	// An announcement tells a whole course: the recipients are found
	// through a set, not by searching the list for each.
	seen := make(map[uint64]bool, len(ns))
	var recipients []uint64
	for _, n := range ns {
		if !seen[n.UserID] {
			seen[n.UserID] = true
			recipients = append(recipients, n.UserID)
		}
	}
	accounts, err := o.users.UsersAmong(ctx, recipients) // in ctx's transaction (Users)
	if err != nil {
		return err
	}
	users := make(map[uint64]auth.User, len(accounts))
	var ids []uint64
	for _, id := range recipients {
		u, ok := accounts[id]
		if !ok || u.Disabled || u.Email == "" {
			continue
		}
		users[id] = u
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	prefs, err := o.store.PrefsOf(ctx, ids)
	if err != nil {
		return err
	}
	var batching []uint64
	for _, n := range ns {
		if _, ok := users[n.UserID]; ok && batched[n.Kind] && prefs[n.UserID].Wants(n.Kind) && !slices.Contains(batching, n.UserID) {
			batching = append(batching, n.UserID)
		}
	}
	heads := map[uint64]Batch{}
	if len(batching) > 0 {
		stored, err := o.store.BatchesOf(ctx, batching)
		if err != nil {
			return err
		}
		maps.Copy(heads, stored)
	}
	var saves []BatchSave
	var mails []Email
	for _, n := range ns {
		u, ok := users[n.UserID]
		if !ok || !prefs[u.ID].Wants(n.Kind) {
			continue
		}
		if batched[n.Kind] {
			b, ok := heads[u.ID]
			if !ok {
				b = Batch{User: u.ID}
			}
			save := addToBatch(b, n)
			heads[u.ID] = save.Head
			saves = append(saves, save)
			continue
		}
		m := o.compose(u.ID, []Notification{n}, 0)
		m.To, m.Cause = u.Email, n.Cause
		mails = append(mails, o.pending(m))
	}
	if len(mails) > 0 {
		// A mail whose cause was queued before comes back with ID 0:
		// it is not queued twice.
		if _, err := o.store.QueueAll(ctx, mails); err != nil {
			return err
		}
	}
	if len(saves) == 0 {
		return nil
	}
	return o.store.SaveBatches(ctx, saves)
}

// addToBatch adds n to its user's batch, whose head is b: the head to
// save, with n as its entry unless the batch is full (then n is only
// counted as dropped).
func addToBatch(b Batch, n Notification) BatchSave {
	if b.pending() == 0 && b.Dropped == 0 {
		b.FirstAt = n.CreatedAt
	}
	if b.pending() < maxBatchEntries {
		b.Count++
		return BatchSave{Head: b, Entry: &n}
	}
	b.Dropped++
	return BatchSave{Head: b}
}

// queue stores a composed mail as pending, due now.
func (o *Outbox) queue(ctx context.Context, m Email) (Email, error) {
	return o.store.Queue(ctx, o.pending(m))
}

// pending is a composed mail made pending, due now.
func (o *Outbox) pending(m Email) Email {
	now := o.now().UTC()
	m.State, m.CreatedAt, m.NextAttemptAt = MailPending, now, now
	return m
}

// Mail returns one outbox message.
func (o *Outbox) Mail(id uint64) (Email, error) {
	m, err := o.store.Mail(context.Background(), id)
	if errors.Is(err, ErrNoMail) {
		return m, errs.NotFoundf("mail")
	}
	return m, errs.Wrap(err, "read mail")
}

// Mails lists the outbox, oldest first, optionally only one user's mail.
func (o *Outbox) Mails(user uint64) ([]Email, error) {
	out, err := o.store.Mails(context.Background(), user)
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
	// Cancelling the run stops it between mails, never between a send and
	// the record of its outcome: the store's work runs to its end.
	db := context.WithoutCancel(ctx)
	// Notifications added late would otherwise miss the batch they are
	// due in.
	if o.cfg.Settle != nil {
		if err := o.cfg.Settle(db); err != nil {
			return 0, err
		}
	}
	changed, err := o.flushBatches(db, now)
	if err != nil {
		return changed, err
	}
	n, err := o.expireClaims(db, now)
	changed += n
	if err != nil {
		return changed, err
	}
	n, err = o.prune(db, now)
	changed += n
	if err != nil {
		return changed, err
	}
	if o.sender == nil {
		n, err := o.logPending(db, now)
		return changed + n, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return changed, err
		}
		claimed, err := o.claim(db, now, claimBatch)
		if err != nil || len(claimed) == 0 {
			return changed, err
		}
		for i, m := range claimed {
			if err := ctx.Err(); err != nil {
				// Not yet attempted: hand the rest back untouched.
				return changed, errors.Join(err, o.release(db, claimed[i:]))
			}
			if err := o.deliver(ctx, m, now); err != nil {
				return changed, errors.Join(err, o.release(db, claimed[i+1:]))
			}
			changed++
		}
	}
}

// claimBatch bounds how many mails one claim takes: a crash loses (as
// "unknown") at most the claimed mails not yet sent.
const claimBatch = 10

// flushBatches composes one mail for each user batch that is due, and
// drops the heads of batches idle for longer than a window. A read looks
// first, so that a tick with nothing to do costs no commit.
func (o *Outbox) flushBatches(ctx context.Context, now time.Time) (int, error) {
	work := func(b Batch) (due, stale bool) {
		due = b.pending() > 0 && !now.Before(b.due(o.cfg.BatchWindow))
		stale = b.pending() == 0 && now.Sub(b.LastMailAt) > o.cfg.BatchWindow
		return due, stale
	}
	heads, err := o.store.AllBatches(ctx)
	if err != nil || !slices.ContainsFunc(heads, func(b Batch) bool { d, s := work(b); return d || s }) {
		return 0, errs.Wrap(err, "find due mail batches")
	}
	n := 0
	err = o.tx.Write(ctx, func(ctx context.Context) error {
		n = 0
		heads, err := o.store.AllBatches(ctx)
		if err != nil {
			return err
		}
		for _, b := range heads {
			due, stale := work(b)
			if stale {
				if err := o.store.DeleteBatch(ctx, b.User); err != nil {
					return err
				}
			}
			if !due {
				continue
			}
			queued, err := o.flushBatch(ctx, b, now)
			if err != nil {
				return err
			}
			if queued {
				n++
			}
		}
		return nil
	})
	return n, errs.Wrap(err, "flush mail batches")
}

// flushBatch turns one due batch into a mail, if its user can still get
// one, and starts the user's next batch window.
func (o *Outbox) flushBatch(ctx context.Context, b Batch, now time.Time) (bool, error) {
	taken, err := o.store.TakeEntries(ctx, b.User)
	if err != nil {
		return false, err
	}
	entries := append(append([]Notification(nil), b.Entries...), taken...)
	queued := false
	u, err := o.lookup(ctx, b.User)
	switch {
	case errs.Is(err, errs.NotFound):
	case err != nil:
		return false, err
	case !u.Disabled && u.Email != "":
		m := o.compose(b.User, entries, b.Dropped)
		// A batch is the one that began at FirstAt after the mail of
		// LastMailAt: two runs flushing it compose one mail.
		m.To, m.Cause = u.Email, fmt.Sprintf("batch:%d:%d:%d", b.User, unixNano(b.LastMailAt), unixNano(b.FirstAt))
		_, err := o.queue(ctx, m)
		switch {
		case errors.Is(err, ErrAlreadyTold):
		case err != nil:
			return false, err
		default:
			queued = true
		}
	}
	return queued, o.store.SaveBatches(ctx, []BatchSave{{Head: Batch{User: b.User, LastMailAt: now}}})
}

// unixNano is t in nanoseconds, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// expireClaims marks mails claimed longer than ClaimTimeout ago (a run
// that crashed mid-send) as "unknown": they may have gone out.
func (o *Outbox) expireClaims(ctx context.Context, now time.Time) (int, error) {
	limit := now.Add(-o.cfg.ClaimTimeout)
	ms, err := o.store.Queued(ctx, MailSending, limit, 0)
	if err != nil || len(ms) == 0 {
		return 0, errs.Wrap(err, "find interrupted mail claims")
	}
	err = o.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		if ms, err = o.store.Queued(ctx, MailSending, limit, 0); err != nil {
			return err
		}
		for _, m := range ms {
			m.State, m.LastError = MailUnknown, "interrupted while sending; not retried so that it is never sent twice"
			if err := o.store.Put(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, errs.Wrap(err, "expire mail claims")
	}
	for _, m := range ms {
		o.log.Warn("mail: an interrupted send is not retried", "mail", m.ID)
	}
	return len(ms), nil
}

// pruneBatch bounds how many mails one run prunes.
const pruneBatch = 10_000

// prune deletes mail older than Retention that will never be sent (or,
// without a sender, was already logged).
func (o *Outbox) prune(ctx context.Context, now time.Time) (int, error) {
	doomed, err := o.store.Prunable(ctx, now.Add(-o.cfg.Retention), o.sender == nil, pruneBatch)
	if err != nil || len(doomed) == 0 {
		return 0, errs.Wrap(err, "find mail to prune")
	}
	ids := make([]uint64, 0, len(doomed))
	for _, m := range doomed {
		ids = append(ids, m.ID)
	}
	err = o.tx.Write(ctx, func(ctx context.Context) error { return o.store.Delete(ctx, ids) })
	return len(doomed), errs.Wrap(err, "prune mail")
}

// logPending writes each pending mail to the log once, for a server with
// no --smtp-url. The mail stays pending, so configuring SMTP later sends it.
// Only the envelope is logged: bodies carry signed links.
func (o *Outbox) logPending(ctx context.Context, now time.Time) (int, error) {
	unlogged := func(ms []Email) []Email {
		return slices.DeleteFunc(ms, func(m Email) bool { return m.Logged })
	}
	ms, err := o.store.Queued(ctx, MailPending, time.Time{}, 0)
	if err != nil || len(unlogged(ms)) == 0 {
		return 0, errs.Wrap(err, "find mail to log")
	}
	err = o.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		if ms, err = o.store.Queued(ctx, MailPending, time.Time{}, 0); err != nil {
			return err
		}
		ms = unlogged(ms)
		for _, m := range ms {
			m.Logged = true
			if err := o.store.Put(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, errs.Wrap(err, "log pending mail")
	}
	for _, m := range ms {
		// The recipient is named by user id: logs travel further than
		// the database and outlive an account's deletion.
		o.log.Info("mail kept in the outbox (no --smtp-url)", "mail", m.ID, "user", m.UserID, "kind", m.Kind, "subject", m.Subject)
	}
	return len(ms), nil
}

// claim marks up to limit due mails "sending" in one committed transaction
// and returns them. A read looks first, so that a tick with nothing to
// send costs no commit.
func (o *Outbox) claim(ctx context.Context, now time.Time, limit int) ([]Email, error) {
	due, err := o.store.Queued(ctx, MailPending, now, limit)
	if err != nil || len(due) == 0 {
		return nil, errs.Wrap(err, "find due mail")
	}
	err = o.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		if due, err = o.store.Queued(ctx, MailPending, now, limit); err != nil {
			return err
		}
		for i := range due {
			claimed := now
			due[i].State, due[i].ClaimedAt = MailSending, &claimed
			due[i].Attempts++
			if err := o.store.Put(ctx, due[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap(err, "claim mail")
	}
	return due, nil
}

// release hands claimed mails that were never attempted back as pending.
func (o *Outbox) release(ctx context.Context, ms []Email) error {
	if len(ms) == 0 {
		return nil
	}
	return o.tx.Write(ctx, func(ctx context.Context) error {
		for _, m := range ms {
			m.Attempts--
			if err := o.settle(ctx, m, MailPending, m.NextAttemptAt, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

// deliver sends one claimed mail and records the outcome; the record is
// made even when ctx is cancelled during the send. The error it returns is
// about recording, not sending: a failed send is an outcome.
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
	return o.tx.Write(context.WithoutCancel(ctx), func(ctx context.Context) error { return o.settle(ctx, m, state, next, why) })
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

// settle moves a claimed mail to its next state; the store moves its
// queue entry with it.
func (o *Outbox) settle(ctx context.Context, m Email, state string, next time.Time, why string) error {
	m.State, m.LastError, m.ClaimedAt = state, why, nil
	switch state {
	case MailSent:
		sent := o.now().UTC()
		m.SentAt = &sent
	case MailPending:
		m.NextAttemptAt = next
	}
	return o.store.Put(ctx, m)
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
func (o *Outbox) Page(state string, p page.Request) (page.List[MailSummary], error) {
	out := page.Items[MailSummary](nil)
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
	ms, more, err := o.store.NewestMails(context.Background(), state, before, p.Limit)
	if err != nil {
		return out, errs.Wrap(err, "list outbox")
	}
	for _, m := range ms {
		out.Items = append(out.Items, MailSummary{ID: m.ID, UserID: m.UserID, To: m.To, Kind: m.Kind,
			Subject: m.Subject, State: m.State, Attempts: m.Attempts, NextAttemptAt: m.NextAttemptAt,
			LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
	}
	if more && len(ms) > 0 {
		out.NextCursor = page.FormatID(ms[len(ms)-1].ID)
	}
	return out, nil
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
