package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/jobs"
)

// Leader implements jobs.Leader for replicas on one database. The lead is
// a session advisory lock, held on a connection of the leader's own (not
// one of the pool's, which go back to the pool and to other work): while
// that session lives no other replica gets the lock, and when it dies
// (the replica's process or machine, or the network between) PostgreSQL
// releases the lock and another replica takes it at its next tick.
//
// A lock alone cannot stop a replica that lost it without noticing (a
// long pause, a connection killed while a run goes on) from writing after
// its successor started. So the holder of the lock also writes the lease
// row of job_leases (migration 0013) with a fencing epoch that grows with
// every change of holder, and each write transaction of a scheduled run
// reads that row FOR SHARE, matching its holder and epoch, before it
// writes anything (jobs.Fenced, Lease.Check). The row's expiry, renewed by
// the leader, bounds how long a replica that stalls with its connection
// alive (a stopped process whose kernel still answers) keeps the lead: a
// follower that finds the lease expired ends the holder's session.
type Leader struct {
	db  *DB
	cfg LeaderConfig
	// lockKey is the advisory lock's second key (the first is
	// leaseLockClass), derived from the lease's name.
	lockKey int32

	// mu serialises the use of conn: cron asks Lead from a goroutine per
	// job.
	mu      sync.Mutex
	conn    *pgx.Conn
	leading bool
	epoch   int64
	renewed time.Time
	closed  bool
}

// LeaderConfig is what a Leader is built from.
type LeaderConfig struct {
	// Name is the lease's (default "jobs"): one lead for all the
	// scheduler's jobs.
	Name string
	// Holder names this replica (its replica id); it is what the lease
	// row and the administrators' list of jobs show.
	Holder string
	// TTL is how long the lease holds without renewal (default 3
	// minutes); the leader renews it after a third of it, at the first
	// run it is asked about.
	TTL time.Duration
	Log *slog.Logger
}

// leaseLockClass is the first key of every lease's advisory lock ("pace"
// in ASCII), so that the locks of leases meet no other advisory lock (the
// migration lock takes the one-key form).
const leaseLockClass = 0x70616365

// connectTimeout bounds the opening of the leader's connection.
const connectTimeout = 5 * time.Second

// NewLeader returns a leader over db for the replica cfg.Holder names.
func NewLeader(db *DB, cfg LeaderConfig) *Leader {
	if cfg.Name == "" {
		cfg.Name = "jobs"
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 3 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Leader{db: db, cfg: cfg, lockKey: int32(crc32.ChecksumIEEE([]byte(cfg.Name)) & 0x7fffffff)}
}

var _ jobs.Leader = (*Leader)(nil)

// lease is a Leader's proof of the lead for one epoch.
type lease struct {
	db     *DB
	name   string
	holder string
	epoch  int64
}

// Check implements jobs.Lease: the lease row, read FOR SHARE inside the
// write transaction, must still be this holder's at this epoch and not
// expired. The row lock makes a takeover wait until the transaction ends,
// so a write that passed the check commits under the old lease or not
// at all.
func (l lease) Check(ctx context.Context) error {
	if txFrom(ctx) == nil {
		return errors.New("postgres: a lease is checked inside a transaction")
	}
	var epoch int64
	err := l.db.q(ctx).QueryRow(ctx, `SELECT epoch FROM job_leases
		WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now() FOR SHARE`,
		l.name, l.holder, l.epoch).Scan(&epoch)
	if noRows(err) {
		return jobs.ErrLeaseLost
	}
	return err
}

// Lead implements jobs.Leader. A leader proves its session alive at each
// call (one read of its lease row on its own connection) and renews the
// lease when a third of it has passed; a follower tries the lock.
func (l *Leader) Lead(ctx context.Context, _ string) (jobs.Lease, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, false, nil
	}
	if l.leading {
		ok, err := l.confirm(ctx)
		if ok {
			return l.lease(), true, nil
		}
		// The session died, or the row says another replica took over:
		// whatever this connection still holds is given up with it.
		l.cfg.Log.Warn("jobs: this replica lost the lead", "holder", l.cfg.Holder, "epoch", l.epoch, "err", err)
		l.drop()
	}
	ok, err := l.acquire(ctx)
	if err != nil {
		l.drop()
		return nil, false, err
	}
	if !ok {
		return nil, false, nil
	}
	l.cfg.Log.Info("jobs: this replica leads", "holder", l.cfg.Holder, "epoch", l.epoch)
	return l.lease(), true, nil
}

func (l *Leader) lease() jobs.Lease {
	return lease{db: l.db, name: l.cfg.Name, holder: l.cfg.Holder, epoch: l.epoch}
}

