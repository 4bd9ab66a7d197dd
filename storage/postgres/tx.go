package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"pacer/cache"
	"pacer/txn"
)

// The transaction a context carries, and txn.Runner over it.
//
// Writes run SERIALIZABLE: every write function was written against
// bbolt's single writer, and serializable isolation is the level at which
// PostgreSQL promises the same outcome as some one-at-a-time order, so no
// invariant needs restating per write (an id that must be unique, a seat
// that must not be taken twice, a counter that must add up). The price is
// that a transaction may abort with 40001 (or 40P01 on a deadlock); it is
// then run again from the start, which the write functions allow (package
// txn). Reads run REPEATABLE READ, READ ONLY: one snapshot for the whole
// read, which is what a page needs, and such a transaction never aborts.
// Work marked with txn.Locking (a reply, whose thread row every reply to
// the thread updates) runs READ COMMITTED instead and argues its
// correctness from the row locks it takes, where it is written; when it
// calls txn.Serial it is run again, SERIALIZABLE.

type txKey struct{}

// pgTx is one transaction on a connection of its own. Its BEGIN is not sent
// on its own: it waits for the transaction's first statement and goes in
// the same round trip (a pipeline of two), since every transaction starts
// with a statement anyway and, on a busy server, round trips are what a
// request costs most. A transaction that runs no statement sends nothing.
type pgTx struct {
	// conn is the transaction's connection, taken from pool by its first
	// statement (connect): a read marked txn.Cached that is answered from
	// the caches never takes one (looseReads).
	conn *pgxpool.Conn
	pool *pgxpool.Pool
	// begin is the BEGIN still to send with the first statement; "" once
	// sent.
	begin    string
	writable bool
	// serial is a SERIALIZABLE write: one snapshot for all its reads.
	// wrote is set by its first statement that may write (any but a
	// SELECT), or write deferred: until then its reads are committed
	// records at committed revisions, and it may fill the caches (fills).
	serial, wrote bool
	// failed is the first statement error of the transaction. After it
	// PostgreSQL refuses every statement (25P02) until the end; when the
	// code that saw it went on regardless (a read whose error a caller
	// treats as "absent"), the work function returns 25P02, and the
	// transaction is judged by this first error instead: a serialization
	// failure there is retried like any other.
	failed error
	// revs are the revisions this transaction has read or bumped
	// (revisions.go): one snapshot answers each the same way every time,
	// so a second check of one key needs no round trip.
	revs map[cache.Key]uint64
	// checks are the checks put off that went with the batch being sent,
	// at index checkAt of its pending statements (checkSQL), or, when
	// checkAt is -1, as keys of its revisions put off (wantAt).
	checks  []cache.Expected
	checkAt int
	// want are the revisions Revisions.Prefetch was asked for before the
	// transaction's first statement: they are read in that statement's
	// round trip (or at the first revision asked). wanted are those that
	// went with the batch being sent, at index wantAt of its pending
	// statements (-1: none).
	want   []cache.Key
	wanted []cache.Key
	wantAt int
	// deferred are writes whose outcome the work does not wait for (a
	// revision bump, which every cached write makes before its change):
	// like BEGIN, they go in the round trip of the next statement, or of
	// the COMMIT, in order; an error of theirs fails that statement, as
	// it would have failed on its own.
	deferred []pgx.QueuedQuery
	// scans are the callbacks of the deferred statements whose row the
	// work reads after the transaction (deferQueryRow) that went with the
	// batch being sent, by index of its pending statements.
	scans map[int]func(pgx.BatchResults) error
	// alone is a read marked txn.Cached that has sent nothing yet: its
	// revisions may be read in one statement outside a transaction
	// (Revisions.Prefetch), or, when its first statement reads records,
	// the revisions it put off, that statement, its BEGIN and its COMMIT
	// go in one round trip (withPending). loose is set once either was
	// sent: the read then has no snapshot to run another statement in,
	// and one more statement fails with errLoose, on which run runs the
	// work again in a transaction.
	alone, loose bool
	// bumped are the keys this transaction bumped, and confirms the
	// values it loaded through a cache it may not fill (fills): its
	// COMMIT goes with a read of their revisions, and those still at
	// the revision they were loaded with are kept once it commits
	// (Revisions.Confirm).
	bumped   map[cache.Key]bool
	confirms []confirmation
}

