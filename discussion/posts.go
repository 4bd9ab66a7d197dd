package discussion

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pacer/audit"
	"pacer/cache"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/txn"
)

// Reply adds a reply to a thread. A reply to the opening post (or with no
// parent) is at depth 1; replies nest to depth 3, and a reply to a depth-3
// post attaches to that post's parent. The replier is subscribed unless they
// opted out, subscribers and mentioned members are notified, and a reply in
// a discussion item's thread completes the item for a student.
func (s *Service) Reply(ctx context.Context, caller, threadID uint64, in ReplyInput) (Post, error) {
	body, reason := validBody(in.Body)
	html := ""
	if reason == "" {
		// Rendered before the write transaction, which it would otherwise
		// hold for every writer.
		html = s.md.HTML(body)
	}
	var out Post
	var student bool
	var course uint64
	// Replies go through tx.Batch: concurrent posters share one commit
	// instead of queueing for an fsync each. The function may run again
	// after a rolled-back batch; it writes nothing outside the
	// transaction and sets every result afresh, so that is harmless.
	//
	// Every reply to a thread updates the thread's record (count, last
	// post), so serializable replies to a busy thread abort each other.
	// The work is written for row locks instead (txn.Locking): it locks
	// the thread before reading anything, and that lock is what its
	// invariants rest on. Every writer of a thread's record reads it
	// first, so with the lock held no reply, edit, deletion or moderation
	// of the thread runs beside this one, and the thread, its posts (a
	// deleted parent) and the next reply's count are read as the last of
	// them left them. Its other writes are single steps that need no read
	// before them: the post and the queue entry are inserts under fresh
	// ids, the participant an insert that ignores a duplicate, the
	// subscription a conditional upsert (SubscribeReplier). Mentions
	// notify members and a discussion item's reply marks progress, both
	// reads and writes of other owners' records: those replies call
	// txn.Serial and run serializable.
	err := s.tx.Batch(txn.Locking(ctx), func(ctx context.Context) error {
		out, student, course = Post{}, false, 0
		// The answer names the replier, and the replier's access to the
		// thread's course (and item) is checked: their revisions go with
		// the thread's lock, in its round trip. The course and item are
		// foreseen from where the thread was seen last (they never
		// change); should they be unknown, the access is read as usual.
		ahead := s.users.NamesAhead(ctx, []uint64{caller})
		if pl, ok := s.threads.place(threadID); ok {
			ahead = append(ahead, s.courses.AccessAhead(ctx, pl.course, caller, pl.item)...)
		}
		if err := cache.Prefetch(ctx, ahead...); err != nil {
			return err
		}
		t0, b, id, err := s.store.LockThreadToReply(ctx, threadID)
		if err != nil {
			return notFound(err, "thread")
		}
		s.threads.placed(t0)
		sc, err := s.scopeIn(ctx, caller, t0, b, nil)
		if err != nil {
			return err
		}
		t := sc.thread
		if t.Locked {
			return errs.ConflictCode("thread_locked", "this thread is locked")
		}
		if reason != "" {
			return errs.Field("body", reason)
		}
		// Before anything is written, so that only the serializable run
		// stores anything (the post id this run drew with the lock is
		// left as a gap). (A body with an @ that mentions nobody runs
		// serializable too: rare, and still correct.)
		if (t.ItemID != 0 && sc.access.Student()) || strings.Contains(body, "@") {
			if err := txn.Serial(ctx); err != nil {
				return err
			}
		}
		parent, depth := t.OpeningPostID, 1
		if in.ParentID != 0 && in.ParentID != t.OpeningPostID {
			pp, err := s.store.Post(ctx, in.ParentID)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			if err != nil || pp.ThreadID != t.ID || !sc.sees(pp.ParentID, pp.AuthorID) {
				return errs.Field("parent_id", "must be a post in this thread")
			}
			parent, depth = pp.ID, pp.Depth+1
			if pp.Depth >= maxDepth {
				parent, depth = pp.ParentID, maxDepth
			}
		}
		now := s.now().UTC()
		p := PostRecord{ID: id, CourseID: t.CourseID, ThreadID: t.ID, ParentID: parent, Depth: depth,
			AuthorID: caller, BodyHTML: html, Snippet: snippet(html), CreatedAt: now}
		// Replying makes every post of a Q&A thread visible to the replier;
		// the scope is updated so that this answer says so too.
		if err := s.store.AddParticipant(ctx, t.ID, caller); err != nil {
			return err
		}
		sc.seeAll = true
		nt := t
		nt.ReplyCount++
		nt.LastPostID, nt.LastActivityAt = id, now
		if err := s.saveThread(ctx, t, nt); err != nil {
			return err
		}
		sc.thread = nt
		// Replying subscribes, unless the replier opted out; staff who
		// only followed the thread by default now follow it by choice, so
		// that turning following off for the course keeps this thread.
		if err := s.store.SubscribeReplier(ctx, t.ID, caller); err != nil {
			return err
		}
		if p.Mentioned, err = s.notifyPost(ctx, sc, p, body); err != nil {
			return err
		}
		if err := s.store.SavePost(ctx, p, body); err != nil {
			return err
		}
		// Subscribers' notifications and search postings are delivered
		// behind, in batches (deliver.go).
		if err := s.store.QueueReply(ctx, t.ID, id); err != nil {
			return err
		}
		if t.ItemID != 0 && sc.access.Student() {
			if _, err := s.courses.Mark(ctx, t.CourseID, caller, t.ItemID, modules.StatusCompleted); err != nil {
				return err
			}
		}
		student, course = sc.access.Student(), t.CourseID
		// The post's source is body, just stored: not read back.
		// The replier's role is their access's.
		au := s.newAuthors(ctx, t.CourseID)
		au.role = map[uint64]string{caller: sc.access.Role()}
		out, err = postViewFrom(sc, au, p, func(uint64) (string, error) { return body, nil })
		return err
	})
	if err != nil {
		return out, errs.Wrap(err, "reply")
	}
	s.queue.Added()
	// Whoever replies has been reading the thread, so it counts as read up
	// to their reply: a read mark like any other, written behind (reads.go).
	// The reply is stored whatever becomes of the mark, so a failure to
	// write it (a due flush of the buffer, or the mark itself once the
	// buffer is off or full) must not tell the client otherwise; it is
	// logged instead.
	if err := s.markRead(ctx, threadID, caller, out.ID); err != nil {
		s.log.Error("discussion: read marks not written after a reply", "thread", threadID, "err", err)
	}
	if student {
		s.courses.Touch(ctx, course, caller)
	}
	return out, nil
}

