// Package notify owns in-app notifications: each is stored for one user with
// a kind, a title, a body and a link, so that an e-mail can be derived from
// it later (see Mail). Other packages add notifications inside their own
// transactions, so a notification commits or fails with the change it tells
// of.
package notify

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"pacer/errs"
	"pacer/page"
	"pacer/txn"
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
	KindExtensionGranted  = "extension_granted"
	KindInvitation        = "invitation"
	// KindSubmitted tells staff that work arrived on an item; one unread
	// notification per item counts the new submissions (deadlines updates
	// it with UpdateUnread).
	KindSubmitted    = "submitted"
	KindAnnouncement = "announcement"
)

// kinds maps every kind to the words an e-mail subject of that kind starts
// with. A kind missing here cannot be stored, so every kind that is ever
// added is one an e-mail can be derived from.
var kinds = map[string]string{
	KindModuleOpened:      "Now open",
	KindDeadlineSoon:      "Due soon",
	KindDeadlineMissed:    "Deadline missed",
	KindInactiveNudge:     "We miss you",
	KindBehindNudge:       "Catching up",
	KindReply:             "New reply",
	KindMention:           "You were mentioned",
	KindAnswer:            "Answered",
	KindEndorsed:          "Endorsed",
	KindGraded:            "Graded",
	KindInstructorMessage: "Message from your instructor",
	KindStaffDigest:       "Course digest",
	KindExtensionGranted:  "Extension granted",
	KindInvitation:        "Invitation",
	KindSubmitted:         "Work handed in",
	KindAnnouncement:      "Announcement",
}

// Kinds returns every known kind, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ValidKind reports whether kind is a known notification kind.
func ValidKind(kind string) bool {
	_, ok := kinds[kind]
	return ok
}

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
	// Cause names the event a notification tells of when that event must
	// be told once, whoever tells it and however often: the periodic jobs
	// (several replicas may run one at the same moment) set it, e.g.
	// "module_opened:<course>:<module>:<user>". A notification whose cause
	// was already told is not stored again (ErrAlreadyTold). Empty for
	// notifications of one request's work, which happen once anyway.
	Cause string `json:"-"`
}

// ErrAlreadyTold is what Store.Add answers for a notification whose Cause
// a stored notification already has, and Store.Queue for such a mail:
// nothing was stored.
var ErrAlreadyTold = errors.New("notify: a notification of this cause was already told")

// ErrInvalid is returned by Add for a notification that could not be
// shown or mailed: no user, an unknown kind, no title, or a link that is
// not a path of this site. It is a programming error in the caller.
var ErrInvalid = errors.New("notify: invalid notification")