// confirmation is a value loaded at rev by a write that may not keep it
// before it commits; keep keeps it.
type confirmation struct {
	key  cache.Key
	rev  uint64
	keep func()
}

// maxConfirms bounds the values one write keeps at its commit: a write
// that loads more (a sweep) keeps none past it, rather than make its
// COMMIT read hundreds of revisions.
const maxConfirms = 32

// errLoose is a statement asked of a read whose revisions were read
// outside a transaction (pgTx.alone): its work is run again in one.
var errLoose = errors.New("postgres: a cached read needs a transaction")

// detached fails a statement of a loose read, and marks the read failed so
// that run sees why even if the work treats the error as "absent".
func (t *pgTx) detached() error {
	if !t.loose {
		return nil
	}
	if t.failed == nil {
		t.failed = errLoose
	}
	return errLoose
}

// fills reports whether what t reads now may fill a cache (cache.Revisions):
// a read's always; a write's while it reads one snapshot and has written
// nothing, so that a value it loads is the committed one at the committed
// revision it read, whatever becomes of the write afterwards. A write at
// READ COMMITTED reads each statement at a snapshot of its own, a revision
// and a record possibly apart, so it fills nothing as it reads (what its
// commit confirms is kept then: Revisions.Confirm).
func (t *pgTx) fills() bool { return !t.writable || (t.serial && !t.wrote) }

// writes notes a statement that may write: anything but a SELECT (SELECT …
// FOR UPDATE locks, and SELECT nextval draws an id: neither changes a
// record).
func (t *pgTx) writes(sql string) {
	if t.wrote {
		return
	}
	sql = strings.TrimLeft(sql, " \t\n(")
	if len(sql) < 6 || !strings.EqualFold(sql[:6], "select") {
		t.wrote = true
	}
}

// pending reports whether statements wait to go with the next one.
func (t *pgTx) pending() bool { return t.begin != "" || len(t.deferred) > 0 || len(t.want) > 0 }

// deferExec queues a write to go with the transaction's next statement.
func (t *pgTx) deferExec(sql string, args ...any) {
	t.wrote = true
	t.deferred = append(t.deferred, pgx.QueuedQuery{SQL: sql, Arguments: args})
}

// deferQueryRow queues a write that returns one row to go with the
// transaction's next statement, like deferExec; scan reads the row when
// its result arrives, and its error fails that statement. For a write
// whose result the work only hands back once its transaction has ended
// (an attempt's id and number): everything a submission writes goes with
// its COMMIT.
func (t *pgTx) deferQueryRow(sql string, args []any, scan func(pgx.Row) error) {
	t.wrote = true
	q := pgx.QueuedQuery{SQL: sql, Arguments: args}
	q.QueryRow(scan)
	t.deferred = append(t.deferred, q)
}

// execLater runs a write whose outcome its caller does not use (no rows
// returned, no row count read, no error answered apart from the rest):
// deferred to the next round trip of ctx's write transaction
// (pgTx.deferExec), or run at once when ctx carries none. Its error then
// fails the statement it went with, or the COMMIT, and so the
// transaction. The arguments are encoded when the write is sent: the
// caller must not change what they point to.
func (db *DB) execLater(ctx context.Context, sql string, args ...any) error {
	if t := txFrom(ctx); t != nil && t.writable {
		t.deferExec(sql, args...)
		return nil
	}
	_, err := db.q(ctx).Exec(ctx, sql, args...)
	return err
}

