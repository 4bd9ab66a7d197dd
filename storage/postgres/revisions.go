package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"pacer/cache"
)

// Revisions implements cache.Revisions in table revisions: a revision
// check is one primary-key read in the caller's transaction.
type Revisions struct{ db *DB }

// NewRevisions returns the revision store over db.
func NewRevisions(db *DB) *Revisions { return &Revisions{db: db} }

// Revision implements cache.Revisions: one primary-key read in ctx's
// transaction, unless the transaction already read or bumped k (or
// prefetched it); without a transaction, one statement on its own (a
// single statement is its own snapshot, and BEGIN and COMMIT would triple
// the round trips of the check every request makes of its token).
func (s *Revisions) Revision(ctx context.Context, k cache.Key) (rev uint64, fill bool, err error) {
	t := txFrom(ctx)
	if t == nil {
		rev, err = s.revision(ctx, k)
		return rev, true, err
	}
	if r, ok := t.revs[k]; ok {
		return r, t.fills(), nil
	}
	if !t.alone {
		// With the revisions Prefetch put off, and, in a transaction's
		// first round trip, as the same statement as the checks its
		// request put off (pgTx.takePending): one statement fewer than
		// a point read after the checks' own.
		t.want = append(t.want, k)
		if err := t.sendPending(ctx); err != nil {
			return 0, false, err
		}
		return t.revs[k], t.fills(), nil
	}
	if len(t.want) > 0 {
		// The revisions Prefetch put off are read now, with k's.
		keys := append(t.want, k)
		t.want = nil
		if err := s.read(ctx, t, keys); err != nil {
			return 0, false, err
		}
		return t.revs[k], t.fills(), nil
	}
	if rev, err = s.revision(ctx, k); err != nil {
		return 0, false, err
	}
	t.remember(k, rev)
	return rev, t.fills(), nil
}

// Prefetch implements cache.Prefetcher: the keys this transaction has not
// read yet, in one query; a key without a row is remembered as 0. Before
// the transaction's first statement the query waits (pgTx.want): it goes
// in the round trip of that statement, or is sent at the first revision
// asked, with it. A read that knows what it will check before it reads
// its first record so pays no round trip for the revisions.
func (s *Revisions) Prefetch(ctx context.Context, keys []cache.Key) error {
	t := txFrom(ctx)
	if t == nil {
		return nil
	}
	if t.begin != "" && !t.loose {
		t.want = append(t.want, keys...)
		return nil
	}
	return s.read(ctx, t, keys)
}

// read reads the revisions of keys in t now, but for those t already
// knows: outside a transaction, shared with other cached reads, when t is
// a cached read that has sent nothing yet (pgTx.alone), else in t.
func (s *Revisions) read(ctx context.Context, t *pgTx, keys []cache.Key) error {
	unknown, kinds, ids, subs := t.unknown(keys)
	if len(kinds) == 0 {
		return nil
	}
	if err := t.detached(); err != nil {
		// A second prefetch of a loose read, like any statement after it.
		return err
	}
	if t.alone && t.begin != "" {
		// A read marked txn.Cached that has sent nothing yet.
		return s.db.readLoose(ctx, t, unknown, nil)
	}
	sql, args := revisionsQuery(kinds, ids, subs)
	rows, err := t.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	found, err := scanRevisions(rows, len(kinds))
	if err != nil {
		return err
	}
	for _, k := range unknown {
		t.remember(k, found[k])
	}
	return nil
}

// readLoose reads the revisions of keys for t, a read marked txn.Cached
// that has sent nothing yet, and with them those of the checks the request
// put off (cache.PeekLater), and ask when not nil: in one statement
// outside a transaction (with ask, one round trip in a transaction of its
// own), a snapshot of its own, shared with the cached reads asking at the
// same time (looseReads). t is loose after it.
func (db *DB) readLoose(ctx context.Context, t *pgTx, keys []cache.Key, ask *readerAsk) error {
	t.loose = true
	checks := cache.Pending(ctx)
	all := make([]cache.Key, 0, len(keys)+len(checks))
	all = append(all, keys...)
	for _, c := range checks {
		all = append(all, c.Key)
	}
	found, err := db.loose.read(ctx, all, ask)
	if err != nil {
		// Whatever failed, the read runs again in a transaction, which
		// meets the failure on its own if it lasts.
		t.failed = errLoose
		return errLoose
	}
	for _, k := range keys {
		t.remember(k, found[k])
	}
	if len(checks) > 0 {
		ok := true
		for _, c := range checks {
			ok = ok && found[c.Key] == c.Rev
		}
		cache.Checked(ctx, checks, ok)
		if !ok {
			return cache.ErrChanged
		}
	}
	return nil
}

