package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustOpen(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dir
}

type rec struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func TestIDsSortNumerically(t *testing.T) {
	db, _ := mustOpen(t)
	// 300 records cross the 255→256 boundary where a little-endian or
	// decimal key would sort wrongly.
	err := db.Update(func(tx *Tx) error {
		for i := 0; i < 300; i++ {
			id, err := tx.NextID(Courses)
			if err != nil {
				return err
			}
			if err := tx.Put(Courses, ID(id), rec{N: int(id)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	_ = db.View(func(tx *Tx) error {
		return tx.Each(Courses, nil, func(k, v []byte) error {
			got = append(got, int(Part(k, 0)))
			return nil
		})
	})
	if len(got) != 300 {
		t.Fatalf("got %d records", len(got))
	}
	for i, n := range got {
		if n != i+1 {
			t.Fatalf("position %d holds id %d", i, n)
		}
	}
}

func TestCompositeKeysScanByPrefixInOrder(t *testing.T) {
	db, _ := mustOpen(t)
	_ = db.Update(func(tx *Tx) error {
		for _, k := range [][]uint64{{2, 1}, {1, 3}, {1, 1}, {1, 2}, {0xff, 1}, {1, 0xffffffffffffffff}} {
			if err := tx.PutRaw(Members, Key(k...), nil); err != nil {
				return err
			}
		}
		return nil
	})
	var fwd, rev []uint64
	_ = db.View(func(tx *Tx) error {
		_ = tx.Each(Members, Key(1), func(k, _ []byte) error { fwd = append(fwd, Part(k, 1)); return nil })
		return tx.EachReverse(Members, Key(1), func(k, _ []byte) error { rev = append(rev, Part(k, 1)); return nil })
	})
	want := []uint64{1, 2, 3, 0xffffffffffffffff}
	if len(fwd) != 4 || fwd[0] != want[0] || fwd[3] != want[3] {
		t.Fatalf("forward scan = %v, want %v", fwd, want)
	}
	if len(rev) != 4 || rev[0] != want[3] || rev[3] != want[0] {
		t.Fatalf("reverse scan = %v", rev)
	}
}

func TestSignedIntKeysSortNegativeFirst(t *testing.T) {
	a, b, c := Key(Int(-5)), Key(Int(0)), Key(Int(7))
	if !(bytes.Compare(a, b) < 0 && bytes.Compare(b, c) < 0) {
		t.Fatal("signed keys do not sort")
	}
	if FromInt(Int(-5)) != -5 {
		t.Fatal("FromInt does not reverse Int")
	}
}

func TestStopEndsAScanWithoutError(t *testing.T) {
	db, _ := mustOpen(t)
	_ = db.Update(func(tx *Tx) error {
		for i := uint64(1); i <= 5; i++ {
			_ = tx.PutRaw(Courses, ID(i), nil)
		}
		return nil
	})
	n := 0
	err := db.View(func(tx *Tx) error {
		return tx.Each(Courses, nil, func(_, _ []byte) error {
			n++
			if n == 2 {
				return Stop
			}
			return nil
		})
	})
	if err != nil || n != 2 {
		t.Fatalf("n=%d err=%v", n, err)
	}
}

func TestAFailedTransactionWritesNothing(t *testing.T) {
	db, _ := mustOpen(t)
	boom := errors.New("boom")
	err := db.Update(func(tx *Tx) error {
		if err := tx.Put(Courses, ID(1), rec{Name: "half"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	_ = db.View(func(tx *Tx) error {
		if tx.Has(Courses, ID(1)) {
			t.Fatal("a rolled-back write is visible")
		}
		return nil
	})
}

func TestGetReportsNotFound(t *testing.T) {
	db, _ := mustOpen(t)
	_ = db.View(func(tx *Tx) error {
		var r rec
		if err := tx.Get(Courses, ID(42), &r); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
		return nil
	})
}

func TestValuesOutliveTheirTransaction(t *testing.T) {
	db, _ := mustOpen(t)
	_ = db.Update(func(tx *Tx) error { return tx.PutRaw(Settings, []byte("k"), []byte("value")) })
	var raw []byte
	_ = db.View(func(tx *Tx) error { raw = tx.GetRaw(Settings, []byte("k")); return nil })
	// Writing more after the read must not change the copy we hold.
	_ = db.Update(func(tx *Tx) error {
		for i := uint64(0); i < 1000; i++ {
			_ = tx.PutRaw(Settings, ID(i), bytes.Repeat([]byte("x"), 100))
		}
		return nil
	})
	if string(raw) != "value" {
		t.Fatalf("copy changed to %q", raw)
	}
}

func TestASecondOpenTimesOutWithAClearError(t *testing.T) {
	_, dir := mustOpen(t)
	start := time.Now()
	_, err := Open(dir, Options{LockTimeout: 100 * time.Millisecond})
	if err == nil {
		t.Fatal("second open succeeded")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("error %q does not say the data directory is locked", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("second open hung")
	}
}

func TestSchemaVersionIsRecordedAndANewerFileRefused(t *testing.T) {
	db, dir := mustOpen(t)
	_ = db.View(func(tx *Tx) error {
		if v := tx.GetRaw(Meta, []byte("schema_version")); Part(v, 0) != SchemaVersion {
			t.Fatalf("schema_version = %v", v)
		}
		return nil
	})
	_ = db.Update(func(tx *Tx) error { return tx.PutRaw(Meta, []byte("schema_version"), ID(SchemaVersion+1)) })
	db.Close()
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a newer schema: %v", err)
	}
}

func TestBackupOpensAndHoldsTheSameData(t *testing.T) {
	db, _ := mustOpen(t)
	_ = db.Update(func(tx *Tx) error {
		for i := uint64(1); i <= 100; i++ {
			if err := tx.Put(Courses, ID(i), rec{Name: "course", N: int(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.WriteBackup(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	restored, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer restored.Close()
	if problems := restored.Check(); len(problems) > 0 {
		t.Fatalf("backup check: %v", problems)
	}
	_ = restored.View(func(tx *Tx) error {
		if n := tx.Count(Courses, nil); n != 100 {
			t.Fatalf("backup holds %d courses", n)
		}
		var r rec
		if err := tx.Get(Courses, ID(77), &r); err != nil || r.N != 77 {
			t.Fatalf("record 77 = %+v, %v", r, err)
		}
		return nil
	})
}

func TestDeletePrefixLeavesOtherKeys(t *testing.T) {
	db, _ := mustOpen(t)
	_ = db.Update(func(tx *Tx) error {
		for _, k := range [][]uint64{{1, 1}, {1, 2}, {2, 1}} {
			_ = tx.PutRaw(Members, Key(k...), nil)
		}
		return tx.DeletePrefix(Members, Key(1))
	})
	_ = db.View(func(tx *Tx) error {
		if tx.Count(Members, nil) != 1 || !tx.Has(Members, Key(2, 1)) {
			t.Fatal("DeletePrefix removed the wrong keys")
		}
		return nil
	})
}
