package postgres

import (
	"context"
	"fmt"

	"pacer/jobs"
)

// Import implements migrate.Importer: one exported record, stored as it is
// (under its job's name), in ctx's transaction.
func (s *Jobs) Import(ctx context.Context, kind string, rec any) error {
	if kind != "job_runs" {
		return fmt.Errorf("jobs import: unknown kind %q", kind)
	}
	st, ok := rec.(jobs.Status)
	if !ok {
		return fmt.Errorf("jobs import: %s record is a %T", kind, rec)
	}
	// Every stored status is a run's, which has both times; the table
	// requires them rather than inventing a zero instant the bbolt store
	// never answered.
	if st.LastRunAt == nil || st.LastFinishedAt == nil {
		return fmt.Errorf("jobs import: the status of job %q has no run times", st.Name)
	}
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO job_runs (name, last_run_at, last_finished_at, last_changed, last_error, runs)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		st.Name, *st.LastRunAt, *st.LastFinishedAt, int64(st.LastChanged), st.LastError, int64(st.Runs))
	return err
}

// Counts implements migrate.Importer: records of each kind held.
func (s *Jobs) Counts(ctx context.Context) (map[string]int64, error) {
	var n int64
	err := s.db.q(ctx).QueryRow(ctx, `SELECT count(*) FROM job_runs`).Scan(&n)
	return map[string]int64{"job_runs": n}, err
}
