package bolt

import (
	"context"

	"pacer/jobs"
	"pacer/storage"
)

// Export implements migrate.Exporter: each job's last run ("job_runs"),
// in name order.
func (s *Jobs) Export(ctx context.Context, put func(kind string, rec any) error) error {
	return s.db.Read(ctx, func(ctx context.Context) error {
		tx := storage.TxFrom(ctx)
		return tx.Each(storage.JobRuns, nil, func(k, _ []byte) error {
			var st jobs.Status
			if err := tx.Get(storage.JobRuns, k, &st); err != nil {
				return err
			}
			// The record is kept under the job's name; the name inside it
			// is the same one, but the key is what Status looks up.
			st.Name = string(k)
			return put("job_runs", st)
		})
	})
}
