package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files keeps media bytes on disk, beside the database and never inside it
// (the Blobs of one process, the default):
//
//	<dir>/blobs/<aa>/<sha256 hex>   finished files, named by their content
//	<dir>/tmp/upload-*              uploads still arriving
//
// A blob's name is made by the server from the bytes, so no client-chosen
// name ever reaches the file system, and identical bytes are stored once. A
// blob becomes visible only by a rename after its bytes are on disk (fsync),
// so a reader never sees half a file.
type Files struct {
	dir string
}

var _ Blobs = (*Files)(nil)

// OpenFiles prepares dir (creating blobs/ and tmp/ inside it).
func OpenFiles(dir string) (*Files, error) {
	for _, d := range []string{dir, filepath.Join(dir, "blobs"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("create media directory %s: %w", d, err)
		}
	}
	return &Files{dir: dir}, nil
}

// Dir is the directory of the files.
func (s *Files) Dir() string { return s.dir }

// validSHA reports whether sum is 64 lower-case hex digits, the only shape
// of name the files ever build a path from.
func validSHA(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for i := 0; i < len(sum); i++ {
		c := sum[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Path is where the blob with this SHA-256 lives.
func (s *Files) Path(sum string) string {
	return filepath.Join(s.dir, "blobs", sum[:2], sum)
}

// Open opens a blob for reading.
func (s *Files) Open(_ context.Context, sum string) (Blob, error) {
	if !validSHA(sum) {
		return nil, fmt.Errorf("media: bad blob name %q", sum)
	}
	f, err := os.Open(s.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoBlob
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Touched is the blob's modification time, which a Commit that finds the
// blob present refreshes.
func (s *Files) Touched(_ context.Context, sum string) (time.Time, error) {
	if !validSHA(sum) {
		return time.Time{}, ErrNoBlob
	}
	info, err := os.Stat(s.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, ErrNoBlob
	}
	if err != nil {
		return time.Time{}, err
	}
	return info.ModTime(), nil
}

// Each walks blobs/<aa>/ in name order.
func (s *Files) Each(ctx context.Context, fn func(sum string, listed time.Time) error) error {
	blobs := filepath.Join(s.dir, "blobs")
	fans, err := os.ReadDir(blobs)
	if err != nil {
		return err
	}
	for _, fan := range fans {
		if !fan.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(blobs, fan.Name()))
		if err != nil {
			return err
		}
		for _, f := range files {
			sum := f.Name()
			if !validSHA(sum) {
				continue
			}
			info, err := f.Info()
			if err != nil {
				continue // removed since the directory was read
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(sum, info.ModTime()); err != nil {
				return err
			}
		}
	}
	return nil
}

// Remove deletes a blob.
func (s *Files) Remove(_ context.Context, sum string) error {
	if !validSHA(sum) {
		return nil
	}
	err := os.Remove(s.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// SweepTemps removes temporary files last written before the instant
// (uploads that crashed or were cut off; a live upload writes at least
// once per read timeout).
func (s *Files) SweepTemps(_ context.Context, before time.Time) (int, error) {
	n := 0
	tmp := filepath.Join(s.dir, "tmp")
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "upload-") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if os.Remove(filepath.Join(tmp, e.Name())) == nil {
			n++
		}
	}
	return n, nil
}

// Ping reports whether the blob directory is still there.
func (s *Files) Ping(context.Context) error {
	info, err := os.Stat(filepath.Join(s.dir, "blobs"))
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("media: %s is not a directory", filepath.Join(s.dir, "blobs"))
	}
	return nil
}

// Create starts a temporary file in tmp/.
func (s *Files) Create(_ context.Context, limit int64) (BlobWriter, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "upload-*")
	if err != nil {
		return nil, err
	}
	return &tempFile{s: s, f: f, h: sha256.New(), limit: limit}, nil
}

// tempFile is a file being written in tmp/. Commit links it to its blob;
// Abort removes it.
type tempFile struct {
	s      *Files
	f      *os.File
	h      hash.Hash
	size   int64
	limit  int64
	linked bool
}

func (t *tempFile) Write(p []byte) (int, error) {
	if int64(len(p)) > t.limit-t.size {
		return 0, ErrBlobTooLarge
	}
	n, err := t.f.Write(p)
	t.h.Write(p[:n])
	t.size += int64(n)
	return n, err
}

// ReadAt reads what has been written so far.
func (t *tempFile) ReadAt(p []byte, off int64) (int, error) { return t.f.ReadAt(p, off) }

func (t *tempFile) Size() int64 { return t.size }

func (t *tempFile) Sum() string { return hex.EncodeToString(t.h.Sum(nil)) }

// Finish makes the bytes durable; the file stays open for ReadAt until
// Commit or Abort.
func (t *tempFile) Finish(context.Context) error { return t.f.Sync() }

// Commit moves the finished temporary file to the blob named by its hash.
// When that blob exists already (identical bytes were uploaded before), the
// temporary file is dropped and the old blob's time is refreshed.
func (t *tempFile) Commit(context.Context) (created bool, err error) {
	if err := t.f.Close(); err != nil {
		return false, err
	}
	dst := t.s.Path(t.Sum())
	if _, err := os.Stat(dst); err == nil {
		os.Remove(t.f.Name())
		now := time.Now()
		_ = os.Chtimes(dst, now, now)
		t.linked = true
		return false, nil
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	if err := os.Rename(t.f.Name(), dst); err != nil {
		return false, err
	}
	t.linked = true
	// The rename is durable only once the directory entry is.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return true, nil
}

// Abort closes and removes the temporary file.
func (t *tempFile) Abort() {
	if t.linked {
		return
	}
	t.f.Close()
	os.Remove(t.f.Name())
}
