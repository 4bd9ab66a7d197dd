// Package audit keeps the security log: sign-ins (successful or not), role
// changes, grades, extensions, deletions by staff and administrators'
// actions. Entries are written inside the transaction of the action they
// record, so an action and its entry commit together. Entries never hold
// secrets: callers pass ids and short descriptions, never tokens, passwords
// or bodies.
package audit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"pacer/errs"
	"pacer/page"
	"pacer/txn"
)

// Entry is one audited action.
type Entry struct {
	ID       uint64    `json:"id"`
	At       time.Time `json:"at"`
	ActorID  uint64    `json:"actor_id"`
	Action   string    `json:"action"`
	CourseID uint64    `json:"course_id,omitempty"`
	TargetID uint64    `json:"target_id,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	IP       string    `json:"ip,omitempty"`
}

// Store keeps the log. An engine implements it (storage/bolt.Audit);
// storetest.Run is its contract. Methods join the transaction ctx carries.
type Store interface {
	// Append stores e under a new id, larger than every id given before,
	// and returns it with that id.
	Append(ctx context.Context, e Entry) (Entry, error)
	// Newest lists the entries f matches, newest first: those with an id
	// below before (all when before is 0), at most limit of them. more
	// says whether older matching ones remain.
	Newest(ctx context.Context, f Filter, before uint64, limit int) (items []Entry, more bool, err error)
}

// Log writes and lists entries. A nil *Log records nothing, so packages can
// hold one without caring whether auditing is wired.
type Log struct {
	tx    txn.Runner
	store Store
	now   func() time.Time
	// log receives the entries that could not be written after their
	// action had already happened (see RecordAfter).
	log *slog.Logger
	// fail, when set, is returned by every write instead of writing: see
	// Failing.
	fail error
}

// Config is what a log is built from.
type Config struct {
	Tx    txn.Runner
	Store Store
	Now   func() time.Time
	// Log (nil: discarded) hears of entries lost after their action.
	Log *slog.Logger
}

// New builds the log.
func New(cfg Config) *Log {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Log{tx: cfg.Tx, store: cfg.Store, now: cfg.Now, log: cfg.Log}
}

// Failing builds a log whose every write fails with err, for tests that
// check an action is not committed without its entry. It lists nothing.
func Failing(err error, log *slog.Logger) *Log {
	if err == nil {
		err = errors.New("audit: write refused")
	}
	l := New(Config{Log: log})
	l.fail = err
	return l
}

// record appends an entry in the transaction ctx carries.
func (l *Log) record(ctx context.Context, e Entry) error {
	if l == nil {
		return nil
	}
	if l.fail != nil {
		return l.fail
	}
	e.At = l.now().UTC()
	if len(e.Detail) > 500 {
		e.Detail = e.Detail[:500]
	}
	_, err := l.store.Append(ctx, e)
	return err
}

// Record appends an entry, in the transaction ctx carries or in its own.
// Callers that can still refuse the action return its error: inside their
// transaction, an action is never committed without its entry.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if l == nil {
		return nil
	}
	if l.fail != nil {
		return l.fail
	}
	return l.tx.Write(ctx, func(ctx context.Context) error { return l.record(ctx, e) })
}

// RecordAfter appends an entry for an action that has already happened and
// cannot be undone (a sign-in answered, a job run). A failed write cannot
// be given back to anyone, so it is logged at ERROR with the entry that was
// lost; entries hold no secrets, so logging them leaks nothing.
func (l *Log) RecordAfter(ctx context.Context, e Entry) {
	if l == nil {
		return
	}
	if err := l.Record(ctx, e); err != nil {
		l.log.Error("audit entry lost", "action", e.Action, "actor_id", e.ActorID,
			"course_id", e.CourseID, "target_id", e.TargetID, "detail", e.Detail, "ip", e.IP, "err", err)
	}
}

// Filter narrows a listing: zero fields match every entry.
type Filter struct {
	Action   string
	ActorID  uint64
	CourseID uint64
}

// Match reports whether f lets e through.
func (f Filter) Match(e Entry) bool {
	return (f.Action == "" || e.Action == f.Action) && (f.ActorID == 0 || e.ActorID == f.ActorID) &&
		(f.CourseID == 0 || e.CourseID == f.CourseID)
}

// List returns entries newest first, only those the filter matches.
func (l *Log) List(ctx context.Context, p page.Request, f Filter) (page.List[Entry], error) {
	out := page.List[Entry]{Items: []Entry{}}
	before, err := p.CursorID()
	if err != nil || l.store == nil {
		return out, err
	}
	items, more, err := l.store.Newest(ctx, f, before, p.Limit)
	if err != nil {
		return out, errs.Wrap(err, "list audit")
	}
	out.Items = append(out.Items, items...)
	if more {
		out.NextCursor = page.FormatID(items[len(items)-1].ID)
	}
	return out, nil
}
