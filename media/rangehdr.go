package media

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"strconv"
)

// Errors returned by ParseRange.
var (
	// ErrRangeMalformed: the Range header is not a valid bytes range set
	// (wrong syntax, an unknown range unit, last-pos before first-pos). RFC
	// 9110 §14.2 lets the server ignore such a header and answer 200 with
	// the whole representation; that is what callers should do.
	ErrRangeMalformed = errors.New("media: malformed Range header")
	// ErrRangeUnsatisfiable: the header is well formed but no range in it
	// selects a byte of the representation (or it asks for more than
	// MaxRanges ranges). Callers answer 416 with
	// Content-Range: UnsatisfiedContentRange(size).
	ErrRangeUnsatisfiable = errors.New("media: range not satisfiable")
)

// MaxRanges is the most range-specs ParseRange accepts in one header. A
// longer list is refused as unsatisfiable (RFC 9110 §14.2 allows a server to
// reject "many small ranges"), which also bounds the work done per request.
const MaxRanges = 16

// ByteRange is a satisfiable range of a representation: Start and End are
// byte offsets, both inclusive, with 0 <= Start <= End < size.
type ByteRange struct {
	Start, End int64
}

// Length is the number of bytes in the range.
func (r ByteRange) Length() int64 { return r.End - r.Start + 1 }

// ContentRange is the Content-Range header value of a 206 answer carrying r,
// for example "bytes 0-99/1000".
func (r ByteRange) ContentRange(size int64) string {
	b := make([]byte, 0, 48)
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, r.Start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, r.End, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, size, 10)
	return string(b)
}

// UnsatisfiedContentRange is the Content-Range header value of a 416 answer:
// "bytes */SIZE".
func UnsatisfiedContentRange(size int64) string {
	return "bytes */" + strconv.FormatInt(size, 10)
}

// ParseRange parses a Range header value (RFC 9110 §14.1.1) against a
// representation of size bytes and returns the satisfiable ranges it selects,
// clamped to the representation.
//
//   - "bytes=0-99" first bytes, "bytes=100-199" middle, "bytes=100-"
//     open-ended, "bytes=-500" the last 500 bytes (all of them when the file is
//     shorter). A last-pos at or beyond the end is clamped to size-1.
//   - The range unit is matched case-insensitively; any unit other than
//     "bytes" is ErrRangeMalformed (the server must ignore the header).
//   - Optional whitespace (spaces, tabs) is tolerated around the header,
//     around "=", around commas and around "-"; inside a number it is not.
//     Empty list elements ("bytes=0-1,,5-9") are skipped as RFC 9110 §5.6.1
//     asks.
//   - Syntax errors (no "=", non-digits, "bytes=5-1", "bytes=-", no range at
//     all) are ErrRangeMalformed.
//   - A range whose first-pos is at or beyond size, and a suffix range of
//     length 0, selects nothing. Such ranges are dropped from a multi-range
//     set; when none is left the answer is ErrRangeUnsatisfiable. With size
//     0 (or negative) every well-formed header is unsatisfiable.
//   - More than MaxRanges range-specs: ErrRangeUnsatisfiable.
//   - Multiple ranges are returned in the order requested. When any two of
//     them overlap or touch, the whole set is coalesced instead: sorted by
//     Start and merged, so no byte is ever sent twice (this defeats
//     "bytes=0-,0-,0-..." amplification). Callers that do not implement
//     multipart/byteranges may answer 200 with the whole body when more than
//     one range comes back.
//
// Numbers too large for int64 saturate, so "bytes=99999999999999999999-"
// is well formed and unsatisfiable. ParseRange never panics.
func ParseRange(header string, size int64) ([]ByteRange, error) {
	s := trimOWS(header)
	// range-unit "=" range-set
	eq := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			eq = i
			break
		}
	}
	if eq < 0 {
		return nil, ErrRangeMalformed
	}
	if !equalFoldASCII(trimOWS(s[:eq]), "bytes") {
		return nil, ErrRangeMalformed
	}
	set := s[eq+1:]

	var (
		out      []ByteRange
		specs    int
		tooMany  bool
		overlaps bool
	)
	for len(set) > 0 || specs == 0 {
		var elem string
		comma := -1
		for i := 0; i < len(set); i++ {
			if set[i] == ',' {
				comma = i
				break
			}
		}
		if comma < 0 {
			elem, set = set, ""
		} else {
			elem, set = set[:comma], set[comma+1:]
		}
		elem = trimOWS(elem)
		if elem == "" {
			if comma < 0 {
				break
			}
			continue
		}
		specs++
		if specs > MaxRanges {
			// Keep checking syntax so that a malformed header is still
			// reported as malformed, but stop collecting ranges.
			tooMany = true
		}
		r, ok, err := parseRangeSpec(elem, size)
		if err != nil {
			return nil, err
		}
		if !ok || tooMany {
			continue
		}
		for _, o := range out {
			if r.Start <= o.End+1 && o.Start <= r.End+1 {
				overlaps = true
			}
		}
		out = append(out, r)
	}
	if specs == 0 {
		return nil, ErrRangeMalformed
	}
	if tooMany || len(out) == 0 {
		return nil, ErrRangeUnsatisfiable
	}
	if overlaps {
		out = coalesceRanges(out)
	}
	return out, nil
}

// parseRangeSpec parses one range-spec. ok is false when the spec is well
// formed but selects no byte of a size-byte representation.
func parseRangeSpec(spec string, size int64) (r ByteRange, ok bool, err error) {
	dash := -1
	for i := 0; i < len(spec); i++ {
		if spec[i] == '-' {
			dash = i
			break
		}
	}
	if dash < 0 {
		return r, false, ErrRangeMalformed
	}
	first, last := trimOWS(spec[:dash]), trimOWS(spec[dash+1:])
	if first == "" {
		// suffix-range = "-" suffix-length
		n, valid := parseDigits(last)
		if !valid {
			return r, false, ErrRangeMalformed
		}
		if n == 0 || size <= 0 {
			return r, false, nil
		}
		if n > size {
			n = size
		}
		return ByteRange{Start: size - n, End: size - 1}, true, nil
	}
	// int-range = first-pos "-" [ last-pos ]
	start, valid := parseDigits(first)
	if !valid {
		return r, false, ErrRangeMalformed
	}
	end := int64(math.MaxInt64)
	if last != "" {
		end, valid = parseDigits(last)
		if !valid || end < start {
			return r, false, ErrRangeMalformed
		}
	}
	if size <= 0 || start >= size {
		return r, false, nil
	}
	if end > size-1 {
		end = size - 1
	}
	return ByteRange{Start: start, End: end}, true, nil
}

// parseDigits parses a non-empty run of ASCII digits, saturating at
// math.MaxInt64.
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			n = math.MaxInt64
			continue
		}
		n = n*10 + d
	}
	return n, true
}

func coalesceRanges(rs []ByteRange) []ByteRange {
	slices.SortFunc(rs, func(a, b ByteRange) int { return cmp.Compare(a.Start, b.Start) })
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Start <= last.End+1 {
			if r.End > last.End {
				last.End = r.End
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
