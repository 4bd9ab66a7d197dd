package media

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Errors returned by CheckContent; both mean 415 Unsupported Media Type.
var (
	ErrTypeNotAllowed = errors.New("media: content type not allowed")
	ErrTypeMismatch   = errors.New("media: content does not match its declared type")
)

// SniffLen is how many leading bytes CheckContent looks at; callers pass at
// least this many when the file has them.
const SniffLen = 512

// allowed is the allow-list of upload content types, in normalised form
// (see NormalizeType). It is unexported so that no package can widen it at
// run time: others ask Allowed or AllowedTypes.
var allowed = map[string]bool{
	"video/mp4":       true,
	"video/webm":      true,
	"audio/mpeg":      true,
	"audio/mp4":       true,
	"audio/ogg":       true,
	"audio/wav":       true,
	"application/pdf": true,
	"image/png":       true,
	"image/jpeg":      true,
	"text/vtt":        true,
}

// Document types learners hand in. They are accepted only for submission
// uploads (PurposeSubmission): a course file is something a lecture or an
// item shows, and these are not shown, only downloaded by their author and
// the course's staff.
const (
	TypeDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeText = "text/plain"
	TypeZip  = "application/zip"
)

// submissionAllowed is the allow-list of types a submission upload may
// have besides allowed; unexported for the same reason.
var submissionAllowed = map[string]bool{TypeDocx: true, TypeODT: true, TypeText: true, TypeZip: true}

// Allowed reports whether a (normalised) type is on the allow-list of
// course uploads.
func Allowed(t string) bool { return allowed[t] }

// AllowedTypes returns the allow-list of course uploads, sorted: a copy,
// so changing it changes nothing else.
func AllowedTypes() []string { return slices.Sorted(maps.Keys(allowed)) }

// SubmissionAllowed reports whether a (normalised) type is one a
// submission upload may have besides those Allowed.
func SubmissionAllowed(t string) bool { return submissionAllowed[t] }

// AllowedFor reports whether an upload of the purpose may have the
// (normalised) type.
func AllowedFor(purpose, t string) bool {
	return allowed[t] || (purpose == PurposeSubmission && submissionAllowed[t])
}

// typeAliases maps non-standard names browsers and tools send for allowed
// types to the name in allowed.
var typeAliases = map[string]string{
	"audio/x-wav":    "audio/wav",
	"audio/wave":     "audio/wav",
	"audio/vnd.wave": "audio/wav",
	"audio/x-m4a":    "audio/mp4",
	"audio/m4a":      "audio/mp4",
	"audio/mp3":      "audio/mpeg",
	"audio/x-mp3":    "audio/mpeg",
	"image/jpg":      "image/jpeg",
	"image/pjpeg":    "image/jpeg",
	"image/x-png":    "image/png",

	"application/x-zip-compressed": TypeZip,
	"application/x-zip":            TypeZip,
}

// NormalizeType turns a declared Content-Type into the form allowed uses:
// parameters (";charset=...") are dropped, surrounding whitespace trimmed,
// ASCII letters lower-cased, and a few common aliases mapped to their
// standard name (audio/x-wav → audio/wav, audio/x-m4a → audio/mp4,
// audio/mp3 → audio/mpeg, image/jpg → image/jpeg, ...). Store and serve the
// normalised type, not the declared one.
func NormalizeType(declared string) string {
	if i := strings.IndexByte(declared, ';'); i >= 0 {
		declared = declared[:i]
	}
	t := strings.ToLower(strings.TrimSpace(declared))
	if a, ok := typeAliases[t]; ok {
		return a
	}
	return t
}

// CheckContent checks an upload's declared Content-Type against the
// allow-list and against its first bytes (head; only the first SniffLen are
// looked at):
//
//   - the normalised type must be in Allowed, else ErrTypeNotAllowed;
//   - bytes that look like HTML, SVG or XML (a "<" first, after optional
//     whitespace and BOM, also in UTF-16; or <!doctype, <html, <head,
//     <body, <script, <iframe, <svg anywhere in head) or like an executable
//     (MZ, \x7fELF, #!, Mach-O) are always ErrTypeMismatch, whatever the
//     declared type;
//   - otherwise the magic number must match: MP4/M4A "ftyp" at offset 4;
//     WebM 1A 45 DF A3; MP3 "ID3" or an MPEG audio frame header (FF Ex/Fx
//     with a valid version, layer II or III, a valid bitrate and sample
//     rate); Ogg "OggS"; WAV "RIFF", four bytes, "WAVE"; PDF "%PDF-" at
//     offset 0; PNG's 8-byte signature; JPEG FF D8 FF; WebVTT an optional
//     BOM then "WEBVTT" followed by a space, tab, line break or the end.
//     Empty head is a mismatch.
//
// Errors wrap the two sentinels with a reason fit to show the uploader.
func CheckContent(declared string, head []byte) error {
	return CheckContentFor(PurposeCourse, declared, head)
}