// Post returns one post the caller may see.
func (s *Service) Post(ctx context.Context, caller, postID uint64) (Post, error) {
	var out Post
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		sc, p, err := s.postScope(ctx, caller, postID)
		if err != nil {
			return err
		}
		out, err = s.postView(ctx, sc, s.newAuthors(ctx, p.CourseID), p)
		return err
	})
	return out, errs.Wrap(err, "get post")
}

// modifiable loads a post the caller may edit or delete: its author (not
// in a locked thread) or staff.
func (s *Service) modifiable(ctx context.Context, caller, postID uint64) (*scope, PostRecord, error) {
	sc, p, err := s.postScope(ctx, caller, postID)
	if err != nil {
		return nil, p, err
	}
	if !sc.canModify(p.AuthorID) {
		return nil, p, errs.Forbid("only the post's author or staff may change it")
	}
	if sc.thread.Locked && !sc.staff() {
		return nil, p, errs.ConflictCode("thread_locked", "this thread is locked")
	}
	return sc, p, nil
}

// EditPost replaces a post's body and sets edited_at. Members mentioned for
// the first time are notified.
func (s *Service) EditPost(ctx context.Context, caller, postID uint64, in EditInput) (Post, error) {
	body, reason := validBody(in.Body)
	html := ""
	if reason == "" {
		html = s.md.HTML(body)
	}
	var out Post
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		sc, p, err := s.modifiable(ctx, caller, postID)
		if err != nil {
			return err
		}
		if p.Deleted {
			return errs.ConflictCode("conflict", "this post was deleted")
		}
		if reason != "" {
			return errs.Field("body", reason)
		}
		if err := s.store.RemovePostings(ctx, postings(sc.thread, p)); err != nil {
			return err
		}
		now := s.now().UTC()
		p.BodyHTML = html
		p.Snippet = snippet(html)
		p.EditedAt = &now
		if p.Mentioned, err = s.notifyPost(ctx, sc, p, body); err != nil {
			return err
		}
		if err := s.store.SavePost(ctx, p, body); err != nil {
			return err
		}
		if err := s.saveThread(ctx, sc.thread, sc.thread); err != nil {
			return err
		}
		if err := s.store.AddPostings(ctx, postings(sc.thread, p)); err != nil {
			return err
		}
		out, err = s.postView(ctx, sc, s.newAuthors(ctx, p.CourseID), p)
		return err
	})
	return out, errs.Wrap(err, "edit post")
}