// check enforces what Mail relies on.
func (n Notification) check() error {
	switch {
	case n.UserID == 0:
		return errors.Join(ErrInvalid, errors.New("no user"))
	case !ValidKind(n.Kind):
		return errors.Join(ErrInvalid, errors.New("unknown kind "+n.Kind))
	case strings.TrimSpace(n.Title) == "":
		return errors.Join(ErrInvalid, errors.New("no title"))
	case n.Link != "" && (!strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//")):
		return errors.Join(ErrInvalid, errors.New("link must be a path of this site"))
	}
	return nil
}

// Mail derives the e-mail of a notification: a subject that names the kind
// and the title, and a plain-text body with the notification's text and an
// absolute link built on baseURL (the --base-url flag). The engagement
// package sends it; the recipient's address comes from the user record.
func (n Notification) Mail(baseURL string) (subject, text string) {
	prefix := kinds[n.Kind]
	if prefix == "" {
		prefix = "Pacer"
	}
	subject = prefix + ": " + n.Title
	var b strings.Builder
	b.WriteString(n.Title)
	b.WriteString("\n\n")
	if n.Body != "" {
		b.WriteString(n.Body)
		b.WriteString("\n\n")
	}
	if n.Link != "" {
		b.WriteString("Open it in Pacer: ")
		b.WriteString(strings.TrimRight(baseURL, "/"))
		b.WriteString(n.Link)
		b.WriteString("\n")
	}
	return subject, b.String()
}

// Service stores and lists notifications.
type Service struct {
	tx    txn.Runner
	store Store
	now   func() time.Time
	// Added runs inside the transaction (carried by ctx) that stores
	// notifications, once for those one Add or AddAll stored (in their
	// order), so that derived work (a queued e-mail) commits or fails
	// with them. It must only write records, never block on the network.
	Added []func(ctx context.Context, ns []Notification) error
	// Late is work of other services that adds notifications after the
	// write they belong to was acknowledged (discussion delivers replies to
	// subscribers in batches). Every read of notifications runs it first
	// (Settle), so that it shows every notification of acknowledged work.
	Late []func(ctx context.Context) error
}

// Settle runs the Late work: afterwards every notification of work
// acknowledged before the call is stored.
func (s *Service) Settle(ctx context.Context) error {
	for _, f := range s.Late {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Config is what the service is built from.
type Config struct {
	// Tx runs the service's transactions; Store keeps the notifications
	// (the engine's implementation, joining Tx's transactions).
	Tx    txn.Runner
	Store Store
	Now   func() time.Time
}

// NewService builds the service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{tx: cfg.Tx, store: cfg.Store, now: cfg.Now}
}

// add stores notifications in the transaction ctx carries and runs the
// Added hooks in it, once for all of them. A notification whose cause was
// already told is not stored and goes to no hook (its e-mail went with
// the first one): it comes back with ID 0 and no error.
func (s *Service) add(ctx context.Context, ns []Notification) ([]Notification, error) {
	in := make([]Notification, len(ns))
	for i, n := range ns {
		if err := n.check(); err != nil {
			return nil, err
		}
		if n.CreatedAt.IsZero() {
			n.CreatedAt = s.now().UTC()
		}
		in[i] = n
	}
	out, err := s.store.AddAll(ctx, in)
	if err != nil {
		return out, err
	}
	stored := make([]Notification, 0, len(out))
	for _, n := range out {
		if n.ID != 0 {
			stored = append(stored, n)
		}
	}
	if len(stored) == 0 {
		return out, nil
	}
	for _, f := range s.Added {
		if err := f(ctx, stored); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Add stores a notification in the transaction ctx carries (so that it
// commits, or not, with the caller's work) or in its own, and runs the
// Added hooks in it. A notification with a Cause that was already told is
// left out: Add returns it with ID 0. It returns ErrInvalid (an internal error) for a
// notification Mail could not turn into an e-mail.
func (s *Service) Add(ctx context.Context, n Notification) (Notification, error) {
	out, err := s.AddAll(ctx, []Notification{n})
	if len(out) == 1 {
		n = out[0]
	}
	return n, err
}

// AddAll is Add for several notifications at once, returned in the same
// order: the Added hooks run once for all of them, so that what they read
// about the recipients (their e-mail preferences, their mail batches) is
// read once, not once per notification. A caller telling many users of
// one event (a thread's subscribers) adds their notifications here.
func (s *Service) AddAll(ctx context.Context, ns []Notification) ([]Notification, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	// The clock is read once, before the work, so a retried attempt
	// stores the same instant.
	in := slices.Clone(ns)
	now := s.now().UTC()
	for i := range in {
		if in[i].CreatedAt.IsZero() {
			in[i].CreatedAt = now
		}
	}
	var out []Notification
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.add(ctx, in)
		return err
	})
	return out, errs.Wrap(err, "add notification")
}

// Page is a page of a user's notifications, newest first.
type Page struct {
	Items      []Notification `json:"items"`
	NextCursor string         `json:"next_cursor"`
	Unread     int            `json:"unread"`
}

// List returns a user's notifications, newest first, with the unread count.
// The cursor is the id of the last notification of the previous page; only
// the notifications of the page are decoded.
func (s *Service) List(ctx context.Context, userID uint64, p page.Request) (Page, error) {
	out := Page{Items: []Notification{}}
	before, err := p.CursorID()
	if err != nil {
		return out, err
	}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if err := s.Settle(ctx); err != nil {
		return out, err
	}
	err = s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		if out.Unread, err = s.store.UnreadCount(ctx, userID); err != nil {
			return err
		}
		items, more, err := s.store.Newest(ctx, userID, before, p.Limit)
		if err != nil {
			return err
		}
		out.Items = append(out.Items[:0], items...)
		out.NextCursor = ""
		if more && len(items) > 0 {
			out.NextCursor = page.FormatID(items[len(items)-1].ID)
		}
		return nil
	})
	return out, errs.Wrap(err, "list notifications")
}

// IsUnread reports whether a notification of the user is stored and still
// unread, in the transaction ctx carries: one key lookup, so that a caller
// can keep a single unread notification per subject (discussion replies)
// instead of adding one per event.
func (s *Service) IsUnread(ctx context.Context, userID, id uint64) (bool, error) {
	ok, err := s.store.IsUnread(ctx, userID, id)
	return ok, errs.Wrap(err, "read notification")
}

// UnreadAmong reports which of refs are their user's notification and
// still unread (a set of notification ids), in the transaction ctx
// carries: one store read for all of them, so that a caller checking many
// users' notifications about one subject (a thread's subscribers) asks
// once.
func (s *Service) UnreadAmong(ctx context.Context, refs []Ref) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if len(refs) == 0 {
		return out, nil
	}
	ids, err := s.store.UnreadAmong(ctx, refs)
	for _, id := range ids {
		out[id] = true
	}
	return out, errs.Wrap(err, "read notifications")
}

// UpdateUnread rewrites the title and body of a user's notification while
// it is still unread, in the transaction ctx carries, and reports whether
// it did. A caller that keeps one unread notification per subject uses it
// to count new events in place; once the user has read it, the caller adds
// a new one. No e-mail is derived from the update.
func (s *Service) UpdateUnread(ctx context.Context, userID, id uint64, title, body string) (bool, error) {
	if strings.TrimSpace(title) == "" {
		return false, nil
	}
	ok := false
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		ok, err = s.store.UpdateUnread(ctx, userID, id, title, body)
		return err
	})
	return ok, errs.Wrap(err, "update notification")
}

// Unread counts a user's unread notifications.
func (s *Service) Unread(ctx context.Context, userID uint64) (int, error) {
	if err := s.Settle(ctx); err != nil {
		return 0, err
	}
	n, err := s.store.UnreadCount(ctx, userID)
	return n, errs.Wrap(err, "count unread notifications")
}

// MarkRead marks some (or all) of a user's notifications read. IDs of other
// users' notifications, unknown IDs and IDs already read are ignored, so
// the call is idempotent.
func (s *Service) MarkRead(ctx context.Context, userID uint64, ids []uint64, all bool) error {
	// "All" means all the caller could have been shown.
	if err := s.Settle(ctx); err != nil {
		return err
	}
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		return s.store.MarkRead(ctx, userID, ids, all)
	})
	return errs.Wrap(err, "mark read")
}
