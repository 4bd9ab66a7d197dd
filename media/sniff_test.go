package media

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

var (
	headMP4  = []byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41")
	headM4A  = []byte("\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom")
	headWebM = []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm")
	headID3  = []byte("ID3\x04\x00\x00\x00\x00\x00\x00")
	headMP3  = []byte{0xFF, 0xFB, 0x90, 0x64, 0x00} // MPEG-1 layer III, 128 kbit/s, 44.1 kHz
	headOgg  = []byte("OggS\x00\x02\x00\x00\x00\x00")
	headWAV  = []byte("RIFF\x24\x08\x00\x00WAVEfmt ")
	headPDF  = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	headPNG  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	headJPEG = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'}
	headVTT  = []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n")
	headELF  = []byte("\x7fELF\x02\x01\x01\x00")
)

func TestCheckContent(t *testing.T) {
	tests := []struct {
		name     string
		declared string
		head     []byte
		err      error
	}{
		{"an MP4 declared as video/mp4 passes", "video/mp4", headMP4, nil},
		{"an M4A declared as audio/mp4 passes", "audio/mp4", headM4A, nil},
		{"an M4A declared as audio/x-m4a passes as audio/mp4", "audio/x-m4a", headM4A, nil},
		{"a WebM declared as video/webm passes", "video/webm", headWebM, nil},
		{"an MP3 with an ID3 tag passes", "audio/mpeg", headID3, nil},
		{"an MP3 starting with a frame header passes", "audio/mpeg", headMP3, nil},
		{"an MPEG-2 layer III frame header passes", "audio/mpeg", []byte{0xFF, 0xF3, 0x64, 0xC4}, nil},
		{"an Ogg declared as audio/ogg passes", "audio/ogg", headOgg, nil},
		{"a WAV declared as audio/wav passes", "audio/wav", headWAV, nil},
		{"a WAV declared as audio/x-wav passes", "audio/x-wav", headWAV, nil},
		{"a PDF declared as application/pdf passes", "application/pdf", headPDF, nil},
		{"a PNG declared as image/png passes", "image/png", headPNG, nil},
		{"a JPEG declared as image/jpeg passes", "image/jpeg", headJPEG, nil},
		{"a JPEG declared as image/jpg passes", "image/jpg", headJPEG, nil},
		{"a WebVTT file passes", "text/vtt", headVTT, nil},
		{"a WebVTT file with a BOM and CRLF passes", "text/vtt; charset=utf-8", []byte("\uFEFFWEBVTT\r\n\r\n"), nil},
		{"a WebVTT file that is only its header passes", "text/vtt", []byte("WEBVTT"), nil},
		{"parameters and case in the declared type are ignored", " Video/MP4 ; codecs=\"avc1\"", headMP4, nil},
		{"only the first 512 bytes are looked at", "video/mp4", append(append([]byte{}, headMP4...), append(bytes.Repeat([]byte{0}, 600), "<html>"...)...), nil},

		{"HTML is not an allowed type", "text/html", []byte("<html>"), ErrTypeNotAllowed},
		{"SVG is not an allowed type", "image/svg+xml", []byte("<svg/>"), ErrTypeNotAllowed},
		{"a missing type is not allowed", "", headMP4, ErrTypeNotAllowed},
		{"a generic binary type is not allowed", "application/octet-stream", headMP4, ErrTypeNotAllowed},
		{"a type that only starts like an allowed one is not allowed", "video/mp4x", headMP4, ErrTypeNotAllowed},

		{"an empty file is a mismatch", "video/mp4", nil, ErrTypeMismatch},
		{"an empty WebVTT file is a mismatch", "text/vtt", []byte{}, ErrTypeMismatch},
		{"disguised HTML declared as video/mp4 is a mismatch", "video/mp4", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), ErrTypeMismatch},
		{"HTML after whitespace declared as video/mp4 is a mismatch", "video/mp4", []byte("\r\n\t  <div onclick=x>"), ErrTypeMismatch},
		{"HTML after a BOM is a mismatch", "text/vtt", []byte("\uFEFF <html>"), ErrTypeMismatch},
		{"UTF-16 HTML declared as audio/mpeg is a mismatch", "audio/mpeg", []byte("\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00"), ErrTypeMismatch},
		{"big-endian UTF-16 HTML is a mismatch", "audio/mpeg", []byte("\xfe\xff\x00 \x00<\x00s"), ErrTypeMismatch},
		{"an SVG declared as image/png is a mismatch", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">`), ErrTypeMismatch},
		{"an MP4 header hiding a script tag is a mismatch", "video/mp4", append(append([]byte{}, headMP4...), "<script>alert(1)</script>"...), ErrTypeMismatch},
		{"a WebVTT file hiding an HTML tag is a mismatch", "text/vtt", []byte("WEBVTT\n\nNOTE <HTML>\n"), ErrTypeMismatch},
		{"an ELF declared as application/pdf is a mismatch", "application/pdf", headELF, ErrTypeMismatch},
		{"a Windows executable declared as video/mp4 is a mismatch", "video/mp4", []byte("MZ\x90\x00\x03\x00\x00\x00ftyp"), ErrTypeMismatch},
		{"a shell script declared as text/vtt is a mismatch", "text/vtt", []byte("#!/bin/sh\nWEBVTT\n"), ErrTypeMismatch},
		{"a Mach-O binary declared as audio/ogg is a mismatch", "audio/ogg", []byte{0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1}, ErrTypeMismatch},
		{"a PNG declared as image/jpeg is a mismatch", "image/jpeg", headPNG, ErrTypeMismatch},
		{"a WebM declared as video/mp4 is a mismatch", "video/mp4", headWebM, ErrTypeMismatch},
		{"an MP4 declared as video/webm is a mismatch", "video/webm", headMP4, ErrTypeMismatch},
		{"a RIFF file that is not WAVE is a mismatch", "audio/wav", []byte("RIFF\x24\x08\x00\x00AVI LIST"), ErrTypeMismatch},
		{"a truncated WAV header is a mismatch", "audio/wav", []byte("RIFF\x24\x08"), ErrTypeMismatch},
		{"a PDF header not at the start is a mismatch", "application/pdf", []byte("junk%PDF-1.4"), ErrTypeMismatch},
		{"a header of WEBVTTX is a mismatch", "text/vtt", []byte("WEBVTTX\n"), ErrTypeMismatch},
		{"an SRT file declared as text/vtt is a mismatch", "text/vtt", []byte("1\n00:00:01,000 --> 00:00:02,000\n"), ErrTypeMismatch},
		{"a UTF-16 BOM alone is not an MP3 frame", "audio/mpeg", []byte{0xFF, 0xFE, 0x41, 0x00}, ErrTypeMismatch},
		{"a frame header with the reserved layer is a mismatch", "audio/mpeg", []byte{0xFF, 0xF9, 0x90, 0x00}, ErrTypeMismatch},
		{"a frame header with the bad bitrate is a mismatch", "audio/mpeg", []byte{0xFF, 0xFB, 0xF0, 0x00}, ErrTypeMismatch},
		{"two bytes of frame sync are too short", "audio/mpeg", []byte{0xFF, 0xFB}, ErrTypeMismatch},
		{"ftyp one byte late is a mismatch", "video/mp4", []byte("\x00\x00\x00\x00\x20ftypisom"), ErrTypeMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckContent(tc.declared, tc.head)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("CheckContent(%q, %q) = %v, want %v", tc.declared, truncate(tc.head), err, tc.err)
			}
		})
	}
}

