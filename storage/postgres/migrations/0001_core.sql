-- Revisions of cached values (package cache): one row per key that was
-- ever bumped; never deleted, so that a revision never falls back to 0.
CREATE TABLE revisions (
    kind text   NOT NULL,
    id   bigint NOT NULL,
    sub  bigint NOT NULL,
    rev  bigint NOT NULL,
    PRIMARY KEY (kind, id, sub)
);
