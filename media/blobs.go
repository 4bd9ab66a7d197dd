package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Blobs is where the bytes of uploads and captions live, each blob named
// by the SHA-256 of its bytes, so that identical bytes are kept once and no
// client-chosen name ever names anything. Files keeps them in a directory
// beside the database; package media/s3blobs keeps them in an
// S3-compatible bucket, which several replicas can share. Everything the
// service knows of them goes through this interface, so both behave alike
// (media/blobstest is the contract both pass).
type Blobs interface {
	// Create starts a new blob of at most limit bytes. Its bytes stream
	// through the writer; nothing holds them whole in memory.
	Create(ctx context.Context, limit int64) (BlobWriter, error)
	// Open opens a committed blob for reading; ErrNoBlob when there is
	// none.
	Open(ctx context.Context, sum string) (Blob, error)
	// Touched is when the blob was last committed or found present by a
	// Commit (the sweep's grace period runs from it); ErrNoBlob when there
	// is none.
	Touched(ctx context.Context, sum string) (time.Time, error)
	// Each calls fn for every committed blob with its time as listed,
	// which may be older than Touched says; an error from fn stops it.
	Each(ctx context.Context, fn func(sum string, listed time.Time) error) error
	// Remove deletes a blob; one that is not there is no error.
	Remove(ctx context.Context, sum string) error
	// SweepTemps removes the bytes of uploads that ended without Commit
	// or Abort (a crash, a lost connection to the storage) and were last
	// written before the instant, and reports how many it removed.
	SweepTemps(ctx context.Context, before time.Time) (int, error)
	// Ping reports whether the storage answers (readiness).
	Ping(ctx context.Context) error
}

// BlobWriter is a blob being written. Its SHA-256 is computed on the way
// in; Commit names the bytes by it, Abort drops them.
type BlobWriter interface {
	// Write refuses with ErrBlobTooLarge, writing nothing, bytes that
	// would take the blob past its limit.
	io.Writer
	// ReadAt reads the bytes written; it may be used only after Finish
	// (the checks and the duration probe read the whole file).
	io.ReaderAt
	Size() int64
	Sum() string
	// Finish ends the bytes and makes them durable.
	Finish(ctx context.Context) error
	// Commit makes the finished bytes the blob named by their SHA-256.
	// When that blob exists already the new bytes are dropped and its
	// Touched time is refreshed, so that the sweep's grace period protects
	// it until the record that uses it commits. created reports whether a
	// new blob was made, so that a failed commit can remove it again.
	Commit(ctx context.Context) (created bool, err error)
	// Abort drops the bytes. It is safe after Commit (it does nothing
	// then) and more than once.
	Abort()
}

// Blob is an opened stored file.
type Blob interface {
	io.ReaderAt
	io.ReadSeeker
	io.Closer
}

// sectioner is a Blob that fetches a byte range in one request (a bucket's
// ranged GET); serving uses it when the blob offers it.
type sectioner interface {
	Section(ctx context.Context, off, n int64) (io.ReadCloser, error)
}

// ErrNoBlob is the answer for a blob that is not stored.
var ErrNoBlob = errors.New("media: no such blob")

// ErrBlobTooLarge is a BlobWriter's refusal of bytes past its limit.
var ErrBlobTooLarge = errors.New("media: blob over its size limit")

// ValidSum reports whether sum is 64 lower-case hex digits, the only shape
// of name a blob store ever builds a file name or key from.
func ValidSum(sum string) bool { return validSHA(sum) }

// SweepResult counts what a sweep removed.
type SweepResult struct {
	Temps int // temporary files of uploads that never finished
	Blobs int // blobs no record uses
}

// sharedBlobs is implemented by blob stores several processes share (a
// bucket): another process may have an upload in flight when this one
// starts, so the start-up sweep spares recent temporary bytes there too.
type sharedBlobs interface{ Shared() bool }

// CopyBlobs copies every blob of from that to lacks into to, checking each
// against its name on the way, and reports how many it copied and how many
// were there already (pacer migrate --media-to).
func CopyBlobs(ctx context.Context, from, to Blobs) (copied, present int, err error) {
	err = from.Each(ctx, func(sum string, _ time.Time) error {
		switch _, err := to.Touched(ctx, sum); {
		case err == nil:
			present++
			return nil
		case !errors.Is(err, ErrNoBlob):
			return err
		}
		if err := copyBlob(ctx, from, to, sum); err != nil {
			return fmt.Errorf("copy blob %s: %w", sum, err)
		}
		copied++
		return nil
	})
	return copied, present, err
}

func copyBlob(ctx context.Context, from, to Blobs, sum string) error {
	src, err := from.Open(ctx, sum)
	if err != nil {
		return err
	}
	defer src.Close()
	w, err := to.Create(ctx, math.MaxInt64)
	if err != nil {
		return err
	}
	defer w.Abort()
	if _, err := io.CopyBuffer(w, src, make([]byte, copyBufSize)); err != nil {
		return err
	}
	if err := w.Finish(ctx); err != nil {
		return err
	}
	if w.Sum() != sum {
		return fmt.Errorf("its bytes hash to %s: the file is damaged", w.Sum())
	}
	_, err = w.Commit(ctx)
	return err
}
