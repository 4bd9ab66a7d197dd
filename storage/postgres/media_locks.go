package postgres

import (
	"context"
	"errors"
	"hash/crc32"
)

// blobLockClass is the first key of the blob locks' advisory locks
// ("medi" in ASCII), apart from the leases' and the migrations'.
const blobLockClass = 0x6d656469

// LockBlob implements media.Store: a session advisory lock, keyed by the
// blob's hash, on a connection held until unlock. Replicas share one
// bucket, so an upload on one that finds a blob present and a removal on
// another that finds it unused must not interleave; the lock makes them
// take turns as the service's mutex does within one process. Two blobs
// whose keys collide (1 in 2^32) only wait for each other.
func (s *Media) LockBlob(ctx context.Context, sum string) (func(), error) {
	if txFrom(ctx) != nil {
		// Held by a transaction's connection, the lock would outlive
		// nothing and could wait for the transaction itself.
		return nil, errors.New("postgres: LockBlob inside a transaction")
	}
	conn, err := s.db.pool.Acquire(ctx)
	if err != nil {
		return nil, unreachable(err)
	}
	key := int32(crc32.ChecksumIEEE([]byte(sum)))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, $2)", int32(blobLockClass), key); err != nil {
		conn.Release()
		return nil, unreachable(err)
	}
	return func() {
		// A lock that cannot be given back (the connection broke) went
		// with its session; the pool then drops the connection.
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, $2)", int32(blobLockClass), key); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
		conn.Release()
	}, nil
}
