package storage

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// holdWriter begins a write that holds bbolt's writer lock until release is
// called, so that Batch calls queue behind it.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	held, done := make(chan struct{}), make(chan struct{})
	ended := make(chan error, 1)
	go func() {
		ended <- db.Update(func(tx *Tx) error {
			close(held)
			<-done
			return tx.PutRaw(Settings, []byte("held"), []byte("x"))
		})
	}()
	<-held
	return func() {
		close(done)
		if err := <-ended; err != nil {
			t.Errorf("held write: %v", err)
		}
	}
}

// waitQueued yields until n Batch calls wait for a commit.
func waitQueued(db *DB, n int) {
	for db.batch.queued() < n {
		runtime.Gosched()
	}
}

// putBatch writes key in a Batch call and reports the transaction it ran in.
func putBatch(db *DB, key string, txid *int) error {
	return db.BatchTx(func(tx *Tx) error {
		*txid = tx.tx.ID()
		return tx.PutRaw(Settings, []byte(key), []byte("v"))
	})
}

// TestBatchCallsQueuedWhileTheWriterIsBusyShareOneCommit: a group is what
// queued while the writer was busy, however long that was. bbolt's Batch
// closed a group after 2 ms whether the writer was free or not; on a disk
// whose commits took longer than that, groups formed faster than they
// committed and the line for the writer grew without bound.
func TestBatchCallsQueuedWhileTheWriterIsBusyShareOneCommit(t *testing.T) {
	db, _ := mustOpen(t)
	release := holdWriter(t, db)
	const n = 5
	txids := make([]int, n)
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- putBatch(db, fmt.Sprint("k", i), &txids[i]) }()
		waitQueued(db, i+1) // each call arrives after the one before is queued
	}
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if txids[i] != txids[0] {
			t.Fatalf("calls ran in transactions %v: want one commit for all", txids)
		}
	}
}

// TestBatchFailingCallGetsItsErrorAndTheOthersCommit: a call that fails in
// a group is run alone and gets its own error; nothing it wrote stays, and
// the others' writes are committed.
func TestBatchFailingCallGetsItsErrorAndTheOthersCommit(t *testing.T) {
	db, dir := mustOpen(t)
	release := holdWriter(t, db)
	boom := errors.New("boom")
	var wg sync.WaitGroup
	var errBad, errPanic error
	var panicked any
	oks := make([]error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); var id int; oks[i] = putBatch(db, fmt.Sprint("ok", i), &id) }()
		waitQueued(db, 2*i+1)
		wg.Add(1)
		switch i {
		case 0:
			go func() {
				defer wg.Done()
				errBad = db.BatchTx(func(tx *Tx) error {
					if err := tx.PutRaw(Settings, []byte("bad"), []byte("v")); err != nil {
						return err
					}
					return boom
				})
			}()
		case 1:
			go func() {
				defer wg.Done()
				defer func() { panicked = recover() }()
				errPanic = db.BatchTx(func(tx *Tx) error { panic("broken call") })
			}()
		default:
			wg.Done()
			continue
		}
		waitQueued(db, 2*i+2)
	}
	release()
	wg.Wait()
	if !errors.Is(errBad, boom) {
		t.Fatalf("failing call got %v, want boom", errBad)
	}
	if panicked == nil || errPanic != nil {
		t.Fatalf("panicking call: recovered %v, error %v; want its panic in its own goroutine", panicked, errPanic)
	}
	for i, err := range oks {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// Reopened from disk: each acknowledged write is there, the failed
	// one's is not.
	db.Close()
	db2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	_ = db2.View(func(tx *Tx) error {
		for i := range 3 {
			if !tx.Has(Settings, []byte(fmt.Sprint("ok", i))) {
				t.Errorf("ok%d is missing after reopening", i)
			}
		}
		if tx.Has(Settings, []byte("bad")) {
			t.Error("the failed call's write was committed")
		}
		return nil
	})
}

// TestBatchAfterCloseReturnsAnError: callers never hang on a closed store.
func TestBatchAfterCloseReturnsAnError(t *testing.T) {
	db, _ := mustOpen(t)
	db.Close()
	var id int
	if err := putBatch(db, "k", &id); err == nil {
		t.Fatal("Batch on a closed store succeeded")
	}
}

// TestBatchManyConcurrentCallsAllCommit: every acknowledged call's write is
// there, however the calls were grouped.
func TestBatchManyConcurrentCallsAllCommit(t *testing.T) {
	db, _ := mustOpen(t)
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); var id int; errs[i] = putBatch(db, fmt.Sprint("c", i), &id) }()
	}
	wg.Wait()
	_ = db.View(func(tx *Tx) error {
		for i := range n {
			if errs[i] != nil {
				t.Errorf("call %d: %v", i, errs[i])
			} else if !tx.Has(Settings, []byte(fmt.Sprint("c", i))) {
				t.Errorf("c%d is missing", i)
			}
		}
		return nil
	})
}
