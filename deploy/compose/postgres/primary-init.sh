#!/bin/sh
# Runs once, when the primary's data directory is first initialised (the
# official image runs /docker-entrypoint-initdb.d/*): a role the standby
# streams with, a slot that keeps the WAL it has not received yet, and the
# pg_hba line that lets it connect.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'pw';
SELECT pg_create_physical_replication_slot('replica1');
SQL

# scram-sha-256 is the image's default password encryption.
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