// DeletePost soft-deletes a post: it keeps its place (so replies keep
// theirs) with no body, leaves the search index, stops counting as a reply
// and stops being the thread's answer. Deleting twice is not an error.
func (s *Service) DeletePost(ctx context.Context, caller, postID uint64) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		sc, p, err := s.modifiable(ctx, caller, postID)
		if err != nil || p.Deleted {
			return err
		}
		if err := s.store.RemovePostings(ctx, postings(sc.thread, p)); err != nil {
			return err
		}
		// A deleted post keeps no source.
		p.Deleted, p.BodyHTML, p.Snippet, p.Endorsed = true, "", "", false
		if err := s.store.SavePost(ctx, p, ""); err != nil {
			return err
		}
		if p.AuthorID != caller {
			if err := s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "post_deleted", CourseID: p.CourseID,
				TargetID: p.ID, Detail: fmt.Sprintf("by staff; author %d, thread %d", p.AuthorID, p.ThreadID)}); err != nil {
				return err
			}
		}
		t := sc.thread
		if p.ParentID != 0 {
			t.ReplyCount--
		}
		if t.AnswerPostID == p.ID {
			t.AnswerPostID = 0
		}
		return s.saveThread(ctx, sc.thread, t)
	})
	return errs.Wrap(err, "delete post")
}

// SetEndorsed endorses a post or takes the endorsement back (staff only).
// The post's author is told of an endorsement.
func (s *Service) SetEndorsed(ctx context.Context, caller, postID uint64, on bool) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		sc, p, err := s.postScope(ctx, caller, postID)
		if err != nil {
			return err
		}
		if err := sc.access.RequireStaff(); err != nil {
			return err
		}
		if p.Deleted {
			return errs.ConflictCode("conflict", "this post was deleted")
		}
		if p.Endorsed == on {
			return nil
		}
		p.Endorsed = on
		if err := s.store.UpdatePost(ctx, p); err != nil {
			return err
		}
		if err := s.saveThread(ctx, sc.thread, sc.thread); err != nil {
			return err
		}
		if !on || p.AuthorID == caller {
			return nil
		}
		return s.tellAuthor(ctx, sc, p, caller, notify.KindEndorsed)
	})
	return errs.Wrap(err, "endorse")
}

// postLink is where a notification about a post leads: the thread page,
// scrolled to the post.
func postLink(p PostRecord) string { return fmt.Sprintf("/threads/%d#post-%d", p.ThreadID, p.ID) }

// tellAuthor notifies a post's author that actor endorsed it or chose it
// as the answer.
func (s *Service) tellAuthor(ctx context.Context, sc *scope, p PostRecord, actor uint64, kind string) error {
	name := s.actorName(ctx, actor)
	title := fmt.Sprintf("%s endorsed your post", name)
	if kind == notify.KindAnswer {
		title = fmt.Sprintf("%s chose your reply as the answer", name)
	}
	_, err := s.notify.Add(ctx, notify.Notification{UserID: p.AuthorID, CourseID: p.CourseID, Kind: kind,
		Title: title, Body: fmt.Sprintf("In %q: %s", sc.thread.Title, p.Snippet), Link: postLink(p)})
	return err
}

func (s *Service) actorName(ctx context.Context, id uint64) string {
	if name, err := s.userName(ctx, id); err == nil {
		return name
	}
	return "Someone"
}