// takePending moves the pending BEGIN and deferred writes into b, ahead of
// what b holds, and returns how many it put there. With the BEGIN go the
// checks ctx's request put off (cache.PeekLater), so that nothing commits
// after a failed check: as more keys of the revisions put off (want),
// when the transaction asked for some and has no write deferred yet that
// the read would see (a request's first round trip, usually: one
// statement fewer); else right after the BEGIN, ahead of every statement
// of the transaction, as a statement that fails it when a revision
// changed (checkSQL). Either way a failed check fails the batch's result
// (pendingResult) before the work sees anything after it, and the
// transaction is rolled back.
func (t *pgTx) takePending(ctx context.Context, b *pgx.Batch) int {
	var head []*pgx.QueuedQuery
	t.checks, t.checkAt = nil, -1
	if t.begin != "" {
		head = append(head, &pgx.QueuedQuery{SQL: t.begin})
		t.begin = ""
		if checks := cache.Pending(ctx); len(checks) > 0 {
			t.checks = checks
			if len(t.want) == 0 || len(t.deferred) > 0 {
				t.checkAt = len(head)
				head = append(head, &pgx.QueuedQuery{SQL: checkSQL(len(checks)), Arguments: checkArgs(checks)})
			}
		}
	}
	t.scans = nil
	for i := range t.deferred {
		if fn := t.deferred[i].Fn; fn != nil {
			if t.scans == nil {
				t.scans = make(map[int]func(pgx.BatchResults) error, 1)
			}
			t.scans[len(head)] = fn
		}
		head = append(head, &t.deferred[i])
	}
	t.deferred = nil
	t.wanted, t.wantAt = nil, -1
	if len(t.want) > 0 {
		// The revisions put off, after the deferred writes (a bump among
		// them is read as this transaction made it).
		var kinds []string
		var ids, subs []int64
		t.wanted, kinds, ids, subs = t.unknown(t.want)
		t.want = nil
		if t.checkAt < 0 {
			for _, c := range t.checks {
				kinds, ids, subs = append(kinds, c.Key.Kind), append(ids, int64(c.Key.ID)), append(subs, int64(c.Key.Sub))
			}
		}
		if len(kinds) > 0 {
			sql, args := revisionsQuery(kinds, ids, subs)
			t.wantAt = len(head)
			head = append(head, &pgx.QueuedQuery{SQL: sql, Arguments: args})
		}
	}
	b.QueuedQueries = append(head, b.QueuedQueries...)
	return len(head)
}

// execPending reads the results of n pending statements at the head of
// br; the first error fails the batch.
func (t *pgTx) execPending(ctx context.Context, br pgx.BatchResults, n int) error {
	for i := range n {
		if err := t.pendingResult(ctx, br, i); err != nil {
			_ = br.Close()
			return err
		}
	}
	return nil
}

// pendingResult reads the result of the i-th pending statement of a batch,
// and reports the outcome of the checks put off when it is theirs, and
// remembers the revisions put off when it is theirs.
func (t *pgTx) pendingResult(ctx context.Context, br pgx.BatchResults, i int) error {
	if i == t.wantAt {
		rows, err := br.Query()
		if err != nil {
			return t.note(err)
		}
		found, err := scanRevisions(rows, len(t.wanted))
		if err != nil {
			return t.note(err)
		}
		for _, k := range t.wanted {
			t.remember(k, found[k])
		}
		if t.checkAt < 0 && len(t.checks) > 0 {
			same := true
			for _, c := range t.checks {
				t.remember(c.Key, found[c.Key])
				same = same && found[c.Key] == c.Rev
			}
			cache.Checked(ctx, t.checks, same)
			if !same {
				t.failed = cache.ErrChanged
				return cache.ErrChanged
			}
		}
		return nil
	}
	if scan := t.scans[i]; scan != nil {
		return t.note(scan(br))
	}
	_, err := br.Exec()
	if i == t.checkAt {
		changed := pgCode(err) == codeDivisionByZero
		if err == nil || changed {
			cache.Checked(ctx, t.checks, !changed)
		}
		if changed {
			t.failed = cache.ErrChanged
			return cache.ErrChanged
		}
	}
	return t.note(err)
}

// checkSQL is the check of n revisions put off: a division by zero, which
// fails the transaction, unless each is what the request expects (a key
// without a row is at 0).
func checkSQL(n int) string {
	var b strings.Builder
	b.WriteString("SELECT 1 / (CASE WHEN ")
	for i := range n {
		if i > 0 {
			b.WriteString(" AND ")
		}
		fmt.Fprintf(&b, "coalesce((SELECT rev FROM revisions WHERE kind = $%d AND id = $%d AND sub = $%d), 0) = $%d",
			4*i+1, 4*i+2, 4*i+3, 4*i+4)
	}
	b.WriteString(" THEN 1 ELSE 0 END)")
	return b.String()
}

func checkArgs(checks []cache.Expected) []any {
	args := make([]any, 0, 4*len(checks))
	for _, c := range checks {
		args = append(args, c.Key.Kind, int64(c.Key.ID), int64(c.Key.Sub), int64(c.Rev))
	}
	return args
}

func (t *pgTx) remember(k cache.Key, rev uint64) {
	if t.revs == nil {
		t.revs = make(map[cache.Key]uint64, 4)
	}
	t.revs[k] = rev
}

func (t *pgTx) note(err error) error {
	if err != nil && t.failed == nil && pgCode(err) != "" {
		t.failed = err
	}
	return err
}

