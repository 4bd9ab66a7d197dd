package bolt

import (
	"context"
	"errors"

	"pacer/jobs"
	"pacer/storage"
)

// Jobs implements jobs.Store: one record per job name in storage.JobRuns.
type Jobs struct{ db *storage.DB }

// NewJobs returns the store over db.
func NewJobs(db *storage.DB) *Jobs { return &Jobs{db: db} }

// RecordRun implements jobs.Store.
func (s *Jobs) RecordRun(ctx context.Context, res jobs.RunResult, errText string) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		var st jobs.Status
		if err := tx.Get(storage.JobRuns, []byte(res.Job), &st); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		started, finished := res.StartedAt, res.FinishedAt
		st.Name, st.LastRunAt, st.LastFinishedAt, st.LastChanged = res.Job, &started, &finished, res.Changed
		st.LastError = errText
		st.Runs++
		return tx.Put(storage.JobRuns, []byte(res.Job), st)
	})
}

// Status implements jobs.Store.
func (s *Jobs) Status(ctx context.Context, name string) (jobs.Status, error) {
	var st jobs.Status
	err := s.db.Read(ctx, func(ctx context.Context) error {
		err := storage.TxFrom(ctx).Get(storage.JobRuns, []byte(name), &st)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		return err
	})
	return st, err
}
