package media

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
	"unicode/utf8"
)

func FuzzParseRange(f *testing.F) {
	for _, h := range []string{
		"bytes=0-99", "bytes=-500", "bytes=100-", "bytes=0-0,-1", "bytes=500-599,0-99",
		"bytes=0-,0-,0-", "bytes=abc", "bytes=5-1", "items=0-1", " bytes = 1 - 2 , , 3-4 ",
		"bytes=99999999999999999999-", "bytes=-0", "bytes=" + manyRanges(17), "bytes=,", "",
	} {
		for _, size := range []int64{0, 1, 100, 1000, math.MaxInt64} {
			f.Add(h, size)
		}
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		rs, err := ParseRange(header, size)
		if err != nil {
			if rs != nil {
				t.Fatalf("ranges %v with error %v", rs, err)
			}
			if !errors.Is(err, ErrRangeMalformed) && !errors.Is(err, ErrRangeUnsatisfiable) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if size <= 0 {
			t.Fatalf("%q satisfiable against size %d: %v", header, size, rs)
		}
		if len(rs) == 0 || len(rs) > MaxRanges {
			t.Fatalf("%q: %d ranges", header, len(rs))
		}
		for i, r := range rs {
			if r.Start < 0 || r.Start > r.End || r.End >= size {
				t.Fatalf("%q size %d: range %v out of bounds", header, size, r)
			}
			if r.Length() < 1 || r.Length() > size {
				t.Fatalf("%q: length %d", header, r.Length())
			}
			for _, o := range rs[:i] {
				if r.Start <= o.End+1 && o.Start <= r.End+1 {
					t.Fatalf("%q: ranges %v and %v overlap or touch", header, o, r)
				}
			}
		}
	})
}

func FuzzParseWebVTT(f *testing.F) {
	for _, s := range []string{
		"WEBVTT",
		"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello\n",
		"\uFEFFWEBVTT - x\nKind: captions\n\nNOTE hi\n\nSTYLE\n::cue{}\n\nid\n01:02.500 --> 01:03.250 align:start\n<v Ann>a &amp; b</v>\n<b>c</b>&#x41;\n",
		"WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nA\r\n00:03.000 --> 00:04.000\r\n",
		"WEBVTT\r\r00:59:59.999 --> 100:00:00.000\r<00:01.000>x<unclosed",
		"WEBVTT\n\n00:02.000 --> 00:01.000\n",
		"WEBVTT\n\n00:60.000 --> 01:00.000\n",
		"WEBVTT\n\n99999:00:00.000 --> 99999:59:59.999\n&lrm;&rlm;&nbsp;&#1114111;&#55296;",
		"webvtt\n",
		"WEBVTT\n\nx\n\x00",
		"WEBVTT\n\n00:01.000 --> 00:02.000\ncaf\xe9",
	} {
		f.Add([]byte(s))
	}
	f.Add(vttFile(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseWebVTT(data)
		if err != nil {
			var ve VTTError
			if c != nil || !errors.As(err, &ve) || ve.Msg == "" || ve.Line < 0 {
				t.Fatalf("bad error %#v (captions %v)", err, c)
			}
			if ve.Line > bytes.Count(data, []byte{'\n'})+bytes.Count(data, []byte{'\r'})+1 {
				t.Fatalf("error line %d beyond the file", ve.Line)
			}
			return
		}
		if len(data) > MaxCaptionBytes || len(c.Cues) > MaxCues {
			t.Fatalf("limits not enforced: %d bytes, %d cues", len(data), len(c.Cues))
		}
		for i, cue := range c.Cues {
			if cue.Start < 0 || cue.Start >= cue.End {
				t.Fatalf("cue %d: start %v, end %v", i, cue.Start, cue.End)
			}
			if !utf8.ValidString(cue.Text) || len(cue.Text) > MaxCueTextBytes {
				t.Fatalf("cue %d: text %q", i, cue.Text)
			}
		}
	})
}

// countingReader checks every read ProbeDuration makes.
type countingReader struct {
	t     *testing.T
	r     io.ReaderAt
	reads int
}

func (c *countingReader) ReadAt(b []byte, off int64) (int, error) {
	c.reads++
	if off < 0 {
		c.t.Fatalf("read at negative offset %d", off)
	}
	if c.reads > maxProbeReads {
		c.t.Fatalf("more than %d reads", maxProbeReads)
	}
	return c.r.ReadAt(b, off)
}

