package discussion

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"pacer/cache"
	"runtime"
	"time"

	"pacer/api"
	"pacer/audit"
	"pacer/behind"
	"pacer/errs"
	"pacer/limit"
	"pacer/markdown"
	"pacer/modules"
	"pacer/notify"
	"pacer/txn"
)

// Service is the discussion service. It joins the transactions of the
// course service (item hooks, course creation) and writes notifications in
// its own transactions through the notify service.
type Service struct {
	// tx runs the units of work (the hot writes, replies and read marks
	// written at once, in its Batch), and store keeps the records.
	tx      txn.Runner
	store   Store
	courses *modules.Service
	notify  *notify.Service
	users   Users
	md      *markdown.Renderer
	now     func() time.Time
	// log hears of the failures of the scheduled flush and delivery
	// (Start), which have nobody else to tell.
	log *slog.Logger
	// posts limits new threads and replies per user, for the API and the
	// pages alike (see LimitPosts).
	posts limit.Limiter
	// previews limits Markdown previews per user, and renders how many run
	// at once (see Preview).
	previews limit.Limiter
	renders  *api.Gate
	// Audit records posts deleted by staff (nil records nothing).
	Audit *audit.Log
	// ReadFlushEvery is how long read marks wait in memory at most, given
	// further reads (reads.go); set it before serving.
	ReadFlushEvery time.Duration
	// DeliverEvery is how long replies' notifications and search postings
	// wait to be delivered at most when nobody reads them (deliver.go);
	// set it before serving.
	DeliverEvery time.Duration
	// threads keeps the posts of threads being read.
	threads *threadCache
	// reads buffers read marks between flushes (reads.go).
	reads *readBuffer
	// queue counts replies whose notifications and search postings are
	// still to be delivered (deliver.go).
	queue *behind.Queue
}

// Config is what New needs.
type Config struct {
	// Tx runs the units of work; Store keeps the records.
	Tx      txn.Runner
	Store   Store
	Courses *modules.Service
	Notify  *notify.Service
	// Users reads authors' and actors' names.
	Users Users
	// Markdown renders posts; Now is the clock (nil: time.Now); Log hears
	// of the scheduled flush's and delivery's failures (nil: discarded).
	Markdown *markdown.Renderer
	Now      func() time.Time
	Log      *slog.Logger
	// Limits builds the limits of posts and previews per user; nil keeps
	// them in this process's memory (limit.Memory).
	Limits limit.Factory
	// SharedQueue says that other processes queue replies in the same
	// store (replicas on one database): what this process counted of its
	// own replies then says nothing of theirs, so a delivery asks the
	// store instead (deliver.go).
	SharedQueue bool
}

// New builds the service and installs its hooks in the course service: a
// general board with every new course, and a thread with every discussion
// item. Call it once, before serving.
func New(cfg Config) *Service {
	now, log, courses, n := cfg.Now, cfg.Log, cfg.Courses, cfg.Notify
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	limits := cfg.Limits
	if limits == nil {
		limits = limit.Memory(now)
	}
	s := &Service{tx: cfg.Tx, store: cfg.Store, courses: courses, notify: n, users: cfg.Users, md: cfg.Markdown, now: now, log: log,
		posts:          limits("discussion_posts", DefaultPostLimit, DefaultPostWindow),
		previews:       limits("discussion_previews", DefaultPreviewLimit, DefaultPreviewWindow),
		renders:        api.NewGate(max(1, runtime.GOMAXPROCS(0)/2), DefaultPreviewWait),
		threads:        newThreadCache(),
		reads:          newReadBuffer(now()),
		ReadFlushEvery: DefaultReadFlushEvery, DeliverEvery: DefaultDeliverEvery}
	s.queue = behind.New(behind.Config{Now: now, Batch: s.deliverBatch, Shared: cfg.SharedQueue, Count: cfg.Store.CountQueued})
	// Every read of notifications first delivers the replies already
	// acknowledged, so that it shows their subscribers' notifications.
	// The delivery is a unit of work of its own, whatever transaction the
	// reader's ctx carries.
	n.Late = append(n.Late, func(context.Context) error { return s.DeliverReplies(context.Background()) })
	courses.OnCourseCreated = append(courses.OnCourseCreated, func(ctx context.Context, c modules.Course) error {
		_, err := s.ensureBoard(ctx, c, KindGeneral)
		return err
	})
	courses.OnCourseCopied = append(courses.OnCourseCopied, s.copyBoardsTx)
	courses.OnCourseDeleted = append(courses.OnCourseDeleted, s.deleteBoardsTx)
	courses.RegisterKind(context.Background(), modules.KindDiscussion, modules.KindHook{
		Validate: func(_ context.Context, _ modules.Course, it *modules.Item) error {
			if it.MediaID != 0 {
				return errs.Field("media_id", "not used by discussion items")
			}
			return nil
		},
		Created: s.itemCreatedTx,
		Deleted: s.itemDeletedTx,
	})
	return s
}

