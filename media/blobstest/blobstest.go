// Package blobstest is the contract of media.Blobs: every implementation
// (Files on disk, s3blobs in a bucket) runs Run, so that the media service
// behaves the same on each. It is imported only by tests.
package blobstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"pacer/media"
)

// Run runs the contract against stores made by open, a fresh empty one per
// call.
func Run(t *testing.T, open func(t *testing.T) media.Blobs) {
	ctx := context.Background()
	// Times in the future and the past, for sweeps that must remove
	// everything old enough and nothing recent.
	later := func() time.Time { return time.Now().Add(time.Hour) }
	earlier := func() time.Time { return time.Now().Add(-time.Hour) }

	t.Run("a written blob is committed under its SHA-256 and read back in ranges", func(t *testing.T) {
		b := open(t)
		data := pattern(300 << 10)
		w := mustWrite(t, b, data, int64(len(data)))
		if w.Size() != int64(len(data)) || w.Sum() != sum(data) {
			t.Fatalf("size %d sum %s, want %d %s", w.Size(), w.Sum(), len(data), sum(data))
		}
		if err := w.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		// The checks read the finished bytes before the commit.
		got := make([]byte, 100)
		if n, err := w.ReadAt(got, 1000); n != 100 || err != nil || !bytes.Equal(got, data[1000:1100]) {
			t.Fatalf("ReadAt before commit: %d %v", n, err)
		}
		created, err := w.Commit(ctx)
		if err != nil || !created {
			t.Fatalf("commit: %v %v", created, err)
		}
		w.Abort() // after a commit: nothing
		f, err := b.Open(ctx, sum(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		all, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(all, data) {
			t.Fatalf("read back %d bytes, %v", len(all), err)
		}
		// A range in the middle, a range cut by the end, nothing past it.
		if n, err := f.ReadAt(got, 5000); n != 100 || err != nil || !bytes.Equal(got, data[5000:5100]) {
			t.Fatalf("ReadAt: %d %v", n, err)
		}
		end := int64(len(data) - 40)
		if n, err := f.ReadAt(got, end); n != 40 || err != io.EOF || !bytes.Equal(got[:40], data[end:]) {
			t.Fatalf("ReadAt across the end: %d %v", n, err)
		}
		if n, err := f.ReadAt(got, int64(len(data))); n != 0 || err != io.EOF {
			t.Fatalf("ReadAt past the end: %d %v", n, err)
		}
		if _, err := f.Seek(200<<10, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		rest, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(rest, data[200<<10:]) {
			t.Fatalf("read after seek: %d bytes, %v", len(rest), err)
		}
		if err := b.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
		if listed := list(t, b); len(listed) != 1 || listed[0] != sum(data) {
			t.Fatalf("listed %v", listed)
		}
		if n, err := b.SweepTemps(ctx, later()); n != 0 || err != nil {
			t.Fatalf("temporary bytes left after a commit: %d %v", n, err)
		}
	})

	t.Run("identical bytes are stored once and the blob's time refreshed", func(t *testing.T) {
		b := open(t)
		data := pattern(10 << 10)
		commit(t, b, data)
		first, err := b.Touched(ctx, sum(data))
		if err != nil {
			t.Fatal(err)
		}
		w := mustWrite(t, b, data, 1<<20)
		if err := w.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		created, err := w.Commit(ctx)
		if err != nil || created {
			t.Fatalf("second commit of the same bytes: created %v, %v", created, err)
		}
		again, err := b.Touched(ctx, sum(data))
		if err != nil || again.Before(first) {
			t.Fatalf("touched %v then %v (%v)", first, again, err)
		}
		if listed := list(t, b); len(listed) != 1 {
			t.Fatalf("listed %v", listed)
		}
		if n, err := b.SweepTemps(ctx, later()); n != 0 || err != nil {
			t.Fatalf("the dropped copy was left: %d %v", n, err)
		}
	})

	t.Run("bytes past the limit are refused mid-stream and abort leaves nothing", func(t *testing.T) {
		b := open(t)
		w, err := b.Create(ctx, 100<<10)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(pattern(60 << 10)); err != nil {
			t.Fatal(err)
		}
		if n, err := w.Write(pattern(60 << 10)); n != 0 || !errors.Is(err, media.ErrBlobTooLarge) {
			t.Fatalf("write past the limit: %d %v", n, err)
		}
		if w.Size() != 60<<10 {
			t.Fatalf("size %d after the refusal", w.Size())
		}
		// Exactly up to the limit is fine.
		if _, err := w.Write(pattern(40 << 10)); err != nil {
			t.Fatalf("write up to the limit: %v", err)
		}
		w.Abort()
		w.Abort()
		expectEmpty(t, b)
	})

	t.Run("an aborted finished upload leaves nothing", func(t *testing.T) {
		b := open(t)
		w := mustWrite(t, b, pattern(1000), 1000)
		if err := w.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		w.Abort()
		expectEmpty(t, b)
	})

	t.Run("a removed blob is gone", func(t *testing.T) {
		b := open(t)
		data := pattern(2000)
		commit(t, b, data)
		if err := b.Remove(ctx, sum(data)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Open(ctx, sum(data)); !errors.Is(err, media.ErrNoBlob) {
			t.Fatalf("open after remove: %v", err)
		}
		if _, err := b.Touched(ctx, sum(data)); !errors.Is(err, media.ErrNoBlob) {
			t.Fatalf("touched after remove: %v", err)
		}
		if err := b.Remove(ctx, sum(data)); err != nil {
			t.Fatalf("second remove: %v", err)
		}
		if err := b.Remove(ctx, "../../etc/passwd"); err != nil {
			t.Fatalf("remove of a bad name: %v", err)
		}
		if _, err := b.Open(ctx, "../../etc/passwd"); err == nil {
			t.Fatal("a bad name opened")
		}
		expectEmpty(t, b)
	})

	t.Run("the sweep removes uploads that never ended, and only old ones", func(t *testing.T) {
		b := open(t)
		// One still arriving and one finished but never committed: what a
		// crash leaves.
		arriving := mustWrite(t, b, pattern(3000), 1<<20)
		finished := mustWrite(t, b, pattern(4000), 1<<20)
		if err := finished.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		kept := pattern(5000)
		commit(t, b, kept)
		if n, err := b.SweepTemps(ctx, earlier()); n != 0 || err != nil {
			t.Fatalf("sweep of recent uploads: %d %v", n, err)
		}
		if n, err := b.SweepTemps(ctx, later()); n != 2 || err != nil {
			t.Fatalf("sweep: %d %v, want 2", n, err)
		}
		arriving.Abort()
		finished.Abort()
		if n, err := b.SweepTemps(ctx, later()); n != 0 || err != nil {
			t.Fatalf("second sweep: %d %v", n, err)
		}
		if listed := list(t, b); len(listed) != 1 || listed[0] != sum(kept) {
			t.Fatalf("committed blobs must survive: %v", listed)
		}
	})

	t.Run("CopyBlobs copies what the target lacks", func(t *testing.T) {
		from, to := open(t), open(t)
		a, c := pattern(7000), pattern(8000)
		commit(t, from, a)
		commit(t, from, c)
		commit(t, to, c)
		copied, present, err := media.CopyBlobs(ctx, from, to)
		if err != nil || copied != 1 || present != 1 {
			t.Fatalf("copied %d, present %d, %v", copied, present, err)
		}
		f, err := to.Open(ctx, sum(a))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, _ := io.ReadAll(f); !bytes.Equal(got, a) {
			t.Fatal("the copy differs")
		}
		copied, present, err = media.CopyBlobs(ctx, from, to)
		if err != nil || copied != 0 || present != 2 {
			t.Fatalf("second run copied %d, present %d, %v", copied, present, err)
		}
	})
}

// pattern is n bytes that differ with n.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + n + i/251)
	}
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// mustWrite creates a blob of at most limit bytes and writes data to it in
// chunks.
func mustWrite(t *testing.T, b media.Blobs, data []byte, limit int64) media.BlobWriter {
	t.Helper()
	w, err := b.Create(context.Background(), limit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Abort)
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 32<<10)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	return w
}

func commit(t *testing.T, b media.Blobs, data []byte) {
	t.Helper()
	w := mustWrite(t, b, data, math.MaxInt64)
	if err := w.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func list(t *testing.T, b media.Blobs) []string {
	t.Helper()
	var out []string
	if err := b.Each(context.Background(), func(sum string, _ time.Time) error {
		out = append(out, sum)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectEmpty: no blob, and nothing for a sweep to remove.
func expectEmpty(t *testing.T, b media.Blobs) {
	t.Helper()
	if listed := list(t, b); len(listed) != 0 {
		t.Fatalf("blobs left: %v", listed)
	}
	if n, err := b.SweepTemps(context.Background(), time.Now().Add(time.Hour)); n != 0 || err != nil {
		t.Fatalf("temporary bytes left: %d %v", n, err)
	}
}
