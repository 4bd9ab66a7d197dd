#!/bin/sh
# The bucket and Pacer's own user on MinIO. Idempotent: a second run finds
# the bucket and the user and changes nothing else.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing local/pacer
# Versioning keeps what a deletion or an overwrite replaced, so a file
# removed by mistake (or by the upload sweep) can be restored; see
# ../README.md, "Backups", for the lifecycle rule that bounds its cost.
mc version enable local/pacer
mc admin policy create local pacer-media /pacer-policy.json
mc admin user add local "$PACER_S3_ACCESS_KEY_ID" "$PACER_S3_SECRET_ACCESS_KEY"
mc admin policy attach local pacer-media --user "$PACER_S3_ACCESS_KEY_ID" || true
