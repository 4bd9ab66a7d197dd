package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
)

// ErrNoDuration: the file's duration could not be found: the type is not
// one ProbeDuration reads, the container does not state a duration, or the
// file is truncated or malformed. Callers store the media without a duration.
var ErrNoDuration = errors.New("media: duration not found")

// MaxDurationSeconds is the longest duration ProbeDuration believes
// (about 11.6 days); a longer one is a corrupt or hostile header and is
// reported as ErrNoDuration.
const MaxDurationSeconds = 1e6

// maxProbeReads bounds the reads one ProbeDuration call makes, whatever the
// input; each box or element header costs one read.
const maxProbeReads = 1 << 16

var (
	errTruncated  = errors.New("truncated")
	errProbeLimit = errors.New("too many boxes")
)

// ProbeDuration reads the duration, in seconds, that the container header of
// a media file states, reading only headers (never the media data):
//
//   - video/mp4 and audio/mp4 (ISO BMFF): top-level boxes are walked to
//     moov, then mvhd (version 0 or 1) gives duration/timescale; when mvhd
//     says 0 or "unknown" (all ones), as fragmented files do, moov/mvex/mehd
//     is used. 64-bit "largesize" boxes and size 0 ("to the end of the
//     file") are understood.
//   - video/webm, audio/webm and Matroska (video/x-matroska,
//     audio/x-matroska): EBML elements are walked to Segment, then Info gives
//     Duration (a 4- or 8-byte float) in units of TimestampScale (default
//     1,000,000 ns). Clusters of known size are skipped without being read;
//     an unknown-size Segment runs to the end of the file and an unknown-size
//     Cluster is walked through element by element.
//   - audio/wav: the RIFF chunks are walked to "fmt " (byte rate) and "data"
//     (its length, clamped to the file).
//   - audio/ogg (Vorbis or Opus): the sample rate (or Opus pre-skip) from the
//     first page's identification header, and the granule position of the
//     last page of that stream, found in the file's last 64 KiB.
//   - audio/mpeg: after an ID3v2 tag, the first frame header; a Xing, Info
//     or VBRI header gives the frame count, otherwise the stream is taken to
//     be constant bit rate (bytes × 8 / bit rate, an ID3v1 tag excluded).
//
// contentType is normalised as by NormalizeType. Any other type, a missing
// or non-positive duration, a zero timescale, a duration above
// MaxDurationSeconds, and any malformed, truncated or lying header give
// ErrNoDuration. Every length is checked against size, and the number of
// reads is bounded, so hostile input cannot make it panic or loop. An error
// from r other than io.EOF is returned wrapped.
func ProbeDuration(r io.ReaderAt, size int64, contentType string) (seconds float64, err error) {
	p := &prober{r: r, size: size}
	switch NormalizeType(contentType) {
	case "video/mp4", "audio/mp4":
		seconds, err = p.mp4()
	case "video/webm", "audio/webm", "video/x-matroska", "audio/x-matroska":
		seconds, err = p.webm()
	case "audio/wav":
		seconds, err = p.wav()
	case "audio/ogg":
		seconds, err = p.ogg()
	case "audio/mpeg":
		seconds, err = p.mp3()
	default:
		return 0, ErrNoDuration
	}
	switch {
	case err == nil:
	case errors.Is(err, errTruncated), errors.Is(err, errProbeLimit), errors.Is(err, ErrNoDuration):
		return 0, ErrNoDuration
	default:
		return 0, fmt.Errorf("media: probing duration: %w", err)
	}
	if math.IsNaN(seconds) || math.IsInf(seconds, 0) || seconds <= 0 || seconds > MaxDurationSeconds {
		return 0, ErrNoDuration
	}
	return seconds, nil
}

type prober struct {
	r     io.ReaderAt
	size  int64
	reads int
	buf   [16]byte
}

// readAt fills b from offset off, which must lie inside the file.
func (p *prober) readAt(b []byte, off int64) error {
	if p.reads++; p.reads > maxProbeReads {
		return errProbeLimit
	}
	if off < 0 || off > p.size || int64(len(b)) > p.size-off {
		return errTruncated
	}
	n, err := p.r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTruncated
	}
	return err
}

// ---- ISO base media file format (MP4) ----

