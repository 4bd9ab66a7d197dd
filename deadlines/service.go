// Package deadlines owns what time does to a course: per-learner extensions,
// assignment submissions judged against each learner's window, the
// learner's list of deadlines, the secret iCalendar feed, and the scheduler
// whose jobs notice what time has made true (a window opened, a deadline is
// near, a deadline was missed). The time rules themselves are the pure
// functions of the calendar package; the single place where locking is
// decided is modules.Service.Learner, which this package feeds with
// extensions through DueOverrides.
package deadlines

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"pacer/audit"
	"pacer/auth"
	"pacer/behind"
	"pacer/cache"
	"pacer/errs"
	"pacer/markdown"
	"pacer/modules"
	"pacer/notify"
	"pacer/timetext"
	"pacer/txn"
)

// Signer signs and checks purpose-bound messages with the server key
// (auth.Service does). The calendar feed's tokens are signed with it.
type Signer interface {
	Sign(ctx context.Context, purpose, msg string) string
	CheckSignature(ctx context.Context, purpose, msg, sig string) bool
}

// Config is what the service is built from.
type Config struct {
	// Store keeps this package's records; Tx runs its units of work.
	Store   Store
	Tx      txn.Runner
	Courses *modules.Service
	Notify  *notify.Service
	// Auth reads the accounts named in notifications and feeds.
	Auth     *auth.Service
	Markdown *markdown.Renderer
	Signer   Signer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// BaseURL prefixes the calendar feed's URL and the links in its events.
	BaseURL string
	// Log hears of the scheduled delivery's failures (nil: discarded).
	Log *slog.Logger
	// SharedQueue says that other processes queue submissions in the same
	// store (replicas on one database): what this process counted of its
	// own submissions then says nothing of theirs, so a delivery asks the
	// store instead (deliver.go).
	SharedQueue bool
	// DeliverEvery is how long the staff's notifications of submissions
	// wait to be delivered at most when nobody reads them (deliver.go); 0
	// means DefaultDeliverEvery.
	DeliverEvery time.Duration
	// Revisions keeps the revisions of the learners' extended due times,
	// which every learner view reads (extensions.go); nil: they are read
	// from the store each time.
	Revisions cache.Revisions
}

// Service is the deadlines service.
type Service struct {
	store   Store
	tx      txn.Runner
	courses *modules.Service
	notify  *notify.Service
	auth    *auth.Service
	md      *markdown.Renderer
	signer  Signer
	now     func() time.Time
	baseURL string
	log     *slog.Logger

	// MediaCheck, when set, checks that a learner may attach the media to a
	// submission in the course (it exists, it is theirs, it was uploaded for
	// a submission) and records, in the submission's transaction, that a
	// submission uses it. While it is nil, file submissions are refused with
	// 400, so the media package can plug in without this package knowing it.
	MediaCheck func(ctx context.Context, course, user, mediaID uint64) error
	// Audit records grades and extensions (nil records nothing).
	Audit *audit.Log

	// sweepChunk bounds how many marks one write transaction of a job
	// commits, so that a large sweep never holds the writer lock for long.
	sweepChunk int

	// queue counts submissions whose staff notifications are still to be
	// delivered (deliver.go); deliverEvery is Config.DeliverEvery.
	queue        *delivery
	deliverEvery time.Duration

	// overrides caches each learner's extended due times by course and
	// learner (extensions.go); nil without Config.Revisions.
	overrides *cache.Cache[map[uint64]time.Time]
}

// New builds the service. Install hooks it into the course service. Call
// it once, before serving: it registers the delivery of queued
// submissions with the notify service's readers.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Markdown == nil {
		cfg.Markdown = markdown.New()
	}
	if cfg.DeliverEvery <= 0 {
		cfg.DeliverEvery = DefaultDeliverEvery
	}
	s := &Service{store: cfg.Store, tx: cfg.Tx, courses: cfg.Courses, notify: cfg.Notify, auth: cfg.Auth, md: cfg.Markdown, signer: cfg.Signer,
		now: cfg.Now, baseURL: strings.TrimRight(cfg.BaseURL, "/"), log: cfg.Log, sweepChunk: 2000,
		deliverEvery: cfg.DeliverEvery}
	s.queue = &delivery{Queue: behind.New(behind.Config{Now: cfg.Now, Batch: s.deliverBatch, Shared: cfg.SharedQueue,
		Count: cfg.Store.CountQueuedSubmitted})}
	if cfg.Revisions != nil {
		s.overrides = cache.New[map[uint64]time.Time](kindOverrides, maxCachedOverrides, cfg.Revisions)
	}
	// Every read of notifications first delivers the submissions already
	// acknowledged, so that it shows the staff's notifications of them.
	// The delivery is a unit of work of its own, whatever transaction the
	// reader's ctx carries.
	if cfg.Notify != nil {
		cfg.Notify.Late = append(cfg.Notify.Late, func(context.Context) error { return s.DeliverSubmitted(context.Background()) })
	}
	return s
}

// Install makes extensions show in every view of the course service (the
// modules list, item pages, progress), takes ownership of the assignment
// item kind, and has a course's deletion remove what this package keeps of
// it, in the deletion's transaction.
func (s *Service) Install(ctx context.Context) {
	s.courses.Extensions = s
	s.courses.RegisterKind(ctx, modules.KindAssignment, modules.KindHook{
		Validate: s.validateAssignment,
		Settings: applyRubric,
		Deleted:  s.assignmentDeleted,
	})
	s.courses.OnCourseDeleted = append(s.courses.OnCourseDeleted, func(ctx context.Context, c modules.Course) error {
		return s.store.DeleteCourse(ctx, c.ID)
	})
}

// clock returns the service's now in UTC.
func (s *Service) clock() time.Time { return s.now().UTC() }

// Links to the web pages, used in notifications and calendar events. They
// are paths; notify turns them into absolute links for e-mail.
func moduleLink(course, module uint64) string {
	return "/courses/" + itoa(course) + "/modules/" + itoa(module)
}

func itemLink(course, item uint64) string {
	return "/courses/" + itoa(course) + "/items/" + itoa(item)
}

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// readerZone is a user's own time zone: every time in text meant for
// them (notifications, their e-mails, their calendar feed) is written in it,
// with the course time beside where it differs (timetext.ForReader). UTC
// when the account cannot be read.
func (s *Service) readerZone(ctx context.Context, user uint64) *time.Location {
	u, err := s.auth.User(ctx, user)
	if err != nil {
		return time.UTC
	}
	return timetext.Zone(u.Timezone)
}

// notFoundAs maps a store's missing record to the 404 of its kind, and
// leaves any other error as it is.
func notFoundAs(err error, kind string) error {
	if errors.Is(err, ErrNotFound) {
		return errs.NotFoundf(kind)
	}
	return err
}
