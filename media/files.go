package media

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Files keeps media bytes on disk, beside the database and never inside it:
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

	// mu orders "link a blob, then commit the record that uses it" against
	// the sweep's "find a blob nobody uses, then remove it": without it the
	// sweep could remove a blob between an upload finding it already there
	// and committing the record that points at it.
	mu sync.Mutex
}

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
func (s *Files) Open(sum string) (*os.File, error) {
	if !validSHA(sum) {
		return nil, fmt.Errorf("media: bad blob name %q", sum)
	}
	return os.Open(s.Path(sum))
}

// tempFile is a file being written in tmp/. Its SHA-256 is computed on the
// way in; Abort removes it, and Link turns it into a blob.
type tempFile struct {
	f    *os.File
	h    hashWriter
	size int64
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (s *Files) create() (*tempFile, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "upload-*")
	if err != nil {
		return nil, err
	}
	return &tempFile{f: f, h: sha256.New()}, nil
}

func (t *tempFile) Write(p []byte) (int, error) {
	n, err := t.f.Write(p)
	t.h.Write(p[:n])
	t.size += int64(n)
	return n, err
}

// ReadAt reads what has been written so far (the duration probe uses it).
func (t *tempFile) ReadAt(p []byte, off int64) (int, error) { return t.f.ReadAt(p, off) }

func (t *tempFile) sum() string { return hex.EncodeToString(t.h.Sum(nil)) }

// finish makes the bytes durable and closes the file.
func (t *tempFile) finish() error {
	if err := t.f.Sync(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}

// abort closes and removes the temporary file; it is safe to call after
// finish and more than once.
func (t *tempFile) abort() {
	t.f.Close()
	os.Remove(t.f.Name())
}

// link moves a finished temporary file to the blob named by its hash. When
// that blob exists already (identical bytes were uploaded before), the
// temporary file is dropped and the old blob's time is refreshed so that the
// sweep's grace period protects it until the new record commits. created
// reports whether a new blob was made, so that a failed commit can remove
// it again. The caller holds s.mu.
func (s *Files) link(t *tempFile, sum string) (created bool, err error) {
	dst := s.Path(sum)
	if _, err := os.Stat(dst); err == nil {
		os.Remove(t.f.Name())
		now := time.Now()
		_ = os.Chtimes(dst, now, now)
		return false, nil
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	if err := os.Rename(t.f.Name(), dst); err != nil {
		return false, err
	}
	// The rename is durable only once the directory entry is.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return true, nil
}

// remove deletes a blob. The caller holds s.mu.
func (s *Files) remove(sum string) error {
	if !validSHA(sum) {
		return nil
	}
	err := os.Remove(s.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// SweepResult counts what a sweep removed.
type SweepResult struct {
	Temps int // temporary files of uploads that never finished
	Blobs int // blobs no record uses
}

// sweep removes temporary files last written before tempBefore (uploads
// that crashed or were cut off; a live upload writes at least once per read
// timeout) and blobs last touched before blobBefore that inUse says nobody
// uses (a crash between linking a blob and committing its record).
func (s *Files) sweep(tempBefore, blobBefore time.Time, inUse func(sum string) (bool, error)) (SweepResult, error) {
	var res SweepResult
	tmp := filepath.Join(s.dir, "tmp")
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return res, err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "upload-") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(tempBefore) {
			continue
		}
		if os.Remove(filepath.Join(tmp, e.Name())) == nil {
			res.Temps++
		}
	}
	blobs := filepath.Join(s.dir, "blobs")
	fans, err := os.ReadDir(blobs)
	if err != nil {
		return res, err
	}
	for _, fan := range fans {
		if !fan.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(blobs, fan.Name()))
		if err != nil {
			return res, err
		}
		for _, f := range files {
			sum := f.Name()
			if !validSHA(sum) {
				continue
			}
			info, err := f.Info()
			if err != nil || !info.ModTime().Before(blobBefore) {
				continue
			}
			removed, err := s.removeUnused(sum, blobBefore, inUse)
			if err != nil {
				return res, err
			}
			if removed {
				res.Blobs++
			}
		}
	}
	return res, nil
}

func (s *Files) removeUnused(sum string, before time.Time, inUse func(string) (bool, error)) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Checked again under the lock: an upload may have refreshed the blob's
	// time, or committed a record using it, since the directory was read.
	info, err := os.Stat(s.Path(sum))
	if err != nil || !info.ModTime().Before(before) {
		return false, nil
	}
	used, err := inUse(sum)
	if err != nil || used {
		return false, err
	}
	return true, s.remove(sum)
}
