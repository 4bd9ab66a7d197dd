-- Rate limits shared by every replica (package limit): the current fixed
-- window of each limiter and key, counted by one upsert per event. A row
-- whose window has ended counts as no row; the sweep deletes those.
CREATE TABLE rate_windows (
    name       text COLLATE "C" NOT NULL,
    key        text COLLATE "C" NOT NULL,
    n          integer     NOT NULL CHECK (n >= 0),
    window_end timestamptz NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE INDEX rate_windows_end ON rate_windows (window_end);
