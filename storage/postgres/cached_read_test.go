package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"pacer/cache"
	"pacer/storage/postgres"
	"pacer/storage/postgres/pgtest"
	"pacer/txn"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
)

// A read marked txn.Cached is answered from the cache with its revisions'
// one statement and no transaction around it; one that needs anything
// more runs again, from the start, in a transaction, and answers the same.
func TestACachedReadNeedsNoTransaction(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	revs := postgres.NewRevisions(db)
	c := cache.New[int]("test.value", 10, revs)
	if err := db.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 1, 0) }); err != nil {
		t.Fatal(err)
	}
	stored := 42
	loads, runs := 0, 0
	read := func() (int, []byte) {
		t.Helper()
		var v int
		var status []byte
		err := db.Read(txn.Cached(ctx), func(ctx context.Context) error {
			runs++
			if err := cache.Prefetch(ctx, c.Ahead(1, 0), c.Ahead(2, 0)); err != nil {
				return err
			}
			var err error
			v, err = c.Read(ctx, 1, 0, func(ctx context.Context) (int, error) {
				var n int
				err := postgres.Q(ctx, db).QueryRow(ctx, "SELECT $1::int", stored).Scan(&n)
				if err == nil {
					loads++
				}
				return n, err
			})
			status = append(status, postgres.TxStatus(ctx))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return v, status
	}

	// A miss: the work runs twice, the second time in a transaction.
	// The first run holds no connection: its revisions were read by the
	// statement the cached reads share (looseReads).
	v, status := read()
	if v != 42 || runs != 2 || loads != 1 || string(status) != "-T" {
		t.Fatalf("miss: value %d, runs %d, loads %d, status %q; want 42, 2, 1, \"-T\"", v, runs, loads, status)
	}
	// A hit: one run, outside any transaction and connection, nothing
	// loaded.
	runs, loads = 0, 0
	v, status = read()
	if v != 42 || runs != 1 || loads != 0 || string(status) != "-" {
		t.Fatalf("hit: value %d, runs %d, loads %d, status %q; want 42, 1, 0, \"-\"", v, runs, loads, status)
	}
	// A change another process commits is seen by the next read.
	stored = 43
	if err := db.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 1, 0) }); err != nil {
		t.Fatal(err)
	}
	if v, _ = read(); v != 43 {
		t.Fatalf("after the bump: %d, want 43", v)
	}
	// Without the mark, a read runs once, in a transaction.
	runs = 0
	err := db.Read(ctx, func(ctx context.Context) error {
		runs++
		if err := cache.Prefetch(ctx, c.Ahead(1, 0)); err != nil {
			return err
		}
		if _, _, err := revs.Revision(ctx, cache.Key{Kind: "test.value", ID: 1}); err != nil {
			return err
		}
		if s := postgres.TxStatus(ctx); s != 'T' {
			t.Errorf("unmarked read: status %q, want T", s)
		}
		return nil
	})
	if err != nil || runs != 1 {
		t.Fatalf("unmarked read: %v, runs %d", err, runs)
	}
}