// sendPending sends the pending statements on their own: for the
// statements that cannot share their round trip (COPY).
func (t *pgTx) sendPending(ctx context.Context) error {
	if !t.pending() {
		return nil
	}
	if err := t.connect(ctx); err != nil {
		return err
	}
	b := &pgx.Batch{}
	n := t.takePending(ctx, b)
	br := t.conn.SendBatch(ctx, b)
	if err := t.execPending(ctx, br, n); err != nil {
		return err
	}
	return t.note(br.Close())
}

// connect takes the transaction's connection from the pool, before its
// first statement.
func (t *pgTx) connect(ctx context.Context) error {
	if t.conn != nil {
		return nil
	}
	conn, err := t.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	t.conn = conn
	return nil
}

// withPending sends sql with the pending statements before it, in one
// round trip, and returns the batch results positioned at sql's. The
// first statement of a cached read (pgTx.alone) that put revisions off
// goes with its COMMIT too: the read's whole transaction in one round
// trip, after which it is loose.
func (t *pgTx) withPending(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	if err := t.connect(ctx); err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	if t.alone && !t.writable && t.begin != "" && len(t.want) > 0 {
		b.Queue("commit")
		t.loose = true
	}
	n := t.takePending(ctx, b)
	br := t.conn.SendBatch(ctx, b)
	if err := t.execPending(ctx, br, n); err != nil {
		return nil, err
	}
	return br, nil
}

