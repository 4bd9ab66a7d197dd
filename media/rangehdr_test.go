package media

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	type br = ByteRange
	tests := []struct {
		name   string
		header string
		size   int64
		want   []ByteRange
		err    error
	}{
		{"the first hundred bytes are bytes 0 to 99", "bytes=0-99", 1000, []br{{0, 99}}, nil},
		{"a range in the middle is returned as asked", "bytes=100-199", 1000, []br{{100, 199}}, nil},
		{"a single byte range is one byte long", "bytes=5-5", 1000, []br{{5, 5}}, nil},
		{"the last byte can be asked for by position", "bytes=999-999", 1000, []br{{999, 999}}, nil},
		{"a suffix range selects the last bytes", "bytes=-500", 1000, []br{{500, 999}}, nil},
		{"a suffix longer than the file selects the whole file", "bytes=-5000", 1000, []br{{0, 999}}, nil},
		{"a suffix of one byte selects the last byte", "bytes=-1", 1000, []br{{999, 999}}, nil},
		{"an open-ended range runs to the end", "bytes=100-", 1000, []br{{100, 999}}, nil},
		{"an open-ended range from zero is the whole file", "bytes=0-", 1000, []br{{0, 999}}, nil},
		{"an end beyond the size is clamped to the last byte", "bytes=900-5000", 1000, []br{{900, 999}}, nil},
		{"an end exactly at the size is clamped to the last byte", "bytes=0-1000", 1000, []br{{0, 999}}, nil},
		{"an end too large for int64 is clamped", "bytes=0-99999999999999999999999", 1000, []br{{0, 999}}, nil},
		{"the unit is matched without regard to case", "Bytes=0-9", 1000, []br{{0, 9}}, nil},
		{"whitespace around the header is ignored", "  bytes=0-9\t", 1000, []br{{0, 9}}, nil},
		{"whitespace around the equals sign is ignored", "bytes = 0-9", 1000, []br{{0, 9}}, nil},
		{"whitespace around the dash is ignored", "bytes=0 - 9", 1000, []br{{0, 9}}, nil},
		{"whitespace around commas is ignored", "bytes=0-9 , 20-29", 1000, []br{{0, 9}, {20, 29}}, nil},
		{"several disjoint ranges come back in the order asked", "bytes=500-599,0-99,-10", 1000, []br{{500, 599}, {0, 99}, {990, 999}}, nil},
		{"empty list elements are skipped", "bytes=0-1,,5-9,", 1000, []br{{0, 1}, {5, 9}}, nil},
		{"overlapping ranges are coalesced and sorted", "bytes=50-150,0-99", 1000, []br{{0, 150}}, nil},
		{"touching ranges are coalesced", "bytes=10-19,0-9,40-49", 1000, []br{{0, 19}, {40, 49}}, nil},
		{"repeating the whole file many times yields it once", "bytes=0-,0-,0-,0-", 1000, []br{{0, 999}}, nil},
		{"an unsatisfiable range among satisfiable ones is dropped", "bytes=0-9,5000-6000", 1000, []br{{0, 9}}, nil},
		{"sixteen ranges are accepted", "bytes=" + manyRanges(16), 1000, seqRanges(16), nil},

		{"a start at the size is unsatisfiable", "bytes=1000-", 1000, nil, ErrRangeUnsatisfiable},
		{"a start beyond the size is unsatisfiable", "bytes=2000-3000", 1000, nil, ErrRangeUnsatisfiable},
		{"a start too large for int64 is unsatisfiable", "bytes=99999999999999999999-", 1000, nil, ErrRangeUnsatisfiable},
		{"a suffix of zero bytes is unsatisfiable", "bytes=-0", 1000, nil, ErrRangeUnsatisfiable},
		{"every range of an empty file is unsatisfiable", "bytes=0-99", 0, nil, ErrRangeUnsatisfiable},
		{"a suffix range of an empty file is unsatisfiable", "bytes=-500", 0, nil, ErrRangeUnsatisfiable},
		{"an open-ended range of an empty file is unsatisfiable", "bytes=0-", 0, nil, ErrRangeUnsatisfiable},
		{"a negative size is treated like an empty file", "bytes=0-", -5, nil, ErrRangeUnsatisfiable},
		{"seventeen ranges are too many", "bytes=" + manyRanges(17), 1000, nil, ErrRangeUnsatisfiable},
		{"a set where no range is satisfiable is unsatisfiable", "bytes=2000-,-0", 1000, nil, ErrRangeUnsatisfiable},

		{"letters instead of a range are malformed", "bytes=abc", 1000, nil, ErrRangeMalformed},
		{"an end before the start is malformed", "bytes=5-1", 1000, nil, ErrRangeMalformed},
		{"an end before the start is malformed even for an empty file", "bytes=5-1", 0, nil, ErrRangeMalformed},
		{"a unit other than bytes is malformed", "items=0-9", 1000, nil, ErrRangeMalformed},
		{"a unit that merely starts with bytes is malformed", "bytesx=0-9", 1000, nil, ErrRangeMalformed},
		{"a header without an equals sign is malformed", "bytes 0-9", 1000, nil, ErrRangeMalformed},
		{"an empty header is malformed", "", 1000, nil, ErrRangeMalformed},
		{"a unit without ranges is malformed", "bytes=", 1000, nil, ErrRangeMalformed},
		{"a list of only commas is malformed", "bytes= , ,", 1000, nil, ErrRangeMalformed},
		{"a lone dash is malformed", "bytes=-", 1000, nil, ErrRangeMalformed},
		{"a range without a dash is malformed", "bytes=10", 1000, nil, ErrRangeMalformed},
		{"a negative number is malformed", "bytes=--5", 1000, nil, ErrRangeMalformed},
		{"whitespace inside a number is malformed", "bytes=1 0-20", 1000, nil, ErrRangeMalformed},
		{"a plus sign is malformed", "bytes=+1-5", 1000, nil, ErrRangeMalformed},
		{"a second dash is malformed", "bytes=1-2-3", 1000, nil, ErrRangeMalformed},
		{"a malformed range spoils an otherwise good set", "bytes=0-9,x-y", 1000, nil, ErrRangeMalformed},
		{"a malformed range after too many ranges is still malformed", "bytes=" + manyRanges(20) + ",x", 1000, nil, ErrRangeMalformed},
		{"a malformed header against an empty file is malformed", "bytes=abc", 0, nil, ErrRangeMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRange(tc.header, tc.size)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("ParseRange(%q, %d) error = %v, want %v", tc.header, tc.size, err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseRange(%q, %d) = %v, want %v", tc.header, tc.size, got, tc.want)
			}
		})
	}
}

