package media_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"pacer/media"
	"pacer/pacertest"
)

// zipOf builds an archive; a name starting with "=" is stored, not
// compressed (OpenDocument's mimetype entry must be).
func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: strings.TrimPrefix(e[0], "="), Method: zip.Deflate}
		if strings.HasPrefix(e[0], "=") {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const docxTypes = `<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`

// Issue 13: the documents students hand in (.docx, .odt, .txt, a .zip of
// code) were refused; they are accepted for submissions only, each checked
// for being what it says it is.
func TestSubmissionDocuments(t *testing.T) {
	env := pacertest.New(t)
	w := newWorld(t, env)
	docx := zipOf(t, [2]string{"[Content_Types].xml", docxTypes}, [2]string{"word/document.xml", "<w:document/>"})
	odt := zipOf(t, [2]string{"=mimetype", media.TypeODT}, [2]string{"content.xml", "<office:document-content/>"})
	code := zipOf(t, [2]string{"main.go", "package main\n"})
	cases := []struct {
		name   string
		ctype  string
		body   []byte
		status int
	}{
		{"a Word document", media.TypeDocx, docx, 201},
		{"an OpenDocument text", media.TypeODT, odt, 201},
		{"plain UTF-8 text", "text/plain; charset=utf-8", []byte("Größe: 4\nIQR = Q3 − Q1\n"), 201},
		{"a ZIP of code", "application/x-zip-compressed", code, 201},
		{"a ZIP declared as Word", media.TypeDocx, code, 415},
		{"a Word document declared as OpenDocument", media.TypeODT, docx, 415},
		{"an OpenDocument with a compressed mimetype", media.TypeODT, zipOf(t, [2]string{"mimetype", media.TypeODT}), 415},
		{"a ZIP cut short", media.TypeZip, code[:len(code)-10], 415},
		{"text with a NUL byte", "text/plain", []byte("abc\x00def"), 415},
		{"text that is not UTF-8", "text/plain", append(bytes.Repeat([]byte("a"), 70000), 0xff, 'b'), 415},
		{"a program declared as text", "text/plain", []byte("MZ\x90\x00"), 415},
		{"an unknown type", "application/x-msdownload", []byte("MZ\x90\x00"), 415},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := upload(env, w.sam, w.course, tc.ctype, tc.body, "?purpose=submission")
			if r.Status != tc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
			}
		})
	}
	t.Run("the refusal names the accepted types in words", func(t *testing.T) {
		r := upload(env, w.sam, w.course, "application/x-msdownload", []byte("MZ"), "?purpose=submission")
		if !strings.Contains(string(r.Body), "Word (.docx)") || strings.Contains(string(r.Body), "text/vtt") {
			t.Fatalf("%s", r.Body)
		}
	})
	t.Run("course files stay media and captions only", func(t *testing.T) {
		if r := upload(env, w.teacher, w.course, media.TypeDocx, docx, ""); r.Status != 415 {
			t.Fatalf("a Word document as a course file: %d %s", r.Status, r.Body)
		}
	})
	t.Run("a long text is checked across chunk boundaries", func(t *testing.T) {
		long := bytes.Repeat([]byte("é"), 100000) // two bytes each, cut by every 64 KiB chunk
		if r := upload(env, w.sam, w.course, "text/plain", long, "?purpose=submission"); r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
}
