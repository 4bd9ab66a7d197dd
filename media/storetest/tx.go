package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/media"
)

func joinsTransaction(t *testing.T, open Open) {
	s, run := open(t)
	k := media.WatchKey{Course: 1, User: 2, Item: 3}
	err := run.Write(bg, func(ctx context.Context) error {
		m, err := s.Add(ctx, upload(1, 9, 0), nil)
		if err != nil {
			return err
		}
		if _, err := s.Get(ctx, m.ID); err != nil {
			t.Errorf("inside the transaction the new record is not seen: %v", err)
		}
		if err := s.AddUsage(ctx, map[media.Account]int64{{User: true, ID: 9}: m.Size}); err != nil {
			return err
		}
		if err := s.Batch(ctx, func(ctx context.Context) error { return s.PutWatch(ctx, k, media.WatchState{Position: 1}) }); err != nil {
			return err
		}
		if has, _ := s.HasWatch(ctx, k); !has {
			t.Error("inside the transaction a batched write is not seen")
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write returned %v, want the work's error", err)
	}
	if ids := course(t, s, 1); len(ids) != 0 {
		t.Errorf("an aborted transaction left records %v", ids)
	}
	if n, _ := s.Usage(bg, media.Account{User: true, ID: 9}); n != 0 {
		t.Errorf("an aborted transaction left a total of %d", n)
	}
	if has, _ := s.HasWatch(bg, k); has {
		t.Error("an aborted transaction left a watch state")
	}
	if gone, _ := sweepAll(t, s, at.Add(time.Hour), 10); len(gone.Media) != 0 {
		t.Errorf("an aborted transaction left unattached uploads %v", ids(gone.Media))
	}
}

func rerun(t *testing.T, open Open) {
	s, run := open(t)
	first := add(t, s, courseFile(1, 0), caption("en", 0))
	attempts := 0
	work := func(ctx context.Context) error {
		attempts++
		m, err := s.Add(ctx, upload(1, 9, 1), nil)
		if err != nil {
			return err
		}
		if err := s.AddUsage(ctx, map[media.Account]int64{{User: true, ID: 9}: m.Size}); err != nil {
			return err
		}
		if _, err := s.Remove(ctx, first.ID); err != nil {
			return err
		}
		if attempts == 1 {
			return errAbort // as a conflict would make an engine retry
		}
		return nil
	}
	if err := run.Write(bg, work); !errors.Is(err, errAbort) {
		t.Fatalf("first attempt: %v", err)
	}
	if err := run.Write(bg, work); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if ids := course(t, s, 1); len(ids) != 1 {
		t.Errorf("after a failed and a good attempt course 1 lists %v, want one upload", ids)
	}
	if n, _ := s.Usage(bg, media.Account{User: true, ID: 9}); n != upload(1, 9, 1).Size {
		t.Errorf("after a failed and a good attempt the total is %d, want %d", n, upload(1, 9, 1).Size)
	}
	if gone, _ := sweepAll(t, s, at.Add(time.Hour), 10); len(gone.Media) != 1 {
		t.Errorf("after a failed and a good attempt %d unattached uploads, want 1", len(gone.Media))
	}
}