// CheckContentFor is CheckContent for an upload of the purpose: a
// submission may also be one of SubmissionAllowed, whose first bytes must
// be a ZIP archive's (Word, OpenDocument, ZIP) or UTF-8 text without NUL
// bytes (plain text). CheckWhole then looks at the whole file.
func CheckContentFor(purpose, declared string, head []byte) error {
	t := NormalizeType(declared)
	if !AllowedFor(purpose, t) {
		if t == "" {
			return fmt.Errorf("%w: no content type given", ErrTypeNotAllowed)
		}
		return fmt.Errorf("%w: %s", ErrTypeNotAllowed, t)
	}
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	if len(head) == 0 {
		return fmt.Errorf("%w: the file is empty", ErrTypeMismatch)
	}
	if looksLikeMarkup(head) {
		return fmt.Errorf("%w: declared %s but the file looks like HTML or XML", ErrTypeMismatch, t)
	}
	if looksExecutable(head) {
		return fmt.Errorf("%w: declared %s but the file looks like a program", ErrTypeMismatch, t)
	}
	if !magicMatches(t, head) {
		return fmt.Errorf("%w: the file does not start like %s", ErrTypeMismatch, t)
	}
	return nil
}

func magicMatches(t string, h []byte) bool {
	switch t {
	case "video/mp4", "audio/mp4":
		return len(h) >= 8 && string(h[4:8]) == "ftyp"
	case "video/webm":
		return bytes.HasPrefix(h, []byte{0x1A, 0x45, 0xDF, 0xA3})
	case "audio/mpeg":
		return bytes.HasPrefix(h, []byte("ID3")) || isMPEGAudioFrame(h)
	case "audio/ogg":
		return bytes.HasPrefix(h, []byte("OggS"))
	case "audio/wav":
		return len(h) >= 12 && string(h[0:4]) == "RIFF" && string(h[8:12]) == "WAVE"
	case "application/pdf":
		return bytes.HasPrefix(h, []byte("%PDF-"))
	case "image/png":
		return bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n"))
	case "image/jpeg":
		return bytes.HasPrefix(h, []byte{0xFF, 0xD8, 0xFF})
	case TypeDocx, TypeODT:
		return bytes.HasPrefix(h, []byte("PK\x03\x04"))
	case TypeZip:
		return bytes.HasPrefix(h, []byte("PK\x03\x04")) || bytes.HasPrefix(h, []byte("PK\x05\x06"))
	case TypeText:
		return textHead(h)
	case "text/vtt":
		h = bytes.TrimPrefix(h, []byte("\uFEFF"))
		if !bytes.HasPrefix(h, []byte("WEBVTT")) {
			return false
		}
		if len(h) == 6 {
			return true
		}
		switch h[6] {
		case ' ', '\t', '\n', '\r':
			return true
		}
		return false
	}
	return false
}

// isMPEGAudioFrame reports whether h starts with a plausible MPEG audio frame
// header: 11 sync bits, then a version other than "reserved", layer II or
// III, a bitrate index other than "bad" and a sample-rate index other than
// "reserved". Layer I is refused: nobody uploads it, and its headers FF FE
// and FF FF are also the UTF-16 byte order mark and common junk.
func isMPEGAudioFrame(h []byte) bool {
	if len(h) < 3 || h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
		return false
	}
	version := h[1] >> 3 & 3
	layer := h[1] >> 1 & 3
	bitrate := h[2] >> 4
	rate := h[2] >> 2 & 3
	return version != 1 && (layer == 1 || layer == 2) && bitrate != 15 && rate != 3
}

var markupTags = [][]byte{
	[]byte("<!doctype"), []byte("<html"), []byte("<head"), []byte("<body"),
	[]byte("<script"), []byte("<iframe"), []byte("<svg"),
}

func looksLikeMarkup(h []byte) bool {
	// A "<" first, after optional BOM and whitespace: HTML, SVG, XML.
	t := bytes.TrimPrefix(h, []byte("\uFEFF"))
	t = bytes.TrimLeft(t, " \t\r\n\f")
	if len(t) > 0 && t[0] == '<' {
		return true
	}
	// The same in UTF-16, either byte order.
	if len(h) >= 2 && ((h[0] == 0xFF && h[1] == 0xFE) || (h[0] == 0xFE && h[1] == 0xFF)) {
		le := h[0] == 0xFF
		for i := 2; i+1 < len(h); i += 2 {
			lo, hi := h[i], h[i+1]
			if !le {
				lo, hi = hi, lo
			}
			if hi != 0 {
				break
			}
			if lo == ' ' || lo == '\t' || lo == '\r' || lo == '\n' || lo == '\f' {
				continue
			}
			if lo == '<' {
				return true
			}
			break
		}
	}
	// Tags that make a browser that sniffs render the file as HTML.
	lower := bytes.ToLower(h)
	for _, tag := range markupTags {
		for off := 0; ; {
			i := bytes.Index(lower[off:], tag)
			if i < 0 {
				break
			}
			j := off + i + len(tag)
			if j == len(lower) {
				return true
			}
			switch lower[j] {
			case ' ', '\t', '\r', '\n', '\f', '>', '/':
				return true
			}
			off = j
		}
	}
	return false
}

func looksExecutable(h []byte) bool {
	for _, m := range [][]byte{
		[]byte("MZ"), []byte("\x7fELF"), []byte("#!"),
		{0xFE, 0xED, 0xFA, 0xCE}, {0xFE, 0xED, 0xFA, 0xCF}, // Mach-O
		{0xCE, 0xFA, 0xED, 0xFE}, {0xCF, 0xFA, 0xED, 0xFE},
		{0xCA, 0xFE, 0xBA, 0xBE}, // Mach-O universal, Java class
	} {
		if bytes.HasPrefix(h, m) {
			return true
		}
	}
	return false
}
