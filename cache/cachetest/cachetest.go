// Package cachetest is the contract of cache.Revisions, run against every
// engine: a Cache over the engine's revisions must serve a value only to
// transactions that read the revision it was loaded at.
package cachetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"pacer/cache"
	"pacer/txn"
)

// Run runs the contract; open returns a fresh engine's revisions and the
// runner its transactions join.
func Run(t *testing.T, open func(t *testing.T) (cache.Revisions, txn.Runner)) {
	ctx := context.Background()
	errRollback := errors.New("roll back")

	// setup returns a cache of one value whose loads are counted: the
	// value is the number of the load that produced it.
	setup := func(t *testing.T) (revs cache.Revisions, tx txn.Runner, c *cache.Cache[int], read func(ctx context.Context) int) {
		revs, tx = open(t)
		c = cache.New[int]("cachetest.value", 10, revs)
		loads := 0
		read = func(ctx context.Context) int {
			t.Helper()
			var v int
			err := tx.Read(ctx, func(ctx context.Context) error {
				var err error
				v, err = c.Read(ctx, 7, 1, func(context.Context) (int, error) { loads++; return loads, nil })
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		return revs, tx, c, read
	}

	t.Run("a read transaction fills, the next one hits", func(t *testing.T) {
		_, _, _, read := setup(t)
		if v := read(ctx); v != 1 {
			t.Fatalf("first read = %d, want load 1", v)
		}
		if v := read(ctx); v != 1 {
			t.Fatalf("second read = %d, want the cached load 1", v)
		}
	})

	t.Run("a committed bump makes the next read load again", func(t *testing.T) {
		_, tx, c, read := setup(t)
		read(ctx)
		if err := tx.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 7, 1) }); err != nil {
			t.Fatal(err)
		}
		if v := read(ctx); v != 2 {
			t.Fatalf("read after bump = %d, want load 2", v)
		}
		if v := read(ctx); v != 2 {
			t.Fatalf("read after refill = %d, want cached load 2", v)
		}
	})

	t.Run("a bump that rolls back changes nothing", func(t *testing.T) {
		_, tx, c, read := setup(t)
		read(ctx)
		err := tx.Write(ctx, func(ctx context.Context) error {
			if err := c.Bump(ctx, 7, 1); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Write = %v", err)
		}
		if v := read(ctx); v != 1 {
			t.Fatalf("read after rolled-back bump = %d, want cached load 1", v)
		}
	})

	t.Run("a write reads through the cache but fills nothing after it writes", func(t *testing.T) {
		_, tx, c, read := setup(t)
		var inWrite, afterBump int
		err := tx.Write(ctx, func(ctx context.Context) error {
			var err error
			if inWrite, err = c.Read(ctx, 7, 1, func(context.Context) (int, error) { return 100, nil }); err != nil {
				return err
			}
			if err := c.Bump(ctx, 7, 1); err != nil {
				return err
			}
			afterBump, err = c.Read(ctx, 7, 1, func(context.Context) (int, error) { return 200, nil })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if inWrite != 100 || afterBump != 200 {
			t.Fatalf("reads in the write = %d, %d; want loads 100, 200", inWrite, afterBump)
		}
		if v := read(ctx); v != 1 {
			t.Fatalf("read after the write = %d, want a fresh load (1), not a value the write read", v)
		}
		// Once filled by a read, a write before its bump is served the
		// cached value.
		err = tx.Write(ctx, func(ctx context.Context) error {
			var err error
			inWrite, err = c.Read(ctx, 7, 1, func(context.Context) (int, error) { return 300, nil })
			return err
		})
		if err != nil || inWrite != 1 {
			t.Fatalf("write's read of a filled value = %d, %v; want the cached 1", inWrite, err)
		}
	})

	t.Run("a write that locks what it relies on keeps what it loaded once it commits", func(t *testing.T) {
		// A write marked txn.Locking may read each statement at a
		// snapshot of its own (PostgreSQL's READ COMMITTED): what it
		// loads before writing is kept at its commit, when nothing
		// changed it in between (cache.Confirmer); a load after its own
		// bump is not, nor anything of a write that rolls back.
		revs, tx, c, read := setup(t)
		_, confirms := revs.(cache.Confirmer)
		write := func(fn func(ctx context.Context) error) error {
			return tx.Write(txn.Locking(ctx), fn)
		}
		err := write(func(ctx context.Context) error {
			_, err := c.Read(ctx, 7, 1, func(context.Context) (int, error) { return 100, nil })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !confirms {
			// An engine that cannot confirm keeps nothing a write
			// loads: the next read loads afresh.
			if v := read(ctx); v != 1 {
				t.Fatalf("read after the locking write = %d, want a fresh load (1)", v)
			}
			return
		}
		if v := read(ctx); v != 100 {
			t.Fatalf("read after the locking write = %d, want the write's load 100 kept", v)
		}
		err = write(func(ctx context.Context) error {
			if err := c.Bump(ctx, 7, 1); err != nil {
				return err
			}
			_, err := c.Read(ctx, 7, 1, func(context.Context) (int, error) { return 200, nil })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if v := read(ctx); v != 1 {
			t.Fatalf("read after a write that bumped = %d, want a fresh load (1)", v)
		}
		err = write(func(ctx context.Context) error {
			if err := c.Bump(ctx, 8, 1); err != nil {
				return err
			}
			if _, err := c.Read(ctx, 7, 2, func(context.Context) (int, error) { return 300, nil }); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Write = %v", err)
		}
		var v int
		err = tx.Read(ctx, func(ctx context.Context) error {
			var err error
			v, err = c.Read(ctx, 7, 2, func(context.Context) (int, error) { return 400, nil })
			return err
		})
		if err != nil || v != 400 {
			t.Fatalf("read after a rolled-back write = %d, %v; want a fresh load 400", v, err)
		}
	})

	t.Run("keys and kinds are apart", func(t *testing.T) {
		revs, tx := open(t)
		a := cache.New[string]("cachetest.a", 10, revs)
		b := cache.New[string]("cachetest.b", 10, revs)
		get := func(c *cache.Cache[string], id, sub uint64, fresh string) string {
			var v string
			err := tx.Read(ctx, func(ctx context.Context) error {
				var err error
				v, err = c.Read(ctx, id, sub, func(context.Context) (string, error) { return fresh, nil })
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		get(a, 1, 0, "a1")
		get(a, 1, 2, "a12")
		get(b, 1, 0, "b1")
		if err := tx.Write(ctx, func(ctx context.Context) error { return a.Bump(ctx, 1, 0) }); err != nil {
			t.Fatal(err)
		}
		if v := get(a, 1, 0, "a1'"); v != "a1'" {
			t.Fatalf("bumped key = %q, want reloaded", v)
		}
		if v := get(a, 1, 2, "x"); v != "a12" {
			t.Fatalf("other sub = %q, want still cached", v)
		}
		if v := get(b, 1, 0, "x"); v != "b1" {
			t.Fatalf("other kind = %q, want still cached", v)
		}
	})

	t.Run("peek serves a value only at the stored revision", func(t *testing.T) {
		_, tx, c, read := setup(t)
		if _, ok, err := c.Peek(ctx, 7, 1); ok || err != nil {
			t.Fatalf("peek of an empty cache = %v, %v; want a miss", ok, err)
		}
		read(ctx)
		if v, ok, err := c.Peek(ctx, 7, 1); !ok || err != nil || v != 1 {
			t.Fatalf("peek after a fill = %d, %v, %v; want the cached 1", v, ok, err)
		}
		if err := tx.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 7, 1) }); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := c.Peek(ctx, 7, 1); ok || err != nil {
			t.Fatalf("peek after a bump = %v, %v; want a miss", ok, err)
		}
	})

	t.Run("prefetched revisions answer as the transaction reads them", func(t *testing.T) {
		revs, tx := open(t)
		a := cache.New[string]("cachetest.a", 10, revs)
		b := cache.New[string]("cachetest.b", 10, revs)
		get := func(ctx context.Context, c *cache.Cache[string], id uint64, fresh string) string {
			v, err := c.Read(ctx, id, 0, func(context.Context) (string, error) { return fresh, nil })
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		err := tx.Read(ctx, func(ctx context.Context) error {
			if err := cache.Prefetch(ctx, a.Ahead(1, 0), b.Ahead(2, 0), a.Ahead(3, 0)); err != nil {
				return err
			}
			get(ctx, a, 1, "a1")
			get(ctx, b, 2, "b2")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Write(ctx, func(ctx context.Context) error { return a.Bump(ctx, 1, 0) }); err != nil {
			t.Fatal(err)
		}
		err = tx.Write(ctx, func(ctx context.Context) error {
			if err := cache.Prefetch(ctx, a.Ahead(1, 0), b.Ahead(2, 0)); err != nil {
				return err
			}
			if v := get(ctx, b, 2, "x"); v != "b2" {
				t.Errorf("unbumped value after a prefetch = %q, want the cached b2", v)
			}
			if v := get(ctx, a, 1, "a1 in write"); v != "a1 in write" {
				t.Errorf("bumped value after a prefetch = %q, want a load", v)
			}
			// The write's own bump is seen by its next read, prefetched
			// or not.
			if err := b.Bump(ctx, 2, 0); err != nil {
				return err
			}
			if v := get(ctx, b, 2, "b2 bumped"); v != "b2 bumped" {
				t.Errorf("value after the write's own bump = %q, want a load", v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = tx.Read(ctx, func(ctx context.Context) error {
			if err := cache.Prefetch(ctx, a.Ahead(1, 0), b.Ahead(2, 0)); err != nil {
				return err
			}
			// Loaded again, or kept as the write above loaded it before
			// it wrote anything (an engine whose writes read one
			// snapshot keeps that); never the value from before the bump.
			if v := get(ctx, a, 1, "a1'"); v != "a1'" && v != "a1 in write" {
				t.Errorf("a after its bump = %q, want a load", v)
			}
			if v := get(ctx, b, 2, "b2'"); v != "b2'" {
				t.Errorf("b after its bump = %q, want a load", v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a set read loads only what is not cached, in one call", func(t *testing.T) {
		revs, tx := open(t)
		c := cache.New[string]("cachetest.set", 100, revs)
		// 20 keys, more than an engine may read in one short statement;
		// key 5 has no value.
		var keys [][2]uint64
		for id := range uint64(20) {
			keys = append(keys, [2]uint64{id, 9})
		}
		gen := "v1"
		var calls [][][2]uint64
		readSet := func(run func(context.Context, func(context.Context) error) error) map[[2]uint64]string {
			t.Helper()
			var out map[[2]uint64]string
			err := run(ctx, func(ctx context.Context) error {
				var err error
				out, err = c.ReadSet(ctx, keys, func(_ context.Context, missing [][2]uint64) (map[[2]uint64]string, error) {
					calls = append(calls, missing)
					m := map[[2]uint64]string{}
					for _, k := range missing {
						if k[0] != 5 {
							m[k] = fmt.Sprint(gen, "-", k[0])
						}
					}
					return m, nil
				})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		out := readSet(tx.Read)
		if len(calls) != 1 || len(calls[0]) != 20 || len(out) != 19 || out[[2]uint64{3, 9}] != "v1-3" {
			t.Fatalf("first set read: %d loads (%v), %d values; want one load of 20 keys and 19 values", len(calls), calls, len(out))
		}
		if _, ok := out[[2]uint64{5, 9}]; ok {
			t.Fatalf("a key the load left out has a value: %v", out)
		}
		// Cached now, but for the absent key, which is asked again.
		calls = nil
		out = readSet(tx.Read)
		if len(calls) != 1 || len(calls[0]) != 1 || calls[0][0] != [2]uint64{5, 9} || out[[2]uint64{3, 9}] != "v1-3" {
			t.Fatalf("second set read loaded %v, want only key 5", calls)
		}
		// Two bumped keys are loaded again, the others stay cached.
		gen = "v2"
		err := tx.Write(ctx, func(ctx context.Context) error {
			if err := c.Bump(ctx, 3, 9); err != nil {
				return err
			}
			return c.Bump(ctx, 12, 9)
		})
		if err != nil {
			t.Fatal(err)
		}
		calls = nil
		out = readSet(tx.Read)
		if len(calls) != 1 || len(calls[0]) != 3 || out[[2]uint64{3, 9}] != "v2-3" || out[[2]uint64{12, 9}] != "v2-12" || out[[2]uint64{4, 9}] != "v1-4" {
			t.Fatalf("after two bumps: loads %v, values 3=%q 12=%q 4=%q; want keys 3, 5, 12 loaded", calls, out[[2]uint64{3, 9}], out[[2]uint64{12, 9}], out[[2]uint64{4, 9}])
		}
		// A write transaction that has written hits but keeps nothing it
		// loads (one that has written nothing yet may keep what it
		// loads where its engine says its reads are one snapshot).
		if err := tx.Write(ctx, func(ctx context.Context) error { return c.Bump(ctx, 7, 9) }); err != nil {
			t.Fatal(err)
		}
		gen = "v3"
		calls = nil
		readSet(func(ctx context.Context, fn func(context.Context) error) error {
			return tx.Write(ctx, func(ctx context.Context) error {
				if err := c.Bump(ctx, 99, 9); err != nil {
					return err
				}
				return fn(ctx)
			})
		})
		calls = nil
		out = readSet(tx.Read)
		if _, ok := revs.(cache.Confirmer); ok {
			// Unless its engine confirms at the commit what it loaded
			// (cache.Confirmer): key 7, which it did not bump, is kept.
			if len(calls) != 1 || len(calls[0]) != 1 || out[[2]uint64{7, 9}] != "v3-7" {
				t.Fatalf("after a write's set read: loads %v, want key 5 loaded again, 7 kept", calls)
			}
		} else if len(calls) != 1 || len(calls[0]) != 2 || out[[2]uint64{7, 9}] != "v3-7" {
			t.Fatalf("after a write's set read: loads %v, want keys 5 and 7 loaded again", calls)
		}
	})
}