// scope is a thread together with what the caller may do in it, derived from
// the stored thread: its board and its course.
type scope struct {
	access modules.Access
	board  BoardRecord
	thread ThreadRecord
	// seeAll is false for a student in a Q&A thread who has neither opened
	// it nor replied in it: they see only the opening post and their own.
	seeAll bool
}

func (sc *scope) caller() uint64 { return sc.access.Member.UserID }

func (sc *scope) staff() bool { return sc.access.Staff() }

// sees reports whether the caller may see a post of the thread.
func (sc *scope) sees(parent, author uint64) bool {
	return sc.seeAll || parent == 0 || author == sc.caller()
}

// canModify reports whether the caller may edit or delete a post.
func (sc *scope) canModify(author uint64) bool { return sc.staff() || author == sc.caller() }

// notFound turns every "cannot see" into the same 404, so that the answer
// for a thread in a course the caller is not in equals the answer for a
// thread that does not exist.
func notFound(err error, what string) error {
	if errs.Is(err, errs.NotFound) {
		return errs.NotFoundf(what)
	}
	return err
}

// boardAccess loads a board and the caller's membership of its course.
func (s *Service) boardAccess(ctx context.Context, caller, boardID uint64) (BoardRecord, modules.Access, error) {
	b, err := s.store.Board(ctx, boardID)
	if err != nil {
		return b, modules.Access{}, err
	}
	a, err := s.courses.MemberAccess(ctx, b.CourseID, caller)
	if err != nil {
		return b, a, notFound(err, "board")
	}
	return b, a, nil
}

// threadScope loads a thread for a caller: 404 unless they are a member of
// its course; for a student, the item of an item thread must be open to
// them (404 when hidden, 403 with the reason when locked). The thread is
// read in ctx's transaction, which is what makes the thread cache exact
// (threadcache.go).
func (s *Service) threadScope(ctx context.Context, caller, threadID uint64) (*scope, error) {
	t, err := s.store.Thread(ctx, threadID)
	if err != nil {
		return nil, err
	}
	return s.scopeOf(ctx, caller, t)
}

// scopeOf is threadScope of a thread already read.
func (s *Service) scopeOf(ctx context.Context, caller uint64, t ThreadRecord) (*scope, error) {
	b, err := s.store.Board(ctx, t.BoardID)
	if err != nil {
		return nil, notFound(err, "thread")
	}
	return s.scopeIn(ctx, caller, t, b, nil)
}

// scopeIn is scopeOf of a thread whose board is read too. replied, when
// not nil, says whether the caller replied in the thread (read with it,
// Store.ReaderThread), which the Q&A rule then need not read.
func (s *Service) scopeIn(ctx context.Context, caller uint64, t ThreadRecord, b BoardRecord, replied *bool) (*scope, error) {
	a, err := s.courses.MemberAccess(ctx, b.CourseID, caller)
	if err != nil {
		return nil, notFound(err, "thread")
	}
	if t.ItemID != 0 && !a.Staff() {
		if _, err := s.courses.ItemAccess(ctx, caller, b.CourseID, t.ItemID); err != nil {
			return nil, notFound(err, "thread")
		}
	}
	sc := &scope{access: a, board: b, thread: t}
	if replied != nil {
		sc.seeAll = !qaRestricted(a.Staff(), b, t, caller) || *replied
		return sc, nil
	}
	if sc.seeAll, err = s.seesAll(ctx, a.Staff(), b, t, caller); err != nil {
		return nil, err
	}
	return sc, nil
}

// seesAll is the Q&A rule: staff, the thread's author and anyone who has
// replied see every post; in discussion boards everyone does.
func (s *Service) seesAll(ctx context.Context, staff bool, b BoardRecord, t ThreadRecord, user uint64) (bool, error) {
	if !qaRestricted(staff, b, t, user) {
		return true, nil
	}
	return s.store.Participant(ctx, t.ID, user)
}

// qaRestricted reports whether the Q&A rule applies to user in thread t:
// then they see every post only once they have replied.
func qaRestricted(staff bool, b BoardRecord, t ThreadRecord, user uint64) bool {
	return !staff && b.Mode == ModeQA && t.AuthorID != user
}

