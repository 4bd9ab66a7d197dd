package media

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FileCSP is the Content-Security-Policy of every stored file served. Were
// a browser to open an uploaded file as a document anyway, sandbox gives it
// an opaque origin with scripts, forms and plug-ins off, and default-src
// 'none' lets it load nothing.
const FileCSP = "default-src 'none'; sandbox; frame-ancestors 'none'"

// fileMeta is what serving needs to know of a stored file.
type fileMeta struct {
	Size        int64
	ETag        string // quoted strong validator
	ModTime     time.Time
	ContentType string
	Filename    string
	Attachment  bool
}

// request is the part of a request that decides the answer (serveFile,
// in http_serve.go, reads it from the request).
type request struct {
	Method          string
	IfNoneMatch     string
	IfModifiedSince string
	Range           string
	IfRange         string
}

// plan is the decided answer: 200 or 206 with bytes [Start, Start+Length),
// 304, or 416.
type plan struct {
	Status int
	Start  int64
	Length int64
	// Range is set for 206.
	Range *ByteRange
}

// decide applies RFC 9110's conditional and range rules to a stored file
// whose bytes never change (its ETag is its SHA-256):
//
//   - If-None-Match (weak comparison, "*" matches) → 304; when absent,
//     If-Modified-Since at or after the modification time → 304;
//   - Range is honoured for GET (and HEAD) unless If-Range names another
//     validator; a malformed Range is ignored (200 with everything);
//   - one satisfiable range → 206; a range selecting no byte → 416, which is
//     also the answer to any range on a zero-length file, so an empty file
//     never reaches range arithmetic;
//   - several ranges → 200 with the whole file. RFC 9110 §14.2 lets a
//     server ignore Range; multipart/byteranges would cost a second copy
//     path for something players never ask for, and ParseRange has already
//     merged overlapping ranges, so no request can make us send a byte
//     twice.
func decide(r request, f fileMeta) plan {
	full := plan{Status: http.StatusOK, Start: 0, Length: f.Size}
	if r.IfNoneMatch != "" {
		if etagMatches(r.IfNoneMatch, f.ETag, false) {
			return plan{Status: http.StatusNotModified}
		}
	} else if r.IfModifiedSince != "" && !f.ModTime.IsZero() {
		if t, err := http.ParseTime(r.IfModifiedSince); err == nil && !f.ModTime.Truncate(time.Second).After(t) {
			return plan{Status: http.StatusNotModified}
		}
	}
	if r.Range == "" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return full
	}
	if r.IfRange != "" && !ifRangeMatches(r.IfRange, f) {
		return full
	}
	ranges, err := ParseRange(r.Range, f.Size)
	switch {
	case err == ErrRangeUnsatisfiable:
		return plan{Status: http.StatusRequestedRangeNotSatisfiable}
	case err != nil, len(ranges) != 1:
		return full
	}
	rg := ranges[0]
	return plan{Status: http.StatusPartialContent, Start: rg.Start, Length: rg.Length(), Range: &rg}
}

// etagMatches compares a list of entity tags (If-None-Match, If-Match)
// with ours. strong requires both to be strong and equal.
func etagMatches(list, etag string, strong bool) bool {
	list = strings.TrimSpace(list)
	if list == "*" {
		return true
	}
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		weak := strings.HasPrefix(t, "W/")
		if weak {
			if strong {
				continue
			}
			t = t[2:]
		}
		if t == etag {
			return true
		}
	}
	return false
}

// ifRangeMatches: If-Range holds an entity tag (compared strongly) or a
// date (which must equal the modification time).
func ifRangeMatches(v string, f fileMeta) bool {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "W/") {
		return etagMatches(v, f.ETag, true)
	}
	t, err := http.ParseTime(v)
	return err == nil && f.ModTime.Truncate(time.Second).Equal(t)
}

// ContentDisposition builds an RFC 6266 header value: an ASCII fallback
// file name for old clients, and the exact name in RFC 8187's UTF-8 form
// (the filename* parameter), which current browsers prefer.
func ContentDisposition(attachment bool, name string) string {
	kind := "inline"
	if attachment {
		kind = "attachment"
	}
	var ascii, ext strings.Builder
	for _, r := range name {
		switch {
		case r == '"' || r == '\\' || r < 0x20 || r >= 0x7f:
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			ext.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(b)|0x100, 16)[1:]))
		}
	}
	return kind + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar is RFC 8187's attr-char: what may appear unencoded in an
// extended parameter value.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
