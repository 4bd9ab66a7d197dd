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
		var ps []Posting
		// The queue is sorted by thread, then post: each run of one thread
		// is its new replies, oldest first.
		for start := 0; start < len(queued); {
			thread := queued[start].Thread
			end := start + 1
			for end < len(queued) && queued[end].Thread == thread {
				end++
			}
			ps, err = s.deliverThread(ctx, thread, queued[start:end], ps)
			if err != nil {
				return err
			}
			start = end
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

// deliverThread delivers a thread's queued replies: their subscribers are
// told, and their postings are appended to ps. Replies deleted since, or
// in a thread deleted since, are only dropped from the queue.
func (s *Service) deliverThread(ctx context.Context, thread uint64, queued []QueuedReply, ps []Posting) ([]Posting, error) {
	t, err := s.store.Thread(ctx, thread)
	if errs.Is(err, errs.NotFound) {
		return ps, nil
	}
	if err != nil {
		return ps, err
	}
	b, err := s.store.Board(ctx, t.BoardID)
	if errs.Is(err, errs.NotFound) {
		return ps, nil
	}
	if err != nil {
		return ps, err
	}
	ids := make([]uint64, len(queued))
	for i, q := range queued {
		ids[i] = q.Post
	}
	found, err := s.store.Posts(ctx, ids)
	if err != nil {
		return ps, err
	}
	posts := found[:0]
	for _, p := range found {
		if p.Deleted {
			continue
		}
		posts = append(posts, p)
		ps = append(ps, postings(t, p)...)
	}
	return ps, s.tellSubscribers(ctx, b, t, posts)
}

// tellSubscribers notifies a thread's subscribers of new replies (oldest
// first). A subscriber hears of the first one they have not read (replying
// reads the thread up to the reply), did not write, were not mentioned in (a
// mention told them already) and may see; while their reply notification
// about the thread is unread, later replies add nothing (its link leads to
// the thread, where they are). Reading it makes the next reply notify
// again.
//
// What decides it is read once per thread for all the subscribers at once
// (which reply notifications are unread, the read marks, the memberships,
// the Q&A participants), never per subscriber: on an engine where every
// read is a round trip, a busy thread's delivery costs a handful of reads
// besides the notifications it adds.
func (s *Service) tellSubscribers(ctx context.Context, b BoardRecord, t ThreadRecord, posts []PostRecord) error {
	if len(posts) == 0 {
		return nil
	}
	all, err := s.store.Subscribers(ctx, t.ID)
	if err != nil {
		return err
	}
	var subs []Subscriber
	own := make(map[uint64]Subscription, len(all))
	for _, sb := range all {
		own[sb.User] = sb.Subscription
		if sb.State == SubOn {
			subs = append(subs, sb)
		}
	}
	// The course's staff follow the thread unless they chose otherwise
	// (follow.go): a few keys, read once per thread per delivery.
	followers, err := s.followers(ctx, t, own)
	if err != nil {
		return err
	}
	subs = append(subs, followers...)

	// An unread reply notification about the thread: nothing to tell.
	var refs []notify.Ref
	for _, sb := range subs {
		if sb.Notification != 0 {
			refs = append(refs, notify.Ref{User: sb.User, ID: sb.Notification})
		}
	}
	unread, err := s.notify.UnreadAmong(ctx, refs)
	if err != nil {
		return err
	}
	kept, users := subs[:0], []uint64(nil)
	for _, sb := range subs {
		if sb.Notification != 0 && unread[sb.Notification] {
			continue
		}
		kept = append(kept, sb)
		users = append(users, sb.User)
	}
	if len(kept) == 0 {
		return nil
	}
	marks, err := s.store.ReadMarks(ctx, t.ID, users)
	if err != nil {
		return err
	}

	// Each one's candidates: the new replies they have not read, did not
	// write and were not mentioned in. Only those who have any need their
	// membership read.
	type candidate struct {
		Subscriber
		posts []PostRecord
	}
	var cands []candidate
	users = users[:0]
	for _, sb := range kept {
		read := max(marks[sb.User], s.reads.mark(sb.User, t.ID))
		var ps []PostRecord
		for _, p := range posts {
			if p.ID <= read || p.AuthorID == sb.User || slices.Contains(p.Mentioned, sb.User) {
				continue
			}
			ps = append(ps, p)
		}
		if len(ps) > 0 {
			cands = append(cands, candidate{sb, ps})
			users = append(users, sb.User)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	roles, err := s.courses.Roles(ctx, t.CourseID, users)
	if err != nil {
		return err
	}
	// In a Q&A board a student who neither wrote the thread nor replied
	// in it sees only the opening post and their own (seesAll).
	var ask []uint64
	if b.Mode == ModeQA {
		for _, c := range cands {
			role, member := roles[c.User]
			if member && !isStaff(role) && c.User != t.AuthorID {
				ask = append(ask, c.User)
			}
		}
	}
	participants := map[uint64]bool{}
	if len(ask) > 0 {
		if participants, err = s.store.Participants(ctx, t.ID, ask); err != nil {
			return err
		}
	}

	names := map[uint64]string{}
	var (
		adds []notify.Notification
		told []Subscriber
	)
	for _, c := range cands {
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
			break
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
	for i, n := range stored {
		told[i].Notification = n.ID
	}
	return s.store.SetSubscriptions(ctx, t.ID, told)
}

// isStaff reports whether a course role is an instructor's or a TA's.
func isStaff(role string) bool { return role == modules.RoleInstructor || role == modules.RoleTA }
