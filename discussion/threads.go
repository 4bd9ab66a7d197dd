package discussion

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"

	"pacer/cache"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/page"
	"pacer/txn"
)

// validBody checks a Markdown body: required, not blank, bounded.
func validBody(p *string) (string, string) {
	if p == nil {
		return "", "required"
	}
	if r := modules.ValidText(*p); r != "" {
		return "", r
	}
	if len(*p) > maxBody {
		return "", fmt.Sprintf("must be at most %d bytes", maxBody)
	}
	if isBlank(*p) {
		return "", "required"
	}
	return *p, ""
}

// CreateThread starts a thread on a board with its opening post; the author
// is subscribed to it. The board of item threads takes no new threads.
func (s *Service) CreateThread(ctx context.Context, caller, boardID uint64, in ThreadInput) (Thread, error) {
	fields := map[string]string{}
	var title string
	if in.Title == nil {
		fields["title"] = "required"
	} else if t, r := modules.ValidTitle(*in.Title); r != "" {
		fields["title"] = r
	} else {
		title = t
	}
	body, r := validBody(in.Body)
	if r != "" {
		fields["body"] = r
	}
	html := ""
	if len(fields) == 0 {
		html = s.md.HTML(body)
	}
	var out Thread
	var student bool
	var course uint64
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		b, a, err := s.boardAccess(ctx, caller, boardID)
		if err != nil {
			return err
		}
		if b.Kind == KindItems {
			return errs.Forbid("threads on this board belong to discussion items")
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		t, p, err := s.createThread(ctx, b, caller, title, body, html, 0)
		if err != nil {
			return err
		}
		sc := &scope{access: a, board: b, thread: t, seeAll: true}
		if p.Mentioned, err = s.notifyPost(ctx, sc, p, body); err != nil {
			return err
		}
		if len(p.Mentioned) > 0 {
			// Remembered so that an edit does not mention them again.
			if err := s.store.UpdatePost(ctx, p); err != nil {
				return err
			}
		}
		student, course = a.Student(), b.CourseID
		out, err = s.threadView(ctx, sc, s.newAuthors(ctx, b.CourseID), nil)
		return err
	})
	if err != nil {
		return out, errs.Wrap(err, "create thread")
	}
	if student {
		s.courses.Touch(ctx, course, caller)
	}
	return out, nil
}

// createThread stores a thread and its opening post and indexes both. The
// author of a thread started by a member is subscribed to it; item threads
// (item != 0) are written in a nominal author's name, who is not.
func (s *Service) createThread(ctx context.Context, b BoardRecord, author uint64, title, body, html string, item uint64) (ThreadRecord, PostRecord, error) {
	now := s.now().UTC()
	p := PostRecord{CourseID: b.CourseID, AuthorID: author, BodyHTML: html, Snippet: snippet(html), CreatedAt: now}
	t := ThreadRecord{CourseID: b.CourseID, BoardID: b.ID, ItemID: item, Title: title, AuthorID: author,
		CreatedAt: now, LastActivityAt: now}
	t, p, err := s.store.AddThread(ctx, t, p, body)
	if err != nil {
		return t, p, err
	}
	if item == 0 {
		if err := s.store.SetSubscription(ctx, t.ID, author, Subscription{State: SubOn}); err != nil {
			return t, p, err
		}
	}
	return t, p, s.store.AddPostings(ctx, postings(t, p))
}

// saveThread stores a changed thread, moving its place in the board's
// list when its pin or last post changed, and counts the write in Rev.
// Every change of one of the thread's posts must call it, changed thread or
// not, since cached pages of the thread are valid only while the stored
// record stays the same.
func (s *Service) saveThread(ctx context.Context, old, t ThreadRecord) error {
	t.Rev = old.Rev + 1
	return s.store.SaveThread(ctx, old, t)
}

// unread counts the posts after the user's read mark that they can see,
// leaving out their own and deleted ones.
func (s *Service) unread(ctx context.Context, t ThreadRecord, user, lastRead uint64, seeAll bool) (int, error) {
	return s.store.CountUnread(ctx, t, user, lastRead, seeAll)
}

// threadView is a thread as the scope's caller sees it; marks are the
// caller's buffered read marks, taken before the transaction began.
func (s *Service) threadView(ctx context.Context, sc *scope, au *authors, marks readMarks) (Thread, error) {
	t, me := sc.thread, sc.caller()
	author, err := au.get(t.AuthorID)
	if err != nil {
		return Thread{}, err
	}
	last, err := s.lastRead(ctx, marks, t.ID, me)
	if err != nil {
		return Thread{}, err
	}
	unread, err := s.unread(ctx, t, me, last, sc.seeAll)
	if err != nil {
		return Thread{}, err
	}
	v := sc.view(author, last, unread)
	v.Subscribed, err = s.subscribed(ctx, t, me, sc.staff())
	return v, err
}

