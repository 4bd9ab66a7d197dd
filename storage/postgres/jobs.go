package postgres

import (
	"context"
	"time"

	"pacer/jobs"
)

// Jobs implements jobs.Store in table job_runs, one row per job name
// (migrations/0011_jobs.sql).
type Jobs struct{ db *DB }

// NewJobs returns the store over db.
func NewJobs(db *DB) *Jobs { return &Jobs{db: db} }

var _ jobs.Store = (*Jobs)(nil)

// RecordRun implements jobs.Store: one upsert that counts the run where
// the row is, so concurrent runs of a job each add one.
func (s *Jobs) RecordRun(ctx context.Context, res jobs.RunResult, errText string) error {
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO job_runs (name, last_run_at, last_finished_at, last_changed, last_error, runs)
		VALUES ($1, $2, $3, $4, $5, 1)
		ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at, last_finished_at = excluded.last_finished_at,
			last_changed = excluded.last_changed, last_error = excluded.last_error, runs = job_runs.runs + 1`,
		res.Job, res.StartedAt, res.FinishedAt, int64(res.Changed), errText)
	return err
}

// Status implements jobs.Store.
func (s *Jobs) Status(ctx context.Context, name string) (jobs.Status, error) {
	var st jobs.Status
	var started, finished time.Time
	var changed, runs int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT name, last_run_at, last_finished_at, last_changed, last_error, runs
		FROM job_runs WHERE name = $1`, name).Scan(&st.Name, &started, &finished, &changed, &st.LastError, &runs)
	if noRows(err) {
		return jobs.Status{}, nil
	}
	if err != nil {
		return jobs.Status{}, err
	}
	started, finished = started.UTC(), finished.UTC()
	st.LastRunAt, st.LastFinishedAt, st.LastChanged, st.Runs = &started, &finished, int(changed), int(runs)
	return st, nil
}