// unknown are the keys t has not read or bumped yet, in the order given,
// and their parts in the three slices revisionsQuery takes.
func (t *pgTx) unknown(keys []cache.Key) (out []cache.Key, kinds []string, ids, subs []int64) {
	for _, k := range keys {
		if _, ok := t.revs[k]; !ok {
			out = append(out, k)
			kinds = append(kinds, k.Kind)
			ids = append(ids, int64(k.ID))
			subs = append(subs, int64(k.Sub))
		}
	}
	return out, kinds, ids, subs
}

// revisionsQuery is the statement that reads the revisions of the keys
// in three slices: point reads for a few, manyRevisionsSQL for more.
func revisionsQuery(kinds []string, ids, subs []int64) (string, []any) {
	if len(kinds) <= len(prefetchSQLs) {
		return prefetchSQL(len(kinds)), prefetchArgs(kinds, ids, subs)
	}
	return manyRevisionsSQL, []any{kinds, ids, subs}
}

// scanRevisions reads the rows of revisionsQuery (or manyRevisionsSQL),
// and closes them.
func scanRevisions(rows pgx.Rows, n int) (map[cache.Key]uint64, error) {
	defer rows.Close()
	found := make(map[cache.Key]uint64, n)
	for rows.Next() {
		var kind string
		var id, sub, rev int64
		if err := rows.Scan(&kind, &id, &sub, &rev); err != nil {
			return nil, err
		}
		found[cache.Key{Kind: kind, ID: uint64(id), Sub: uint64(sub)}] = uint64(rev)
	}
	return found, rows.Err()
}

func (s *Revisions) revision(ctx context.Context, k cache.Key) (uint64, error) {
	var r int64
	err := s.db.q(ctx).QueryRow(ctx, "SELECT rev FROM revisions WHERE kind = $1 AND id = $2 AND sub = $3",
		k.Kind, int64(k.ID), int64(k.Sub)).Scan(&r)
	if noRows(err) {
		return 0, nil
	}
	return uint64(r), err
}

// Bump implements cache.Revisions. The write is deferred to the
// transaction's next round trip (pgTx.deferExec): its outcome is known (a
// new random revision, remembered here), and every bump is followed by
// the change it announces, so it costs no round trip of its own.
func (s *Revisions) Bump(ctx context.Context, k cache.Key) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		rev := cache.NewRevision()
		t := txFrom(ctx)
		t.deferExec(`INSERT INTO revisions (kind, id, sub, rev) VALUES ($1, $2, $3, $4)
			ON CONFLICT (kind, id, sub) DO UPDATE SET rev = excluded.rev`,
			k.Kind, int64(k.ID), int64(k.Sub), int64(rev))
		t.remember(k, rev)
		if t.bumped == nil {
			t.bumped = make(map[cache.Key]bool, 2)
		}
		t.bumped[k] = true
		return nil
	})
}

// Confirm implements cache.Confirmer: for a write that may not fill the
// caches (READ COMMITTED, or serializable once it wrote), k's revision is
// read again in its COMMIT's round trip (pgTx.commit), and keep runs once
// it committed if the revision is still rev. Between the two reads no
// write of k's source committed (each bumps k in its own commit, to a
// fresh random revision), so the value loaded between them, by a
// statement whose snapshot lies between theirs, is k's value at rev. A key
// the write bumped itself is never kept: its loads may hold its own
// changes, or miss the ones it made after.
func (s *Revisions) Confirm(ctx context.Context, k cache.Key, rev uint64, keep func()) bool {
	t := txFrom(ctx)
	if t == nil || !t.writable || t.fills() || t.bumped[k] || len(t.confirms) >= maxConfirms {
		return false
	}
	if r, ok := t.revs[k]; !ok || r != rev {
		return false
	}
	t.confirms = append(t.confirms, confirmation{key: k, rev: rev, keep: keep})
	return true
}

// prefetchSQL is the query of n revisions, n at most 8: one primary-key
// lookup each, joined by UNION ALL (more keys: manyRevisionsSQL).
func prefetchSQL(n int) string { return prefetchSQLs[n-1] }

var prefetchSQLs = func() (out [8]string) {
	for i := range out {
		out[i] = buildPrefetchSQL(i + 1)
	}
	return out
}()

func buildPrefetchSQL(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT kind, id, sub, rev FROM revisions WHERE kind = $%d AND id = $%d AND sub = $%d", 3*i+1, 3*i+2, 3*i+3)
	}
	return b.String()
}

func prefetchArgs(kinds []string, ids, subs []int64) []any {
	args := make([]any, 0, 3*len(kinds))
	for i := range kinds {
		args = append(args, kinds[i], ids[i], subs[i])
	}
	return args
}
