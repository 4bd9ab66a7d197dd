package storage

import (
	"errors"
	"testing"
)

// cachedRead reads Courses/1 through the cache the way services do.
func cachedRead(t *testing.T, db *DB, c *Cache[uint64, int]) (v int, hit bool) {
	t.Helper()
	err := db.View(func(tx *Tx) error {
		if got, ok := c.Get(tx, 1); ok {
			v, hit = got, true
			return nil
		}
		var r rec
		if err := tx.Get(Courses, ID(1), &r); err != nil {
			return err
		}
		v = r.N
		c.Fill(tx, 1, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, hit
}

func write(t *testing.T, db *DB, c *Cache[uint64, int], n int) {
	t.Helper()
	err := db.Update(func(tx *Tx) error {
		c.Invalidate(tx, 1)
		return tx.Put(Courses, ID(1), rec{N: n})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCacheServesReadsAndDropsChangedKeys(t *testing.T) {
	db, _ := mustOpen(t)
	c := NewCache[uint64, int](10)
	write(t, db, c, 1)
	if v, hit := cachedRead(t, db, c); v != 1 || hit {
		t.Fatalf("first read = %d (hit %v), want 1 from the store", v, hit)
	}
	if v, hit := cachedRead(t, db, c); v != 1 || !hit {
		t.Fatalf("second read = %d (hit %v), want 1 from the cache", v, hit)
	}
	write(t, db, c, 2)
	if v, hit := cachedRead(t, db, c); v != 2 || hit {
		t.Fatalf("after a write: %d (hit %v), want 2 from the store", v, hit)
	}
}

func TestCacheIgnoresRolledBackChanges(t *testing.T) {
	db, _ := mustOpen(t)
	c := NewCache[uint64, int](10)
	write(t, db, c, 1)
	cachedRead(t, db, c)
	boom := errors.New("boom")
	err := db.Update(func(tx *Tx) error {
		c.Invalidate(tx, 1)
		if err := tx.Put(Courses, ID(1), rec{N: 9}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if v, hit := cachedRead(t, db, c); v != 1 || !hit {
		t.Fatalf("after a rollback: %d (hit %v), want the cached 1", v, hit)
	}
}

// A reader whose transaction began before a change committed must not put
// its old value into the cache, even though it fills after the change's
// invalidation ran.
func TestCacheRefusesFillsOlderThanACommit(t *testing.T) {
	db, _ := mustOpen(t)
	c := NewCache[uint64, int](10)
	write(t, db, c, 1)
	err := db.View(func(tx *Tx) error {
		var r rec
		if err := tx.Get(Courses, ID(1), &r); err != nil {
			return err
		}
		// bbolt lets a write commit while this read is open.
		write(t, db, c, 2)
		c.Fill(tx, 1, r.N) // r.N is the old 1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, hit := cachedRead(t, db, c); v != 2 || hit {
		t.Fatalf("read = %d (hit %v), want 2 from the store", v, hit)
	}
}

func TestCacheWritesNeitherFillNorReadUnlessAllowed(t *testing.T) {
	db, _ := mustOpen(t)
	reads := NewCache[uint64, int](10)
	both := NewCache[uint64, int](10).ServeWrites()
	write(t, db, reads, 1)
	cachedRead(t, db, reads)
	cachedRead(t, db, both)
	err := db.Update(func(tx *Tx) error {
		if _, ok := reads.Get(tx, 1); ok {
			t.Error("a write transaction read the read-only cache")
		}
		if _, ok := both.Get(tx, 1); !ok {
			t.Error("ServeWrites cache missed in a write transaction")
		}
		tx.NoCache()
		if _, ok := both.Get(tx, 1); ok {
			t.Error("a NoCache transaction read the cache")
		}
		both.Fill(tx, 2, 5)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *Tx) error {
		if _, ok := both.Get(tx, 2); ok {
			t.Error("a write transaction filled the cache")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// When the cache forgets its per-key stamps, fills from transactions that
// began before the forgetting are refused wholesale.
func TestCacheStartsOverWhenFull(t *testing.T) {
	db, _ := mustOpen(t)
	c := NewCache[uint64, int](2)
	err := db.View(func(old *Tx) error {
		for k := uint64(10); k < 13; k++ { // the third stamp overflows
			err := db.Update(func(tx *Tx) error {
				c.Invalidate(tx, k)
				return nil
			})
			if err != nil {
				return err
			}
		}
		c.Fill(old, 10, 1)
		if _, ok := c.Get(old, 10); ok {
			t.Error("a transaction older than the reset filled the cache")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *Tx) error {
		for k := uint64(20); k < 25; k++ {
			c.Fill(tx, k, int(k))
		}
		if n := len(c.entries); n > 2 {
			t.Errorf("cache holds %d entries, max 2", n)
		}
		if v, ok := c.Get(tx, 24); !ok || v != 24 {
			t.Errorf("newest entry = %d, %v", v, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
