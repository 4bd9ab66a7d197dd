package media

import (
	"bytes"
	"encoding/binary"
)

// ---- RIFF WAVE ----

func (p *prober) wav() (float64, error) {
	var h [12]byte
	if err := p.readAt(h[:], 0); err != nil {
		return 0, err
	}
	if string(h[0:4]) != "RIFF" || string(h[8:12]) != "WAVE" {
		return 0, ErrNoDuration
	}
	var byteRate uint32
	for off := int64(12); off+8 <= p.size; {
		var c [8]byte
		if err := p.readAt(c[:], off); err != nil {
			return 0, err
		}
		id, size := string(c[0:4]), int64(binary.LittleEndian.Uint32(c[4:8]))
		body := off + 8
		switch id {
		case "fmt ":
			// format(2) channels(2) rate(4) byte rate(4) block align(2) bits(2)
			if size < 16 {
				return 0, ErrNoDuration
			}
			var f [16]byte
			if err := p.readAt(f[:], body); err != nil {
				return 0, err
			}
			byteRate = binary.LittleEndian.Uint32(f[8:12])
		case "data":
			if byteRate == 0 {
				return 0, ErrNoDuration
			}
			// Streaming writers leave the size at 0 or all ones; the file's
			// end is then the data's end.
			if size == 0 || size > p.size-body {
				size = p.size - body
			}
			return float64(size) / float64(byteRate), nil
		}
		off = body + size + size&1 // chunks are padded to an even length
	}
	return 0, ErrNoDuration
}

// ---- Ogg (Vorbis, Opus) ----

// oggTail is how much of the end of the file is searched for the last page;
// a page is at most 65,307 bytes.
const oggTail = 1 << 16

func (p *prober) ogg() (float64, error) {
	// Page header: "OggS" version(1) type(1) granule(8) serial(4) seq(4)
	// crc(4) segments(1) segment table, then the first packet.
	var h [27 + 255 + 19]byte
	n := int64(len(h))
	if n > p.size {
		n = p.size
	}
	if n < 28 {
		return 0, errTruncated
	}
	if err := p.readAt(h[:n], 0); err != nil {
		return 0, err
	}
	if string(h[0:4]) != "OggS" || h[4] != 0 {
		return 0, ErrNoDuration
	}
	serial := binary.LittleEndian.Uint32(h[14:18])
	pkt := int64(27) + int64(h[26])
	if pkt+19 > n {
		return 0, errTruncated
	}
	var rate, preSkip uint64
	switch first := h[pkt : pkt+19]; {
	case bytes.HasPrefix(first, []byte("\x01vorbis")):
		// version(4) channels(1) rate(4)
		rate = uint64(binary.LittleEndian.Uint32(first[12:16]))
	case bytes.HasPrefix(first, []byte("OpusHead")):
		// version(1) channels(1) pre-skip(2) input rate(4); granules
		// always count 48 kHz samples.
		rate, preSkip = 48000, uint64(binary.LittleEndian.Uint16(first[10:12]))
	default:
		return 0, ErrNoDuration
	}
	if rate == 0 {
		return 0, ErrNoDuration
	}
	start := p.size - oggTail
	if start < 0 {
		start = 0
	}
	tail := make([]byte, p.size-start)
	if err := p.readAt(tail, start); err != nil {
		return 0, err
	}
	for i := bytes.LastIndex(tail, []byte("OggS")); i >= 0; i = bytes.LastIndex(tail[:i], []byte("OggS")) {
		if i+27 > len(tail) || tail[i+4] != 0 || binary.LittleEndian.Uint32(tail[i+14:i+18]) != serial {
			continue
		}
		g := binary.LittleEndian.Uint64(tail[i+6 : i+14])
		if g == ^uint64(0) { // no packet ends on this page
			continue
		}
		if g <= preSkip {
			return 0, ErrNoDuration
		}
		return float64(g-preSkip) / float64(rate), nil
	}
	return 0, ErrNoDuration
}

// ---- MPEG audio (MP3) ----

// mp3Frame is a parsed MPEG audio frame header.
type mp3Frame struct {
	mpeg1, mono       bool
	layer             int // 1, 2 or 3
	bitrate, rate     int // bits/s, Hz
	samples, frameLen int
}