// box locates the box starting at off inside [off, end): its type and the
// extent of its body.
func (p *prober) box(off, end int64) (typ string, body, next int64, err error) {
	if end-off < 8 {
		return "", 0, 0, errTruncated
	}
	h := p.buf[:8]
	if err := p.readAt(h, off); err != nil {
		return "", 0, 0, err
	}
	size := uint64(binary.BigEndian.Uint32(h[0:4]))
	typ = string(h[4:8])
	body = off + 8
	switch size {
	case 0: // to the end of the enclosing space
		return typ, body, end, nil
	case 1: // 64-bit largesize follows the type
		if end-off < 16 {
			return "", 0, 0, errTruncated
		}
		if err := p.readAt(p.buf[8:16], off+8); err != nil {
			return "", 0, 0, err
		}
		size = binary.BigEndian.Uint64(p.buf[8:16])
		body = off + 16
	}
	if size < uint64(body-off) || size > uint64(end-off) {
		return "", 0, 0, errTruncated
	}
	return typ, body, off + int64(size), nil
}

// findBox returns the body of the first box of type want in [off, end).
func (p *prober) findBox(off, end int64, want string) (body, bodyEnd int64, err error) {
	for off < end {
		typ, body, next, err := p.box(off, end)
		if err != nil {
			return 0, 0, err
		}
		if typ == want {
			return body, next, nil
		}
		off = next
	}
	return 0, 0, ErrNoDuration
}

func (p *prober) mp4() (float64, error) {
	moov, moovEnd, err := p.findBox(0, p.size, "moov")
	if err != nil {
		return 0, err
	}
	mvhd, mvhdEnd, err := p.findBox(moov, moovEnd, "mvhd")
	if err != nil {
		return 0, err
	}
	// FullBox: version(1) flags(3), then
	// v0: creation(4) modification(4) timescale(4) duration(4)
	// v1: creation(8) modification(8) timescale(4) duration(8)
	var b [32]byte
	if mvhdEnd-mvhd < 20 {
		return 0, errTruncated
	}
	if err := p.readAt(b[:20], mvhd); err != nil {
		return 0, err
	}
	var timescale uint32
	var dur, unknown uint64
	switch b[0] {
	case 0:
		timescale = binary.BigEndian.Uint32(b[12:16])
		dur, unknown = uint64(binary.BigEndian.Uint32(b[16:20])), math.MaxUint32
	case 1:
		if mvhdEnd-mvhd < 32 {
			return 0, errTruncated
		}
		if err := p.readAt(b[:32], mvhd); err != nil {
			return 0, err
		}
		timescale = binary.BigEndian.Uint32(b[20:24])
		dur, unknown = binary.BigEndian.Uint64(b[24:32]), math.MaxUint64
	default:
		return 0, ErrNoDuration
	}
	if timescale == 0 {
		return 0, ErrNoDuration
	}
	if dur == 0 || dur == unknown {
		if dur, err = p.mehd(moov, moovEnd); err != nil {
			return 0, err
		}
	}
	return float64(dur) / float64(timescale), nil
}

// mehd reads the fragment_duration of moov/mvex/mehd (in the mvhd
// timescale), which fragmented MP4 files use instead of mvhd's duration.
func (p *prober) mehd(moov, moovEnd int64) (uint64, error) {
	mvex, mvexEnd, err := p.findBox(moov, moovEnd, "mvex")
	if err != nil {
		return 0, err
	}
	mehd, mehdEnd, err := p.findBox(mvex, mvexEnd, "mehd")
	if err != nil {
		return 0, err
	}
	var b [12]byte
	if mehdEnd-mehd < 8 {
		return 0, errTruncated
	}
	if err := p.readAt(b[:8], mehd); err != nil {
		return 0, err
	}
	switch b[0] {
	case 0:
		d := binary.BigEndian.Uint32(b[4:8])
		if d == math.MaxUint32 {
			return 0, ErrNoDuration
		}
		return uint64(d), nil
	case 1:
		if mehdEnd-mehd < 12 {
			return 0, errTruncated
		}
		if err := p.readAt(b[:12], mehd); err != nil {
			return 0, err
		}
		d := binary.BigEndian.Uint64(b[4:12])
		if d == math.MaxUint64 {
			return 0, ErrNoDuration
		}
		return d, nil
	}
	return 0, ErrNoDuration
}

