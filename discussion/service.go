package discussion

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"time"

	"pacer/api"
	"pacer/audit"
	"pacer/errs"
	"pacer/markdown"
	"pacer/modules"
	"pacer/notify"
	"pacer/storage"
)

// Service is the discussion service. It joins the transactions of the
// course service (item hooks, course creation) and writes notifications in
// its own transactions through the notify service.
type Service struct {
	db      *storage.DB
	courses *modules.Service
	notify  *notify.Service
	md      *markdown.Renderer
	now     func() time.Time
	// log hears of the background loop's failures (Start), which have
	// nobody else to tell.
	log *slog.Logger
	// posts limits new threads and replies per user, for the API and the
	// pages alike (see LimitPosts).
	posts *api.RateLimiter
	// previews limits Markdown previews per user, and renders how many run
	// at once (see Preview).
	previews *api.RateLimiter
	renders  *api.Gate
	// Audit records posts deleted by staff (nil records nothing).
	Audit *audit.Log
	// Names, when set, serves authors' names from the auth service's cache
	// of users on thread pages (server: Discussion.Names = Auth); without
	// it they are read from the store. Set it before serving.
	Names NameSource
	// ReadFlushEvery is how long read marks wait in memory at most, given
	// further reads (reads.go); set it before serving.
	ReadFlushEvery time.Duration
	// DeliverEvery is how long replies' notifications and search postings
	// wait to be delivered at most when nobody reads them (deliver.go);
	// set it before serving.
	DeliverEvery time.Duration
	// memo skips the JSON decode of records read again unchanged;
	// threads keeps the posts of threads being read.
	memo    *memos
	threads *threadCache
	// reads buffers read marks between flushes (reads.go).
	reads *readBuffer
	// queue counts replies whose notifications and search postings are
	// still to be delivered (deliver.go).
	queue *replyQueue
}

