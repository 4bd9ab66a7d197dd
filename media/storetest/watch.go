package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"pacer/media"
)

func watches(t *testing.T, open Open) {
	s, _ := open(t)
	k := media.WatchKey{Course: 1, User: 2, Item: 3}
	if _, err := s.Watch(bg, k); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Watch of none: %v, want ErrNotFound", err)
	}
	if has, err := s.HasWatch(bg, k); err != nil || has {
		t.Errorf("HasWatch of none = %v, %v", has, err)
	}
	st := media.WatchState{Spans: [][2]float64{{0, 10}, {20, 30.5}}, Position: 30.5, UpdatedAt: at, ClockAt: at.Add(time.Second)}
	keys := []media.WatchKey{k, {Course: 1, User: 4, Item: 3}, {Course: 1, User: 2, Item: 5}, {Course: 6, User: 2, Item: 3}}
	for _, k := range keys {
		if err := s.PutWatch(bg, k, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Watch(bg, k)
	if err != nil || !slices.Equal(got.Spans, st.Spans) || got.Position != st.Position || got.Completed ||
		!got.UpdatedAt.Equal(st.UpdatedAt) || !got.ClockAt.Equal(st.ClockAt) {
		t.Errorf("Watch = %+v, %v; want %+v", got, err, st)
	}
	if has, _ := s.HasWatch(bg, k); !has {
		t.Error("HasWatch after PutWatch is false")
	}
	if err := s.DeleteItemWatches(bg, 1, 3); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		has, _ := s.HasWatch(bg, k)
		if want := i >= 2; has != want {
			t.Errorf("after deleting item 3 of course 1, %+v exists: %v, want %v", k, has, want)
		}
	}
}

func batch(t *testing.T, open Open) {
	s, _ := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for u := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := media.WatchKey{Course: 1, User: uint64(u + 1), Item: 3}
			errs <- s.Batch(bg, func(ctx context.Context) error {
				st, err := s.Watch(ctx, k)
				if err != nil && !errors.Is(err, media.ErrNotFound) {
					return err
				}
				st.Position++
				return s.PutWatch(ctx, k, st)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for u := range 16 {
		st, err := s.Watch(bg, media.WatchKey{Course: 1, User: uint64(u + 1), Item: 3})
		if err != nil || st.Position != 1 {
			t.Errorf("learner %d after one batched write: %+v, %v", u+1, st, err)
		}
	}
	if err := s.Batch(bg, func(context.Context) error { return errAbort }); !errors.Is(err, errAbort) {
		t.Errorf("Batch returned %v, want the work's error", err)
	}
}
