-- Each periodic job's last run (package jobs), under the job's name.
CREATE TABLE job_runs (
    name             text COLLATE "C" PRIMARY KEY,
    last_run_at      timestamptz NOT NULL,
    last_finished_at timestamptz NOT NULL,
    last_changed     bigint      NOT NULL,
    last_error       text        NOT NULL,
    runs             bigint      NOT NULL
);