// New builds the service and installs its hooks in the course service: a
// general board with every new course, and a thread with every discussion
// item. Call it once, before serving. log (nil: discarded) hears of the
// background loop's failures.
func New(db *storage.DB, courses *modules.Service, n *notify.Service, md *markdown.Renderer, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Service{db: db, courses: courses, notify: n, md: md, now: now, log: log,
		posts:    api.NewRateLimiter(DefaultPostLimit, DefaultPostWindow, now),
		previews: api.NewRateLimiter(DefaultPreviewLimit, DefaultPreviewWindow, now),
		renders:  api.NewGate(max(1, runtime.GOMAXPROCS(0)/2), DefaultPreviewWait),
		memo:     newMemos(), threads: newThreadCache(),
		reads: newReadBuffer(now()), queue: newReplyQueue(now()),
		ReadFlushEvery: DefaultReadFlushEvery, DeliverEvery: DefaultDeliverEvery}
	// Every read of notifications first delivers the replies already
	// acknowledged, so that it shows their subscribers' notifications.
	n.Late = append(n.Late, s.DeliverReplies)
	courses.OnCourseCreated = append(courses.OnCourseCreated, func(tx *storage.Tx, c modules.Course) error {
		_, err := s.ensureBoardTx(tx, c, KindGeneral)
		return err
	})
	courses.OnCourseCopied = append(courses.OnCourseCopied, s.copyBoardsTx)
	courses.OnCourseDeleted = append(courses.OnCourseDeleted, s.deleteBoardsTx)
	courses.RegisterKind(modules.KindDiscussion, modules.KindHook{
		Validate: func(_ *storage.Tx, _ modules.Course, it *modules.Item) error {
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

// NameSource reads user names through a cache: NameReader is called before
// a read transaction begins and the reader it returns is used inside it.
// auth.Service is one.
type NameSource interface {
	NameReader() func(tx *storage.Tx, id uint64) (string, error)
}

// scope is a thread together with what the caller may do in it, derived from
// the stored thread: its board and its course.
type scope struct {
	access modules.Access
	board  boardRec
	thread threadRec
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

func getBoard(tx *storage.Tx, id uint64) (boardRec, error) {
	var b boardRec
	err := tx.Get(storage.Boards, storage.ID(id), &b)
	if errors.Is(err, storage.ErrNotFound) {
		return b, errs.NotFoundf("board")
	}
	return b, err
}

func getThread(tx *storage.Tx, id uint64) (threadRec, error) {
	var t threadRec
	err := tx.Get(storage.Threads, storage.ID(id), &t)
	if errors.Is(err, storage.ErrNotFound) {
		return t, errs.NotFoundf("thread")
	}
	return t, err
}

func getPost(tx *storage.Tx, id uint64) (postRec, error) {
	var p postRec
	err := tx.Get(storage.Posts, storage.ID(id), &p)
	if errors.Is(err, storage.ErrNotFound) {
		return p, errs.NotFoundf("post")
	}
	return p, err
}

// boardAccessTx loads a board and the caller's membership of its course.
func (s *Service) boardAccessTx(tx *storage.Tx, caller, boardID uint64) (boardRec, modules.Access, error) {
	b, err := getBoard(tx, boardID)
	if err != nil {
		return b, modules.Access{}, err
	}
	a, err := s.courses.MemberAccessTx(tx, b.CourseID, caller)
	if err != nil {
		return b, a, notFound(err, "board")
	}
	return b, a, nil
}

// threadScopeTx loads a thread for a caller: 404 unless they are a member of
// its course; for a student, the item of an item thread must be open to
// them (404 when hidden, 403 with the reason when locked).
func (s *Service) threadScopeTx(tx *storage.Tx, caller, threadID uint64) (*scope, error) {
	t, err := s.memo.threadTx(tx, threadID)
	if err != nil {
		return nil, err
	}
	b, err := s.memo.boardTx(tx, t.BoardID)
	if err != nil {
		return nil, notFound(err, "thread")
	}
	a, err := s.courses.MemberAccessTx(tx, b.CourseID, caller)
	if err != nil {
		return nil, notFound(err, "thread")
	}
	if t.ItemID != 0 && !a.Staff() {
		if _, err := s.courses.ItemAccessTx(tx, caller, b.CourseID, t.ItemID); err != nil {
			return nil, notFound(err, "thread")
		}
	}
	sc := &scope{access: a, board: b, thread: t}
	sc.seeAll = seesAllTx(tx, a.Staff(), b, t, caller)
	return sc, nil
}

// seesAllTx is the Q&A rule: staff, the thread's author and anyone who has
// replied see every post; in discussion boards everyone does.
func seesAllTx(tx *storage.Tx, staff bool, b boardRec, t threadRec, user uint64) bool {
	return staff || b.Mode != ModeQA || t.AuthorID == user || tx.Has(storage.Participants, storage.Key(t.ID, user))
}

// postScopeTx loads a post the caller may see, with its thread's scope.
func (s *Service) postScopeTx(tx *storage.Tx, caller, postID uint64) (*scope, postRec, error) {
	p, err := getPost(tx, postID)
	if err != nil {
		return nil, p, err
	}
	sc, err := s.threadScopeTx(tx, caller, p.ThreadID)
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
	tx     *storage.Tx
	memo   *memos
	course uint64
	seen   map[uint64]Author
	roles  func(tx *storage.Tx, course, user uint64) (string, error)
	// names, when set, reads names through the Names cache; it must have
	// been made before tx began.
	names func(tx *storage.Tx, id uint64) (string, error)
}

func (s *Service) newAuthors(tx *storage.Tx, course uint64) *authors {
	return &authors{tx: tx, memo: s.memo, course: course, seen: map[uint64]Author{}, roles: s.courses.RoleTx}
}

// nameReader returns the Names reader for a transaction about to begin
// (nil without Names).
func (s *Service) nameReader() func(tx *storage.Tx, id uint64) (string, error) {
	if s.Names == nil {
		return nil
	}
	return s.Names.NameReader()
}

func (a *authors) get(id uint64) (Author, error) {
	if au, ok := a.seen[id]; ok {
		return au, nil
	}
	au := Author{ID: id}
	var name string
	var err error
	if a.names != nil {
		name, err = a.names(a.tx, id)
	} else {
		name, err = a.memo.userName(a.tx, id)
	}
	switch {
	case err == nil:
		au.Name = name
	case errs.Is(err, errs.NotFound):
		au.Name = "(unknown)"
	default:
		return au, err
	}
	if au.Role, err = a.roles(a.tx, a.course, id); err != nil {
		return au, err
	}
	a.seen[id] = au
	return au, nil
}

// ensureBoardTx returns the course's board of a built-in kind, creating it
// the first time: the general board (courses made before this package
// existed get theirs on first use) and the board of item threads.
func (s *Service) ensureBoardTx(tx *storage.Tx, c modules.Course, kind string) (boardRec, error) {
	var found boardRec
	err := tx.Each(storage.BoardsByCourse, storage.Key(c.ID), func(k, _ []byte) error {
		b, err := getBoard(tx, storage.Part(k, 1))
		if err != nil {
			return err
		}
		if b.Kind == kind {
			found = b
			return storage.Stop
		}
		return nil
	})
	if err != nil || found.ID != 0 {
		return found, err
	}
	if !tx.Writable() {
		return found, errNeedsWrite
	}
	// The general board's kind is the contract's `general`; its title is
	// for people.
	title := generalTitle
	if kind == KindItems {
		title = "Module discussions"
	}
	return s.putBoardTx(tx, boardRec{CourseID: c.ID, Title: title, Mode: ModeDiscussion, Kind: kind,
		CreatedBy: c.CreatedBy, CreatedAt: s.now().UTC()})
}

// errNeedsWrite tells a read path that a built-in board is missing and must
// be created in a write transaction first.
var errNeedsWrite = errors.New("discussion: built-in board missing")

func (s *Service) putBoardTx(tx *storage.Tx, b boardRec) (boardRec, error) {
	id, err := tx.NextID(storage.Boards)
	if err != nil {
		return b, err
	}
	b.ID = id
	if err := tx.Put(storage.Boards, storage.ID(id), b); err != nil {
		return b, err
	}
	return b, tx.PutRaw(storage.BoardsByCourse, storage.Key(b.CourseID, id), nil)
}

// ThreadCourse returns the course a thread belongs to, without access
// checks and without revealing anything else: pages ask it first so that a
// thread named under another course's URL is 404 whatever the caller's role
// there.
func (s *Service) ThreadCourse(ctx context.Context, threadID uint64) (uint64, error) {
	var course uint64
	err := s.db.View(func(tx *storage.Tx) error {
		t, err := getThread(tx, threadID)
		course = t.CourseID
		return err
	})
	return course, errs.Wrap(err, "thread course")
}

// PostCourse is ThreadCourse for a post.
func (s *Service) PostCourse(ctx context.Context, postID uint64) (uint64, error) {
	var course uint64
	err := s.db.View(func(tx *storage.Tx) error {
		p, err := getPost(tx, postID)
		course = p.CourseID
		return err
	})
	return course, errs.Wrap(err, "post course")
}

// ReportCourse is ThreadCourse for a report.
func (s *Service) ReportCourse(ctx context.Context, reportID uint64) (uint64, error) {
	var course uint64
	err := s.db.View(func(tx *storage.Tx) error {
		var r reportRec
		if err := tx.Get(storage.Reports, storage.ID(reportID), &r); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return errs.NotFoundf("report")
			}
			return err
		}
		course = r.CourseID
		return nil
	})
	return course, errs.Wrap(err, "report course")
}
