package discussion

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"

	"pacer/api"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/storage"
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
	err := s.db.Update(func(tx *storage.Tx) error {
		b, a, err := s.boardAccessTx(tx, caller, boardID)
		if err != nil {
			return err
		}
		if b.Kind == KindItems {
			return errs.Forbid("threads on this board belong to discussion items")
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		t, p, err := s.createThreadTx(tx, b, caller, title, body, html, 0)
		if err != nil {
			return err
		}
		sc := &scope{access: a, board: b, thread: t, seeAll: true}
		if p.Mentioned, err = s.notifyPostTx(tx, sc, p, body); err != nil {
			return err
		}
		if len(p.Mentioned) > 0 {
			// Remembered so that an edit does not mention them again.
			if err := tx.Put(storage.Posts, storage.ID(p.ID), p); err != nil {
				return err
			}
		}
		student, course = a.Student(), b.CourseID
		out, err = s.threadView(tx, sc, s.newAuthors(tx, b.CourseID), nil)
		return err
	})
	if err != nil {
		return out, errs.Wrap(err, "create thread")
	}
	if student {
		s.courses.Touch(course, caller)
	}
	return out, nil
}

// createThreadTx stores a thread and its opening post and indexes both. The
// author of a thread started by a member is subscribed to it; item threads
// (item != 0) are written in a nominal author's name, who is not.
func (s *Service) createThreadTx(tx *storage.Tx, b boardRec, author uint64, title, body, html string, item uint64) (threadRec, postRec, error) {
	now := s.now().UTC()
	tid, err := tx.NextID(storage.Threads)
	if err != nil {
		return threadRec{}, postRec{}, err
	}
	pid, err := tx.NextID(storage.Posts)
	if err != nil {
		return threadRec{}, postRec{}, err
	}
	p := postRec{ID: pid, CourseID: b.CourseID, ThreadID: tid, AuthorID: author, BodyHTML: html,
		Snippet: snippet(html), CreatedAt: now}
	t := threadRec{ID: tid, CourseID: b.CourseID, BoardID: b.ID, ItemID: item, Title: title, AuthorID: author,
		OpeningPostID: pid, LastPostID: pid, CreatedAt: now, LastActivityAt: now}
	if err := s.putPostTx(tx, p, body); err != nil {
		return t, p, err
	}
	if err := tx.Put(storage.Threads, storage.ID(tid), t); err != nil {
		return t, p, err
	}
	if err := tx.PutRaw(storage.ThreadsByBoard, threadOrderKey(t), nil); err != nil {
		return t, p, err
	}
	if item == 0 {
		if err := tx.PutRaw(storage.Subscriptions, storage.Key(tid, author), subEntry(true, 0)); err != nil {
			return t, p, err
		}
	}
	return t, p, indexTx(tx, t, p, true)
}

// putPostTx stores a post, its source and its thread index entry.
func (s *Service) putPostTx(tx *storage.Tx, p postRec, source string) error {
	if err := tx.Put(storage.Posts, storage.ID(p.ID), p); err != nil {
		return err
	}
	if err := tx.PutRaw(storage.PostSources, storage.ID(p.ID), []byte(source)); err != nil {
		return err
	}
	return tx.PutRaw(storage.PostsByThread, storage.Key(p.ThreadID, p.ID), postEntry(p.AuthorID, p.Deleted))
}

// saveThreadTx stores a changed thread, moving its place in the board's
// list when its pin or last post changed, and counts the write in Rev.
// Every change of one of the thread's posts must call it, changed thread or
// not, since cached pages of the thread are valid only while the stored
// record stays the same.
func saveThreadTx(tx *storage.Tx, old, t threadRec) error {
	t.Rev = old.Rev + 1
	if old.Pinned != t.Pinned || old.LastPostID != t.LastPostID {
		if err := tx.Delete(storage.ThreadsByBoard, threadOrderKey(old)); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.ThreadsByBoard, threadOrderKey(t), nil); err != nil {
			return err
		}
	}
	return tx.Put(storage.Threads, storage.ID(t.ID), t)
}

