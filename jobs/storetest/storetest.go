// Package storetest is the contract of jobs.Store, run against every
// engine's implementation (storage/bolt runs it for bbolt).
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"pacer/jobs"
	"pacer/txn"
)

// Open returns a new, empty store and the runner of its transactions.
type Open func(t *testing.T) (jobs.Store, txn.Runner)

var at = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

// Run checks the contract against stores open makes.
func Run(t *testing.T, open Open) {
	t.Run("a job that never ran has the zero status", func(t *testing.T) {
		s, _ := open(t)
		st, err := s.Status(context.Background(), "never")
		if err != nil || st.Runs != 0 || st.LastRunAt != nil || st.LastError != "" {
			t.Errorf("Status of a job that never ran = %+v, %v", st, err)
		}
	})
	t.Run("each run is counted and the last one kept", func(t *testing.T) {
		s, run := open(t)
		write := func(res jobs.RunResult, errText string) {
			t.Helper()
			if err := run.Write(context.Background(), func(ctx context.Context) error { return s.RecordRun(ctx, res, errText) }); err != nil {
				t.Fatal(err)
			}
		}
		write(jobs.RunResult{Job: "a", StartedAt: at, FinishedAt: at.Add(time.Second), Changed: 3}, "boom")
		write(jobs.RunResult{Job: "a", StartedAt: at.Add(time.Minute), FinishedAt: at.Add(time.Minute + time.Second), Changed: 1}, "")
		write(jobs.RunResult{Job: "b", StartedAt: at, FinishedAt: at}, "")
		st, err := s.Status(context.Background(), "a")
		if err != nil {
			t.Fatal(err)
		}
		if st.Runs != 2 || st.LastChanged != 1 || st.LastError != "" || st.LastRunAt == nil ||
			!st.LastRunAt.Equal(at.Add(time.Minute)) || st.LastFinishedAt == nil || !st.LastFinishedAt.Equal(at.Add(time.Minute+time.Second)) {
			t.Errorf("after two runs of a: %+v", st)
		}
		if st, _ := s.Status(context.Background(), "b"); st.Runs != 1 {
			t.Errorf("b's runs = %d, want 1 (jobs are kept apart)", st.Runs)
		}
	})
	t.Run("a run recorded in a failed transaction is not kept", func(t *testing.T) {
		s, run := open(t)
		abort := errors.New("abort")
		err := run.Write(context.Background(), func(ctx context.Context) error {
			if err := s.RecordRun(ctx, jobs.RunResult{Job: "a", StartedAt: at, FinishedAt: at}, ""); err != nil {
				return err
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("Write = %v", err)
		}
		if st, _ := s.Status(context.Background(), "a"); st.Runs != 0 {
			t.Errorf("an aborted run was kept: %+v", st)
		}
	})
}
