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

func captions(t *testing.T, open Open) {
	s, _ := open(t)
	m := add(t, s, courseFile(1, 0))
	other := add(t, s, courseFile(1, 1), caption("en", 9))
	if _, err := s.Caption(bg, m.ID, "en"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Caption of a missing language: %v, want ErrNotFound", err)
	}
	if cs := captionsOf(t, s, m.ID); cs == nil || len(cs) != 0 {
		t.Errorf("Captions without any = %#v, want an empty list", cs)
	}
	for i, lang := range []string{"fr", "en", "de"} {
		c := caption(lang, i)
		c.MediaID = m.ID
		if err := s.PutCaption(bg, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := langs(captionsOf(t, s, m.ID)); !slices.Equal(got, []string{"de", "en", "fr"}) {
		t.Errorf("Captions = %v, want language order", got)
	}
	if n, err := s.CountCaptions(bg, m.ID); err != nil || n != 3 {
		t.Errorf("CountCaptions = %d, %v; want 3", n, err)
	}
	// Replacing a language's captions drops the old blob's use.
	c := caption("en", 7)
	c.MediaID = m.ID
	c.Label = "English (new)"
	if err := s.PutCaption(bg, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Caption(bg, m.ID, "en")
	if err != nil || got.Label != c.Label || got.SHA256 != c.SHA256 || got.MediaID != m.ID {
		t.Errorf("Caption after replacing = %+v, %v; want %+v", got, err, c)
	}
	if n, _ := s.CountCaptions(bg, m.ID); n != 3 {
		t.Errorf("replacing a language made %d languages, want 3", n)
	}
	if inUse(t, s, sum(5001)) || !inUse(t, s, sum(5007)) {
		t.Error("after replacing, the old captions' blob must be unused and the new one's used")
	}
	if err := s.DeleteCaption(bg, m.ID, "fr"); err != nil {
		t.Fatal(err)
	}
	if got := langs(captionsOf(t, s, m.ID)); !slices.Equal(got, []string{"de", "en"}) || inUse(t, s, sum(5000)) {
		t.Errorf("after deleting fr: %v, its blob in use %v", got, inUse(t, s, sum(5000)))
	}
	if err := s.DeleteCaption(bg, m.ID, "fr"); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("deleting missing captions: %v, want ErrNotFound", err)
	}
	if got := langs(captionsOf(t, s, other.ID)); !slices.Equal(got, []string{"en"}) {
		t.Errorf("another media's captions changed: %v", got)
	}
}

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

func usage(t *testing.T, open Open) {
	s, _ := open(t)
	c, u := media.Account{ID: 1}, media.Account{User: true, ID: 1}
	total := func(a media.Account) int64 {
		t.Helper()
		n, err := s.Usage(bg, a)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if total(c) != 0 {
		t.Fatal("a new account uses bytes")
	}
	if err := s.AddUsage(bg, map[media.Account]int64{c: 500, u: 70}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUsage(bg, map[media.Account]int64{c: 200}); err != nil {
		t.Fatal(err)
	}
	if total(c) != 700 || total(u) != 70 {
		t.Errorf("totals = %d, %d; want 700 for the course, 70 for the user of the same id", total(c), total(u))
	}
	if err := s.AddUsage(bg, map[media.Account]int64{u: -100}); err != nil {
		t.Fatal(err)
	}
	if total(u) != 0 {
		t.Errorf("a total taken below zero is %d, want 0", total(u))
	}
	if err := s.ClearUsage(bg, c); err != nil {
		t.Fatal(err)
	}
	if total(c) != 0 {
		t.Errorf("a cleared total is %d", total(c))
	}
}

func countedUsage(t *testing.T, open Open) {
	s, _ := open(t)
	if done, err := s.UsageCounted(bg); err != nil || done {
		t.Fatalf("UsageCounted of a new store = %v, %v", done, err)
	}
	c, u := media.Account{ID: 2}, media.Account{User: true, ID: 3}
	if err := s.CountedUsage(bg, map[media.Account]int64{c: 1234, u: 56}); err != nil {
		t.Fatal(err)
	}
	if done, _ := s.UsageCounted(bg); !done {
		t.Error("UsageCounted after CountedUsage is false")
	}
	if n, _ := s.Usage(bg, c); n != 1234 {
		t.Errorf("course total = %d, want 1234", n)
	}
	if n, _ := s.Usage(bg, u); n != 56 {
		t.Errorf("user total = %d, want 56", n)
	}
}