// ---- EBML (WebM, Matroska) ----

const (
	idEBML           = 0x1A45DFA3
	idSegment        = 0x18538067
	idInfo           = 0x1549A966
	idTimestampScale = 0x2AD7B1
	idDuration       = 0x4489
	idCluster        = 0x1F43B675
)

// element reads the EBML element header at off inside [off, end): its ID
// (marker bits kept), where its data starts, and its data size; unknown is
// true for the reserved all-ones size.
func (p *prober) element(off, end int64) (id uint32, data int64, size uint64, unknown bool, err error) {
	n := end - off
	if n > 12 {
		n = 12
	}
	if n < 2 {
		return 0, 0, 0, false, errTruncated
	}
	h := p.buf[:n]
	if err := p.readAt(h, off); err != nil {
		return 0, 0, 0, false, err
	}
	idLen := bits.LeadingZeros8(h[0]) + 1
	if idLen > 4 {
		return 0, 0, 0, false, ErrNoDuration
	}
	if int64(idLen) >= n {
		return 0, 0, 0, false, errTruncated
	}
	for _, c := range h[:idLen] {
		id = id<<8 | uint32(c)
	}
	szLen := bits.LeadingZeros8(h[idLen]) + 1
	if szLen > 8 {
		return 0, 0, 0, false, ErrNoDuration
	}
	if int64(idLen+szLen) > n {
		return 0, 0, 0, false, errTruncated
	}
	size = uint64(h[idLen] & (0xFF >> szLen))
	for _, c := range h[idLen+1 : idLen+szLen] {
		size = size<<8 | uint64(c)
	}
	unknown = size == 1<<(7*szLen)-1
	return id, off + int64(idLen+szLen), size, unknown, nil
}

func (p *prober) webm() (float64, error) {
	for off := int64(0); off < p.size; {
		id, data, size, unknown, err := p.element(off, p.size)
		if err != nil {
			return 0, err
		}
		if id == idSegment {
			end := p.size
			if !unknown && size < uint64(p.size-data) {
				end = data + int64(size)
			}
			// A Segment claiming more than the file holds is a truncated
			// file: its Info usually still comes first, so read on.
			return p.segment(data, end)
		}
		if unknown || size > uint64(p.size-data) {
			return 0, ErrNoDuration
		}
		off = data + int64(size)
	}
	return 0, ErrNoDuration
}

func (p *prober) segment(off, end int64) (float64, error) {
	for off < end {
		id, data, size, unknown, err := p.element(off, end)
		if err != nil {
			return 0, err
		}
		switch {
		case unknown && id == idCluster:
			// Its end is only known by reading its children; walk them as
			// if they were siblings: each has a known size and is skipped.
			off = data
			continue
		case unknown || size > uint64(end-data):
			return 0, ErrNoDuration
		case id == idInfo:
			return p.info(data, data+int64(size))
		}
		off = data + int64(size)
	}
	return 0, ErrNoDuration
}

func (p *prober) info(off, end int64) (float64, error) {
	scale := uint64(1_000_000)
	dur := math.NaN()
	for off < end {
		id, data, size, unknown, err := p.element(off, end)
		if err != nil {
			return 0, err
		}
		if unknown || size > uint64(end-data) {
			return 0, ErrNoDuration
		}
		var b [8]byte
		switch id {
		case idTimestampScale:
			if size > 8 {
				return 0, ErrNoDuration
			}
			if size > 0 { // empty: the default
				if err := p.readAt(b[:size], data); err != nil {
					return 0, err
				}
				scale = 0
				for _, c := range b[:size] {
					scale = scale<<8 | uint64(c)
				}
			}
		case idDuration:
			switch size {
			case 4:
				if err := p.readAt(b[:4], data); err != nil {
					return 0, err
				}
				dur = float64(math.Float32frombits(binary.BigEndian.Uint32(b[:4])))
			case 8:
				if err := p.readAt(b[:8], data); err != nil {
					return 0, err
				}
				dur = math.Float64frombits(binary.BigEndian.Uint64(b[:8]))
			default:
				return 0, ErrNoDuration
			}
		}
		off = data + int64(size)
	}
	if scale == 0 || math.IsNaN(dur) {
		return 0, ErrNoDuration
	}
	return dur * float64(scale) / 1e9, nil
}
