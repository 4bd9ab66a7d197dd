package media

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Bounds of the whole-file checks of submitted documents. An archive is
// never extracted: only its central directory is read, and at most the
// few small entries that name its type, through a limit, so a zip bomb
// costs nothing.
const (
	maxZipEntries   = 20000
	maxTypeEntry    = 1 << 20 // [Content_Types].xml
	eocdLen         = 22
	maxZipComment   = 1<<16 - 1
	textChunk       = 64 << 10
	odtMimetypeName = "mimetype"
)

// textHead reports whether the first bytes of a file can start UTF-8 text
// without NUL bytes; a character cut at the end of head is fine.
func textHead(h []byte) bool {
	if bytes.IndexByte(h, 0) >= 0 {
		return false
	}
	for i := 0; i < len(h); {
		r, n := utf8.DecodeRune(h[i:])
		if r == utf8.RuneError && n <= 1 {
			return len(h)-i < utf8.UTFMax && !utf8.FullRune(h[i:])
		}
		i += n
	}
	return true
}

// CheckWhole checks the whole of an upload whose first bytes CheckContentFor
// accepted, for the types whose first bytes prove little: a Word or
// OpenDocument file must be a valid ZIP archive with the entries that make
// it one ([Content_Types].xml naming a Word document; a stored "mimetype"
// entry first), a ZIP must be a valid archive, and plain text must be
// valid UTF-8 without NUL bytes throughout. Other types pass. Errors wrap
// ErrTypeMismatch with a reason fit to show the uploader.
func CheckWhole(t string, r io.ReaderAt, size int64) error {
	switch t {
	case TypeDocx, TypeODT, TypeZip:
		return checkArchive(t, r, size)
	case TypeText:
		return checkText(r, size)
	}
	return nil
}

func mismatch(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTypeMismatch}, args...)...)
}

// checkArchive reads the end of central directory record first, so that
// the number of entries is known (and bounded) before archive/zip builds
// its list of them.
func checkArchive(t string, r io.ReaderAt, size int64) error {
	what := map[string]string{TypeDocx: "a Word document", TypeODT: "an OpenDocument text", TypeZip: "a ZIP archive"}[t]
	tail := int64(eocdLen + maxZipComment)
	if tail > size {
		tail = size
	}
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return fmt.Errorf("read archive: %w", err)
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return mismatch("the file is not %s (no ZIP directory)", what)
	}
	entries := binary.LittleEndian.Uint16(buf[i+10:])
	if entries == 0xFFFF || int(entries) > maxZipEntries {
		return mismatch("the archive holds too many files")
	}
	zr, err := zip.NewReader(io.NewSectionReader(r, 0, size), size)
	if err != nil {
		return mismatch("the file is not %s (a damaged ZIP archive)", what)
	}
	switch t {
	case TypeDocx:
		var types *zip.File
		doc := false
		for _, f := range zr.File {
			switch f.Name {
			case "[Content_Types].xml":
				types = f
			case "word/document.xml":
				doc = true
			}
		}
		if types == nil || !doc {
			return mismatch("the file is not a Word document")
		}
		b, err := readEntry(types, maxTypeEntry)
		if err != nil || !bytes.Contains(b, []byte("wordprocessingml.document.main+xml")) {
			return mismatch("the file is not a Word document")
		}
	case TypeODT:
		if len(zr.File) == 0 || zr.File[0].Name != odtMimetypeName || zr.File[0].Method != zip.Store {
			return mismatch("the file is not an OpenDocument text")
		}
		b, err := readEntry(zr.File[0], 100)
		if err != nil || strings.TrimSpace(string(b)) != TypeODT {
			return mismatch("the file is not an OpenDocument text")
		}
	}
	return nil
}

// readEntry reads at most limit bytes of an archive entry; a longer one is
// an error.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("entry %s is over %d bytes", f.Name, limit)
	}
	return b, nil
}

// checkText reads the file in chunks, carrying a character cut at a chunk's
// end over to the next.
func checkText(r io.ReaderAt, size int64) error {
	buf := make([]byte, textChunk+utf8.UTFMax)
	carry := 0
	for off := int64(0); off < size; {
		n, err := r.ReadAt(buf[carry:carry+textChunk], off)
		if n == 0 && err != nil {
			if err == io.EOF {
				break
			}
			return fmt.Errorf("read text: %w", err)
		}
		off += int64(n)
		b := buf[:carry+n]
		if bytes.IndexByte(b, 0) >= 0 {
			return mismatch("the file is not plain text (it holds NUL bytes)")
		}
		i := 0
		for i < len(b) {
			c, w := utf8.DecodeRune(b[i:])
			if c == utf8.RuneError && w <= 1 {
				if off < size && !utf8.FullRune(b[i:]) && len(b)-i < utf8.UTFMax {
					break // cut at the chunk's end
				}
				return mismatch("the file is not plain text (it is not UTF-8)")
			}
			i += w
		}
		carry = copy(buf, b[i:])
	}
	if carry > 0 {
		return mismatch("the file is not plain text (it is not UTF-8)")
	}
	return nil
}