func truncate(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

func TestCheckContentMessages(t *testing.T) {
	tests := []struct {
		name     string
		declared string
		head     []byte
		want     string
	}{
		{"a refused type is named", "Text/HTML; charset=utf-8", []byte("<p>"), "media: content type not allowed: text/html"},
		{"a missing type says so", "  ", []byte("x"), "media: content type not allowed: no content type given"},
		{"HTML is called HTML", "video/mp4", []byte("<html>"), "media: content does not match its declared type: declared video/mp4 but the file looks like HTML or XML"},
		{"a program is called a program", "application/pdf", headELF, "media: content does not match its declared type: declared application/pdf but the file looks like a program"},
		{"a wrong magic number names the type", "image/png", headJPEG, "media: content does not match its declared type: the file does not start like image/png"},
		{"an empty file says so", "image/png", nil, "media: content does not match its declared type: the file is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckContent(tc.declared, tc.head); got == nil || got.Error() != tc.want {
				t.Fatalf("error = %v, want %q", got, tc.want)
			}
		})
	}
}

func TestNormalizeType(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a plain type is unchanged", "video/mp4", "video/mp4"},
		{"upper case is lowered", "Video/WebM", "video/webm"},
		{"parameters are dropped", "text/vtt;charset=UTF-8", "text/vtt"},
		{"surrounding spaces are trimmed", "  audio/ogg ; codecs=opus", "audio/ogg"},
		{"audio/x-wav becomes audio/wav", "audio/x-wav", "audio/wav"},
		{"audio/mp3 becomes audio/mpeg", "AUDIO/MP3", "audio/mpeg"},
		{"an unknown type is kept, normalised", "Application/X-Thing; a=b", "application/x-thing"},
		{"an empty type stays empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizeType(tc.in); got != tc.want {
				t.Fatalf("NormalizeType(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	t.Run("every allowed type is its own normal form", func(t *testing.T) {
		for _, typ := range AllowedTypes() {
			if NormalizeType(typ) != typ || strings.ContainsAny(typ, " ;ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
				t.Errorf("%q is not normalised", typ)
			}
		}
	})
}

// The allow-list is read through functions: what a caller does with the
// list it was given changes nobody else's rules.
func TestTheAllowListCannotBeChangedByItsReaders(t *testing.T) {
	types := AllowedTypes()
	if !slices.IsSorted(types) || !slices.Contains(types, "video/mp4") {
		t.Fatalf("AllowedTypes() = %v", types)
	}
	for i := range types {
		types[i] = "application/x-msdownload"
	}
	if Allowed("application/x-msdownload") || !Allowed("video/mp4") || slices.Contains(AllowedTypes(), "application/x-msdownload") {
		t.Fatal("changing the returned list changed the allow-list")
	}
	if !SubmissionAllowed(TypeZip) || SubmissionAllowed("video/mp4") || Allowed(TypeZip) {
		t.Fatal("the submission allow-list is not its own")
	}
}