// view is the scope's thread as its caller sees it, but for Subscribed.
func (sc *scope) view(author Author, last uint64, unread int) Thread {
	t := sc.thread
	v := Thread{ID: t.ID, CourseID: t.CourseID, BoardID: t.BoardID, ItemID: t.ItemID, Mode: sc.board.Mode,
		Title: t.Title, Author: author, Pinned: t.Pinned, Locked: t.Locked, Answered: t.AnswerPostID != 0,
		ReplyCount: t.ReplyCount, UnreadCount: unread, LastReadPostID: last,
		RepliesHidden: !sc.seeAll, CreatedAt: t.CreatedAt, LastActivityAt: t.LastActivityAt}
	if sc.seeAll {
		v.AnswerPostID = t.AnswerPostID
	}
	return v
}

// postView is a post as the scope's caller sees it. The Markdown source is
// read only for posts the caller may edit, which are the only ones that
// need it.
func (s *Service) postView(ctx context.Context, sc *scope, au *authors, p PostRecord) (Post, error) {
	return postViewFrom(sc, au, p, func(id uint64) (string, error) { return s.store.PostSource(ctx, id) })
}

// editable reports whether the scope's caller may edit post p, and so
// whether its view carries its Markdown source.
func (sc *scope) editable(p PostRecord) bool {
	return !p.Deleted && sc.canModify(p.AuthorID) && (!sc.thread.Locked || sc.staff())
}

// postViewFrom is postView reading sources with source.
func postViewFrom(sc *scope, au *authors, p PostRecord, source func(id uint64) (string, error)) (Post, error) {
	author, err := au.get(p.AuthorID)
	if err != nil {
		return Post{}, err
	}
	v := Post{ID: p.ID, CourseID: p.CourseID, ThreadID: p.ThreadID, ParentID: p.ParentID, Depth: p.Depth, Author: author,
		BodyHTML: p.BodyHTML, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Endorsed: p.Endorsed,
		Answer: p.ID == sc.thread.AnswerPostID, Deleted: p.Deleted}
	if sc.editable(p) {
		v.CanEdit = true
		if v.Body, err = source(p.ID); err != nil {
			return Post{}, err
		}
	}
	return v, nil
}

// Thread returns a thread with one page of its posts, oldest first, and
// marks what it showed as read (written behind, see reads.go). The cursor
// is the last post id shown. A page that resumes after it never skips or
// repeats a post while others are posting, because within a thread post
// ids grow in commit order: a reply takes its id (larger than every id
// given before) once it holds its thread's lock, and keeps the lock until
// it commits the thread's record (LastPostID, ReplyCount) with the post
// (Store.LockThreadToReply; bbolt, with one writer, simply runs replies in
// turn). The next reply to the thread takes its id only after that
// commit. So no post can commit with an id below one already shown.
func (s *Service) Thread(ctx context.Context, caller, threadID uint64, req page.Request) (ThreadPage, error) {
	out := ThreadPage{Items: []Post{}}
	after, err := req.CursorID()
	if err != nil {
		return out, err
	}
	var shown uint64
	marks := s.reads.marksOf(caller)
	// Once the thread is cached, the page is one round trip: the
	// revisions of what it checks through caches go with the read of the
	// thread and the caller's state in it (txn.Cached; on PostgreSQL,
	// outside any other transaction, see cache.Prefetch).
	err = s.tx.Read(txn.Cached(ctx), func(ctx context.Context) error {
		// What the page will check is foreseen from the thread as last
		// cached, before the thread is read; should the thread have
		// changed since, whatever was not foreseen is read as usual.
		if e, _ := s.threads.memo.Get(threadID); e != nil {
			if err := s.readAhead(ctx, caller, e.thread, e, after, req.Limit); err != nil {
				return err
			}
		}
		// The thread, its board and the caller's state in it come in one
		// read, the posts from the thread cache, and the authors of the
		// thread and of the page in one read each for names and roles.
		rt, err := s.store.ReaderThread(ctx, threadID, caller)
		if err != nil {
			return err
		}
		// The posts come from the cache before the caller's access is
		// checked (nothing of them is answered unless it passes), so
		// that the revisions the access and the page's authors need
		// are read in one go (readAhead).
		cached, err := s.threadPosts(ctx, rt.Thread)
		if err != nil {
			return err
		}
		if err := s.readAhead(ctx, caller, rt.Thread, cached, after, req.Limit); err != nil {
			return err
		}
		sc, err := s.scopeIn(ctx, caller, rt.Thread, rt.Board, &rt.Participant)
		if err != nil {
			return err
		}
		posts, err := s.page(ctx, sc, cached, after, req.Limit, &out.NextCursor)
		if err != nil {
			return err
		}
		au := s.newAuthors(ctx, sc.thread.CourseID)
		authorIDs := make([]uint64, 0, len(posts)+1)
		authorIDs = append(authorIDs, sc.thread.AuthorID)
		for _, p := range posts {
			authorIDs = append(authorIDs, p.AuthorID)
		}
		if err := au.prefetch(authorIDs); err != nil {
			return err
		}
		if out.Thread, err = s.readerView(ctx, sc, au, rt, marks, cached); err != nil {
			return err
		}
		if out.Items, err = s.pagePosts(ctx, sc, au, cached, posts, out.Items); err != nil {
			return err
		}
		if n := len(posts); n > 0 && posts[n-1].ID > out.Thread.LastReadPostID {
			shown = posts[n-1].ID
		}
		return nil
	})
	if err != nil {
		return out, errs.Wrap(err, "get thread")
	}
	if shown != 0 {
		if err := s.markRead(ctx, threadID, caller, shown); err != nil {
			return out, err
		}
	}
	return out, nil
}

