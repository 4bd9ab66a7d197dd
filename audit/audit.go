// Package audit keeps the security log: sign-ins (successful or not), role
// changes, grades, extensions, deletions by staff and administrators'
// actions. Entries are written inside the transaction of the action they
// record, so an action and its entry commit together. Entries never hold
// secrets: callers pass ids and short descriptions, never tokens, passwords
// or bodies.
package audit

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

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
}

// New builds the log.
func New(db *storage.DB, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{db: db, now: now}
}

// RecordTx appends an entry inside the caller's transaction.
func (l *Log) RecordTx(tx *storage.Tx, e Entry) error {
	if l == nil {
		return nil
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

// Record appends an entry in its own transaction.
func (l *Log) Record(e Entry) error {
	if l == nil {
		return nil
	}
	return l.db.Update(func(tx *storage.Tx) error { return l.RecordTx(tx, e) })
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

// Mount adds GET /admin/audit to an administrators' group.
func (l *Log) Mount(admin fiber.Router) {
	admin.Get("/audit", func(c *fiber.Ctx) error {
		p, err := api.ParsePage(c)
		if err != nil {
			return err
		}
		f := Filter{Action: strings.Clone(c.Query("action"))}
		for name, dst := range map[string]*uint64{"actor": &f.ActorID, "course": &f.CourseID} {
			if v := c.Query(name); v != "" {
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil || n == 0 {
					return errs.Field(name, "must be a positive integer")
				}
				*dst = n
			}
		}
		list, err := l.List(p, f)
		if err != nil {
			return err
		}
		return c.JSON(list)
	})
}
