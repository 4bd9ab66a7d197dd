package discussion_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"pacer/api"
	"pacer/pacertest"
)

// storedMark is the read mark in the store, without the buffer.
func (c *class) storedMark(thread uint64, u pacertest.User) uint64 {
	c.env.T.Helper()
	v, err := c.env.Server.Stores.Discussion.ReadMark(context.Background(), thread, u.ID)
	if err != nil {
		c.env.T.Fatal(err)
	}
	return v
}

// unreadIn is u's unread count of a thread in the board's list.
func (c *class) unreadIn(u pacertest.User, thread uint64) int {
	c.env.T.Helper()
	for _, x := range c.threads(u, c.general) {
		if x.ID == thread {
			return x.UnreadCount
		}
	}
	c.env.T.Fatalf("thread %d is not in the list", thread)
	return -1
}

func TestAThreadReadIsShownReadAtOnceAndItsMarkIsWrittenLater(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Marks", "Top")
	c.reply(c.bob, thread, 0, "one")
	last := c.reply(c.bob, thread, 0, "two")
	if n := c.unreadIn(c.ann, thread); n != 2 {
		t.Fatalf("Ann's unread count before reading: %d", n)
	}
	flushes := svc.ReadFlushes()

	c.view(c.ann, thread, "")
	if n := c.unreadIn(c.ann, thread); n != 0 {
		t.Errorf("the list right after reading counts %d unread", n)
	}
	if p := c.view(c.ann, thread, ""); p.Thread.UnreadCount != 0 {
		t.Errorf("the thread right after reading counts %d unread", p.Thread.UnreadCount)
	}
	if got := c.storedMark(thread, c.ann); got != 0 {
		t.Fatalf("the read mark was written at once (%d); it should wait in the buffer", got)
	}

	if err := svc.FlushReads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.storedMark(thread, c.ann); got != last {
		t.Fatalf("after a flush the stored mark is %d, want %d", got, last)
	}
	if got := svc.ReadFlushes(); got != flushes+1 {
		t.Errorf("flushes: %d, want %d", got, flushes+1)
	}
	if n := c.unreadIn(c.ann, thread); n != 0 {
		t.Errorf("the list after the flush counts %d unread", n)
	}
	// Reading what is already read changes nothing, and flushing nothing
	// commits nothing.
	c.view(c.ann, thread, "")
	if err := svc.FlushReads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := svc.ReadFlushes(); got != flushes+1 {
		t.Errorf("flushes after rereading: %d, want %d", got, flushes+1)
	}
}

func TestBufferedReadMarksAreWrittenByTheFirstReadAfterTheIntervalAndByStop(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Marks", "Top")
	other, _ := c.thread(c.bob, c.general, "Other", "Top")
	r1 := c.reply(c.bob, thread, 0, "one")

	c.view(c.ann, thread, "")
	if got := c.storedMark(thread, c.ann); got != 0 {
		t.Fatalf("stored mark before the interval: %d", got)
	}
	// Bob's read, a flush interval later, writes Ann's mark with his.
	c.env.Clock.Advance(svc.ReadFlushEvery)
	c.reply(c.ann, other, 0, "hi")
	c.view(c.bob, other, "")
	if got := c.storedMark(thread, c.ann); got != r1 {
		t.Fatalf("Ann's stored mark after the interval: %d, want %d", got, r1)
	}

	r2 := c.reply(c.bob, thread, 0, "two")
	c.view(c.ann, thread, "")
	if err := svc.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := c.storedMark(thread, c.ann); got != r2 {
		t.Fatalf("Ann's stored mark after Stop: %d, want %d", got, r2)
	}
	// After Stop, marks are written at once.
	r3 := c.reply(c.bob, thread, 0, "three")
	c.view(c.ann, thread, "")
	if got := c.storedMark(thread, c.ann); got != r3 {
		t.Fatalf("Ann's stored mark after reading past Stop: %d, want %d", got, r3)
	}
}

func TestAReplyMovesTheMarkPastABufferedOne(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Marks", "Top")
	c.reply(c.bob, thread, 0, "one")
	c.view(c.ann, thread, "")
	mine := c.reply(c.ann, thread, 0, "mine")
	if err := svc.FlushReads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.storedMark(thread, c.ann); got != mine {
		t.Fatalf("a flush of an older buffered mark moved the stored one back: %d, want %d", got, mine)
	}
	if n := c.unreadIn(c.ann, thread); n != 0 {
		t.Errorf("unread after replying: %d", n)
	}
}