// notifyPost tells members mentioned in a post for the first time, unless
// it is their own or they may not see it. (A new reply's other subscribers
// are told when it is delivered: deliver.go.) It returns everyone ever
// mentioned in the post, to be stored with it.
func (s *Service) notifyPost(ctx context.Context, sc *scope, p PostRecord, body string) ([]uint64, error) {
	t := sc.thread
	mentioned, err := s.mentions(ctx, t.CourseID, body, p.AuthorID)
	if err != nil {
		return nil, err
	}
	all := slices.Clone(p.Mentioned)
	name := ""
	for _, u := range mentioned {
		if slices.Contains(p.Mentioned, u) {
			continue
		}
		all = append(all, u)
		sees, err := s.userSees(ctx, sc.board, t, u, p)
		if err != nil {
			return nil, err
		}
		if !sees {
			continue
		}
		if err := txn.Serial(ctx); err != nil {
			return nil, err
		}
		if name == "" {
			name = s.actorName(ctx, p.AuthorID)
		}
		if _, err := s.notify.Add(ctx, notify.Notification{UserID: u, CourseID: t.CourseID, Kind: notify.KindMention,
			Title: fmt.Sprintf("%s mentioned you in %q", name, t.Title), Body: p.Snippet, Link: postLink(p)}); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// userSees reports whether a user (not necessarily the caller) may see a
// post: they must still be a member, and the Q&A rule applies.
func (s *Service) userSees(ctx context.Context, b BoardRecord, t ThreadRecord, user uint64, p PostRecord) (bool, error) {
	if b.Mode != ModeQA {
		return s.courses.IsMember(ctx, t.CourseID, user)
	}
	m, err := s.courses.Member(ctx, t.CourseID, user)
	if err != nil {
		return false, nil
	}
	if p.ParentID == 0 || p.AuthorID == user {
		return true, nil
	}
	return s.seesAll(ctx, m.Staff(), b, t, user)
}

// mentions finds the course members named as @Name in body (not the
// author). Names may hold spaces, so at each @ the longest matching name
// wins, and a name must end at a word boundary: "@Ann" does not mention
// "Anna". A name may also be quoted, @"Sam Student", which names exactly
// one member whatever follows it. An @ inside a word (an e-mail address)
// mentions nobody. Case does not matter.
func (s *Service) mentions(ctx context.Context, course uint64, body string, author uint64) ([]uint64, error) {
	if !strings.Contains(body, "@") {
		return nil, nil
	}
	members, err := s.courses.MemberRecords(ctx, course)
	if err != nil {
		return nil, err
	}
	type named struct {
		id   uint64
		name string
	}
	var names []named
	for _, m := range members {
		if m.UserID == author {
			continue
		}
		u, err := s.users.User(ctx, m.UserID)
		if err != nil {
			continue
		}
		if n := strings.ToLower(strings.TrimSpace(u.Name)); n != "" {
			names = append(names, named{m.UserID, n})
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return len(names[i].name) > len(names[j].name) })
	lower := strings.ToLower(body)
	var out []uint64
	for i := 0; i < len(lower); i++ {
		if lower[i] != '@' {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(lower[:i]); i > 0 && isWordRune(r) {
			continue
		}
		rest := lower[i+1:]
		if q, ok := quotedName(rest); ok {
			for _, n := range names {
				if n.name == q && !slices.Contains(out, n.id) {
					out = append(out, n.id)
				}
			}
			continue
		}
		for _, n := range names {
			if !strings.HasPrefix(rest, n.name) {
				continue
			}
			if r, _ := utf8.DecodeRuneInString(rest[len(n.name):]); len(rest) > len(n.name) && isWordRune(r) {
				continue
			}
			if !slices.Contains(out, n.id) {
				out = append(out, n.id)
			}
			break
		}
	}
	return out, nil
}

// quotedName is the name of a quoted mention, the text after @ starting
// with a double quote (straight or curly): @"Sam Student". Spaces inside
// are collapsed, as a name's are.
func quotedName(rest string) (string, bool) {
	for _, q := range [][2]string{{`"`, `"`}, {"“", "”"}} {
		if !strings.HasPrefix(rest, q[0]) {
			continue
		}
		inner := rest[len(q[0]):]
		end := strings.Index(inner, q[1])
		if end < 0 || strings.ContainsAny(inner[:end], "\n@") {
			return "", false
		}
		return strings.Join(strings.Fields(inner[:end]), " "), true
	}
	return "", false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// Preview limits: a person previews a draft now and then; 32 concurrent
// previews of a 48 KB table took /healthz from 2 ms to 235 ms. Each user
// may preview DefaultPreviewLimit times a window, and at most half the
// cores render previews at once; a preview that finds them all busy waits
// DefaultPreviewWait at most, then gets 429 with Retry-After.
const (
	DefaultPreviewLimit  = 30
	DefaultPreviewWindow = time.Minute
	DefaultPreviewWait   = time.Second
)

// Preview renders a Markdown body exactly as a post would show it, without
// storing anything.
func (s *Service) Preview(ctx context.Context, caller uint64, body string) (string, error) {
	if ok, wait := s.previews.Allow(ctx, "preview:"+strconv.FormatUint(caller, 10)); !ok {
		return "", errs.Limited("too many previews; try again later", wait)
	}
	if r := modules.ValidText(body); r != "" {
		return "", errs.Field("body", r)
	}
	if len(body) > maxBody {
		return "", errs.Field("body", fmt.Sprintf("must be at most %d bytes", maxBody))
	}
	leave, err := s.renders.Enter()
	if err != nil {
		return "", err
	}
	defer leave()
	return s.md.HTML(body), nil
}
