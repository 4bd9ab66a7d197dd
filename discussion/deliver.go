package discussion

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"pacer/errs"
	"pacer/notify"
	"pacer/storage"
)

// A reply is acknowledged once the post itself is stored; the work that
// grows with the thread's audience and with the course's vocabulary is done
// behind, in batches. The reply's transaction writes a key thread|post to
// storage.ReplyQueue along with the post. A delivery transaction later takes
// every queued reply, tells each thread's subscribers once for all of the
// thread's new replies, adds the replies' search postings in key order, and
// deletes the keys.
//
// Why: every reply runs in bbolt's single writer, and profiles of
// concurrent replies showed that most of its time went on checking each of
// a busy thread's subscribers for an unread notification (for every reply,
// though only the first of a run notifies anybody), and on committing the
// search postings, which land on a different leaf page per word and so
// rewrite dozens of pages per commit. Batched, a thread's subscribers are
// checked once per delivery and the postings of many replies share pages.
//
// Nothing is lost: the queue key commits with the post, so replies left
// queued by a crash are delivered after the restart. And what people are
// shown stays exact: every read of notifications (notify.Service.Late, which
// also runs before mail is composed) and every search first delivers the
// replies acknowledged before it began. The background loop of Start
// delivers the rest once DeliverEvery has passed by the service clock since
// the last delivery, so queued work does not wait for a reader (and tests
// with a pinned clock decide when it happens).

// DefaultDeliverEvery is how often the background loop of Start delivers
// queued replies: often enough that a delivery is short (it holds the
// single writer, and replies wait for it), seldom enough that a busy
// thread's subscribers are checked once for many replies.
const DefaultDeliverEvery = 200 * time.Millisecond

// maxDelivery bounds the replies one delivery transaction takes; a longer
// queue is delivered in several, so that replies get the writer in between.
// (Under 64 concurrent repliers, 4,096 per transaction doubled their p99
// latency; 128 cost a tenth of the throughput in subscriber checks.)
const maxDelivery = 256

// replyQueue counts replies queued and delivered, so that a reader can tell
// without a transaction whether anything acknowledged before it is still
// queued.
type replyQueue struct {
	// mu serialises deliveries.
	mu sync.Mutex
	// queued counts acknowledged replies; it starts at 1 so that the first
	// reader looks for replies a previous run left queued. delivered is the
	// value queued had when the last delivery that emptied the queue began.
	queued, delivered atomic.Uint64
	// deliveries counts committed delivery transactions; last is when
	// (service clock, unix nanoseconds) the last delivery began.
	deliveries atomic.Int64
	last       atomic.Int64
}

func newReplyQueue(now time.Time) *replyQueue {
	q := &replyQueue{}
	q.queued.Store(1)
	q.last.Store(now.UnixNano())
	return q
}

// pending reports whether replies may be queued that no delivery has taken.
func (q *replyQueue) pending() bool { return q.delivered.Load() < q.queued.Load() }

// Deliveries counts the transactions that have delivered queued replies.
func (s *Service) Deliveries() int64 { return s.queue.deliveries.Load() }

