package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func riffChunk(id string, body []byte) []byte {
	out := cat([]byte(id), le32(uint32(len(body))), body)
	if len(body)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// wavFile is 16-bit PCM at rate Hz with the given channels and data bytes;
// dataSize overrides the stated size when >= 0.
func wavFile(rate, channels uint32, data int, dataSize int64, extra ...[]byte) []byte {
	fmtBody := cat(le16(1), le16(uint16(channels)), le32(rate), le32(rate*channels*2), le16(uint16(channels*2)), le16(16))
	chunks := cat(riffChunk("fmt ", fmtBody), cat(extra...))
	stated := uint32(data)
	if dataSize >= 0 {
		stated = uint32(dataSize)
	}
	chunks = cat(chunks, []byte("data"), le32(stated), make([]byte, data))
	return cat([]byte("RIFF"), le32(uint32(4+len(chunks))), []byte("WAVE"), chunks)
}

// oggPage builds one Ogg page (CRC left zero: the probe does not check it).
func oggPage(serial uint32, granule uint64, packet []byte) []byte {
	var segs []byte
	n := len(packet)
	for n >= 255 {
		segs = append(segs, 255)
		n -= 255
	}
	segs = append(segs, byte(n))
	return cat([]byte("OggS"), []byte{0, 0}, le64(granule), le32(serial), le32(0), le32(0), []byte{byte(len(segs))}, segs, packet)
}

func vorbisIdent(rate uint32) []byte {
	return cat([]byte("\x01vorbis"), le32(0), []byte{2}, le32(rate), le32(0), le32(128000), le32(0), []byte{0xB8, 1})
}

func opusHead(preSkip uint16) []byte {
	return cat([]byte("OpusHead"), []byte{1, 2}, le16(preSkip), le32(44100), le16(0), []byte{0})
}

// mp3Frames is n MPEG-1 Layer III frames at 128 kbit/s and 44.1 kHz (417
// bytes each), the first optionally carrying a Xing header.
func mp3Frames(n int, xingFrames uint32) []byte {
	frame := func() []byte {
		f := make([]byte, 417)
		copy(f, []byte{0xFF, 0xFB, 0x90, 0x00})
		return f
	}
	var out []byte
	for i := 0; i < n; i++ {
		f := frame()
		if i == 0 && xingFrames > 0 {
			copy(f[4+32:], cat([]byte("Xing"), []byte{0, 0, 0, 1}, binary.BigEndian.AppendUint32(nil, xingFrames)))
		}
		out = append(out, f...)
	}
	return out
}

func id3v2(size int) []byte {
	return cat([]byte("ID3\x04\x00\x00"), []byte{byte(size >> 21 & 0x7F), byte(size >> 14 & 0x7F), byte(size >> 7 & 0x7F), byte(size & 0x7F)}, make([]byte, size))
}

func TestProbeDurationAudio(t *testing.T) {
	serial := uint32(0x1234)
	vorbis := cat(oggPage(serial, 0, vorbisIdent(44100)), oggPage(serial, 0, make([]byte, 300)),
		oggPage(serial, 44100*5, make([]byte, 600)), oggPage(serial, 441000, make([]byte, 100)))
	for _, tc := range []struct {
		name, ctype string
		data        []byte
		want        float64 // 0: ErrNoDuration
	}{
		{"WAV: 3 s of 16 kHz mono", "audio/wav", wavFile(16000, 1, 96000, -1), 3},
		{"WAV: stereo 48 kHz", "audio/x-wav", wavFile(48000, 2, 48000*4/2, -1), 0.5},
		{"WAV: an odd chunk before the data", "audio/wav", wavFile(8000, 1, 16000, -1, riffChunk("LIST", []byte("odd"))), 1},
		{"WAV: a streaming size of 0 runs to the end", "audio/wav", wavFile(8000, 1, 8000, 0), 0.5},
		{"WAV: a size past the end is clamped", "audio/wav", wavFile(8000, 1, 8000, 0xFFFFFFFF), 0.5},
		{"WAV: no fmt chunk", "audio/wav", cat([]byte("RIFF"), le32(12), []byte("WAVE"), []byte("data"), le32(4), make([]byte, 4)), 0},
		{"WAV: not RIFF", "audio/wav", make([]byte, 64), 0},
		{"Ogg Vorbis: 10 s", "audio/ogg", vorbis, 10},
		{"Ogg Opus: pre-skip removed", "audio/ogg", cat(oggPage(7, 0, opusHead(312)), oggPage(7, 48000*4+312, make([]byte, 50))), 4},
		{"Ogg: the last page of another stream is skipped", "audio/ogg", cat(vorbis, oggPage(99, 1<<40, []byte{1})), 10},
		{"Ogg: no known codec", "audio/ogg", oggPage(1, 0, []byte("\x80theora-ish padding ......")), 0},
		{"Ogg: only unknown granules", "audio/ogg", cat(oggPage(1, ^uint64(0), vorbisIdent(44100))), 0},
		{"MP3: constant bit rate", "audio/mpeg", mp3Frames(100, 0), 100 * 417 * 8 / 128000.0},
		{"MP3: a Xing header counts frames", "audio/mpeg", mp3Frames(10, 1000), 1000 * 1152 / 44100.0},
		{"MP3: after an ID3v2 tag and before an ID3v1 tag", "audio/mpeg", cat(id3v2(1000), mp3Frames(50, 0), []byte("TAG"), make([]byte, 125)), 50 * 417 * 8 / 128000.0},
		{"MP3: junk only", "audio/mpeg", bytes.Repeat([]byte{0xFF, 0x00}, 3000), 0},
		{"MP3: a tag claiming more than the file", "audio/mpeg", cat([]byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7f"), mp3Frames(3, 0)), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ProbeDuration(bytes.NewReader(tc.data), int64(len(tc.data)), tc.ctype)
			if tc.want == 0 {
				if !errors.Is(err, ErrNoDuration) {
					t.Fatalf("got %v, %v; want ErrNoDuration", got, err)
				}
				return
			}
			if err != nil || math.Abs(got-tc.want) > 1e-9 {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
