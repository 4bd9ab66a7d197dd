-- The lead of the periodic work among replicas (package jobs). The
-- replica that holds the session advisory lock of a lease writes its row:
-- who holds it, a fencing epoch that grows with every change of holder,
-- and until when the holder vouches for itself (renewed while it leads).
-- Every write of a scheduled run first reads this row FOR SHARE, matching
-- its holder and epoch: a replica that lost the lead (its connection died,
-- another took over) writes nothing more, and a takeover waits for the
-- writes under the old lease to end.
CREATE TABLE job_leases (
    name       text COLLATE "C" PRIMARY KEY,
    -- '' once the holder released it.
    holder     text        NOT NULL,
    epoch      bigint      NOT NULL,
    expires_at timestamptz NOT NULL
);
