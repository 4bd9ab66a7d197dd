package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"testing"
)

// ---- MP4 builders ----

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// box is an ISO BMFF box with a 32-bit size.
func box(typ string, body ...[]byte) []byte {
	b := cat(body...)
	return cat(u32(uint32(8+len(b))), []byte(typ), b)
}

// largeBox is a box with size 1 and a 64-bit largesize.
func largeBox(typ string, body ...[]byte) []byte {
	b := cat(body...)
	return cat(u32(1), []byte(typ), u64(uint64(16+len(b))), b)
}

// openBox is a box with size 0: it runs to the end of the file.
func openBox(typ string, body ...[]byte) []byte {
	return cat(u32(0), []byte(typ), cat(body...))
}

// rawBox is a box whose size field says whatever the test wants.
func rawBox(size uint32, typ string, body ...[]byte) []byte {
	return cat(u32(size), []byte(typ), cat(body...))
}

// mvhdTail is what follows the duration in a real mvhd: rate, volume,
// reserved, matrix, pre_defined, next_track_ID (80 bytes).
var mvhdTail = make([]byte, 80)

func mvhd0(timescale, dur uint32) []byte {
	return box("mvhd", []byte{0, 0, 0, 0}, u32(1), u32(2), u32(timescale), u32(dur), mvhdTail)
}

func mvhd1(timescale uint32, dur uint64) []byte {
	return box("mvhd", []byte{1, 0, 0, 0}, u64(1), u64(2), u32(timescale), u64(dur), mvhdTail)
}

func mehd0(dur uint32) []byte { return box("mehd", []byte{0, 0, 0, 0}, u32(dur)) }
func mehd1(dur uint64) []byte { return box("mehd", []byte{1, 0, 0, 0}, u64(dur)) }

var ftyp = box("ftyp", []byte("isom"), u32(0x200), []byte("isomiso2avc1mp41"))

func mdat(n int) []byte { return box("mdat", make([]byte, n)) }

// ---- EBML builders ----

// ebmlID encodes an element ID (marker bits included) in its natural length.
func ebmlID(id uint32) []byte {
	switch {
	case id >= 1<<24:
		return u32(id)
	case id >= 1<<16:
		return []byte{byte(id >> 16), byte(id >> 8), byte(id)}
	case id >= 1<<8:
		return []byte{byte(id >> 8), byte(id)}
	}
	return []byte{byte(id)}
}

// vsize encodes a data size as the shortest EBML variable-size integer.
func vsize(n uint64) []byte {
	for l := 1; l <= 8; l++ {
		if n < 1<<(7*l)-1 {
			b := make([]byte, l)
			v := n | 1<<(7*l)
			for i := l - 1; i >= 0; i-- {
				b[i] = byte(v)
				v >>= 8
			}
			return b
		}
	}
	panic("size too large")
}

func el(id uint32, data ...[]byte) []byte {
	d := cat(data...)
	return cat(ebmlID(id), vsize(uint64(len(d))), d)
}

// el8 writes the size in 8 bytes, as many muxers do.
func el8(id uint32, data ...[]byte) []byte {
	d := cat(data...)
	return cat(ebmlID(id), []byte{0x01, 0, 0, 0}, u32(uint32(len(d))), d)
}

// elUnknown writes the reserved "unknown size" (8-byte form).
func elUnknown(id uint32, data ...[]byte) []byte {
	return cat(ebmlID(id), []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, cat(data...))
}

// elSize writes whatever size the test wants, in 8 bytes.
func elSize(id uint32, size uint64, data ...[]byte) []byte {
	return cat(ebmlID(id), u64(size|1<<56), cat(data...))
}

func f64(v float64) []byte { return u64(math.Float64bits(v)) }
func f32(v float32) []byte { return u32(math.Float32bits(v)) }