// postScope loads a post the caller may see, with its thread's scope.
func (s *Service) postScope(ctx context.Context, caller, postID uint64) (*scope, PostRecord, error) {
	p, err := s.store.Post(ctx, postID)
	if err != nil {
		return nil, p, err
	}
	sc, err := s.threadScope(ctx, caller, p.ThreadID)
	if err != nil {
		return nil, p, notFound(err, "post")
	}
	if !sc.sees(p.ParentID, p.AuthorID) {
		return nil, p, errs.NotFoundf("post")
	}
	return sc, p, nil
}

// authors resolves user ids to authors with their course role, once per
// user within one answer.
type authors struct {
	ctx    context.Context // carries the answer's transaction
	course uint64
	seen   map[uint64]Author
	roles  func(ctx context.Context, course, user uint64) (string, error)
	// role holds roles already known (the caller's, from their access),
	// so that get does not read them again.
	role map[uint64]string
	// byID reads one name (through the names' cache: userName).
	byID func(ctx context.Context, id uint64) (string, error)
	// manyNames and manyRoles read many authors at once (prefetch).
	manyNames func(ctx context.Context, ids []uint64) (map[uint64]string, error)
	manyRoles func(ctx context.Context, course uint64, users []uint64) (map[uint64]string, error)
	// namesAhead and rolesAhead name their revisions, read first in one
	// go.
	namesAhead func(ctx context.Context, ids []uint64) []cache.Ahead
	rolesAhead func(ctx context.Context, course uint64, users []uint64) []cache.Ahead
}

func (s *Service) newAuthors(ctx context.Context, course uint64) *authors {
	return &authors{ctx: ctx, course: course, seen: map[uint64]Author{}, roles: s.courses.Role, byID: s.userName,
		manyNames: s.users.Names, manyRoles: s.courses.Roles, namesAhead: s.users.NamesAhead, rolesAhead: s.courses.RolesAhead}
}

func (a *authors) get(id uint64) (Author, error) {
	if au, ok := a.seen[id]; ok {
		return au, nil
	}
	au := Author{ID: id}
	name, err := a.byID(a.ctx, id)
	switch {
	case err == nil:
		au.Name = name
	case errs.Is(err, errs.NotFound):
		au.Name = "(unknown)"
	default:
		return au, err
	}
	if role, ok := a.role[id]; ok {
		au.Role = role
	} else if au.Role, err = a.roles(a.ctx, a.course, id); err != nil {
		return au, err
	}
	a.seen[id] = au
	return au, nil
}

// builtinBoard returns the course's board of a built-in kind, if it has
// one yet.
func (s *Service) builtinBoard(ctx context.Context, course uint64, kind string) (BoardRecord, bool, error) {
	boards, err := s.store.CourseBoards(ctx, course)
	if err != nil {
		return BoardRecord{}, false, err
	}
	for _, b := range boards {
		if b.Kind == kind {
			return b, true, nil
		}
	}
	return BoardRecord{}, false, nil
}

// ensureBoard returns the course's board of a built-in kind, creating it
// the first time: the general board (courses made before this package
// existed get theirs on first use) and the board of item threads. It runs
// in a write transaction; a read path asks builtinBoard and, when the
// board is missing, answers errNeedsWrite.
func (s *Service) ensureBoard(ctx context.Context, c modules.Course, kind string) (BoardRecord, error) {
	b, ok, err := s.builtinBoard(ctx, c.ID, kind)
	if err != nil || ok {
		return b, err
	}
	// The general board's kind is the contract's `general`; its title is
	// for people.
	title := generalTitle
	if kind == KindItems {
		title = "Module discussions"
	}
	return s.store.AddBoard(ctx, BoardRecord{CourseID: c.ID, Title: title, Mode: ModeDiscussion, Kind: kind,
		CreatedBy: c.CreatedBy, CreatedAt: s.now().UTC()})
}

// errNeedsWrite tells a read path that a built-in board is missing and must
// be created in a write transaction first.
var errNeedsWrite = errors.New("discussion: built-in board missing")

// ThreadCourse returns the course a thread belongs to, without access
// checks and without revealing anything else: pages ask it first so that a
// thread named under another course's URL is 404 whatever the caller's role
// there.
func (s *Service) ThreadCourse(ctx context.Context, threadID uint64) (uint64, error) {
	t, err := s.store.Thread(ctx, threadID)
	return t.CourseID, errs.Wrap(err, "thread course")
}

// PostCourse is ThreadCourse for a post.
func (s *Service) PostCourse(ctx context.Context, postID uint64) (uint64, error) {
	p, err := s.store.Post(ctx, postID)
	return p.CourseID, errs.Wrap(err, "post course")
}

// ReportCourse is ThreadCourse for a report.
func (s *Service) ReportCourse(ctx context.Context, reportID uint64) (uint64, error) {
	r, err := s.store.Report(ctx, reportID)
	return r.CourseID, errs.Wrap(err, "report course")
}