// confirm reports whether this replica still leads: its session answers
// and the lease row is still its own. It renews the lease when due.
func (l *Leader) confirm(ctx context.Context) (bool, error) {
	if l.conn == nil || l.conn.IsClosed() {
		return false, errors.New("the leader's connection is closed")
	}
	if time.Since(l.renewed) >= l.cfg.TTL/3 {
		tag, err := l.conn.Exec(ctx, `UPDATE job_leases SET expires_at = now() + make_interval(secs => $4)
			WHERE name = $1 AND holder = $2 AND epoch = $3`, l.cfg.Name, l.cfg.Holder, l.epoch, l.cfg.TTL.Seconds())
		if err != nil || tag.RowsAffected() != 1 {
			return false, err
		}
		l.renewed = time.Now()
		return true, nil
	}
	var mine bool
	err := l.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM job_leases
		WHERE name = $1 AND holder = $2 AND epoch = $3)`, l.cfg.Name, l.cfg.Holder, l.epoch).Scan(&mine)
	return mine && err == nil, err
}

// acquire opens the leader's connection if need be and tries the lock;
// with it, it takes the lease at a new epoch. When another session holds
// the lock under an expired lease, that session is ended first: its
// replica stalled, and the lock would otherwise stay with it for as long
// as its kernel keeps the connection open.
func (l *Leader) acquire(ctx context.Context) (bool, error) {
	if l.conn == nil || l.conn.IsClosed() {
		if err := l.connect(ctx); err != nil {
			return false, err
		}
	}
	got, err := l.tryLock(ctx)
	if err != nil || !got {
		if err == nil {
			got, err = l.takeOverExpired(ctx)
		}
		if err != nil || !got {
			return false, err
		}
	}
	// The lock is this session's: no other replica writes the row now.
	var epoch int64
	err = l.conn.QueryRow(ctx, `INSERT INTO job_leases (name, holder, epoch, expires_at)
		VALUES ($1, $2, 1, now() + make_interval(secs => $3))
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = job_leases.epoch + 1,
			expires_at = excluded.expires_at
		RETURNING epoch`, l.cfg.Name, l.cfg.Holder, l.cfg.TTL.Seconds()).Scan(&epoch)
	if err != nil {
		return false, err
	}
	l.leading, l.epoch, l.renewed = true, epoch, time.Now()
	return true, nil
}

func (l *Leader) tryLock(ctx context.Context) (bool, error) {
	var got bool
	err := l.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", leaseLockClass, l.lockKey).Scan(&got)
	return got, err
}

// takeOverExpired ends the session that holds the lock when the lease it
// wrote has expired, and then tries the lock again.
func (l *Leader) takeOverExpired(ctx context.Context) (bool, error) {
	var ended bool
	err := l.conn.QueryRow(ctx, `SELECT coalesce(bool_or(pg_terminate_backend(k.pid, 5000)), false)
		FROM pg_locks k, job_leases j
		WHERE j.name = $1 AND j.expires_at < now()
		  AND k.locktype = 'advisory' AND k.granted AND k.objsubid = 2
		  AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND k.classid = $2::int4::oid AND k.objid = $3::int4::oid
		  AND k.pid <> pg_backend_pid()`, l.cfg.Name, leaseLockClass, l.lockKey).Scan(&ended)
	if err != nil || !ended {
		return false, err
	}
	l.cfg.Log.Warn("jobs: the leading replica's lease expired; its session was ended", "holder", l.cfg.Holder)
	return l.tryLock(ctx)
}

// connect opens the leader's own connection, with the pool's settings.
// TCP keepalives are short on the server's side, so that the session of
// a replica whose machine vanished ends (and its lock with it) within
// half a minute rather than the system's two hours.
func (l *Leader) connect(ctx context.Context) error {
	cfg := l.db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "pacer leader " + l.cfg.Holder
	cfg.RuntimeParams["tcp_keepalives_idle"] = "10"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "5"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: the leader's connection: %w", err)
	}
	l.conn = conn
	return nil
}

// drop closes the leader's connection, which ends its session and so
// releases the lock if the session still held it.
func (l *Leader) drop() {
	l.leading = false
	if l.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		l.conn.Close(ctx)
		cancel()
		l.conn = nil
	}
}

// Release implements jobs.Leader: it clears the lease row (keeping its
// epoch, so epochs never repeat), unlocks and closes the connection.
// Another replica takes the lead at its next tick. Lead answers false
// afterwards.
func (l *Leader) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.conn == nil {
		return nil
	}
	var err error
	if l.leading && !l.conn.IsClosed() {
		_, err = l.conn.Exec(ctx, `UPDATE job_leases SET holder = '', expires_at = now()
			WHERE name = $1 AND holder = $2 AND epoch = $3`, l.cfg.Name, l.cfg.Holder, l.epoch)
		if err == nil {
			_, err = l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1, $2)", leaseLockClass, l.lockKey)
		}
		if err == nil {
			l.cfg.Log.Info("jobs: this replica released the lead", "holder", l.cfg.Holder, "epoch", l.epoch)
		}
	}
	// Closing the session releases the lock in any case.
	l.drop()
	return err
}

// Holder implements jobs.Leader: the holder of the unexpired lease, read
// on the pool.
func (l *Leader) Holder(ctx context.Context) (string, error) {
	var holder string
	err := l.db.pool.QueryRow(ctx, `SELECT holder FROM job_leases WHERE name = $1 AND expires_at > now()`,
		l.cfg.Name).Scan(&holder)
	if noRows(err) {
		return "", nil
	}
	return holder, err
}