// A check put off (cache.PeekLater) goes with the first statement of the
// request's next transaction: when the revision changed, that transaction
// fails before anything of it commits, whatever its work does after.
func TestACheckPutOffGoesWithTheFirstStatement(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, "CREATE TABLE t (n int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	revs := postgres.NewRevisions(db)
	c := cache.New[int]("test.signin", 10, revs)
	bump := func() {
		t.Helper()
		if err := db.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 1, 0) }); err != nil {
			t.Fatal(err)
		}
	}
	fill := func() {
		t.Helper()
		err := db.Read(ctx, func(ctx context.Context) error {
			_, err := c.Read(ctx, 1, 0, func(context.Context) (int, error) { return 7, nil })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rows := func() int {
		var n int
		if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	insert := func(ctx context.Context, n int) error {
		return db.Write(ctx, func(ctx context.Context) error {
			_, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO t VALUES ($1)", n)
			return err
		})
	}
	bump()
	fill()

	// Unchanged: the write commits, and nothing is left to settle.
	req := cache.WithExpectations(ctx)
	if v, hit, err := c.PeekLater(req, 1, 0); !hit || err != nil || v != 7 {
		t.Fatalf("PeekLater = %d, %v, %v", v, hit, err)
	}
	if len(cache.Pending(req)) != 1 {
		t.Fatal("the check was not put off")
	}
	if err := insert(req, 1); err != nil {
		t.Fatal(err)
	}
	if len(cache.Pending(req)) != 0 || cache.Settle(req, revs) != nil || rows() != 1 {
		t.Fatalf("after a good check: pending %v, rows %d", cache.Pending(req), rows())
	}

	// Changed after the peek: the write fails and leaves nothing.
	req = cache.WithExpectations(ctx)
	if _, hit, _ := c.PeekLater(req, 1, 0); !hit {
		t.Fatal("no hit")
	}
	bump()
	if err := insert(req, 2); !errors.Is(err, cache.ErrChanged) {
		t.Fatalf("write after a change: %v, want ErrChanged", err)
	}
	if err := cache.Settle(req, revs); !errors.Is(err, cache.ErrChanged) {
		t.Fatalf("Settle: %v, want ErrChanged", err)
	}
	if rows() != 1 {
		t.Fatalf("rows %d: the write of a failed check committed", rows())
	}

	// A write that reads revisions ahead (cache.Prefetch) before its first
	// statement carries the check among them, one statement fewer, with
	// the same outcome.
	other := cache.New[int]("test.other", 10, revs)
	insertAhead := func(ctx context.Context, n int) error {
		return db.Write(ctx, func(ctx context.Context) error {
			if err := cache.Prefetch(ctx, other.Ahead(5, 0)); err != nil {
				return err
			}
			_, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO t VALUES ($1)", n)
			return err
		})
	}
	fill()
	req = cache.WithExpectations(ctx)
	if _, hit, _ := c.PeekLater(req, 1, 0); !hit {
		t.Fatal("no hit")
	}
	if err := insertAhead(req, 3); err != nil {
		t.Fatal(err)
	}
	if len(cache.Pending(req)) != 0 || cache.Settle(req, revs) != nil || rows() != 2 {
		t.Fatalf("after a good check read ahead: pending %v, rows %d", cache.Pending(req), rows())
	}
	req = cache.WithExpectations(ctx)
	if _, hit, _ := c.PeekLater(req, 1, 0); !hit {
		t.Fatal("no hit")
	}
	bump()
	if err := insertAhead(req, 4); !errors.Is(err, cache.ErrChanged) {
		t.Fatalf("write reading ahead after a change: %v, want ErrChanged", err)
	}
	if err := cache.Settle(req, revs); !errors.Is(err, cache.ErrChanged) {
		t.Fatalf("Settle: %v, want ErrChanged", err)
	}
	if rows() != 2 {
		t.Fatalf("rows %d: the write of a failed check read ahead committed", rows())
	}

	// A check no statement made is made by Settle.
	fill()
	req = cache.WithExpectations(ctx)
	c.PeekLater(req, 1, 0)
	bump()
	if err := cache.Settle(req, revs); !errors.Is(err, cache.ErrChanged) {
		t.Fatalf("Settle with the check still pending: %v, want ErrChanged", err)
	}

	// A cached read (txn.Cached) carries it in its one statement.
	fill()
	req = cache.WithExpectations(ctx)
	c.PeekLater(req, 1, 0)
	bump()
	fill()
	err := db.Read(txn.Cached(req), func(ctx context.Context) error {
		if err := cache.Prefetch(ctx, c.Ahead(1, 0)); err != nil {
			return err
		}
		_, _, err := revs.Revision(ctx, cache.Key{Kind: "test.signin", ID: 1})
		return err
	})
	if !errors.Is(err, cache.ErrChanged) || len(cache.Pending(req)) != 0 {
		t.Fatalf("cached read after a change: %v, pending %v", err, cache.Pending(req))
	}
}

// Cached reads that run at once share their revisions' statement
// (looseReads), and each still sees every write that committed before it
// began: readers of keys that a writer keeps changing never read a value
// older than the last one committed before their read began.
func TestCachedReadsAtOnceSeeEveryEarlierCommit(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, "CREATE TABLE v (id int PRIMARY KEY, n int NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	const keys = 8
	revs := postgres.NewRevisions(db)
	c := cache.New[int]("test.loose", 100, revs)
	var committed [keys]atomic.Int64
	write := func(id, n int) error {
		return db.Write(ctx, func(ctx context.Context) error {
			if err := c.Bump(ctx, uint64(id), 0); err != nil {
				return err
			}
			_, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO v VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = excluded.n", id, n)
			return err
		})
	}
	for id := range keys {
		if err := write(id, 0); err != nil {
			t.Fatal(err)
		}
	}
	read := func(id int) (int, error) {
		var v int
		err := db.Read(txn.Cached(ctx), func(ctx context.Context) error {
			other := (id + 1) % keys
			if err := cache.Prefetch(ctx, c.Ahead(uint64(id), 0), c.Ahead(uint64(other), 0)); err != nil {
				return err
			}
			var err error
			v, err = c.Read(ctx, uint64(id), 0, func(ctx context.Context) (int, error) {
				var n int
				err := postgres.Q(ctx, db).QueryRow(ctx, "SELECT n FROM v WHERE id = $1", id).Scan(&n)
				return n, err
			})
			return err
		})
		return v, err
	}

	var g errgroup.Group
	stop := make(chan struct{})
	g.Go(func() error {
		defer close(stop)
		for n := 1; n <= 60; n++ {
			id := n % keys
			if err := write(id, n); err != nil {
				return err
			}
			committed[id].Store(int64(n))
		}
		return nil
	})
	for r := range 16 {
		g.Go(func() error {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return nil
				default:
				}
				id := (r + i) % keys
				floor := committed[id].Load()
				v, err := read(id)
				if err != nil {
					return err
				}
				if int64(v) < floor {
					return fmt.Errorf("key %d read %d after %d had committed", id, v, floor)
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// Revisions prefetched before a transaction's first statement go with that
// statement: in a cached read, the revisions, the statement, its BEGIN and
// its COMMIT are one round trip, in one snapshot (the statement runs in
// the REPEATABLE READ transaction the revisions are read in), and the
// revisions are known without another statement; should the read need
// one more, it runs again in a transaction. In a write, a revision it
// bumped is read as it bumped it.
func TestPrefetchedRevisionsGoWithTheFirstStatement(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	revs := postgres.NewRevisions(db)
	c := cache.New[int]("test.ahead", 10, revs)
	var bumped [2]uint64
	for i := range bumped {
		err := db.Write(ctx, func(ctx context.Context) error {
			if err := c.Bump(ctx, uint64(i+1), 0); err != nil {
				return err
			}
			var err error
			bumped[i], _, err = revs.Revision(ctx, cache.Key{Kind: "test.ahead", ID: uint64(i + 1)})
			return err
		})
		if err != nil || bumped[i] == 0 {
			t.Fatalf("bump %d: %v, %d", i, err, bumped[i])
		}
	}
	key := func(id uint64) cache.Key { return cache.Key{Kind: "test.ahead", ID: id} }
	read := func(more bool) (runs int, level string, status []byte, got [3]uint64) {
		t.Helper()
		err := db.Read(txn.Cached(ctx), func(ctx context.Context) error {
			runs++
			status = status[:0]
			// Key 3 was never bumped: it reads as 0.
			if err := cache.Prefetch(ctx, c.Ahead(1, 0), c.Ahead(2, 0), c.Ahead(3, 0)); err != nil {
				return err
			}
			if err := postgres.Q(ctx, db).QueryRow(ctx, "SELECT current_setting('transaction_isolation')").Scan(&level); err != nil {
				return err
			}
			status = append(status, postgres.TxStatus(ctx))
			for i := range got {
				var err error
				if got[i], _, err = revs.Revision(ctx, key(uint64(i+1))); err != nil {
					return err
				}
			}
			if more {
				var n int
				if err := postgres.Q(ctx, db).QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
					return err
				}
			}
			status = append(status, postgres.TxStatus(ctx))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return runs, level, status, got
	}
	want := [3]uint64{bumped[0], bumped[1], 0}

	// One round trip: committed as soon as the statement returned ('I'),
	// the revisions known without another statement (one run).
	runs, level, status, got := read(false)
	if runs != 1 || level != "repeatable read" || string(status) != "II" || got != want {
		t.Fatalf("one statement: runs %d, level %q, status %q, revisions %v; want 1, repeatable read, \"II\", %v",
			runs, level, status, got, want)
	}
	// A second statement: the work runs again, in a transaction, with
	// the revisions in the round trip of its BEGIN and first statement.
	runs, level, status, got = read(true)
	if runs != 2 || level != "repeatable read" || string(status) != "TT" || got != want {
		t.Fatalf("two statements: runs %d, level %q, status %q, revisions %v; want 2, repeatable read, \"TT\", %v",
			runs, level, status, got, want)
	}

	// In a write, a key it bumped before its first statement is read as
	// bumped; the others as stored.
	if _, err := db.Pool().Exec(ctx, "CREATE TABLE w (n int)"); err != nil {
		t.Fatal(err)
	}
	var mine uint64
	err := db.Write(ctx, func(ctx context.Context) error {
		if err := c.Bump(ctx, 1, 0); err != nil {
			return err
		}
		var err error
		if mine, _, err = revs.Revision(ctx, key(1)); err != nil {
			return err
		}
		if err := cache.Prefetch(ctx, c.Ahead(1, 0), c.Ahead(2, 0)); err != nil {
			return err
		}
		if _, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO w VALUES (1)"); err != nil {
			return err
		}
		for i, w := range []uint64{mine, bumped[1]} {
			if r, _, err := revs.Revision(ctx, key(uint64(i+1))); err != nil || r != w {
				t.Errorf("in the write, key %d: %d, %v; want %d", i+1, r, err, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, got = read(false); got[0] != mine || mine == bumped[0] {
		t.Fatalf("after the write: key 1 at %d, want the write's %d (was %d)", got[0], mine, bumped[0])
	}
	want[0] = mine

	// A first statement with no row answers ErrNoRows, and the
	// revisions asked with it are known all the same.
	runs = 0
	err = db.Read(txn.Cached(ctx), func(ctx context.Context) error {
		runs++
		if err := cache.Prefetch(ctx, c.Ahead(1, 0), c.Ahead(2, 0)); err != nil {
			return err
		}
		var n int
		if err := postgres.Q(ctx, db).QueryRow(ctx, "SELECT 1 WHERE $1::int = 0", 1).Scan(&n); !errors.Is(err, pgx.ErrNoRows) {
			t.Errorf("a statement without a row: %v, want ErrNoRows", err)
		}
		for i := range 2 {
			if r, _, err := revs.Revision(ctx, key(uint64(i+1))); err != nil || r != want[i] {
				t.Errorf("after no row, key %d: %d, %v; want %d", i+1, r, err, want[i])
			}
		}
		return nil
	})
	if err != nil || runs != 1 {
		t.Fatalf("no row: %v, runs %d", err, runs)
	}

	// A check the request put off goes in the same round trip, among the
	// revisions: when its revision changed, the read fails before its
	// row is seen.
	signin := cache.New[int]("test.signin", 10, revs)
	readSignin := func() {
		t.Helper()
		if err := db.Read(ctx, func(ctx context.Context) error {
			_, err := signin.Read(ctx, 1, 0, func(context.Context) (int, error) { return 7, nil })
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	readSignin()
	checked := func(bumpFirst bool) (int, error) {
		t.Helper()
		req := cache.WithExpectations(ctx)
		if _, hit, _ := signin.PeekLater(req, 1, 0); !hit {
			t.Fatal("no hit")
		}
		if bumpFirst {
			if err := db.Write(ctx, func(ctx context.Context) error { return signin.Bump(ctx, 1, 0) }); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		err := db.Read(txn.Cached(req), func(ctx context.Context) error {
			if err := cache.Prefetch(ctx, c.Ahead(1, 0)); err != nil {
				return err
			}
			return postgres.Q(ctx, db).QueryRow(ctx, "SELECT 5").Scan(&n)
		})
		if len(cache.Pending(req)) != 0 {
			t.Errorf("the check was not made with the statement")
		}
		return n, err
	}
	if n, err := checked(false); err != nil || n != 5 {
		t.Fatalf("unchanged check: %d, %v", n, err)
	}
	readSignin()
	if n, err := checked(true); !errors.Is(err, cache.ErrChanged) || n != 0 {
		t.Fatalf("changed check: %d, %v; want 0, ErrChanged", n, err)
	}
}

// A SERIALIZABLE write that has written nothing yet reads committed records
// at committed revisions, one snapshot, as a read does: what it loads
// through a cache is kept at once. What it loads after its first write,
// and anything a READ COMMITTED write loads (a revision and a record read
// at snapshots apart), is kept only once the write commits with the
// revision unchanged (Revisions.Confirm): never a value whose key the
// write bumped itself (its loads may hold its own changes), nor anything
// of a write that rolls back.
func TestAWriteFillsTheCachesOnlyWithWhatItsCommitConfirms(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	if _, err := db.Pool().Exec(ctx, "CREATE TABLE w (n int)"); err != nil {
		t.Fatal(err)
	}
	revs := postgres.NewRevisions(db)
	c := cache.New[int]("test.fill", 10, revs)
	errRolledBack := errors.New("rolled back")
	loads := 0
	read := func(ctx context.Context, id uint64) error {
		_, err := c.Read(ctx, id, 0, func(context.Context) (int, error) { loads++; return int(id), nil })
		return err
	}
	write := func(ctx context.Context) error {
		_, err := postgres.Q(ctx, db).Exec(ctx, "INSERT INTO w VALUES (1)")
		return err
	}
	kept := func(id uint64) bool {
		t.Helper()
		before := loads
		if err := db.Read(ctx, func(ctx context.Context) error { return read(ctx, id) }); err != nil {
			t.Fatal(err)
		}
		return loads == before
	}
	cases := []struct {
		name string
		ctx  context.Context
		work func(ctx context.Context, id uint64) error
		kept bool
	}{
		{"read before the first write", ctx, func(ctx context.Context, id uint64) error {
			if err := read(ctx, id); err != nil {
				return err
			}
			return write(ctx)
		}, true},
		{"read after a write", ctx, func(ctx context.Context, id uint64) error {
			if err := write(ctx); err != nil {
				return err
			}
			return read(ctx, id)
		}, true},
		{"read after a bump of another key deferred", ctx, func(ctx context.Context, id uint64) error {
			if err := c.Bump(ctx, id+100, 0); err != nil {
				return err
			}
			return read(ctx, id)
		}, true},
		{"read at READ COMMITTED", txn.Locking(ctx), func(ctx context.Context, id uint64) error {
			if err := read(ctx, id); err != nil {
				return err
			}
			return write(ctx)
		}, true},
		{"read after a bump of the same key", ctx, func(ctx context.Context, id uint64) error {
			if err := c.Bump(ctx, id, 0); err != nil {
				return err
			}
			return read(ctx, id)
		}, false},
		{"read, then the same key bumped, at READ COMMITTED", txn.Locking(ctx), func(ctx context.Context, id uint64) error {
			if err := read(ctx, id); err != nil {
				return err
			}
			return c.Bump(ctx, id, 0)
		}, false},
		{"read after a write that rolls back", ctx, func(ctx context.Context, id uint64) error {
			if err := write(ctx); err != nil {
				return err
			}
			if err := read(ctx, id); err != nil {
				return err
			}
			return errRolledBack
		}, false},
	}
	for i, tc := range cases {
		id := uint64(i + 1)
		if err := db.Write(tc.ctx, func(ctx context.Context) error { return tc.work(ctx, id) }); err != nil && !errors.Is(err, errRolledBack) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := kept(id); got != tc.kept {
			t.Errorf("%s: kept %v, want %v", tc.name, got, tc.kept)
		}
	}
}

// A write at READ COMMITTED (txn.Locking) reads a revision and the value
// it stands for in statements of their own: it keeps the value once it
// commits only if the revision read again with its COMMIT is the same.
// Here a change commits between the write's revision read and its load:
// kept under the old revision, the changed value would be served to a
// reader whose snapshot is older than the change, which must see the
// value before it.
func TestALockingWriteKeepsOnlyWhatItsCommitConfirms(t *testing.T) {
	db := pgtest.Open(t)
	ctx := context.Background()
	if err := postgres.Exec(ctx, db, "CREATE TABLE test_values (id int PRIMARY KEY, v int NOT NULL); INSERT INTO test_values VALUES (1, 1)"); err != nil {
		t.Fatal(err)
	}
	revs := postgres.NewRevisions(db)
	c := cache.New[int]("test.value", 10, revs)
	loads := 0
	load := func(ctx context.Context) (int, error) {
		loads++
		var v int
		err := postgres.Q(ctx, db).QueryRow(ctx, "SELECT v FROM test_values WHERE id = 1").Scan(&v)
		return v, err
	}
	change := func(v int) {
		t.Helper()
		err := db.Write(context.Background(), func(ctx context.Context) error {
			if err := c.Bump(ctx, 1, 0); err != nil {
				return err
			}
			return postgres.Exec(ctx, db, "UPDATE test_values SET v = $1 WHERE id = 1", v)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	change(1)

	// A reader takes its snapshot (value 1) and waits; a locking write
	// reads the revision, another write changes the value to 2, and the
	// locking write then loads 2 and commits. The reader, going on, must
	// read 1.
	older := make(chan struct{})
	resume := make(chan struct{})
	var seen int
	g := errgroup.Group{}
	g.Go(func() error {
		return db.Read(ctx, func(ctx context.Context) error {
			if _, err := postgres.Q(ctx, db).Exec(ctx, "SELECT 1"); err != nil {
				return err
			}
			close(older)
			<-resume
			var err error
			seen, err = c.Read(ctx, 1, 0, load)
			return err
		})
	})
	<-older
	var loaded int
	err := db.Write(txn.Locking(ctx), func(ctx context.Context) error {
		// The revision is read (and remembered by the transaction)
		// before the change, the value after it.
		if _, _, err := revs.Revision(ctx, cache.Key{Kind: "test.value", ID: 1}); err != nil {
			return err
		}
		change(2)
		var err error
		loaded, err = c.Read(ctx, 1, 0, load)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	close(resume)
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if loaded != 2 || seen != 1 {
		t.Fatalf("the locking write loaded %d, the older reader read %d; want 2 and 1", loaded, seen)
	}

	// Unchanged between its reads: kept, and the next read is served
	// from the cache.
	change(3)
	err = db.Write(txn.Locking(ctx), func(ctx context.Context) error {
		_, err := c.Read(ctx, 1, 0, load)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	loads = 0
	var v int
	if err := db.Read(ctx, func(ctx context.Context) error {
		var err error
		v, err = c.Read(ctx, 1, 0, load)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if v != 3 || loads != 0 {
		t.Fatalf("read after an unchanged locking write = %d with %d loads, want the kept 3", v, loads)
	}
}
