#!/bin/sh
# The standby: on first start, a base backup of the primary through the
# slot primary-init.sh made (-R writes standby.signal and the connection
# settings), then PostgreSQL in recovery, streaming from then on. A later
# start finds the data directory and only streams.
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h postgres-primary -p 5432 -q; do
    echo "waiting for postgres-primary"
    sleep 1
  done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup \
    --host=postgres-primary --username=replicator \
    --pgdata="$PGDATA" --wal-method=stream --slot=replica1 \
    --write-recovery-conf --checkpoint=fast
  chmod 0700 "$PGDATA"
fi

exec postgres -c hot_standby=on