// readStateTx is the last post the user has read in a thread (0: none).
func readStateTx(tx *storage.Tx, thread, user uint64) uint64 {
	return readU64(tx.GetRaw(storage.ReadStates, storage.Key(thread, user)))
}

// unreadTx counts the posts after the user's read mark that they can see,
// leaving out their own and deleted ones; the index entries carry enough to
// do so without decoding a post.
func unreadTx(tx *storage.Tx, t threadRec, user, lastRead uint64, seeAll bool) int {
	n := 0
	_ = tx.EachFrom(storage.PostsByThread, storage.Key(t.ID), storage.Key(t.ID, lastRead+1), func(k, v []byte) error {
		author, deleted := parsePostEntry(v)
		if deleted || author == user || (!seeAll && storage.Part(k, 1) != t.OpeningPostID) {
			return nil
		}
		n++
		return nil
	})
	return n
}

// threadView is a thread as the scope's caller sees it; marks are the
// caller's buffered read marks, taken before the transaction began.
func (s *Service) threadView(tx *storage.Tx, sc *scope, au *authors, marks readMarks) (Thread, error) {
	t, me := sc.thread, sc.caller()
	author, err := au.get(t.AuthorID)
	if err != nil {
		return Thread{}, err
	}
	last := lastReadTx(tx, marks, t.ID, me)
	v := Thread{ID: t.ID, CourseID: t.CourseID, BoardID: t.BoardID, ItemID: t.ItemID, Mode: sc.board.Mode,
		Title: t.Title, Author: author, Pinned: t.Pinned, Locked: t.Locked, Answered: t.AnswerPostID != 0,
		ReplyCount: t.ReplyCount, UnreadCount: unreadTx(tx, t, me, last, sc.seeAll), LastReadPostID: last,
		RepliesHidden: !sc.seeAll, CreatedAt: t.CreatedAt, LastActivityAt: t.LastActivityAt}
	if sc.seeAll {
		v.AnswerPostID = t.AnswerPostID
	}
	v.Subscribed = subscribedTx(tx, t, me, sc.staff())
	return v, nil
}

// postView is a post as the scope's caller sees it. The Markdown source is
// read only for posts the caller may edit, which are the only ones that
// need it.
func (s *Service) postView(tx *storage.Tx, sc *scope, au *authors, p postRec) (Post, error) {
	author, err := au.get(p.AuthorID)
	if err != nil {
		return Post{}, err
	}
	v := Post{ID: p.ID, CourseID: p.CourseID, ThreadID: p.ThreadID, ParentID: p.ParentID, Depth: p.Depth, Author: author,
		BodyHTML: p.BodyHTML, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Endorsed: p.Endorsed,
		Answer: p.ID == sc.thread.AnswerPostID, Deleted: p.Deleted}
	if !p.Deleted && sc.canModify(p.AuthorID) && (!sc.thread.Locked || sc.staff()) {
		v.CanEdit = true
		v.Body = string(tx.GetRaw(storage.PostSources, storage.ID(p.ID)))
	}
	return v, nil
}