// readAhead reads, in one go, the revisions of what a thread page checks
// through caches: the caller's access to the course (and to the thread's
// item) and the names and roles of the authors the page may show — the
// thread's and those of the next limit posts after the cursor, before the
// caller's view of them is known (a post hidden from the caller costs
// only the revisions of its author). Authors it did not foresee are read
// later as usual.
func (s *Service) readAhead(ctx context.Context, caller uint64, t ThreadRecord, cached *threadPosts, after uint64, limit int) error {
	course := t.CourseID
	ahead := s.courses.AccessAhead(ctx, course, caller, t.ItemID)
	authors := []uint64{t.AuthorID}
	if cached != nil {
		next := cached.after(after)
		for _, p := range next[:min(limit, len(next))] {
			authors = append(authors, p.AuthorID)
		}
	}
	slices.Sort(authors)
	authors = slices.Compact(authors)
	ahead = append(ahead, s.users.NamesAhead(ctx, authors)...)
	ahead = append(ahead, s.courses.RolesAhead(ctx, course, authors)...)
	return cache.Prefetch(ctx, ahead...)
}

// pagePosts appends the views of a page's posts to out, reading the
// sources of those the caller may edit in one read (all of them, for
// staff), or taking them from cached, the thread's posts, when at hand.
func (s *Service) pagePosts(ctx context.Context, sc *scope, au *authors, cached *threadPosts, posts []PostRecord, out []Post) ([]Post, error) {
	var ids []uint64
	for _, p := range posts {
		if sc.editable(p) {
			ids = append(ids, p.ID)
		}
	}
	var sources map[uint64]string
	if cached != nil && len(ids) > 0 {
		var err error
		if sources, err = s.threadSources(ctx, cached); err != nil {
			return out, err
		}
	} else if len(ids) > 1 {
		var err error
		if sources, err = s.store.PostSources(ctx, ids); err != nil {
			return out, err
		}
	}
	source := func(id uint64) (string, error) {
		if sources != nil {
			return sources[id], nil
		}
		return s.store.PostSource(ctx, id)
	}
	out = slices.Grow(out, len(posts))
	for _, p := range posts {
		pv, err := postViewFrom(sc, au, p, source)
		if err != nil {
			return out, err
		}
		out = append(out, pv)
	}
	return out, nil
}

// readerView is threadView of a thread read with its reader's state (rt);
// the unread posts are counted in cached, the thread's posts, when they
// are at hand (nil: the store counts them).
func (s *Service) readerView(ctx context.Context, sc *scope, au *authors, rt ReaderThread, marks readMarks, cached *threadPosts) (Thread, error) {
	t, me := sc.thread, sc.caller()
	author, err := au.get(t.AuthorID)
	if err != nil {
		return Thread{}, err
	}
	last := max(rt.ReadMark, marks[t.ID])
	var unread int
	if cached != nil {
		unread = cached.unread(me, last, sc.seeAll)
	} else if unread, err = s.unread(ctx, t, me, last, sc.seeAll); err != nil {
		return Thread{}, err
	}
	v := sc.view(author, last, unread)
	v.Subscribed = subscribedBy(rt.Subscription, sc.staff(), rt.Follows)
	return v, nil
}

