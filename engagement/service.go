// Package engagement notices learners drifting away and acts first. It
// tracks activity (a write-behind buffer, so a request never waits for a
// disk), judges each learner with pure rules (inactive, behind,
// missed_deadline, and a risk score), and runs the flag_inactive job: a
// newly flagged learner gets one nudge with a concrete next step, and a
// learner still flagged a cooldown later is named to the course's staff in
// one digest. Staff see the same judgement live on the at-risk view and can
// message any group of learners. E-mail for all of it goes through the
// notify outbox.
package engagement

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"pacer/auth"
	"pacer/jobs"
	"pacer/modules"
	"pacer/notify"
	"pacer/timetext"
	"pacer/txn"
)

// JobFlagInactive is the scheduler name of FlagInactive.
const JobFlagInactive = "flag_inactive"

// Config is what the service is built from.
type Config struct {
	// Tx runs the service's transactions.
	Tx txn.Runner
	// Store keeps activity and ladder states (the engine's implementation).
	Store   Store
	Courses *modules.Service
	Notify  *notify.Service
	// Auth reads the names and time zones of the people written to.
	Auth *auth.Service
	// Quizzes, when set, tells the rules which learners are stuck on a
	// quiz (the struggling flag).
	Quizzes Quizzes
	// Outbox, when set, is exposed for the wiring and pages; the e-mails
	// themselves follow notifications through notify.Service.Added.
	Outbox *notify.Outbox
	Now    func() time.Time
	Log    *slog.Logger
	// FlushEvery is how often buffered activity is written (default 5 s):
	// the most activity a crash can lose.
	FlushEvery time.Duration
}

// Service is the engagement service.
type Service struct {
	tx      txn.Runner
	store   Store
	courses *modules.Service
	notify  *notify.Service
	auth    *auth.Service
	quizzes Quizzes
	outbox  *notify.Outbox
	now     func() time.Time
	log     *slog.Logger
	tracker *Tracker
	// run serialises runs of the flag job in this process: its read and
	// write phases assume no other run changes the stored ladder in
	// between. Across processes the scheduler's Leader makes that true:
	// one process runs the job at a time.
	run sync.Mutex
	// chunk bounds how many learner records one write transaction of the
	// job commits, so that a big sweep never holds the writer for long.
	chunk int
}

// New builds the service and its activity tracker.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tr := NewTracker(cfg.Tx, cfg.Store, cfg.Courses, cfg.Now, cfg.Log, cfg.FlushEvery)
	return &Service{tx: cfg.Tx, store: cfg.Store, courses: cfg.Courses, notify: cfg.Notify, auth: cfg.Auth, quizzes: cfg.Quizzes, outbox: cfg.Outbox, now: cfg.Now,
		log: cfg.Log, tracker: tr, chunk: 1000}
}

// Install makes every learner action the course service reports (and every
// courses.Touch from other packages) reach the tracker, and has a course's
// deletion remove its activity and ladder states in the deletion's
// transaction. Activity of the course still in the tracker's buffer is
// dropped by the next flush, since the course has no members left. It
// only wires, so ctx is unused; it is there because every service method
// takes one.
func (s *Service) Install(ctx context.Context) {
	s.courses.OnActivity = s.tracker.Touch
	s.courses.OnCourseDeleted = append(s.courses.OnCourseDeleted, func(ctx context.Context, c modules.Course) error {
		return s.store.DeleteCourse(ctx, c.ID)
	})
}

// Start has sched flush buffered activity (Tracker.Start). ctx is not
// kept: the flushes run under the scheduler's context and end with Stop.
func (s *Service) Start(ctx context.Context, sched *jobs.Scheduler) error {
	return s.tracker.Start(sched)
}

// Stop writes the remaining activity and stops; it must run before the
// store closes.
func (s *Service) Stop(ctx context.Context) error { return s.tracker.Stop(ctx) }

// Flush writes buffered activity now (Tracker.Flush), for those who read
// the store directly and must see every action so far.
func (s *Service) Flush(ctx context.Context) error { return s.tracker.Flush(ctx) }

// Links to pages, used in notifications.
func courseLink(course uint64) string { return "/courses/" + itoa(course) }

func itemLink(course, item uint64) string { return courseLink(course) + "/items/" + itoa(item) }

// AtRiskLink is the staff page of a course's learners at risk.
func AtRiskLink(course uint64) string { return courseLink(course) + "/at-risk" }

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }

// readerZone is a user's own time zone, in which every time in text for
// them is written (timetext); UTC when the account cannot be read.
func (s *Service) readerZone(ctx context.Context, user uint64) *time.Location {
	u, err := s.auth.User(ctx, user)
	if err != nil {
		return time.UTC
	}
	return timetext.Zone(u.Timezone)
}