func FuzzProbeDuration(f *testing.F) {
	mp4Seeds := [][]byte{
		cat(ftyp, box("moov", mvhd0(1000, 12345)), mdat(16)),
		cat(ftyp, largeBox("mdat", make([]byte, 8)), box("moov", mvhd1(90000, 90000*60))),
		cat(ftyp, box("moov", mvhd0(1000, 0), box("mvex", mehd1(5000)))),
		cat(ftyp, openBox("moov", mvhd0(1, 42))),
		cat(ftyp, rawBox(4, "free"), box("moov", mvhd0(0, 1))),
	}
	webmSeeds := [][]byte{
		cat(ebmlHeader, el(idSegment, seekHead, info(tsScale(1_000_000), durF64(12345)), tracks, cluster(16))),
		cat(ebmlHeader, elUnknown(idSegment, elUnknown(idCluster, el(0xE7, []byte{0}), el(0xA3, make([]byte, 8))), info(el(idDuration, f32(2500))))),
		cat(ebmlHeader, el8(idSegment, el8(idInfo, durF64(3e6), tsScale(1000)))),
		cat(ebmlHeader, elSize(idSegment, 1<<40, info(durF64(math.NaN())))),
	}
	for _, s := range mp4Seeds {
		f.Add(s, uint8(0), int16(0))
		f.Add(s, uint8(0), int16(-7))
	}
	for _, s := range webmSeeds {
		f.Add(s, uint8(1), int16(0))
		f.Add(s, uint8(2), int16(100))
	}
	audioSeeds := map[uint8][]byte{
		5: wavFile(16000, 1, 3200, -1, riffChunk("LIST", []byte("odd"))),
		6: cat(oggPage(1, 0, vorbisIdent(44100)), oggPage(1, 44100, make([]byte, 40))),
		7: cat(id3v2(20), mp3Frames(4, 0)),
	}
	for kind, s := range audioSeeds {
		f.Add(s, kind, int16(0))
		f.Add(s, kind, int16(-3))
	}
	f.Add(cat(oggPage(2, 0, opusHead(312)), oggPage(2, 48000, []byte{1})), uint8(6), int16(0))
	f.Add(mp3Frames(3, 500), uint8(7), int16(0))
	types := []string{"video/mp4", "video/webm", "video/x-matroska", "audio/mp4", "audio/webm", "audio/wav", "audio/ogg", "audio/mpeg"}
	f.Fuzz(func(t *testing.T, data []byte, kind uint8, extra int16) {
		ct := types[int(kind)%len(types)]
		size := int64(len(data)) + int64(extra) // the stated size may lie either way
		cr := &countingReader{t: t, r: bytes.NewReader(data)}
		sec, err := ProbeDuration(cr, size, ct)
		if err != nil {
			if !errors.Is(err, ErrNoDuration) || sec != 0 {
				t.Fatalf("got %v, %v", sec, err)
			}
			return
		}
		if math.IsNaN(sec) || math.IsInf(sec, 0) || sec <= 0 || sec > MaxDurationSeconds {
			t.Fatalf("duration %v", sec)
		}
	})
}

func FuzzMergeSpans(f *testing.F) {
	f.Add(0.0, 10.0, 5.0, 15.0, 20.0, 25.0, 600.0)
	f.Add(0.0, 300.0, 300.2, 400.0, 590.0, 602.0, 600.0)
	f.Add(math.NaN(), 1.0, -1.0, 5.0, 5.0, 1.0, 0.0)
	f.Add(1e308, math.Inf(1), 0.0, 1e-300, 3.0, 3.0, 1e-9)
	f.Fuzz(func(t *testing.T, a, b, c, d, from, to, duration float64) {
		existing := []Span{{a, b}, {c, d}, {b, c}}
		before := Coverage(existing, duration)
		got, err := MergeSpans(existing, Span{from, to}, duration)
		if err != nil {
			if !errors.Is(err, ErrBadSpan) && !errors.Is(err, ErrNoDuration) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(got) > MaxSpans {
			t.Fatalf("%d spans", len(got))
		}
		for i, s := range got {
			if !(s.From >= 0 && s.From < s.To && s.To <= duration) {
				t.Fatalf("span %d = %v outside [0, %v]", i, s, duration)
			}
			if i > 0 && !(s.From-got[i-1].To >= SpanMergeGap) {
				t.Fatalf("spans %v and %v not separated", got[i-1], s)
			}
		}
		after := Coverage(got, duration)
		if after < 0 || after > 1 || after < before-1e-9 {
			t.Fatalf("coverage %v after %v", after, before)
		}
	})
}

func FuzzCheckContent(f *testing.F) {
	for _, h := range [][]byte{headMP4, headWebM, headID3, headMP3, headOgg, headWAV, headPDF, headPNG, headJPEG, headVTT, headELF, []byte("<html>"), []byte("\xff\xfe<\x00")} {
		f.Add("video/mp4", h)
		f.Add("text/vtt", h)
		f.Add("audio/mpeg", h)
	}
	f.Fuzz(func(t *testing.T, declared string, head []byte) {
		err := CheckContent(declared, head)
		if err != nil {
			if !errors.Is(err, ErrTypeNotAllowed) && !errors.Is(err, ErrTypeMismatch) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !Allowed(NormalizeType(declared)) || len(head) == 0 {
			t.Fatalf("accepted %q with %d bytes", declared, len(head))
		}
		h := head
		if len(h) > SniffLen {
			h = h[:SniffLen]
		}
		trimmed := bytes.TrimLeft(bytes.TrimPrefix(h, []byte("\uFEFF")), " \t\r\n\f")
		if len(trimmed) > 0 && trimmed[0] == '<' {
			t.Fatalf("accepted markup as %q", declared)
		}
	})
}
