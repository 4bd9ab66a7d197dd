// Package notify owns in-app notifications: each is stored for one user with
// a kind, a title, a body and a link, so that an e-mail can be derived from
// it later. Other packages add notifications inside their own transactions.
package notify

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
	"pacer/storage"
)

// Kinds of notification.
const (
	KindModuleOpened      = "module_opened"
	KindDeadlineSoon      = "deadline_soon"
	KindDeadlineMissed    = "deadline_missed"
	KindInactiveNudge     = "inactive_nudge"
	KindBehindNudge       = "behind_nudge"
	KindReply             = "reply"
	KindMention           = "mention"
	KindAnswer            = "answer"
	KindEndorsed          = "endorsed"
	KindGraded            = "graded"
	KindInstructorMessage = "instructor_message"
	KindStaffDigest       = "staff_digest"
)

// Notification is one message to one user.
type Notification struct {
	ID        uint64    `json:"id"`
	UserID    uint64    `json:"-"`
	CourseID  uint64    `json:"course_id,omitempty"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// stored keeps the user id, which the API answer leaves out.
type stored struct {
	Notification
	User uint64 `json:"user_id"`
}

// Service stores and lists notifications.
type Service struct {
	db  *storage.DB
	now func() time.Time
	// Added runs inside the transaction that stores each notification, so
	// that derived work (a queued e-mail) commits or fails with it. It must
	// only write records, never block on the network.
	Added []func(tx *storage.Tx, n Notification) error
}

// NewService builds the service.
func NewService(db *storage.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

// AddTx stores a notification inside the caller's transaction.
func (s *Service) AddTx(tx *storage.Tx, n Notification) (Notification, error) {
	id, err := tx.NextID(storage.Notifications)
	if err != nil {
		return n, err
	}
	n.ID = id
	n.Read = false
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now().UTC()
	}
	if err := tx.Put(storage.Notifications, storage.ID(id), stored{Notification: n, User: n.UserID}); err != nil {
		return n, err
	}
	if err := tx.PutRaw(storage.NotificationsByUser, storage.Key(n.UserID, id), nil); err != nil {
		return n, err
	}
	for _, f := range s.Added {
		if err := f(tx, n); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Add stores a notification in its own transaction.
func (s *Service) Add(n Notification) (Notification, error) {
	err := s.db.Update(func(tx *storage.Tx) error {
		var err error
		n, err = s.AddTx(tx, n)
		return err
	})
	return n, errs.Wrap(err, "add notification")
}

// Page is a page of a user's notifications, newest first.
type Page struct {
	Items      []Notification `json:"items"`
	NextCursor string         `json:"next_cursor"`
	Unread     int            `json:"unread"`
}

// List returns a user's notifications, newest first, with the unread count.
func (s *Service) List(userID uint64, p api.Page) (Page, error) {
	out := Page{Items: []Notification{}}
	var before uint64
	if p.Cursor != "" {
		id, err := api.ParseID(p.Cursor)
		if err != nil {
			return out, errs.Field("cursor", "invalid")
		}
		before = id
	}
	err := s.db.View(func(tx *storage.Tx) error {
		return tx.EachReverse(storage.NotificationsByUser, storage.Key(userID), func(k, _ []byte) error {
			id := storage.Part(k, 1)
			var n stored
			if err := tx.Get(storage.Notifications, storage.ID(id), &n); err != nil {
				return err
			}
			if !n.Read {
				out.Unread++
			}
			if before != 0 && id >= before {
				return nil
			}
			if len(out.Items) < p.Limit {
				n.Notification.UserID = n.User
				out.Items = append(out.Items, n.Notification)
			} else if out.NextCursor == "" {
				out.NextCursor = api.FormatID(out.Items[len(out.Items)-1].ID)
			}
			return nil
		})
	})
	return out, errs.Wrap(err, "list notifications")
}

// Unread counts a user's unread notifications.
func (s *Service) Unread(userID uint64) (int, error) {
	p, err := s.List(userID, api.Page{Limit: 1})
	return p.Unread, err
}

// MarkRead marks some (or all) of a user's notifications read. IDs of other
// users' notifications are ignored.
func (s *Service) MarkRead(userID uint64, ids []uint64, all bool) error {
	err := s.db.Update(func(tx *storage.Tx) error {
		if all {
			ids = ids[:0]
			_ = tx.Each(storage.NotificationsByUser, storage.Key(userID), func(k, _ []byte) error {
				ids = append(ids, storage.Part(k, 1))
				return nil
			})
		}
		for _, id := range ids {
			var n stored
			if err := tx.Get(storage.Notifications, storage.ID(id), &n); err != nil || n.User != userID || n.Read {
				continue
			}
			n.Read = true
			if err := tx.Put(storage.Notifications, storage.ID(id), n); err != nil {
				return err
			}
		}
		return nil
	})
	return errs.Wrap(err, "mark read")
}

// Mount adds the notification routes under /api/v1.
func (s *Service) Mount(r fiber.Router) {
	r.Get("/notifications", s.list)
	r.Post("/notifications/read", s.read)
}

func (s *Service) list(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	out, err := s.List(id.UserID, p)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type readBody struct {
	IDs []uint64 `json:"ids"`
	All bool     `json:"all"`
}

func (s *Service) read(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	var in readBody
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	if !in.All && len(in.IDs) == 0 {
		return errs.Field("ids", "give ids or all: true")
	}
	if len(in.IDs) > 1000 {
		return errs.Field("ids", "at most 1000")
	}
	if err := s.MarkRead(id.UserID, in.IDs, in.All); err != nil {
		return err
	}
	return api.NoContent(c)
}