// Thread returns a thread with one page of its posts, oldest first, and
// marks what it showed as read (written behind, see reads.go). The cursor
// is the last post id shown; post ids only grow and writers commit one at a
// time, so a page that resumes after it never skips or repeats a post while
// others are posting.
func (s *Service) Thread(ctx context.Context, caller, threadID uint64, page api.Page) (ThreadPage, error) {
	out := ThreadPage{Items: []Post{}}
	after, err := page.CursorID()
	if err != nil {
		return out, err
	}
	var shown uint64
	marks := s.reads.marksOf(caller)
	names := s.nameReader()
	err = s.db.View(func(tx *storage.Tx) error {
		sc, err := s.threadScopeTx(tx, caller, threadID)
		if err != nil {
			return err
		}
		au := s.newAuthors(tx, sc.thread.CourseID)
		au.names = names
		if out.Thread, err = s.threadView(tx, sc, au, marks); err != nil {
			return err
		}
		posts, err := s.pageTx(tx, sc, after, page.Limit, &out.NextCursor)
		if err != nil {
			return err
		}
		authorIDs := make([]uint64, len(posts))
		for i, p := range posts {
			authorIDs[i] = p.AuthorID
		}
		if err := au.prefetch(authorIDs); err != nil {
			return err
		}
		out.Items = slices.Grow(out.Items, len(posts))
		for _, p := range posts {
			pv, err := s.postView(tx, sc, au, p)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, pv)
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
		if err := s.markRead(threadID, caller, shown); err != nil {
			return out, err
		}
	}
	return out, nil
}

// pageTx returns the posts of one page of the scope's thread that the
// caller may see: up to limit posts after the post id after, oldest first.
// It sets next to the page's cursor when more follow.
func (s *Service) pageTx(tx *storage.Tx, sc *scope, after uint64, limit int, next *string) ([]postRec, error) {
	t := sc.thread
	var out []postRec
	cached, err := s.threadPostsTx(tx, t)
	if err != nil {
		return nil, err
	}
	if cached != nil {
		rest := cached.after(after)
		out = make([]postRec, 0, min(limit, len(rest)))
		for _, p := range rest {
			if !sc.sees(parentHint(t, p.ID), p.AuthorID) {
				continue
			}
			if len(out) == limit {
				*next = api.FormatID(out[len(out)-1].ID)
				break
			}
			out = append(out, p)
		}
		return out, nil
	}
	var ids []uint64
	err = tx.EachFrom(storage.PostsByThread, storage.Key(t.ID), storage.Key(t.ID, after+1), func(k, v []byte) error {
		author, _ := parsePostEntry(v)
		id := storage.Part(k, 1)
		if !sc.sees(parentHint(t, id), author) {
			return nil
		}
		if len(ids) == limit {
			*next = api.FormatID(ids[len(ids)-1])
			return storage.Stop
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		p, err := s.memo.postTx(tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ThreadHead returns a thread as the caller sees it, without its posts and
// without marking anything read: for pages that act on a thread.
func (s *Service) ThreadHead(ctx context.Context, caller, threadID uint64) (Thread, error) {
	var out Thread
	marks := s.reads.marksOf(caller)
	err := s.db.View(func(tx *storage.Tx) error {
		sc, err := s.threadScopeTx(tx, caller, threadID)
		if err != nil {
			return err
		}
		out, err = s.threadView(tx, sc, s.newAuthors(tx, sc.thread.CourseID), marks)
		return err
	})
	return out, errs.Wrap(err, "get thread")
}

// parentHint stands in for a post's parent where only the index entry is
// at hand: the opening post is the only post without a parent.
func parentHint(t threadRec, post uint64) uint64 {
	if post == t.OpeningPostID {
		return 0
	}
	return t.OpeningPostID
}

// threadCursor is the opaque form of a place in a board's thread list: the
// list key after the board id.
func threadCursor(k []byte) string { return base64.RawURLEncoding.EncodeToString(k[8:]) }

func parseThreadCursor(board uint64, c string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) != 24 {
		return nil, errs.Field("cursor", "invalid")
	}
	// Appending a zero byte gives the first key strictly after the cursor's.
	return append(append(storage.Key(board), raw...), 0), nil
}

// Threads lists a board's threads: pinned first, then by last activity, each
// with the caller's unread count. Students see item threads only for items
// open to them.
func (s *Service) Threads(ctx context.Context, caller, boardID uint64, page api.Page) (ThreadList, error) {
	out := ThreadList{Items: []Thread{}}
	start := storage.Key(boardID)
	if page.Cursor != "" {
		var err error
		if start, err = parseThreadCursor(boardID, page.Cursor); err != nil {
			return out, err
		}
	}
	marks := s.reads.marksOf(caller)
	err := s.db.View(func(tx *storage.Tx) error {
		b, a, err := s.boardAccessTx(tx, caller, boardID)
		if err != nil {
			return err
		}
		out.Board = boardView(tx, b)
		au := s.newAuthors(tx, b.CourseID)
		items := s.newItemGate(tx, a)
		var lastKey []byte
		return tx.EachFrom(storage.ThreadsByBoard, storage.Key(boardID), start, func(k, _ []byte) error {
			if len(out.Items) == page.Limit {
				out.NextCursor = threadCursor(lastKey)
				return storage.Stop
			}
			t, err := s.memo.threadTx(tx, storage.Part(k, 3))
			if err != nil {
				return err
			}
			if ok, err := items.open(t.ItemID); err != nil || !ok {
				return err
			}
			sc := &scope{access: a, board: b, thread: t, seeAll: seesAllTx(tx, a.Staff(), b, t, caller)}
			v, err := s.threadView(tx, sc, au, marks)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
			lastKey = append(lastKey[:0], k...)
			return nil
		})
	})
	return out, errs.Wrap(err, "list threads")
}

// itemGate answers, for one caller and one read, whether an item thread's
// item is open to them, computing the student's view of the course once.
type itemGate struct {
	s       *Service
	tx      *storage.Tx
	access  modules.Access
	learner *modules.Learner
	seen    map[uint64]bool
}

func (s *Service) newItemGate(tx *storage.Tx, a modules.Access) *itemGate {
	return &itemGate{s: s, tx: tx, access: a, seen: map[uint64]bool{}}
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
		l, err := g.s.courses.LearnerTx(g.tx, g.access.Course, *g.access.Member, false)
		if err != nil {
			return false, err
		}
		g.learner = l
	}
	ok := false
	it, err := modules.ItemTx(g.tx, g.access.Course.ID, item)
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
	return s.staffThreadOp(caller, threadID, "pin thread", func(t *threadRec) { t.Pinned = on })
}

// SetLocked locks or unlocks a thread (staff only). Nobody can reply to a
// locked thread; its authors can no longer edit or delete their posts.
func (s *Service) SetLocked(ctx context.Context, caller, threadID uint64, on bool) error {
	return s.staffThreadOp(caller, threadID, "lock thread", func(t *threadRec) { t.Locked = on })
}

func (s *Service) staffThreadOp(caller, threadID uint64, during string, change func(*threadRec)) error {
	err := s.db.Update(func(tx *storage.Tx) error {
		sc, err := s.threadScopeTx(tx, caller, threadID)
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
		return saveThreadTx(tx, sc.thread, t)
	})
	return errs.Wrap(err, during)
}

// SetSubscribed subscribes the caller to a thread's replies or opts them
// out. An opt-out is remembered, so replying again does not resubscribe.
func (s *Service) SetSubscribed(ctx context.Context, caller, threadID uint64, on bool) error {
	err := s.db.Update(func(tx *storage.Tx) error {
		if _, err := s.threadScopeTx(tx, caller, threadID); err != nil {
			return err
		}
		// A subscriber's unread reply notification stays theirs to read.
		key := storage.Key(threadID, caller)
		_, notification := parseSubEntry(tx.GetRaw(storage.Subscriptions, key))
		return tx.PutRaw(storage.Subscriptions, key, subEntry(on, notification))
	})
	return errs.Wrap(err, "subscription")
}

// SetAnswer marks a reply as the thread's answer (the thread's author or
// staff); postID 0 clears it. The reply's author is notified.
func (s *Service) SetAnswer(ctx context.Context, caller, threadID, postID uint64, clear bool) error {
	err := s.db.Update(func(tx *storage.Tx) error {
		sc, err := s.threadScopeTx(tx, caller, threadID)
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
			return saveThreadTx(tx, sc.thread, t)
		}
		if postID == 0 {
			return errs.Field("post_id", "required")
		}
		p, err := getPost(tx, postID)
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
		if err := saveThreadTx(tx, sc.thread, t); err != nil {
			return err
		}
		if p.AuthorID == caller {
			return nil
		}
		return s.tellAuthorTx(tx, sc, p, caller, notify.KindAnswer)
	})
	return errs.Wrap(err, "set answer")
}