// commit sends COMMIT, with the deferred writes before it and the read of
// the revisions its confirmations wait for, and reports PostgreSQL's
// answer (ROLLBACK when the transaction had failed) and the values
// confirmed, to keep once it committed.
func (t *pgTx) commit(ctx context.Context) (pgconn.CommandTag, []func(), error) {
	if len(t.deferred) == 0 && len(t.confirms) == 0 {
		tag, err := t.conn.Exec(ctx, "commit")
		return tag, nil, err
	}
	b := &pgx.Batch{}
	if len(t.confirms) > 0 {
		kinds, ids, subs := make([]string, len(t.confirms)), make([]int64, len(t.confirms)), make([]int64, len(t.confirms))
		for i, c := range t.confirms {
			kinds[i], ids[i], subs[i] = c.key.Kind, int64(c.key.ID), int64(c.key.Sub)
		}
		sql, args := revisionsQuery(kinds, ids, subs)
		b.Queue(sql, args...)
	}
	b.Queue("commit")
	n := t.takePending(ctx, b)
	br := t.conn.SendBatch(ctx, b)
	if err := t.execPending(ctx, br, n); err != nil {
		return pgconn.CommandTag{}, nil, err
	}
	var keep []func()
	if len(t.confirms) > 0 {
		rows, err := br.Query()
		if err != nil {
			_ = br.Close()
			return pgconn.CommandTag{}, nil, err
		}
		found, err := scanRevisions(rows, len(t.confirms))
		if err != nil {
			_ = br.Close()
			return pgconn.CommandTag{}, nil, err
		}
		for _, c := range t.confirms {
			if found[c.key] == c.rev && !t.bumped[c.key] {
				keep = append(keep, c.keep)
			}
		}
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, keep, err
}

// The Querier of a transaction: pgx's, noting the first error.

func (t *pgTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.detached(); err != nil {
		return pgconn.CommandTag{}, err
	}
	t.wrote = true
	if t.pending() {
		br, err := t.withPending(ctx, sql, args)
		if err != nil {
			return pgconn.CommandTag{}, err
		}
		tag, err := br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		return tag, t.note(err)
	}
	tag, err := t.conn.Exec(ctx, sql, args...)
	return tag, t.note(err)
}

func (t *pgTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.detached(); err != nil {
		return nil, err
	}
	t.writes(sql)
	if t.pending() {
		br, err := t.withPending(ctx, sql, args)
		if err != nil {
			return nil, err
		}
		rows, err := br.Query()
		if err != nil {
			_ = br.Close()
			return rows, t.note(err)
		}
		return &batchRows{notingRows: notingRows{Rows: rows, t: t}, br: br}, nil
	}
	rows, err := t.conn.Query(ctx, sql, args...)
	if err != nil {
		return rows, t.note(err)
	}
	return notingRows{Rows: rows, t: t}, nil
}

func (t *pgTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.detached(); err != nil {
		return firstRow{err: err}
	}
	t.writes(sql)
	if t.pending() {
		rows, err := t.Query(ctx, sql, args...)
		return firstRow{rows: rows, err: err}
	}
	return notingRow{row: t.conn.QueryRow(ctx, sql, args...), t: t}
}

func (t *pgTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := t.detached(); err != nil {
		return failedBatch{err: err}
	}
	for _, q := range b.QueuedQueries {
		t.writes(q.SQL)
	}
	if t.pending() {
		// The pending statements lead the caller's batch; their results
		// are read here, so the caller reads its own first.
		if err := t.connect(ctx); err != nil {
			return failedBatch{err: err}
		}
		n := t.takePending(ctx, b)
		br := t.conn.SendBatch(ctx, b)
		for i := range n {
			if err := t.pendingResult(ctx, br, i); err != nil {
				return failedBatch{BatchResults: br, err: err}
			}
		}
		return notingBatch{BatchResults: br, t: t}
	}
	return notingBatch{BatchResults: t.conn.SendBatch(ctx, b), t: t}
}

func (t *pgTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.detached(); err != nil {
		return 0, err
	}
	t.wrote = true
	if err := t.sendPending(ctx); err != nil {
		return 0, err
	}
	n, err := t.conn.CopyFrom(ctx, table, columns, src)
	return n, t.note(err)
}

type notingRows struct {
	pgx.Rows
	t *pgTx
}

func (r notingRows) Err() error { return r.t.note(r.Rows.Err()) }

// batchRows are the rows of a statement sent with its BEGIN: the batch
// holds the connection until it is closed, which happens as soon as the
// rows are read to the end (as pgx's own rows close themselves), so that
// the transaction's next statement finds the connection free.
type batchRows struct {
	notingRows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) finish() {
	if r.br == nil {
		return
	}
	err := r.br.Close()
	r.br = nil
	if r.err == nil {
		r.err = r.t.note(err)
	}
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.finish()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	r.finish()
}

func (r *batchRows) Err() error {
	if err := r.notingRows.Err(); err != nil {
		return err
	}
	return r.err
}

type notingRow struct {
	row pgx.Row
	t   *pgTx
}

func (r notingRow) Scan(dest ...any) error { return r.t.note(r.row.Scan(dest...)) }

// firstRow is QueryRow over rows, with pgx's meaning: the first row is
// scanned, pgx.ErrNoRows when there is none.
type firstRow struct {
	rows pgx.Rows
	err  error
}

func (r firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

type notingBatch struct {
	pgx.BatchResults
	t *pgTx
}

func (b notingBatch) Exec() (pgconn.CommandTag, error) {
	tag, err := b.BatchResults.Exec()
	return tag, b.t.note(err)
}

func (b notingBatch) Query() (pgx.Rows, error) {
	rows, err := b.BatchResults.Query()
	if err != nil {
		return rows, b.t.note(err)
	}
	return notingRows{Rows: rows, t: b.t}, nil
}

func (b notingBatch) QueryRow() pgx.Row { return notingRow{row: b.BatchResults.QueryRow(), t: b.t} }

func (b notingBatch) Close() error { return b.t.note(b.BatchResults.Close()) }

// failedBatch is a batch whose BEGIN failed, or that a loose read could
// not send: every result is that error.
type failedBatch struct {
	pgx.BatchResults
	err error
}

func (b failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b failedBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b failedBatch) QueryRow() pgx.Row                { return firstRow{err: b.err} }
func (b failedBatch) Close() error {
	if b.BatchResults != nil {
		_ = b.BatchResults.Close()
	}
	return b.err
}

func withTx(ctx context.Context, t *pgTx) context.Context { return context.WithValue(ctx, txKey{}, t) }

func txFrom(ctx context.Context) *pgTx {
	t, _ := ctx.Value(txKey{}).(*pgTx)
	return t
}

// ErrReadOnly is a write asked of a read-only transaction: a programming
// error (a Write nested in a Read).
var ErrReadOnly = errors.New("postgres: write inside a read-only transaction")

// maxAttempts bounds the runs of one write under contention; past it the
// last serialization error is returned (and answered as 500: the database
// is overloaded, not the request wrong).
const maxAttempts = 30

const (
	beginWrite = "begin isolation level serializable read write"
	beginRead  = "begin isolation level repeatable read read only"
	// beginLocked is for work marked with txn.Locking.
	beginLocked = "begin isolation level read committed read write"
)

// Write implements txn.Runner.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if t := txFrom(ctx); t != nil {
		if !t.writable {
			return ErrReadOnly
		}
		return fn(ctx)
	}
	begin, work := beginWrite, fn
	if txn.WantsLocking(ctx) {
		// The work locks what it relies on (txn.Locking): READ COMMITTED,
		// where writers of one row wait for the lock instead of aborting.
		begin = beginLocked
		work = func(ctx context.Context) error { return fn(txn.Weak(ctx)) }
	}
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			if werr := backoff(ctx, attempt); werr != nil {
				return werr
			}
		}
		err = db.run(ctx, begin, true, work, false)
		if errors.Is(err, txn.ErrSerial) && begin == beginLocked {
			// The work found it needs more than its locks: run it again
			// at once, serializable (not a conflict: no backoff).
			begin, work = beginWrite, fn
			attempt--
			continue
		}
		if !retryable(err) {
			return unreachable(err)
		}
	}
	return err
}

