// Package audit keeps the security log: sign-ins (successful or not), role
// changes, grades, extensions, deletions by staff and administrators'
// actions. Entries are written inside the transaction of the action they
// record, so an action and its entry commit together. Entries never hold
// secrets: callers pass ids and short descriptions, never tokens, passwords
// or bodies.
package audit

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"pacer/api"
	"pacer/errs"
	"pacer/storage"
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

// Log writes and lists entries. A nil *Log records nothing, so packages can
// hold one without caring whether auditing is wired.
type Log struct {
	db  *storage.DB
	now func() time.Time
	// log receives the entries that could not be written after their
	// action had already happened (see RecordAfter).
	log *slog.Logger
	// fail, when set, is returned by every write instead of writing: see
	// Failing.
	fail error
}

// New builds the log; log (nil: discarded) hears of entries lost after
// their action.
func New(db *storage.DB, now func() time.Time, log *slog.Logger) *Log {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Log{db: db, now: now, log: log}
}

// Failing builds a log whose every write fails with err, for tests that
// check an action is not committed without its entry.
func Failing(db *storage.DB, err error, log *slog.Logger) *Log {
	if err == nil {
		err = errors.New("audit: write refused")
	}
	l := New(db, nil, log)
	l.fail = err
	return l
}

// RecordTx appends an entry inside the caller's transaction. Its error must
// fail that transaction: an action is never committed without its entry.
func (l *Log) RecordTx(tx *storage.Tx, e Entry) error {
	if l == nil {
		return nil
	}
	if l.fail != nil {
		return l.fail
	}
	id, err := tx.NextID(storage.Audit)
	if err != nil {
		return err
	}
	e.ID = id
	e.At = l.now().UTC()
	if len(e.Detail) > 500 {
		e.Detail = e.Detail[:500]
	}
	return tx.Put(storage.Audit, storage.ID(id), e)
}

// Record appends an entry in its own transaction. Callers that can still
// refuse the action return its error.
func (l *Log) Record(e Entry) error {
	if l == nil {
		return nil
	}
	return l.db.Update(func(tx *storage.Tx) error { return l.RecordTx(tx, e) })
}

// RecordAfter appends an entry for an action that has already happened and
// cannot be undone (a sign-in answered, a job run). A failed write cannot
// be given back to anyone, so it is logged at ERROR with the entry that was
// lost; entries hold no secrets, so logging them leaks nothing.
func (l *Log) RecordAfter(e Entry) {
	if l == nil {
		return
	}
	if err := l.Record(e); err != nil {
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

func (f Filter) match(e Entry) bool {
	return (f.Action == "" || e.Action == f.Action) && (f.ActorID == 0 || e.ActorID == f.ActorID) &&
		(f.CourseID == 0 || e.CourseID == f.CourseID)
}

// List returns entries newest first, only those the filter matches.
func (l *Log) List(p api.Page, f Filter) (api.List[Entry], error) {
	out := api.List[Entry]{Items: []Entry{}}
	before, err := p.CursorID()
	if err != nil {
		return out, err
	}
	err = l.db.View(func(tx *storage.Tx) error {
		return tx.EachReverse(storage.Audit, nil, func(k, v []byte) error {
			id := storage.Part(k, 0)
			if before != 0 && id >= before {
				return nil
			}
			var e Entry
			if err := tx.Get(storage.Audit, k, &e); err != nil {
				return err
			}
			if !f.match(e) {
				return nil
			}
			if len(out.Items) == p.Limit {
				out.NextCursor = api.FormatID(out.Items[len(out.Items)-1].ID)
				return storage.Stop
			}
			out.Items = append(out.Items, e)
			return nil
		})
	})
	return out, errs.Wrap(err, "list audit")
}
