package discussion

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
)

// A reply is acknowledged once the post itself is stored; the work that
// grows with the thread's audience and with the course's vocabulary is done
// behind, in batches. The reply's transaction queues the reply
// (Store.QueueReply) along with the post. A delivery transaction later takes
// every queued reply, tells each thread's subscribers once for all of the
// thread's new replies, adds the replies' search postings (which the store
// writes in its index's order), and takes the replies off the queue.
//
// Why: every reply runs in bbolt's single writer, and profiles of
// concurrent replies showed that most of its time went on checking each of
// a busy thread's subscribers for an unread notification (for every reply,
// though only the first of a run notifies anybody), and on committing the
// search postings, which land on a different leaf page per word and so
// rewrite dozens of pages per commit. Batched, a thread's subscribers are
// checked once per delivery and the postings of many replies share pages.
//
// Nothing is lost: the queue entry commits with the post, so replies left
// queued by a crash are delivered after the restart. And what people are
// shown stays exact: every read of notifications (notify.Service.Late, which
// also runs before mail is composed) and every search first delivers the
// replies acknowledged before it began. The scheduled delivery of Start
// delivers the rest once DeliverEvery has passed by the service clock since
// the last delivery, so queued work does not wait for a reader (and tests
// with a pinned clock decide when it happens).

// DefaultDeliverEvery is how often the scheduled delivery of Start delivers
// queued replies: often enough that a delivery is short (it holds the
// single writer, and replies wait for it), seldom enough that a busy
// thread's subscribers are checked once for many replies.
const DefaultDeliverEvery = 200 * time.Millisecond

// maxDelivery bounds the replies one delivery transaction takes; a longer
// queue is delivered in several, so that replies get the writer in between.
// (Under 64 concurrent repliers, 4,096 per transaction doubled their p99
// latency; 128 cost a tenth of the throughput in subscriber checks.)
const maxDelivery = 256

// DeliverReplies delivers every reply acknowledged before it was called:
// subscribers' notifications and search postings. Concurrent callers share
// deliveries; with nothing queued it costs two atomic loads, or, when other
// processes queue replies too (SharedQueue), one count of the store's
// queue (behind.Queue).
func (s *Service) DeliverReplies(ctx context.Context) error {
	return errs.Wrap(s.queue.Deliver(ctx), "deliver replies")
}

// deliverIfDue delivers when replies may be queued and DeliverEvery or
// longer has passed since the last delivery, by the service clock.
func (s *Service) deliverIfDue(ctx context.Context) error {
	return errs.Wrap(s.queue.DeliverIfDue(ctx, s.DeliverEvery), "deliver replies")
}

// errNothingQueued rolls back a delivery that found the queue empty, so
// that it commits (and syncs) nothing.
var errNothingQueued = errors.New("no replies queued")

// deliverBatch delivers up to maxDelivery queued replies in one
// transaction, and reports whether more were queued.
func (s *Service) deliverBatch(ctx context.Context) (more bool, err error) {
	// The delivery reads buffered read marks inside its transaction
	// (tellSubscribers): no mark may leave the buffer while it runs.
	release := s.reads.reading()
	defer release()
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		queued, m, err := s.store.QueuedReplies(ctx, maxDelivery)
		if err != nil {
			return err
		}
		more = m
		if len(queued) == 0 {
			return errNothingQueued
		}
		ps, err := s.deliverThreads(ctx, queued)
		if err != nil {
			return err
		}
		if err := s.store.AddPostings(ctx, ps); err != nil {
			return err
		}
		return s.store.DropQueued(ctx, queued)
	})
	if errors.Is(err, errNothingQueued) {
		return false, nil
	}
	if err == nil {
		s.queue.Delivered()
	}
	return more, err
}

// threadNews is a thread's new replies to tell its subscribers of, oldest
// first.
type threadNews struct {
	board  BoardRecord
	thread ThreadRecord
	posts  []PostRecord
}