// TestReadersNeverSeeAReadThreadUnreadWhileMarksAreFlushed reads threads
// and lists them from many goroutines while another flushes: a mark leaves
// the buffer only after its flush committed, so no list shows a thread the
// caller has read as unread again.
func TestReadersNeverSeeAReadThreadUnreadWhileMarksAreFlushed(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	var threads []uint64
	for i := range 4 {
		th, _ := c.thread(c.instr, c.general, fmt.Sprintf("Thread %d", i), "Top")
		for j := range 3 {
			c.reply(c.ta, th, 0, fmt.Sprintf("reply %d", j))
		}
		threads = append(threads, th)
	}
	var readers []pacertest.User
	for i := range 6 {
		u := c.env.Register(fmt.Sprintf("Reader %d", i))
		c.env.Enroll(u, c.course)
		readers = append(readers, u)
	}
	stop := make(chan struct{})
	flusher := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				flusher <- nil
				return
			default:
			}
			if err := svc.FlushReads(context.Background()); err != nil {
				flusher <- err
				return
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, len(readers))
	for _, u := range readers {
		wg.Go(func() {
			for round := range 5 {
				for _, th := range threads {
					if _, err := svc.Thread(context.Background(), u.ID, th, api.Page{Limit: 50}); err != nil {
						errs <- err
						return
					}
					list, err := svc.Threads(context.Background(), u.ID, c.general, api.Page{Limit: 50})
					if err != nil {
						errs <- err
						return
					}
					for _, x := range list.Items {
						if x.ID == th && x.UnreadCount != 0 {
							errs <- fmt.Errorf("round %d: %s sees thread %d with %d unread right after reading it", round, u.Name, th, x.UnreadCount)
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	if err := <-flusher; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := svc.FlushReads(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, u := range readers {
		for _, th := range threads {
			if got, err := svc.ThreadHead(context.Background(), u.ID, th); err != nil || got.UnreadCount != 0 {
				t.Errorf("%s, thread %d after the last flush: %+v %v", u.Name, th, got.UnreadCount, err)
			}
		}
	}
}

// Each tick of the background flush writes buffered marks once a flush is
// due by the service clock, without a further read; Stop ends it.
func TestTheBackgroundFlushWritesDueMarksWithoutAFurtherRead(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion // started by the server
	thread, _ := c.thread(c.ann, c.general, "Quiet", "Top")
	r1 := c.reply(c.bob, thread, 0, "one")
	c.view(c.ann, thread, "")
	if err := svc.FlushIfDue(); err != nil {
		t.Fatal(err)
	}
	if got := c.storedMark(thread, c.ann); got != 0 {
		t.Fatalf("a tick before the interval wrote the mark: %d", got)
	}
	c.env.Clock.Advance(svc.ReadFlushEvery)
	if err := svc.FlushIfDue(); err != nil {
		t.Fatal(err)
	}
	if got := c.storedMark(thread, c.ann); got != r1 {
		t.Fatalf("stored mark after a due tick: %d, want %d", got, r1)
	}
	n := svc.ReadFlushes()
	c.env.Clock.Advance(svc.ReadFlushEvery)
	if err := svc.FlushIfDue(); err != nil {
		t.Fatal(err)
	}
	if svc.ReadFlushes() != n {
		t.Fatal("a tick with nothing buffered wrote a transaction")
	}
	if err := svc.Stop(t.Context()); err != nil { // ends the goroutine
		t.Fatal(err)
	}
}

// A flush may commit while a delivery's transaction runs (another writer,
// an engine without a single writer): the delivery began before the
// commit, so it cannot see the flushed mark in the store, and must still
// find it in the buffer. A flush's marks leave the buffer only once no
// such transaction runs.
func TestFlushedMarksStayBufferedWhileATransactionThatReadsTheBufferRuns(t *testing.T) {
	c := newClass(t)
	svc := c.env.Server.Discussion
	thread, _ := c.thread(c.ann, c.general, "Marks", "Top")
	last := c.reply(c.bob, thread, 0, "one")
	c.view(c.ann, thread, "")
	if got := svc.BufferedMark(c.ann.ID, thread); got != last {
		t.Fatalf("buffered mark %d, want %d", got, last)
	}
	flushes := svc.ReadFlushes()

	release := svc.HoldReading() // a delivery's transaction is running
	done := make(chan error, 1)
	go func() { done <- svc.FlushReads(context.Background()) }()
	deadline := time.After(10 * time.Second)
	for svc.ReadFlushes() == flushes { // the flush commits
		select {
		case err := <-done:
			t.Fatalf("the flush returned (%v) while a reading transaction ran", err)
		case <-deadline:
			t.Fatal("the flush did not commit")
		case <-time.After(time.Millisecond):
		}
	}
	if got := c.storedMark(thread, c.ann); got != last {
		t.Fatalf("stored mark after the flush committed: %d, want %d", got, last)
	}
	if got := svc.BufferedMark(c.ann.ID, thread); got != last {
		t.Errorf("the mark left the buffer (%d) while a transaction that began before the flush's commit ran", got)
	}
	select {
	case err := <-done:
		t.Fatalf("the flush returned (%v) before the reading transaction ended", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := svc.BufferedMark(c.ann.ID, thread); got != 0 {
		t.Errorf("after the reading transaction ended the mark is still buffered: %d", got)
	}
}
