package deadlines

import (
	"context"
	"errors"
	"sync"
	"time"

	"pacer/behind"
	"pacer/errs"
	"pacer/jobs"
	"pacer/modules"
	"pacer/notify"
)

// A submission is acknowledged once the attempt itself is stored; telling
// the course's staff is done behind, in batches. The submission's
// transaction queues the submission (Store.QueueSubmitted) along with the
// attempt. A delivery transaction later takes the queued submissions, and
// for each item's run of them updates each staff member's unread
// "submitted" notification once for the whole run (the count grows by the
// run's length, the latest learner named is the run's last), and takes the
// submissions off the queue.
//
// Why: every submission to an assignment used to read and update each
// staff member's notification of the item and the item's notices
// (noteSubmitted), rows every other submission to the same assignment
// updates too. On PostgreSQL, whose write transactions are serializable,
// concurrent submissions to one assignment then aborted and retried each
// other (about 260 submissions a second where bbolt, whose single writer
// runs them one after the other, took 4,200). Queued, a submission writes
// only rows of its own learner and one new queue row, and a class handing
// in at once is one update of each staff member's notification per
// delivery.
//
// Nothing is lost: the queue entry commits with the attempt, so
// submissions left queued by a crash are delivered after the restart. And
// what people are shown stays exact: every read of notifications
// (notify.Service.Late, which also runs before mail is composed) first
// delivers the submissions acknowledged before it began. The scheduled
// delivery of Start delivers the rest once DeliverEvery has passed by the
// service clock since the last delivery, so queued work does not wait for
// a reader (and tests with a pinned clock decide when it happens); Stop
// delivers what is left.

// DefaultDeliverEvery is how often the scheduled delivery of Start delivers
// queued submissions: often enough that a delivery is short, seldom enough
// that a class handing in at once updates each staff member's notification
// once for many submissions.
const DefaultDeliverEvery = 200 * time.Millisecond

// maxDelivery bounds the submissions one delivery transaction takes; a
// longer queue is delivered in several, so that submissions get the writer
// in between.
const maxDelivery = 256

// delivery is the queue's accounts (behind.Queue) and the scheduled
// delivery of Start.
type delivery struct {
	*behind.Queue

	// lmu guards the scheduled delivery (Start) and stopped (Stop).
	lmu      sync.Mutex
	tick     *jobs.Local
	stopped  bool
	stopOnce sync.Once
}

// DeliverSubmitted delivers the staff notifications of every submission
// acknowledged before it was called. Concurrent callers share deliveries;
// with nothing queued it costs two atomic loads, or, when other processes
// queue submissions too (Config.SharedQueue), one count of the store's
// queue (behind.Queue).
func (s *Service) DeliverSubmitted(ctx context.Context) error {
	return errs.Wrap(s.queue.Deliver(ctx), "deliver submissions")
}

// deliverIfDue delivers when submissions may be queued and DeliverEvery or
// longer has passed since the last delivery, by the service clock.
func (s *Service) deliverIfDue(ctx context.Context) error {
	return errs.Wrap(s.queue.DeliverIfDue(ctx, s.deliverEvery), "deliver submissions")
}

// errNothingQueued rolls back a delivery that found the queue empty, so
// that it commits (and syncs) nothing.
var errNothingQueued = errors.New("no submissions queued")

// deliverBatch delivers up to maxDelivery queued submissions in one
// transaction, and reports whether more were queued.
func (s *Service) deliverBatch(ctx context.Context) (more bool, err error) {
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		queued, m, err := s.store.QueuedSubmitted(ctx, maxDelivery)
		if err != nil {
			return err
		}
		more = m
		if len(queued) == 0 {
			return errNothingQueued
		}
		// The queue is sorted by course, item, then arrival: each run of
		// one item is its new submissions, oldest first.
		for start := 0; start < len(queued); {
			end := start + 1
			for end < len(queued) && queued[end].Course == queued[start].Course && queued[end].Item == queued[start].Item {
				end++
			}
			if err := s.deliverItem(ctx, queued[start:end]); err != nil {
				return err
			}
			start = end
		}
		return s.store.DropQueuedSubmitted(ctx, queued)
	})
	if errors.Is(err, errNothingQueued) {
		return false, nil
	}
	if err == nil {
		s.queue.Delivered()
	}
	return more, err
}