// page returns the posts of one page of the scope's thread that the
// caller may see: up to limit posts after the post id after, oldest first,
// from cached, the thread's posts, or from the store when they are not at
// hand (nil). It sets next to the page's cursor when more follow.
func (s *Service) page(ctx context.Context, sc *scope, cached *threadPosts, after uint64, limit int, next *string) ([]PostRecord, error) {
	t := sc.thread
	if cached != nil {
		rest := cached.after(after)
		out := make([]PostRecord, 0, min(limit, len(rest)))
		for _, p := range rest {
			if !sc.sees(parentHint(t, p.ID), p.AuthorID) {
				continue
			}
			if len(out) == limit {
				*next = page.FormatID(out[len(out)-1].ID)
				break
			}
			out = append(out, p)
		}
		return out, nil
	}
	out, more, err := s.store.PostsAfter(ctx, t.ID, after, limit, func(id, author uint64) bool {
		return sc.sees(parentHint(sc.thread, id), author)
	})
	if err != nil {
		return nil, err
	}
	if more && len(out) > 0 {
		*next = page.FormatID(out[len(out)-1].ID)
	}
	return out, nil
}

// ThreadHead returns a thread as the caller sees it, without its posts and
// without marking anything read: for pages that act on a thread.
func (s *Service) ThreadHead(ctx context.Context, caller, threadID uint64) (Thread, error) {
	var out Thread
	marks := s.reads.marksOf(caller)
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		rt, err := s.store.ReaderThread(ctx, threadID, caller)
		if err != nil {
			return err
		}
		sc, err := s.scopeIn(ctx, caller, rt.Thread, rt.Board, &rt.Participant)
		if err != nil {
			return err
		}
		out, err = s.readerView(ctx, sc, s.newAuthors(ctx, sc.thread.CourseID), rt, marks, nil)
		return err
	})
	return out, errs.Wrap(err, "get thread")
}

// parentHint stands in for a post's parent where only the index entry is
// at hand: the opening post is the only post without a parent.
func parentHint(t ThreadRecord, post uint64) uint64 {
	if post == t.OpeningPostID {
		return 0
	}
	return t.OpeningPostID
}

// threadCursor is the opaque form of a place in a board's thread list:
// unpinned (0 or 1), the inverted last post id and the thread id, 8 bytes
// each, in the order the list is sorted by.
func threadCursor(p ThreadPlace) string {
	raw := make([]byte, 24)
	if !p.Pinned {
		raw[7] = 1
	}
	binary.BigEndian.PutUint64(raw[8:], ^p.LastPostID)
	binary.BigEndian.PutUint64(raw[16:], p.ID)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func parseThreadCursor(c string) (*ThreadPlace, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) != 24 {
		return nil, errs.Field("cursor", "invalid")
	}
	unpinned := binary.BigEndian.Uint64(raw)
	if unpinned > 1 {
		return nil, errs.Field("cursor", "invalid")
	}
	return &ThreadPlace{Pinned: unpinned == 0, LastPostID: ^binary.BigEndian.Uint64(raw[8:]),
		ID: binary.BigEndian.Uint64(raw[16:])}, nil
}

// Threads lists a board's threads: pinned first, then by last activity, each
// with the caller's unread count. Students see item threads only for items
// open to them.
func (s *Service) Threads(ctx context.Context, caller, boardID uint64, req page.Request) (ThreadList, error) {
	out := ThreadList{Items: []Thread{}}
	var after *ThreadPlace
	if req.Cursor != "" {
		var err error
		if after, err = parseThreadCursor(req.Cursor); err != nil {
			return out, err
		}
	}
	marks := s.reads.marksOf(caller)
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		b, a, err := s.boardAccess(ctx, caller, boardID)
		if err != nil {
			return err
		}
		if out.Board, err = s.boardView(ctx, b); err != nil {
			return err
		}
		au := s.newAuthors(ctx, b.CourseID)
		items := s.newItemGate(ctx, a)
		threads, more, err := s.store.BoardThreadsPage(ctx, boardID, after, req.Limit, func(t ThreadRecord) (bool, error) {
			return items.open(t.ItemID)
		})
		if err != nil {
			return err
		}
		for _, t := range threads {
			sc := &scope{access: a, board: b, thread: t}
			if sc.seeAll, err = s.seesAll(ctx, a.Staff(), b, t, caller); err != nil {
				return err
			}
			v, err := s.threadView(ctx, sc, au, marks)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
		}
		if more && len(threads) > 0 {
			out.NextCursor = threadCursor(PlaceOf(threads[len(threads)-1]))
		}
		return nil
	})
	return out, errs.Wrap(err, "list threads")
}

