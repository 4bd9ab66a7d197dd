package media

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
)

func TestDecide(t *testing.T) {
	mod := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	file := fileMeta{Size: 1000, ETag: `"abc"`, ModTime: mod}
	empty := fileMeta{Size: 0, ETag: `"e3b0"`, ModTime: mod}
	httpDate := mod.Format(http.TimeFormat)
	for _, tc := range []struct {
		name          string
		r             request
		f             fileMeta
		status        int
		start, length int64
	}{
		{"no headers", request{Method: "GET"}, file, 200, 0, 1000},
		{"first bytes", request{Method: "GET", Range: "bytes=0-99"}, file, 206, 0, 100},
		{"middle", request{Method: "GET", Range: "bytes=100-199"}, file, 206, 100, 100},
		{"suffix", request{Method: "GET", Range: "bytes=-10"}, file, 206, 990, 10},
		{"open-ended", request{Method: "GET", Range: "bytes=995-"}, file, 206, 995, 5},
		{"beyond the end", request{Method: "GET", Range: "bytes=1000-1001"}, file, 416, 0, 0},
		{"bytes=abc", request{Method: "GET", Range: "bytes=abc"}, file, 200, 0, 1000},
		{"bytes=5-1", request{Method: "GET", Range: "bytes=5-1"}, file, 200, 0, 1000},
		{"multiple ranges", request{Method: "GET", Range: "bytes=0-1,10-11"}, file, 200, 0, 1000},
		{"too many ranges", request{Method: "GET", Range: "bytes=0-0,2-2,4-4,6-6,8-8,10-10,12-12,14-14,16-16,18-18,20-20,22-22,24-24,26-26,28-28,30-30,32-32"}, file, 416, 0, 0},
		{"HEAD with a range", request{Method: "HEAD", Range: "bytes=0-9"}, file, 206, 0, 10},
		{"a range on a zero-length file", request{Method: "GET", Range: "bytes=0-"}, empty, 416, 0, 0},
		{"a suffix range on a zero-length file", request{Method: "GET", Range: "bytes=-1"}, empty, 416, 0, 0},
		{"a zero-length file without a range", request{Method: "GET"}, empty, 200, 0, 0},
		{"a malformed range on a zero-length file", request{Method: "GET", Range: "bytes=x"}, empty, 200, 0, 0},
		{"If-None-Match", request{Method: "GET", IfNoneMatch: `"abc"`, Range: "bytes=0-1"}, file, 304, 0, 0},
		{"If-Modified-Since", request{Method: "GET", IfModifiedSince: httpDate}, file, 304, 0, 0},
		{"a bad If-Modified-Since", request{Method: "GET", IfModifiedSince: "yesterday"}, file, 200, 0, 1000},
		{"If-Range matching", request{Method: "GET", Range: "bytes=0-1", IfRange: `"abc"`}, file, 206, 0, 2},
		{"If-Range stale", request{Method: "GET", Range: "bytes=0-1", IfRange: `"old"`}, file, 200, 0, 1000},
		{"If-Range by date", request{Method: "GET", Range: "bytes=0-1", IfRange: httpDate}, file, 206, 0, 2},
		{"If-Range by an older date", request{Method: "GET", Range: "bytes=0-1", IfRange: mod.Add(-time.Second).Format(http.TimeFormat)}, file, 200, 0, 1000},
		{"a range on POST is ignored", request{Method: "POST", Range: "bytes=0-1"}, file, 200, 0, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decide(tc.r, tc.f)
			if p.Status != tc.status {
				t.Fatalf("status %d, want %d", p.Status, tc.status)
			}
			if (tc.status == 200 || tc.status == 206) && (p.Start != tc.start || p.Length != tc.length) {
				t.Fatalf("bytes %d+%d, want %d+%d", p.Start, p.Length, tc.start, tc.length)
			}
		})
	}
}

// serveApp serves one file of dir at /f the way the media routes do.
func serveApp(t *testing.T, path string, meta fileMeta) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: api.ErrorHandler(slog.New(slog.DiscardHandler))})
	app.Get("/f", func(c *fiber.Ctx) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		return serveFile(c, f, meta)
	})
	return app
}

func TestAZeroLengthFileIsServedWithoutRangeArithmetic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	app := serveApp(t, path, fileMeta{Size: 0, ETag: `"e3b0"`, ContentType: "application/pdf", Filename: "empty.pdf"})
	for _, tc := range []struct {
		rng          string
		status       int
		contentRange string
	}{
		{"", 200, ""},
		{"bytes=-1", 416, "bytes */0"},
		{"bytes=0-", 416, "bytes */0"},
		{"bytes=-0", 416, "bytes */0"},
	} {
		req := httptest.NewRequest("GET", "/f", nil)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status || res.Header.Get("Content-Range") != tc.contentRange {
			t.Fatalf("%q: %d %q %s", tc.rng, res.StatusCode, res.Header.Get("Content-Range"), body)
		}
		if tc.status == 200 && (len(body) != 0 || res.Header.Get("Content-Length") != "0") {
			t.Fatalf("%q: body %q, length %q", tc.rng, body, res.Header.Get("Content-Length"))
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct {
		name       string
		attachment bool
		want       string
	}{
		{"notes.pdf", false, `inline; filename="notes.pdf"; filename*=UTF-8''notes.pdf`},
		{"Résumé 2027.pdf", true, `attachment; filename="R_sum_ 2027.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202027.pdf`},
		{`a"b\c;d.pdf`, false, `inline; filename="a_b_c;d.pdf"; filename*=UTF-8''a%22b%5Cc%3Bd.pdf`},
		{"講義.webm", false, `inline; filename="__.webm"; filename*=UTF-8''%E8%AC%9B%E7%BE%A9.webm`},
	} {
		if got := ContentDisposition(tc.attachment, tc.name); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		"lecture.webm":            "lecture.webm",
		"../../etc/passwd":        "passwd",
		`C:\Users\ada\notes.pdf`:  "notes.pdf",
		"evil\r\nSet-Cookie: x":   "evilSet-Cookie: x",
		"\u202egnp.exe":           "gnp.exe",
		"":                        "file.pdf",
		"..":                      "file.pdf",
		"   ":                     "file.pdf",
		"bad\xffutf8.pdf":         "bad_utf8.pdf",
		string(make([]byte, 300)): "file.pdf",
	} {
		if got := cleanFilename(in, "application/pdf"); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestValidLang(t *testing.T) {
	for tag, want := range map[string]bool{
		"en": true, "pt-BR": true, "zh-Hant-TW": true, "de-1996": true, "yue": true,
		"": false, "e": false, "1en": false, "en-": false, "-en": false, "en_US": false,
		"../x": false, "en--US": false, "toolongsubtag1": false, "en US": false,
	} {
		if validLang(tag) != want {
			t.Errorf("%q: got %v", tag, !want)
		}
	}
}