// DeliverReplies delivers every reply acknowledged before it was called:
// subscribers' notifications and search postings. Concurrent callers share
// deliveries; with nothing queued it costs two atomic loads.
func (s *Service) DeliverReplies() error {
	q := s.queue
	want := q.queued.Load()
	if q.delivered.Load() >= want {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.last.Store(s.now().UnixNano())
	for q.delivered.Load() < want {
		// Every reply counted in upto committed before this delivery's
		// transaction begins, so once a transaction finds the queue no
		// longer than it takes, all of them are delivered.
		upto := q.queued.Load()
		more, err := s.deliverBatch()
		if err != nil {
			return errs.Wrap(err, "deliver replies")
		}
		if !more {
			q.delivered.Store(upto)
		}
	}
	return nil
}

// deliverIfDue delivers when replies may be queued and DeliverEvery or
// longer has passed since the last delivery, by the service clock.
func (s *Service) deliverIfDue() error {
	if !s.queue.pending() || s.now().UnixNano()-s.queue.last.Load() < int64(s.DeliverEvery) {
		return nil
	}
	return s.DeliverReplies()
}

// errNothingQueued rolls back a delivery that found the queue empty, so
// that it commits (and syncs) nothing.
var errNothingQueued = errors.New("no replies queued")

// deliverBatch delivers up to maxDelivery queued replies in one
// transaction, and reports whether more were queued.
func (s *Service) deliverBatch() (more bool, err error) {
	err = s.db.Update(func(tx *storage.Tx) error {
		var keys [][]byte
		err := tx.Each(storage.ReplyQueue, nil, func(k, _ []byte) error {
			if len(keys) == maxDelivery {
				more = true
				return storage.Stop
			}
			keys = append(keys, bytes.Clone(k))
			return nil
		})
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return errNothingQueued
		}
		var postings []posting
		// Keys sort by thread, then post: each run of one thread is its new
		// replies, oldest first.
		for start := 0; start < len(keys); {
			thread := storage.Part(keys[start], 0)
			end := start + 1
			for end < len(keys) && storage.Part(keys[end], 0) == thread {
				end++
			}
			postings, err = s.deliverThreadTx(tx, thread, keys[start:end], postings)
			if err != nil {
				return err
			}
			start = end
		}
		// In key order the postings of many replies fill leaf pages in
		// turn instead of reopening them.
		slices.SortFunc(postings, func(a, b posting) int { return bytes.Compare(a.key, b.key) })
		for _, p := range postings {
			if err := tx.PutRaw(storage.SearchTerms, p.key, storage.ID(p.thread)); err != nil {
				return err
			}
		}
		for _, k := range keys {
			if err := tx.Delete(storage.ReplyQueue, k); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errNothingQueued) {
		return false, nil
	}
	if err == nil {
		s.queue.deliveries.Add(1)
	}
	return more, err
}

// posting is one search-index entry of a delivered reply.
type posting struct {
	key    []byte
	thread uint64
}

// deliverThreadTx delivers a thread's queued replies: their subscribers are
// told, and their postings are appended to postings. Replies deleted since,
// or in a thread deleted since, are only dropped from the queue.
func (s *Service) deliverThreadTx(tx *storage.Tx, thread uint64, keys [][]byte, postings []posting) ([]posting, error) {
	t, err := getThread(tx, thread)
	if errs.Is(err, errs.NotFound) {
		return postings, nil
	}
	if err != nil {
		return postings, err
	}
	b, err := getBoard(tx, t.BoardID)
	if errs.Is(err, errs.NotFound) {
		return postings, nil
	}
	if err != nil {
		return postings, err
	}
	posts := make([]postRec, 0, len(keys))
	for _, k := range keys {
		p, err := getPost(tx, storage.Part(k, 1))
		if errs.Is(err, errs.NotFound) || (err == nil && p.Deleted) {
			continue
		}
		if err != nil {
			return postings, err
		}
		posts = append(posts, p)
		for _, term := range Terms(indexText(t, p)) {
			postings = append(postings, posting{termKey(t.CourseID, term, p.ID), t.ID})
		}
	}
	return postings, s.tellSubscribersTx(tx, b, t, posts)
}

// tellSubscribersTx notifies a thread's subscribers of new replies (oldest
// first). A subscriber hears of the first one they have not read (replying
// reads the thread up to the reply), did not write, were not mentioned in (a
// mention told them already) and may see; while their reply notification
// about the thread is unread, later replies add nothing (its link leads to
// the thread, where they are). Reading it makes the next reply notify
// again.
func (s *Service) tellSubscribersTx(tx *storage.Tx, b boardRec, t threadRec, posts []postRec) error {
	if len(posts) == 0 {
		return nil
	}
	type sub struct {
		user, notification uint64
		state              byte
	}
	var subs []sub
	err := tx.Each(storage.Subscriptions, storage.Key(t.ID), func(k, v []byte) error {
		if state, _ := subState(v); state == 1 {
			_, n := parseSubEntry(v)
			subs = append(subs, sub{storage.Part(k, 1), n, 1})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The course's staff follow the thread unless they chose otherwise
	// (follow.go): a few keys, read once per thread per delivery.
	err = s.eachFollowerTx(tx, t, func(user, notification uint64) {
		subs = append(subs, sub{user, notification, subFollowed})
	})
	if err != nil {
		return err
	}
	names := map[uint64]string{}
	for _, sb := range subs {
		if sb.notification != 0 && notify.UnreadTx(tx, sb.user, sb.notification) {
			continue
		}
		read := max(readStateTx(tx, t.ID, sb.user), s.reads.mark(sb.user, t.ID))
		for _, p := range posts {
			if p.ID <= read || p.AuthorID == sb.user || slices.Contains(p.Mentioned, sb.user) || !userSeesTx(tx, b, t, sb.user, p) {
				continue
			}
			name, ok := names[p.AuthorID]
			if !ok {
				name = s.actorName(tx, p.AuthorID)
				names[p.AuthorID] = name
			}
			n, err := s.notify.AddTx(tx, notify.Notification{UserID: sb.user, CourseID: t.CourseID, Kind: notify.KindReply,
				Title: fmt.Sprintf("New reply in %q", t.Title), Body: name + ": " + p.Snippet, Link: postLink(p), CreatedAt: p.CreatedAt})
			if err != nil {
				return err
			}
			v := subEntry(true, n.ID)
			v[0] = sb.state
			if err := tx.PutRaw(storage.Subscriptions, storage.Key(t.ID, sb.user), v); err != nil {
				return err
			}
			break
		}
	}
	return nil
}
