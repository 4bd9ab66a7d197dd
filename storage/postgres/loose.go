package postgres

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"pacer/cache"
)

// looseReads reads the revisions of cached reads (txn.Cached) that arrive
// together in one statement. On a busy server most requests are such
// reads, answered from the caches once their revisions are known, and a
// statement each made PostgreSQL's work per statement (and the pool's and
// the network's) the larger part of what such a request cost: together,
// a statement answers many.
//
// Exactness is unchanged: a read's revisions come from a statement sent
// after the read asked for them, so every write that committed before is
// seen, and all of one read's revisions come from the same statement, so
// from one snapshot. Reads queue while a statement is out; when it is
// answered, the first read still waiting sends the next one for the queue
// (a read leads at most one statement, so none waits for more than the
// one before its own). No goroutine of its own: the reads do the work.
//
// A thread page's first read, its thread and the reader's state there
// (readerAsk, Discussion.ReaderThread), goes with them too: a statement
// with asks is then one round trip of a read-only transaction (BEGIN, the
// revisions, the asks' rows, COMMIT), one snapshot for all of it. Each
// page paid that round trip alone, and on this kind of machine a round
// trip (the wake-ups on both sides of the socket) costs more than the
// statements in it: thread pages 0.13 → 0.22 of /healthz.
type looseReads struct {
	pool *pgxpool.Pool

	mu    sync.Mutex
	queue []*looseRead
	busy  bool // a statement is out, or its leader is about to send it
}

// looseRead is one cached read's revisions, and their answer.
type looseRead struct {
	keys []cache.Key
	// ask is a thread page's reader row (nil: none), read in the same
	// statement's snapshot as the revisions.
	ask   *readerAsk
	found map[cache.Key]uint64 // shared by the reads of one statement: read only
	err   error
	lead  bool
	done  chan struct{}
}

// maxLooseKeys bounds the keys of one statement; the reads past it wait
// for the next.
const maxLooseKeys = 256

// maxLooseAsks bounds the reader rows of one statement (readerAsk).
const maxLooseAsks = 64

// read returns the revisions of keys (a key without a row is absent from
// the map: revision 0), read by one statement together with those of the
// reads waiting at the same time, and answers ask, when not nil, at the
// same snapshot.
func (l *looseReads) read(ctx context.Context, keys []cache.Key, ask *readerAsk) (map[cache.Key]uint64, error) {
	r := &looseRead{keys: keys, ask: ask, done: make(chan struct{}, 1)}
	l.mu.Lock()
	l.queue = append(l.queue, r)
	if l.busy {
		l.mu.Unlock()
		// Not abandoned on ctx's end: the read may be chosen to lead the
		// next statement, and the wait is one statement's, which
		// statement_timeout bounds.
		<-r.done
		if !r.lead {
			return r.found, r.err
		}
	} else {
		l.busy = true
		l.mu.Unlock()
	}
	l.lead(ctx)
	return r.found, r.err
}

// lead sends one statement for the reads at the head of the queue (the
// leader's own first), answers them, and hands the lead to the next read
// waiting, if any.
func (l *looseReads) lead(ctx context.Context) {
	l.mu.Lock()
	batch, keys := l.take()
	l.mu.Unlock()

	var asks []*readerAsk
	for _, r := range batch {
		if r.ask != nil {
			asks = append(asks, r.ask)
		}
	}
	// The statement answers other requests too: the leader's own end
	// must not cancel it.
	found, err := l.send(context.WithoutCancel(ctx), keys, asks)
	for _, r := range batch {
		r.found, r.err = found, err
	}
	for _, r := range batch[1:] {
		r.done <- struct{}{}
	}

	l.mu.Lock()
	if len(l.queue) > 0 {
		next := l.queue[0]
		next.lead = true
		next.done <- struct{}{}
	} else {
		l.busy = false
	}
	l.mu.Unlock()
}

// take removes from the queue the reads of the next statement, at least
// one, and returns them with their keys, each once.
func (l *looseReads) take() ([]*looseRead, []cache.Key) {
	seen := make(map[cache.Key]bool, 4*len(l.queue))
	var keys []cache.Key
	n, asks := 0, 0
	for _, r := range l.queue {
		var fresh []cache.Key
		for _, k := range r.keys {
			if !seen[k] {
				seen[k] = true
				fresh = append(fresh, k)
			}
		}
		if r.ask != nil {
			asks++
		}
		if n > 0 && (len(keys)+len(fresh) > maxLooseKeys || asks > maxLooseAsks) {
			break
		}
		keys = append(keys, fresh...)
		n++
	}
	batch := l.queue[:n:n]
	l.queue = append([]*looseRead(nil), l.queue[n:]...)
	return batch, keys
}

// send reads keys in one statement outside a transaction
// (manyRevisionsSQL); with asks, it reads them and the asks' rows in one
// round trip, in a read-only transaction: one snapshot for both.
func (l *looseReads) send(ctx context.Context, keys []cache.Key, asks []*readerAsk) (map[cache.Key]uint64, error) {
	kinds := make([]string, len(keys))
	ids := make([]int64, len(keys))
	subs := make([]int64, len(keys))
	for i, k := range keys {
		kinds[i], ids[i], subs[i] = k.Kind, int64(k.ID), int64(k.Sub)
	}
	if len(asks) == 0 {
		rows, err := l.pool.Query(ctx, manyRevisionsSQL, kinds, ids, subs)
		if err != nil {
			return nil, err
		}
		return scanRevisions(rows, len(keys))
	}
	b := &pgx.Batch{}
	b.Queue(beginRead)
	b.Queue(manyRevisionsSQL, kinds, ids, subs)
	queueReaderThreads(b, asks)
	b.Queue("commit")
	// A batch that fails midway leaves its connection inside the
	// transaction, and the pool closes such a connection on release.
	br := l.pool.SendBatch(ctx, b)
	found, err := readLooseBatch(br, len(keys), asks)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return found, err
}

// readLooseBatch reads the results of send's batch.
func readLooseBatch(br pgx.BatchResults, n int, asks []*readerAsk) (map[cache.Key]uint64, error) {
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	found, err := scanRevisions(rows, n)
	if err != nil {
		return nil, err
	}
	if rows, err = br.Query(); err != nil {
		return nil, err
	}
	if err := scanReaderThreads(rows, asks); err != nil {
		return nil, err
	}
	tag, err := br.Exec()
	if err == nil && tag.String() != "COMMIT" {
		err = pgx.ErrTxCommitRollback
	}
	return found, err
}

// manyRevisionsSQL reads the revisions of the keys in three arrays: a
// nested loop of primary-key lookups (the LATERAL subquery with its LIMIT
// keeps PostgreSQL from planning it as a join, whose hash of the whole
// table costs more than the lookups), one constant statement for any
// number of keys: 0.3 ms for 128 keys, 2 µs a key. (A UNION ALL of point
// reads, cheaper for a few keys, is a statement per count, and one of 128
// took PostgreSQL 80 ms a run.)
const manyRevisionsSQL = `SELECT k.kind, k.id, k.sub, r.rev
	FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS k (kind, id, sub)
	CROSS JOIN LATERAL (SELECT rev FROM revisions r
		WHERE r.kind = k.kind AND r.id = k.id AND r.sub = k.sub LIMIT 1) r`