// deliverThreads delivers queued replies, sorted by thread, then post:
// their threads' subscribers are told, and their postings returned.
// Replies deleted since, or in a thread deleted since, are only dropped
// from the queue. What it reads, it reads for all the threads at once.
func (s *Service) deliverThreads(ctx context.Context, queued []QueuedReply) ([]Posting, error) {
	var ids, postIDs []uint64
	for i, q := range queued {
		if i == 0 || q.Thread != queued[i-1].Thread {
			ids = append(ids, q.Thread)
		}
		postIDs = append(postIDs, q.Post)
	}
	threads, err := s.store.Threads(ctx, ids)
	if err != nil {
		return nil, err
	}
	boards := map[uint64]BoardRecord{}
	byID := make(map[uint64]*threadNews, len(threads))
	news := make([]threadNews, 0, len(threads))
	for _, t := range threads {
		b, ok := boards[t.BoardID]
		if !ok {
			b, err = s.store.Board(ctx, t.BoardID)
			if errs.Is(err, errs.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			boards[t.BoardID] = b
		}
		news = append(news, threadNews{board: b, thread: t})
	}
	for i := range news {
		byID[news[i].thread.ID] = &news[i]
	}
	found, err := s.store.Posts(ctx, postIDs)
	if err != nil {
		return nil, err
	}
	var ps []Posting
	for _, p := range found {
		n := byID[p.ThreadID]
		if n == nil || p.Deleted {
			continue
		}
		n.posts = append(n.posts, p)
		ps = append(ps, postings(n.thread, p)...)
	}
	return ps, s.tellSubscribers(ctx, news)
}

// tellSubscribers notifies threads' subscribers of new replies. A
// subscriber hears of the first one they have not read (replying reads
// the thread up to the reply), did not write, were not mentioned in (a
// mention told them already) and may see; while their reply notification
// about the thread is unread, later replies add nothing (its link leads to
// the thread, where they are). Reading it makes the next reply notify
// again.
//
// What decides it is read once for all the threads and subscribers at
// once (the subscriptions, which reply notifications are unread, the read
// marks, the memberships), never per subscriber nor per thread: on an
// engine where every read is a round trip, a delivery costs a handful of
// reads besides the notifications it adds, however many threads it
// covers. (The Q&A participants are read per Q&A thread.)
func (s *Service) tellSubscribers(ctx context.Context, news []threadNews) error {
	var ids []uint64
	for _, n := range news {
		if len(n.posts) > 0 {
			ids = append(ids, n.thread.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	subsOf, err := s.store.Subscribers(ctx, ids)
	if err != nil {
		return err
	}
	// Each thread's audience: its subscribers, and the course's staff
	// who follow its threads unless they chose otherwise (follow.go),
	// read once per course.
	type audience struct {
		*threadNews
		subs []Subscriber
	}
	var auds []audience
	following := map[uint64]courseFollowing{}
	var refs []notify.Ref
	for i := range news {
		n := &news[i]
		if len(n.posts) == 0 {
			continue
		}
		all := subsOf[n.thread.ID]
		var subs []Subscriber
		own := make(map[uint64]Subscription, len(all))
		for _, sb := range all {
			own[sb.User] = sb.Subscription
			if sb.State == SubOn {
				subs = append(subs, sb)
			}
		}
		cf, ok := following[n.thread.CourseID]
		if !ok {
			if cf, err = s.courseFollowing(ctx, n.thread.CourseID); err != nil {
				return err
			}
			following[n.thread.CourseID] = cf
		}
		subs = append(subs, cf.followers(own)...)
		for _, sb := range subs {
			if sb.Notification != 0 {
				refs = append(refs, notify.Ref{User: sb.User, ID: sb.Notification})
			}
		}
		auds = append(auds, audience{n, subs})
	}

	// An unread reply notification about the thread: nothing to tell.
	unread, err := s.notify.UnreadAmong(ctx, refs)
	if err != nil {
		return err
	}
	users := map[uint64][]uint64{}
	for i, a := range auds {
		kept := a.subs[:0]
		for _, sb := range a.subs {
			if sb.Notification != 0 && unread[sb.Notification] {
				continue
			}
			kept = append(kept, sb)
			users[a.thread.ID] = append(users[a.thread.ID], sb.User)
		}
		auds[i].subs = kept
	}
	if len(users) == 0 {
		return nil
	}
	marks, err := s.store.ReadMarks(ctx, users)
	if err != nil {
		return err
	}

	// Each one's candidates: the new replies they have not read, did not
	// write and were not mentioned in. Only those who have any need their
	// membership read, once per course.
	type candidate struct {
		Subscriber
		posts []PostRecord
	}
	cands := make([][]candidate, len(auds))
	ask := map[uint64][]uint64{}
	for i, a := range auds {
		t := a.thread
		for _, sb := range a.subs {
			read := max(marks[t.ID][sb.User], s.reads.mark(sb.User, t.ID))
			var ps []PostRecord
			for _, p := range a.posts {
				if p.ID <= read || p.AuthorID == sb.User || slices.Contains(p.Mentioned, sb.User) {
					continue
				}
				ps = append(ps, p)
			}
			if len(ps) > 0 {
				cands[i] = append(cands[i], candidate{sb, ps})
				ask[t.CourseID] = append(ask[t.CourseID], sb.User)
			}
		}
	}
	roles := make(map[uint64]map[uint64]string, len(ask))
	for course, users := range ask {
		if roles[course], err = s.courses.Roles(ctx, course, users); err != nil {
			return err
		}
	}

	names := map[uint64]string{}
	var (
		adds []notify.Notification
		told []Subscriber
		// of is the audience of each one told.
		of []int
	)
	for i, a := range auds {
		b, t := a.board, a.thread
		roles := roles[t.CourseID]
		// In a Q&A board a student who neither wrote the thread nor
		// replied in it sees only the opening post and their own
		// (seesAll).
		var qa []uint64
		if b.Mode == ModeQA {
			for _, c := range cands[i] {
				role, member := roles[c.User]
				if member && !isStaff(role) && c.User != t.AuthorID {
					qa = append(qa, c.User)
				}
			}
		}
		participants := map[uint64]bool{}
		if len(qa) > 0 {
			if participants, err = s.store.Participants(ctx, t.ID, qa); err != nil {
				return err
			}
		}
		for _, c := range cands[i] {
			role, member := roles[c.User]
			// Those who left the course see nothing; the staff index may
			// name a follower who is no longer staff.
			if !member || (c.State == SubFollowed && !isStaff(role)) {
				continue
			}
			seeAll := b.Mode != ModeQA || isStaff(role) || c.User == t.AuthorID || participants[c.User]
			for _, p := range c.posts {
				if !seeAll && p.ParentID != 0 {
					continue
				}
				name, ok := names[p.AuthorID]
				if !ok {
					name = s.actorName(ctx, p.AuthorID)
					names[p.AuthorID] = name
				}
				adds = append(adds, notify.Notification{UserID: c.User, CourseID: t.CourseID, Kind: notify.KindReply,
					Title: fmt.Sprintf("New reply in %q", t.Title), Body: name + ": " + p.Snippet, Link: postLink(p), CreatedAt: p.CreatedAt})
				told = append(told, Subscriber{User: c.User, Subscription: Subscription{State: c.State}})
				of = append(of, i)
				break
			}
		}
	}
	if len(adds) == 0 {
		return nil
	}
	// The notifications are added together, so that the mail they queue
	// reads its recipients' preferences and batches once; each one told
	// keeps their notification's id, to hear of nothing more while it is
	// unread.
	stored, err := s.notify.AddAll(ctx, adds)
	if err != nil {
		return err
	}
	byThread := make([][]Subscriber, len(auds))
	for i, n := range stored {
		told[i].Notification = n.ID
		byThread[of[i]] = append(byThread[of[i]], told[i])
	}
	for i, subs := range byThread {
		if len(subs) == 0 {
			continue
		}
		if err := s.store.SetSubscriptions(ctx, auds[i].thread.ID, subs); err != nil {
			return err
		}
	}
	return nil
}

// isStaff reports whether a course role is an instructor's or a TA's.
func isStaff(role string) bool { return role == modules.RoleInstructor || role == modules.RoleTA }
