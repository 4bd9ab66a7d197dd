-- The signing key generated when none is configured (package auth), kept
-- here so that every replica signs and checks with the same one.
CREATE TABLE signing_keys (
    name text COLLATE "C" PRIMARY KEY,
    key  bytea NOT NULL CHECK (octet_length(key) >= 32)
);