// deliverItem tells the staff of an item's course of the item's queued
// submissions (oldest first). Those to an item or course deleted since
// are only dropped from the queue.
func (s *Service) deliverItem(ctx context.Context, run []QueuedSubmission) error {
	first := run[0]
	c, err := s.courses.CourseRecord(ctx, first.Course)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	it, err := s.courses.Item(ctx, first.Course, first.Item)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.noteSubmitted(ctx, c, it, run)
}

// noteSubmitted tells every staff member of the course that work arrived
// on an item: the run of submissions queued for it, oldest first. Each
// keeps one unread "submitted" notification per item that counts the
// submissions since they last read it, so a class handing in at once is
// one line, not hundreds. A staff member who has read theirs gets a new one
// counting the run, dated when the run's first submission arrived.
func (s *Service) noteSubmitted(ctx context.Context, c modules.Course, it modules.Item, run []QueuedSubmission) error {
	staff, err := s.courses.StaffMembers(ctx, c.ID)
	if err != nil || len(staff) == 0 {
		return err
	}
	name := "a learner"
	if u, err := s.auth.User(ctx, run[len(run)-1].Learner); err == nil {
		name = u.Name
	}
	n := uint64(len(run))
	ids := make([]uint64, len(staff))
	for i, m := range staff {
		ids[i] = m.UserID
	}
	notes, err := s.store.SubmittedNotes(ctx, c.ID, it.ID, ids)
	if err != nil {
		return err
	}
	for _, m := range staff {
		note := notes[m.UserID]
		updated := false
		if note.Notification != 0 {
			title, body := submittedText(c.Title, it.Title, name, note.Count+n)
			if updated, err = s.notify.UpdateUnread(ctx, m.UserID, note.Notification, title, body); err != nil {
				return err
			}
		}
		if !updated {
			note.Count = 0
			title, body := submittedText(c.Title, it.Title, name, n)
			added, err := s.notify.Add(ctx, notify.Notification{UserID: m.UserID, CourseID: c.ID, Kind: notify.KindSubmitted,
				Title: title, Body: body, Link: submissionsLink(c.ID, it.ID), CreatedAt: run[0].SubmittedAt.UTC()})
			if err != nil {
				return err
			}
			note.Notification = added.ID
		}
		note.Count += n
		notes[m.UserID] = note
	}
	return s.store.PutSubmittedNotes(ctx, c.ID, it.ID, notes)
}

// Start has sched deliver queued submissions every DeliverEvery, until
// Stop, when a delivery is due by the service clock (due by the service
// clock, not the scheduler's: with a pinned clock, tests decide when
// submissions are delivered). It is work of this process (jobs.Every):
// the counts of the queue are this process's own, so every replica
// delivers its own. Each run works in the ctx of its run, not in the ctx
// Start is given.
func (s *Service) Start(_ context.Context, sched *jobs.Scheduler) error {
	q := s.queue
	q.lmu.Lock()
	defer q.lmu.Unlock()
	if q.tick != nil || q.stopped {
		return nil
	}
	// The tick logs its own failures, saying what was not delivered, so it
	// leaves the scheduler nothing to log.
	tick, err := sched.Every("deadlines_submitted_delivery", s.deliverEvery, func(ctx context.Context) error {
		s.deliverTick(ctx)
		return nil
	})
	if err != nil {
		return err
	}
	q.tick = tick
	return nil
}

// deliverTick is one run of the scheduled delivery. Nobody waits for its
// answer, so a failure is logged here, once; the submissions stay queued,
// and the next read of notifications or run retries.
func (s *Service) deliverTick(ctx context.Context) {
	if err := s.deliverIfDue(ctx); err != nil {
		s.log.Error("deadlines: queued submissions not delivered (staff notifications); they stay queued for the next delivery",
			"err", err)
	}
}

// Stop ends the scheduled delivery, waits for a run in progress and
// delivers the queued submissions. It must run before the store closes
// (server.OnStop). The delivery runs to the end even when ctx is done;
// whatever it cannot deliver stays queued for the next start.
func (s *Service) Stop(ctx context.Context) error {
	q := s.queue
	q.stopOnce.Do(func() {
		q.lmu.Lock()
		q.stopped = true
		tick := q.tick
		q.lmu.Unlock()
		if tick != nil {
			tick.Stop()
		}
	})
	return s.DeliverSubmitted(context.WithoutCancel(ctx))
}