// Batch implements txn.Runner. PostgreSQL already shares one WAL flush
// among transactions that commit together, so a batch is a Write.
func (db *DB) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return db.Write(ctx, fn)
}

// Read implements txn.Runner.
func (db *DB) Read(ctx context.Context, fn func(ctx context.Context) error) error {
	if txFrom(ctx) != nil {
		return fn(ctx)
	}
	if txn.WantsCached(ctx) {
		// Answered from caches, the read is its revisions' one statement
		// (pgTx.alone); should it need more, it runs again below.
		if err := db.run(ctx, beginRead, false, fn, true); !errors.Is(err, errLoose) {
			return unreachable(err)
		}
	}
	return unreachable(db.run(ctx, beginRead, false, fn, false))
}

func (db *DB) run(ctx context.Context, begin string, writable bool, fn func(ctx context.Context) error, alone bool) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &pgTx{pool: db.pool, begin: begin, writable: writable, serial: begin == beginWrite, alone: alone}
	if !alone {
		if err := t.connect(ctx); err != nil {
			return err
		}
	}
	// A connection still inside a transaction when it is released (a
	// failed COMMIT or ROLLBACK, a cancelled statement) is closed by the
	// pool rather than reused.
	defer func() {
		if t.conn != nil {
			t.conn.Release()
		}
	}()
	defer func() {
		// (A loose read whose one round trip committed has nothing to
		// roll back; one whose batch failed before its COMMIT has.)
		if err != nil && t.begin == "" && t.conn != nil && !(t.loose && t.conn.Conn().PgConn().TxStatus() == 'I') {
			// The rollback's own error adds nothing to fn's; a context
			// that fn saw cancelled must not keep the rollback from
			// being sent.
			_, _ = t.conn.Exec(context.WithoutCancel(ctx), "rollback")
		}
	}()
	if err = fn(withTx(ctx, t)); err != nil {
		if errors.Is(t.failed, errLoose) {
			// Whatever the work made of it, it wanted another statement.
			err = errLoose
			return err
		}
		if pgCode(err) == codeInFailedTransaction && t.failed != nil {
			err = t.failed
		}
		return err
	}
	if t.failed != nil {
		// fn went on past a failed statement and returned nil: PostgreSQL
		// would roll the commit back; say why.
		err = t.failed
		return err
	}
	if t.loose || (t.begin != "" && len(t.deferred) == 0) {
		// No statement ran, or the read's one round trip committed it:
		// there is nothing to commit.
		return nil
	}
	tag, keep, err := t.commit(ctx)
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		// PostgreSQL rolled back instead: a statement failed that fn
		// did not see fail.
		err = pgx.ErrTxCommitRollback
		return err
	}
	for _, k := range keep {
		k()
	}
	return nil
}

// retryable is an abort that running the transaction again may cure.
func retryable(err error) bool {
	switch pgCode(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}

// backoff waits a random time that grows with each attempt (1 ms, 2 ms, …
// capped at 100 ms), so that transactions that conflicted do not meet
// again at once.
func backoff(ctx context.Context, attempt int) error {
	d := time.Millisecond << min(attempt-1, 7)
	d = min(d, 100*time.Millisecond)
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Exec runs one statement in ctx's transaction (or on its own): for the
// engine's tools and tests.
func Exec(ctx context.Context, db *DB, sql string, args ...any) error {
	_, err := db.q(ctx).Exec(ctx, sql, args...)
	return err
}