// itemGate answers, for one caller and one read, whether an item thread's
// item is open to them, computing the student's view of the course once.
type itemGate struct {
	s       *Service
	ctx     context.Context // carries the read's transaction
	access  modules.Access
	learner *modules.Learner
	seen    map[uint64]bool
}

func (s *Service) newItemGate(ctx context.Context, a modules.Access) *itemGate {
	return &itemGate{s: s, ctx: ctx, access: a, seen: map[uint64]bool{}}
}

// open reports whether the item (0: no item) is open to the caller: staff
// see every item; a student sees published items of visible, unlocked
// modules.
func (g *itemGate) open(item uint64) (bool, error) {
	if item == 0 || g.access.Staff() {
		return true, nil
	}
	if ok, seen := g.seen[item]; seen {
		return ok, nil
	}
	if g.learner == nil {
		l, err := g.s.courses.Learner(g.ctx, g.access.Course, *g.access.Member, false)
		if err != nil {
			return false, err
		}
		g.learner = l
	}
	ok := false
	it, err := g.s.courses.Item(g.ctx, g.access.Course.ID, item)
	switch {
	case err == nil:
		m := g.learner.Module(it.ModuleID)
		ok = it.Published && m != nil && m.State != modules.StateLocked
	case !errs.Is(err, errs.NotFound):
		return false, err
	}
	g.seen[item] = ok
	return ok, nil
}

// SetPinned pins or unpins a thread (staff only).
func (s *Service) SetPinned(ctx context.Context, caller, threadID uint64, on bool) error {
	return s.staffThreadOp(ctx, caller, threadID, "pin thread", func(t *ThreadRecord) { t.Pinned = on })
}

// SetLocked locks or unlocks a thread (staff only). Nobody can reply to a
// locked thread; its authors can no longer edit or delete their posts.
func (s *Service) SetLocked(ctx context.Context, caller, threadID uint64, on bool) error {
	return s.staffThreadOp(ctx, caller, threadID, "lock thread", func(t *ThreadRecord) { t.Locked = on })
}

func (s *Service) staffThreadOp(ctx context.Context, caller, threadID uint64, during string, change func(*ThreadRecord)) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		sc, err := s.threadScope(ctx, caller, threadID)
		if err != nil {
			return err
		}
		if err := sc.access.RequireStaff(); err != nil {
			return err
		}
		t := sc.thread
		change(&t)
		if t == sc.thread {
			return nil
		}
		return s.saveThread(ctx, sc.thread, t)
	})
	return errs.Wrap(err, during)
}

// SetSubscribed subscribes the caller to a thread's replies or opts them
// out. An opt-out is remembered, so replying again does not resubscribe.
func (s *Service) SetSubscribed(ctx context.Context, caller, threadID uint64, on bool) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		if _, err := s.threadScope(ctx, caller, threadID); err != nil {
			return err
		}
		// A subscriber's unread reply notification stays theirs to read.
		sub, err := s.store.Subscription(ctx, threadID, caller)
		if err != nil {
			return err
		}
		sub.State = SubOff
		if on {
			sub.State = SubOn
		}
		return s.store.SetSubscription(ctx, threadID, caller, sub)
	})
	return errs.Wrap(err, "subscription")
}

// SetAnswer marks a reply as the thread's answer (the thread's author or
// staff); postID 0 clears it. The reply's author is notified.
func (s *Service) SetAnswer(ctx context.Context, caller, threadID, postID uint64, clear bool) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		sc, err := s.threadScope(ctx, caller, threadID)
		if err != nil {
			return err
		}
		if sc.thread.AuthorID != caller && !sc.staff() {
			return errs.Forbid("only the thread's author or staff may choose its answer")
		}
		t := sc.thread
		if clear {
			if t.AnswerPostID == 0 {
				return nil
			}
			t.AnswerPostID = 0
			return s.saveThread(ctx, sc.thread, t)
		}
		if postID == 0 {
			return errs.Field("post_id", "required")
		}
		p, err := s.store.Post(ctx, postID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if err != nil || p.ThreadID != t.ID || p.ParentID == 0 || p.Deleted {
			return errs.Field("post_id", "must be a reply in this thread")
		}
		if t.AnswerPostID == postID {
			return nil
		}
		t.AnswerPostID = postID
		if err := s.saveThread(ctx, sc.thread, t); err != nil {
			return err
		}
		if p.AuthorID == caller {
			return nil
		}
		return s.tellAuthor(ctx, sc, p, caller, notify.KindAnswer)
	})
	return errs.Wrap(err, "set answer")
}
