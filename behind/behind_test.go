package behind_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/behind"
)

type fake struct {
	now     time.Time
	batches int
	more    []bool // what each Batch call reports, in turn (then false)
	queued  int    // the store's queue length, for Count
	err     error
}

func (f *fake) config(shared bool) behind.Config {
	return behind.Config{
		Now: func() time.Time { return f.now },
		Batch: func(context.Context) (bool, error) {
			f.batches++
			if f.err != nil {
				return false, f.err
			}
			more := len(f.more) > 0 && f.more[0]
			if len(f.more) > 0 {
				f.more = f.more[1:]
			}
			f.queued = 0
			return more, nil
		},
		Shared: shared,
		Count:  func(context.Context) (int, error) { return f.queued, nil },
	}
}

func TestDeliverRunsOnlyForWhatWasAcknowledged(t *testing.T) {
	ctx := context.Background()
	f := &fake{now: time.Unix(1000, 0)}
	q := behind.New(f.config(false))
	// The first reader looks for entries a previous run left queued.
	if err := q.Deliver(ctx); err != nil || f.batches != 1 {
		t.Fatalf("first Deliver: %v, %d batches; want one", err, f.batches)
	}
	if err := q.Deliver(ctx); err != nil || f.batches != 1 {
		t.Fatalf("Deliver with nothing added ran a batch (%d)", f.batches)
	}
	// A long queue is delivered in batches until one finds no more.
	q.Added()
	f.more = []bool{true, true, false}
	if err := q.Deliver(ctx); err != nil || f.batches != 4 {
		t.Fatalf("Deliver of a long queue: %v, %d batches; want 4", err, f.batches)
	}
	// A failed batch leaves the entries counted as queued.
	q.Added()
	f.err = errors.New("store down")
	if err := q.Deliver(ctx); !errors.Is(err, f.err) {
		t.Fatalf("Deliver returned %v, want the batch's error", err)
	}
	f.err = nil
	if err := q.Deliver(ctx); err != nil || f.batches != 6 {
		t.Fatalf("Deliver after a failure: %v, %d batches; want 6", err, f.batches)
	}
}

func TestASharedQueueAsksTheStore(t *testing.T) {
	ctx := context.Background()
	f := &fake{now: time.Unix(1000, 0)}
	q := behind.New(f.config(true))
	must(t, q.Deliver(ctx)) // the first look
	start := f.batches
	must(t, q.Deliver(ctx))
	if f.batches != start {
		t.Fatalf("an empty shared queue ran a batch")
	}
	// Another replica queued entries: this one's counts do not know.
	f.queued = 2
	must(t, q.Deliver(ctx))
	if f.batches != start+1 || f.queued != 0 {
		t.Fatalf("entries of another process were not delivered (%d batches)", f.batches-start)
	}
}

func TestDeliverIfDueWaitsForTheServiceClock(t *testing.T) {
	ctx := context.Background()
	f := &fake{now: time.Unix(1000, 0)}
	q := behind.New(f.config(false))
	q.Added()
	must(t, q.DeliverIfDue(ctx, time.Second))
	if f.batches != 0 {
		t.Fatalf("delivered before the interval passed")
	}
	f.now = f.now.Add(time.Second)
	must(t, q.DeliverIfDue(ctx, time.Second))
	if f.batches != 1 {
		t.Fatalf("not delivered once due (%d batches)", f.batches)
	}
	f.now = f.now.Add(time.Hour)
	must(t, q.DeliverIfDue(ctx, time.Second))
	if f.batches != 1 {
		t.Fatalf("delivered with nothing queued (%d batches)", f.batches)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
