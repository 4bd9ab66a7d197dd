package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Local work runs on every process, leader or not, at intervals below a
// second; Stop waits for a run in progress and no run follows it.
func TestLocalWorkRunsOnAFollowerAndStopsCleanly(t *testing.T) {
	s := scheduler(t, &follower{})
	s.Start()
	runs := make(chan struct{})
	release := make(chan struct{})
	l, err := s.Every("flush", 5*time.Millisecond, func(ctx context.Context) error {
		runs <- struct{}{}
		<-release
		return errors.New("a failed run is logged, and the next one tries again")
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		select {
		case <-runs:
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d did not happen on a process that does not lead", i+1)
		}
		if i < 2 {
			release <- struct{}{}
		}
	}
	// A run is in progress (it holds release): Stop must wait for it.
	stopped := make(chan struct{})
	go func() {
		l.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("Stop returned while a run was in progress")
	case <-time.After(50 * time.Millisecond):
	}
	release <- struct{}{}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return after the run ended")
	}
	select {
	case <-runs:
		t.Fatal("a run started after Stop")
	case <-time.After(50 * time.Millisecond):
	}
	l.Stop() // twice is harmless
}

func TestLocalWorkIsRefusedAfterTheSchedulerStops(t *testing.T) {
	s := scheduler(t, nil)
	if _, err := s.Every("", time.Second, func(context.Context) error { return nil }); err == nil {
		t.Error("local work without a name was accepted")
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Every("late", time.Second, func(context.Context) error { return nil }); err == nil {
		t.Error("local work added after Stop was accepted")
	}
}