func uintBytes(v uint64) []byte {
	b := u64(v)
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

var (
	ebmlHeader = el(idEBML, el(0x4286, []byte{1}), el(0x4282, []byte("webm")), el(0x4287, []byte{4}))
	seekHead   = el(0x114D9B74, el(0x4DBB, el(0x53AB, ebmlID(idInfo)), el(0x53AC, []byte{0x20})))
	tracks     = el(0x1654AE6B, el(0xAE, el(0xD7, []byte{1}), el(0x83, []byte{1}), el(0x86, []byte("V_VP9"))))
)

func info(children ...[]byte) []byte { return el(idInfo, children...) }
func tsScale(v uint64) []byte        { return el(idTimestampScale, uintBytes(v)) }
func durF64(v float64) []byte        { return el(idDuration, f64(v)) }

func cluster(n int) []byte {
	return el(idCluster, el(0xE7, []byte{0}), el(0xA3, make([]byte, n)))
}

// ---- readers ----

// guardedReader fails the test's expectation by recording reads that touch
// the forbidden range [noFrom, noTo).
type guardedReader struct {
	r            io.ReaderAt
	noFrom, noTo int64
	touched      bool
	reads        int
}

func (g *guardedReader) ReadAt(b []byte, off int64) (int, error) {
	g.reads++
	if off < g.noTo && off+int64(len(b)) > g.noFrom {
		g.touched = true
	}
	return g.r.ReadAt(b, off)
}

type failingReader struct{ err error }

func (f failingReader) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestProbeDurationMP4(t *testing.T) {
	tests := []struct {
		name string
		ct   string
		data []byte
		want float64
		err  error
	}{
		{"a version 0 mvhd gives duration over timescale", "video/mp4",
			cat(ftyp, box("moov", mvhd0(1000, 12345)), mdat(100)), 12.345, nil},
		{"a version 1 mvhd with 64-bit fields is read", "video/mp4",
			cat(ftyp, box("moov", mvhd1(90000, 90000*3600)), mdat(10)), 3600, nil},
		{"audio/mp4 with parameters is read the same way", "audio/mp4; codecs=mp4a.40.2",
			cat(ftyp, box("moov", mvhd0(44100, 44100*90)), mdat(10)), 90, nil},
		{"a moov after the media data is found", "video/mp4",
			cat(ftyp, box("free"), mdat(5000), box("moov", mvhd0(600, 1800))), 3, nil},
		{"a media data box with a 64-bit size is skipped", "video/mp4",
			cat(ftyp, largeBox("mdat", make([]byte, 300)), box("moov", mvhd0(1000, 2500))), 2.5, nil},
		{"a moov with a 64-bit size is read", "video/mp4",
			cat(ftyp, largeBox("moov", mvhd0(1000, 2500))), 2.5, nil},
		{"a moov of size zero runs to the end of the file", "video/mp4",
			cat(ftyp, mdat(10), openBox("moov", box("iods", make([]byte, 8)), mvhd0(1000, 7000))), 7, nil},
		{"an mvhd after other boxes in moov is found", "video/mp4",
			cat(ftyp, box("moov", box("udta", box("meta", make([]byte, 20))), mvhd0(25, 250), box("trak"))), 10, nil},
		{"a fragmented file takes its duration from mehd", "video/mp4",
			cat(ftyp, box("moov", mvhd0(1000, 0), box("trak"), box("mvex", box("trex", make([]byte, 24)), mehd0(61500))), box("moof"), mdat(10)), 61.5, nil},
		{"a version 1 mehd is read", "video/mp4",
			cat(ftyp, box("moov", mvhd1(1000, 0), box("mvex", mehd1(120000)))), 120, nil},
		{"an unknown mvhd duration falls back to mehd", "video/mp4",
			cat(ftyp, box("moov", mvhd0(1000, math.MaxUint32), box("mvex", mehd0(5000)))), 5, nil},
		{"a file without ftyp is still probed", "video/mp4",
			box("moov", mvhd0(1, 42)), 42, nil},

		{"a file without moov has no duration", "video/mp4", cat(ftyp, mdat(100)), 0, ErrNoDuration},
		{"a moov without mvhd has no duration", "video/mp4", cat(ftyp, box("moov", box("trak"))), 0, ErrNoDuration},
		{"a zero timescale has no duration", "video/mp4", cat(ftyp, box("moov", mvhd0(0, 1000))), 0, ErrNoDuration},
		{"a zero duration without mehd has no duration", "video/mp4", cat(ftyp, box("moov", mvhd0(1000, 0))), 0, ErrNoDuration},
		{"an unknown duration without mehd has no duration", "video/mp4", cat(ftyp, box("moov", mvhd1(1000, math.MaxUint64))), 0, ErrNoDuration},
		{"an unknown mehd duration has no duration", "video/mp4", cat(ftyp, box("moov", mvhd0(1000, 0), box("mvex", mehd0(math.MaxUint32)))), 0, ErrNoDuration},
		{"an mvhd of an unknown version has no duration", "video/mp4", cat(ftyp, box("moov", box("mvhd", []byte{2, 0, 0, 0}, make([]byte, 40)))), 0, ErrNoDuration},
		{"a duration above the limit is not believed", "video/mp4", cat(ftyp, box("moov", mvhd0(1, 2_000_000))), 0, ErrNoDuration},
		{"an empty file has no duration", "video/mp4", nil, 0, ErrNoDuration},
		{"a truncated box header has no duration", "video/mp4", cat(ftyp, []byte{0, 0, 0}), 0, ErrNoDuration},
		{"a moov claiming more bytes than the file has no duration", "video/mp4",
			cat(ftyp, rawBox(5000, "moov", mvhd0(1000, 1000))), 0, ErrNoDuration},
		{"an mvhd cut short has no duration", "video/mp4",
			cat(ftyp, box("moov", box("mvhd", []byte{0, 0, 0, 0}, u32(1), u32(2), u32(1000)))), 0, ErrNoDuration},
		{"a version 1 mvhd cut short has no duration", "video/mp4",
			cat(ftyp, box("moov", box("mvhd", []byte{1, 0, 0, 0}, u64(1), u64(2), u32(1000)))), 0, ErrNoDuration},
		{"an mvhd claiming more than its moov has no duration", "video/mp4",
			cat(ftyp, box("moov", rawBox(200, "mvhd", []byte{0, 0, 0, 0}, u32(1), u32(2), u32(1000), u32(1000))), mdat(400)), 0, ErrNoDuration},
		{"a box size smaller than its header has no duration", "video/mp4",
			cat(ftyp, rawBox(4, "free"), box("moov", mvhd0(1000, 1000))), 0, ErrNoDuration},
		{"a largesize smaller than its header has no duration", "video/mp4",
			cat(ftyp, u32(1), []byte("mdat"), u64(8), box("moov", mvhd0(1000, 1000))), 0, ErrNoDuration},
		{"a largesize beyond int64 has no duration", "video/mp4",
			cat(ftyp, u32(1), []byte("mdat"), u64(math.MaxUint64), box("moov", mvhd0(1000, 1000))), 0, ErrNoDuration},
		{"an MP3 is not probed", "audio/mpeg", cat(ftyp, box("moov", mvhd0(1000, 1000))), 0, ErrNoDuration},
		{"a WebM declared as MP4 has no duration", "video/mp4", cat(ebmlHeader, el(idSegment, info(durF64(1000)))), 0, ErrNoDuration},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ProbeDuration(bytes.NewReader(tc.data), int64(len(tc.data)), tc.ct)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("seconds = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestProbeDurationWebM(t *testing.T) {
	tests := []struct {
		name string
		ct   string
		data []byte
		want float64
		err  error
	}{
		{"a float64 duration in milliseconds is read", "video/webm",
			cat(ebmlHeader, el(idSegment, seekHead, info(tsScale(1_000_000), durF64(12345)), tracks, cluster(100))), 12.345, nil},
		{"a float32 duration is read", "video/webm",
			cat(ebmlHeader, el(idSegment, info(tsScale(1_000_000), el(idDuration, f32(2500))))), 2.5, nil},
		{"a missing TimestampScale defaults to a millisecond", "audio/webm",
			cat(ebmlHeader, el(idSegment, info(durF64(90000)))), 90, nil},
		{"an empty TimestampScale takes the default", "video/webm",
			cat(ebmlHeader, el(idSegment, info(el(idTimestampScale), durF64(4000)))), 4, nil},
		{"a Duration before its TimestampScale uses that scale", "video/webm",
			cat(ebmlHeader, el(idSegment, info(durF64(3_000_000), tsScale(1000)))), 3, nil},
		{"sizes written in eight bytes are read", "video/webm",
			cat(ebmlHeader, el8(idSegment, seekHead, el8(idInfo, tsScale(1_000_000), durF64(7000)))), 7, nil},
		{"a Segment of unknown size runs to the end of the file", "video/webm",
			cat(ebmlHeader, elUnknown(idSegment, info(durF64(1500)), cluster(10))), 1.5, nil},
		{"an Info after a known-size Cluster is found", "video/webm",
			cat(ebmlHeader, el(idSegment, tracks, cluster(2000), info(durF64(6000)))), 6, nil},
		{"an Info after an unknown-size Cluster is found", "video/webm",
			cat(ebmlHeader, elUnknown(idSegment, tracks, elUnknown(idCluster, el(0xE7, []byte{0}), el(0xA3, make([]byte, 500)), el(0xA3, make([]byte, 500))), info(durF64(8000)))), 8, nil},
		{"a Matroska file is read like WebM", "video/x-matroska",
			cat(el(idEBML, el(0x4282, []byte("matroska"))), el(idSegment, info(durF64(1000)))), 1, nil},
		{"a Segment claiming more than a truncated file still yields its Info", "video/webm",
			cat(ebmlHeader, elSize(idSegment, 1<<40, info(durF64(9000)), cluster(50))), 9, nil},
		{"void elements before the Segment are skipped", "video/webm",
			cat(ebmlHeader, el(0xEC, make([]byte, 30)), el(idSegment, info(durF64(1000)))), 1, nil},

		{"a Segment without Info has no duration", "video/webm", cat(ebmlHeader, el(idSegment, tracks, cluster(10))), 0, ErrNoDuration},
		{"an Info without Duration has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(tsScale(1_000_000)))), 0, ErrNoDuration},
		{"a file without a Segment has no duration", "video/webm", ebmlHeader, 0, ErrNoDuration},
		{"a two-byte Duration has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(el(idDuration, []byte{1, 2})))), 0, ErrNoDuration},
		{"a zero TimestampScale has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(el(idTimestampScale, []byte{0}), durF64(1000)))), 0, ErrNoDuration},
		{"a nine-byte TimestampScale has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(el(idTimestampScale, make([]byte, 9)), durF64(1000)))), 0, ErrNoDuration},
		{"a negative Duration has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(durF64(-1000)))), 0, ErrNoDuration},
		{"a NaN Duration has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(durF64(math.NaN())))), 0, ErrNoDuration},
		{"an infinite Duration has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(durF64(math.Inf(1))))), 0, ErrNoDuration},
		{"a zero Duration has no duration", "video/webm", cat(ebmlHeader, el(idSegment, info(durF64(0)))), 0, ErrNoDuration},
		{"a Duration above the limit is not believed", "video/webm", cat(ebmlHeader, el(idSegment, info(durF64(2e9)))), 0, ErrNoDuration},
		{"a huge TimestampScale overflowing the duration is not believed", "video/webm", cat(ebmlHeader, el(idSegment, info(tsScale(math.MaxUint64), durF64(math.MaxFloat64)))), 0, ErrNoDuration},
		{"an Info claiming more than its Segment has no duration", "video/webm",
			cat(ebmlHeader, el(idSegment, elSize(idInfo, 500, durF64(1000))), cluster(1000)), 0, ErrNoDuration},
		{"a Duration claiming more than its Info has no duration", "video/webm",
			cat(ebmlHeader, el(idSegment, el(idInfo, elSize(idDuration, 8), f64(1000)[:4]))), 0, ErrNoDuration},
		{"an Info of unknown size has no duration", "video/webm", cat(ebmlHeader, elUnknown(idSegment, elUnknown(idInfo, durF64(1000)))), 0, ErrNoDuration},
		{"an unknown-size element other than Cluster has no duration", "video/webm", cat(ebmlHeader, el(idSegment, elUnknown(0x1654AE6B), info(durF64(1000)))), 0, ErrNoDuration},
		{"an EBML header of unknown size has no duration", "video/webm", cat(elUnknown(idEBML), el(idSegment, info(durF64(1000)))), 0, ErrNoDuration},
		{"a size whose first byte is zero has no duration", "video/webm", cat(ebmlHeader, []byte{0x18, 0x53, 0x80, 0x67, 0x00, 0x10}), 0, ErrNoDuration},
		{"an ID longer than four bytes has no duration", "video/webm", cat(ebmlHeader, []byte{0x08, 1, 2, 3, 4, 0x81, 0}), 0, ErrNoDuration},
		{"a header cut in the middle has no duration", "video/webm", cat(ebmlHeader, []byte{0x18, 0x53}), 0, ErrNoDuration},
		{"a size cut in the middle has no duration", "video/webm", cat(ebmlHeader, []byte{0x18, 0x53, 0x80, 0x67, 0x01, 0}), 0, ErrNoDuration},
		{"a Duration cut in the middle has no duration", "video/webm", cat(ebmlHeader, elSize(idSegment, 100, elSize(idInfo, 50, el(0x4489)[:2], []byte{0x88}, f64(1)[:3]))), 0, ErrNoDuration},
		{"an element before the Segment claiming more than the file has no duration", "video/webm", cat(elSize(idEBML, 1000), el(idSegment, info(durF64(1000)))), 0, ErrNoDuration},
		{"an empty file has no duration", "video/webm", nil, 0, ErrNoDuration},
		{"a single byte has no duration", "video/webm", []byte{0x1A}, 0, ErrNoDuration},
		{"an MP4 declared as WebM has no duration", "video/webm", cat(ftyp, box("moov", mvhd0(1000, 1000))), 0, ErrNoDuration},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ProbeDuration(bytes.NewReader(tc.data), int64(len(tc.data)), tc.ct)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("seconds = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestProbeDurationHostileInput(t *testing.T) {
	t.Run("a stated size larger than the data behind it has no duration", func(t *testing.T) {
		full := cat(ftyp, box("moov", mvhd0(1000, 1000)))
		data := full[:len(ftyp)+8+8+10] // the file ends inside mvhd's fields
		if _, err := ProbeDuration(bytes.NewReader(data), int64(len(full)), "video/mp4"); !errors.Is(err, ErrNoDuration) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a size smaller than the data hides what lies past it", func(t *testing.T) {
		data := cat(ftyp, box("moov", mvhd0(1000, 1000)))
		if _, err := ProbeDuration(bytes.NewReader(data), int64(len(ftyp))+20, "video/mp4"); !errors.Is(err, ErrNoDuration) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a negative size has no duration", func(t *testing.T) {
		data := cat(ftyp, box("moov", mvhd0(1000, 1000)))
		for _, ct := range []string{"video/mp4", "video/webm"} {
			if _, err := ProbeDuration(bytes.NewReader(data), -1, ct); !errors.Is(err, ErrNoDuration) {
				t.Fatalf("%s: err = %v", ct, err)
			}
		}
	})
	t.Run("a hundred thousand tiny MP4 boxes stop after a bounded number of reads", func(t *testing.T) {
		data := cat(ftyp, bytes.Repeat(box("free"), 100_000), box("moov", mvhd0(1000, 1000)))
		g := &guardedReader{r: bytes.NewReader(data)}
		if _, err := ProbeDuration(g, int64(len(data)), "video/mp4"); !errors.Is(err, ErrNoDuration) {
			t.Fatalf("err = %v", err)
		}
		if g.reads > maxProbeReads {
			t.Fatalf("%d reads", g.reads)
		}
	})
	t.Run("a hundred thousand empty WebM elements stop after a bounded number of reads", func(t *testing.T) {
		data := cat(ebmlHeader, elUnknown(idSegment, bytes.Repeat([]byte{0xEC, 0x80}, 100_000), info(durF64(1000))))
		g := &guardedReader{r: bytes.NewReader(data)}
		if _, err := ProbeDuration(g, int64(len(data)), "video/webm"); !errors.Is(err, ErrNoDuration) {
			t.Fatalf("err = %v", err)
		}
		if g.reads > maxProbeReads {
			t.Fatalf("%d reads", g.reads)
		}
	})
	t.Run("a known-size Cluster is skipped without reading it", func(t *testing.T) {
		cl := cluster(1 << 20)
		data := cat(ebmlHeader, el(idSegment, tracks, cl, info(durF64(6000))))
		clStart := int64(bytes.Index(data, cl))
		// Only the Cluster's own header (4-byte ID, 4-byte size) may be read.
		g := &guardedReader{r: bytes.NewReader(data), noFrom: clStart + 12, noTo: clStart + int64(len(cl))}
		got, err := ProbeDuration(g, int64(len(data)), "video/webm")
		if err != nil || got != 6 {
			t.Fatalf("got %v, %v", got, err)
		}
		if g.touched {
			t.Fatal("the Cluster's contents were read")
		}
	})
	t.Run("the media data of an MP4 is skipped without reading it", func(t *testing.T) {
		md := mdat(1 << 20)
		data := cat(ftyp, md, box("moov", mvhd0(1000, 3000)))
		g := &guardedReader{r: bytes.NewReader(data), noFrom: int64(len(ftyp)) + 16, noTo: int64(len(ftyp) + len(md))}
		got, err := ProbeDuration(g, int64(len(data)), "video/mp4")
		if err != nil || got != 3 {
			t.Fatalf("got %v, %v", got, err)
		}
		if g.touched {
			t.Fatal("mdat was read")
		}
	})
	t.Run("a read error other than end of file is returned", func(t *testing.T) {
		boom := errors.New("disk on fire")
		for _, ct := range []string{"video/mp4", "video/webm"} {
			_, err := ProbeDuration(failingReader{boom}, 1000, ct)
			if !errors.Is(err, boom) || errors.Is(err, ErrNoDuration) {
				t.Fatalf("%s: err = %v", ct, err)
			}
		}
	})
	t.Run("an end of file error is reported as no duration", func(t *testing.T) {
		if _, err := ProbeDuration(failingReader{io.ErrUnexpectedEOF}, 1000, "video/webm"); !errors.Is(err, ErrNoDuration) {
			t.Fatalf("err = %v", err)
		}
	})
}