// manyRanges returns n disjoint, non-touching range-specs: 0-0,2-2,4-4,...
func manyRanges(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(2 * i))
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(2 * i))
	}
	return b.String()
}

func seqRanges(n int) []ByteRange {
	out := make([]ByteRange, n)
	for i := range out {
		out[i] = ByteRange{int64(2 * i), int64(2 * i)}
	}
	return out
}

func TestByteRangeHeaders(t *testing.T) {
	tests := []struct {
		name   string
		r      ByteRange
		size   int64
		cr     string
		length int64
	}{
		{"the first hundred bytes of a thousand read bytes 0-99/1000", ByteRange{0, 99}, 1000, "bytes 0-99/1000", 100},
		{"a one-byte range has length one", ByteRange{7, 7}, 8, "bytes 7-7/8", 1},
		{"a large range prints every digit", ByteRange{4294967296, 8589934591}, 8589934592, "bytes 4294967296-8589934591/8589934592", 4294967296},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.ContentRange(tc.size); got != tc.cr {
				t.Errorf("ContentRange = %q, want %q", got, tc.cr)
			}
			if got := tc.r.Length(); got != tc.length {
				t.Errorf("Length = %d, want %d", got, tc.length)
			}
		})
	}
	t.Run("an unsatisfiable answer names only the size", func(t *testing.T) {
		if got := UnsatisfiedContentRange(1000); got != "bytes */1000" {
			t.Errorf("UnsatisfiedContentRange(1000) = %q", got)
		}
	})
}

func TestParseRangeResultsAreDisjoint(t *testing.T) {
	t.Run("a satisfiable result never overlaps and stays inside the file", func(t *testing.T) {
		for _, h := range []string{"bytes=0-,0-", "bytes=-10,990-", "bytes=1-1,0-0,2-2", "bytes=5-9,0-4"} {
			rs, err := ParseRange(h, 1000)
			if err != nil {
				t.Fatalf("%q: %v", h, err)
			}
			checkRanges(t, h, rs, 1000)
		}
	})
}

func checkRanges(t testing.TB, h string, rs []ByteRange, size int64) {
	t.Helper()
	if len(rs) == 0 || len(rs) > MaxRanges {
		t.Fatalf("%q: %d ranges", h, len(rs))
	}
	for i, r := range rs {
		if r.Start < 0 || r.Start > r.End || r.End >= size {
			t.Fatalf("%q: range %d = %v outside a %d-byte file", h, i, r, size)
		}
		for _, o := range rs[:i] {
			if r.Start <= o.End && o.Start <= r.End {
				t.Fatalf("%q: ranges %v and %v overlap", h, o, r)
			}
		}
	}
}

func BenchmarkParseRange(b *testing.B) {
	for _, h := range []string{"bytes=0-", "bytes=1048576-2097151", "bytes=0-99,200-299,-100"} {
		b.Run(h, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseRange(h, 1<<30); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