var (
	mp3Rates = [4][3]int{ // by version bits (0: 2.5, 2: 2, 3: 1), sample-rate index
		{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000},
	}
	mp3V1Bitrates = [3][15]int{ // kbit/s by layer-1, bitrate index
		{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
		{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
		{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
	}
	mp3V2Bitrates = [3][15]int{
		{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
		{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
	}
)

// parseMP3Frame parses a 4-byte frame header; ok is false for anything that
// is not a usable header (free-format bit rate included).
func parseMP3Frame(h []byte) (f mp3Frame, ok bool) {
	if len(h) < 4 || h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
		return f, false
	}
	version := int(h[1] >> 3 & 3)
	layerBits := int(h[1] >> 1 & 3)
	brIdx, srIdx := int(h[2]>>4), int(h[2]>>2&3)
	if version == 1 || layerBits == 0 || brIdx == 0 || brIdx == 15 || srIdx == 3 {
		return f, false
	}
	f.layer = 4 - layerBits
	f.mpeg1 = version == 3
	f.mono = h[3]>>6 == 3
	f.rate = mp3Rates[version][srIdx]
	if f.mpeg1 {
		f.bitrate = mp3V1Bitrates[f.layer-1][brIdx] * 1000
	} else {
		f.bitrate = mp3V2Bitrates[f.layer-1][brIdx] * 1000
	}
	pad := int(h[2] >> 1 & 1)
	switch {
	case f.layer == 1:
		f.samples = 384
		f.frameLen = (12*f.bitrate/f.rate + pad) * 4
	case f.layer == 3 && !f.mpeg1:
		f.samples = 576
		f.frameLen = 72*f.bitrate/f.rate + pad
	default:
		f.samples = 1152
		f.frameLen = 144*f.bitrate/f.rate + pad
	}
	return f, f.frameLen >= 4
}

func (p *prober) mp3() (float64, error) {
	var id3 [10]byte
	if p.size < 4 {
		return 0, errTruncated
	}
	off := int64(0)
	if p.size >= 10 {
		if err := p.readAt(id3[:], 0); err != nil {
			return 0, err
		}
		if string(id3[0:3]) == "ID3" {
			// Syncsafe size: four 7-bit bytes; a footer adds 10 bytes.
			size := int64(id3[6]&0x7F)<<21 | int64(id3[7]&0x7F)<<14 | int64(id3[8]&0x7F)<<7 | int64(id3[9]&0x7F)
			off = 10 + size
			if id3[5]&0x10 != 0 {
				off += 10
			}
		}
	}
	end := p.size
	if end-off >= 128 {
		var tag [3]byte
		if err := p.readAt(tag[:], end-128); err != nil {
			return 0, err
		}
		if string(tag[:]) == "TAG" {
			end -= 128
		}
	}
	// Some encoders leave padding between the tag and the first frame; a
	// header must be followed by another at its frame length to count.
	const scan = 4096
	buf := make([]byte, scan+4)
	n := int64(len(buf))
	if n > end-off {
		n = end - off
	}
	if n < 4 {
		return 0, errTruncated
	}
	if err := p.readAt(buf[:n], off); err != nil {
		return 0, err
	}
	for i := int64(0); i+4 <= n; i++ {
		f, ok := parseMP3Frame(buf[i : i+4])
		if !ok {
			continue
		}
		start := off + i
		next := start + int64(f.frameLen)
		if next+4 <= end {
			var h [4]byte
			if err := p.readAt(h[:], next); err != nil {
				return 0, err
			}
			if g, ok := parseMP3Frame(h[:]); !ok || g.rate != f.rate || g.layer != f.layer {
				continue
			}
		}
		if frames, ok, err := p.mp3VBRFrames(start, f); err != nil {
			return 0, err
		} else if ok {
			return float64(frames) * float64(f.samples) / float64(f.rate), nil
		}
		return float64(end-start) * 8 / float64(f.bitrate), nil
	}
	return 0, ErrNoDuration
}

// mp3VBRFrames reads the frame count of a Xing/Info or VBRI header in the
// first frame, when there is one.
func (p *prober) mp3VBRFrames(start int64, f mp3Frame) (uint32, bool, error) {
	side := 32
	switch {
	case f.mpeg1 && f.mono:
		side = 17
	case !f.mpeg1 && !f.mono:
		side = 17
	case !f.mpeg1 && f.mono:
		side = 9
	}
	var x [12]byte
	if at := start + 4 + int64(side); at+12 <= p.size && int64(f.frameLen) >= int64(4+side+12) {
		if err := p.readAt(x[:], at); err != nil {
			return 0, false, err
		}
		if tag := string(x[0:4]); (tag == "Xing" || tag == "Info") && x[7]&1 != 0 {
			n := binary.BigEndian.Uint32(x[8:12])
			return n, n > 0, nil
		}
	}
	var v [18]byte
	if at := start + 4 + 32; at+18 <= p.size && f.frameLen >= 4+32+18 {
		if err := p.readAt(v[:], at); err != nil {
			return 0, false, err
		}
		if string(v[0:4]) == "VBRI" {
			n := binary.BigEndian.Uint32(v[14:18])
			return n, n > 0, nil
		}
	}
	return 0, false, nil
}
