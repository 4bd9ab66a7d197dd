package media

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on a captions file accepted by ParseWebVTT.
const (
	MaxCaptionBytes = 1 << 20 // whole file, BOM included
	MaxCues         = 20000
	MaxCueTextBytes = 4096 // one cue's text as written, lines joined by "\n"
	maxVTTHours     = 99999
)

// Cue is one caption: shown from Start until End, with Text as plain text
// (markup stripped, character references decoded, lines joined by "\n").
type Cue struct {
	Start, End time.Duration
	Text       string
}

// Captions is a parsed WebVTT file.
type Captions struct {
	Cues []Cue
}

// VTTError says why a captions file is not acceptable. Line is 1-based and
// counts lines of the file as uploaded; it is 0 when the problem concerns the
// whole file (its size, for example).
type VTTError struct {
	Line int
	Msg  string
}

func (e VTTError) Error() string {
	if e.Line <= 0 {
		return e.Msg
	}
	return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// ParseWebVTT validates a WebVTT file (https://www.w3.org/TR/webvtt1/) and
// returns its cues. It is stricter than a browser, which silently drops what
// it cannot parse, because an instructor uploading a broken file should be
// told so:
//
//   - at most MaxCaptionBytes bytes, valid UTF-8, no NUL byte;
//   - an optional UTF-8 BOM, then a first line that is "WEBVTT" alone or
//     followed by a space or tab and any text without "-->";
//   - lines after that up to the first blank line are legacy header
//     metadata ("Kind: captions", "Language: en") and are ignored; a line
//     with "-->" there means the blank line is missing and is an error;
//   - blocks separated by blank lines: NOTE, STYLE and REGION blocks are
//     skipped (anywhere in the file); every other block is a cue: an
//     optional identifier line, a timing line
//     "[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]" and zero or more lines
//     of text, none of which may contain "-->" (that is nearly always a
//     missing blank line between two cues);
//   - minutes and seconds must be 00-59, fractions exactly three digits,
//     hours one or more digits up to 99999; cue settings are not checked;
//   - every cue must end strictly after it starts. Start times need not be
//     in order (the specification does not require it);
//   - at most MaxCues cues, each with at most MaxCueTextBytes of text.
//
// Lines may end in LF, CRLF or CR. Errors are VTTError values.
func ParseWebVTT(data []byte) (*Captions, error) {
	if len(data) > MaxCaptionBytes {
		return nil, VTTError{0, fmt.Sprintf("the captions file is %d bytes; the limit is %d bytes (1 MiB)", len(data), MaxCaptionBytes)}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, VTTError{lineAt(data, i), "the file contains a NUL byte"}
	}
	if !utf8.Valid(data) {
		return nil, VTTError{lineAt(data, firstInvalidUTF8(data)), "the file is not valid UTF-8 text"}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))

	lr := lineReader{data: data}
	first, ok := lr.next()
	if !ok || !bytes.HasPrefix(first, []byte("WEBVTT")) ||
		(len(first) > 6 && first[6] != ' ' && first[6] != '\t') {
		return nil, VTTError{1, `a WebVTT file must start with the line "WEBVTT"`}
	}
	if bytes.Contains(first, []byte("-->")) {
		return nil, VTTError{1, `the "WEBVTT" header line may not contain "-->"`}
	}
	// Legacy header lines up to the first blank line.
	for {
		line, ok := lr.next()
		if !ok || len(line) == 0 {
			break
		}
		if bytes.Contains(line, []byte("-->")) {
			return nil, VTTError{lr.line, `expected a blank line between the "WEBVTT" header and the first cue`}
		}
	}

	caps := &Captions{}
	var text []byte // scratch: the current cue's text lines joined by '\n'
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if len(line) == 0 {
			continue
		}
		if isBlockKeyword(line, "NOTE") || isBlockKeyword(line, "STYLE") || isBlockKeyword(line, "REGION") {
			lr.skipBlock()
			continue
		}
		blockLine := lr.line
		if !bytes.Contains(line, []byte("-->")) {
			// An identifier; the timing line must follow.
			ident := line
			line, ok = lr.next()
			if !ok || len(line) == 0 {
				return nil, VTTError{blockLine, fmt.Sprintf("expected a cue timing line such as \"00:00:01.000 --> 00:00:04.000\" after the cue identifier %s", quote(ident))}
			}
			if !bytes.Contains(line, []byte("-->")) {
				return nil, VTTError{lr.line, fmt.Sprintf("expected a cue timing line such as \"00:00:01.000 --> 00:00:04.000\", got %s", quote(line))}
			}
		}
		timingLine := lr.line
		start, end, msg := parseTimingLine(line)
		if msg != "" {
			return nil, VTTError{timingLine, msg}
		}
		if end < start {
			return nil, VTTError{timingLine, fmt.Sprintf("cue end %s is before start %s", formatVTTTime(end), formatVTTTime(start))}
		}
		if end == start {
			return nil, VTTError{timingLine, fmt.Sprintf("cue end %s is the same as its start; a cue must last longer than zero", formatVTTTime(end))}
		}
		if len(caps.Cues) >= MaxCues {
			return nil, VTTError{timingLine, fmt.Sprintf("too many cues: the limit is %d", MaxCues)}
		}
		text = text[:0]
		for {
			line, ok := lr.next()
			if !ok || len(line) == 0 {
				break
			}
			if bytes.Contains(line, []byte("-->")) {
				return nil, VTTError{lr.line, `cue text may not contain "-->"; is a blank line missing before this cue?`}
			}
			if len(text) > 0 {
				text = append(text, '\n')
			}
			text = append(text, line...)
			if len(text) > MaxCueTextBytes {
				return nil, VTTError{timingLine, fmt.Sprintf("the text of this cue is longer than %d bytes", MaxCueTextBytes)}
			}
		}
		caps.Cues = append(caps.Cues, Cue{Start: start, End: end, Text: cueText(text)})
	}
	return caps, nil
}

// lineReader splits data into lines ended by LF, CRLF or CR.
type lineReader struct {
	data []byte
	pos  int
	line int // number of the line last returned, 1-based
}

func (lr *lineReader) next() ([]byte, bool) {
	if lr.pos >= len(lr.data) {
		return nil, false
	}
	rest := lr.data[lr.pos:]
	i := bytes.IndexAny(rest, "\r\n")
	lr.line++
	if i < 0 {
		lr.pos = len(lr.data)
		return rest, true
	}
	lr.pos += i + 1
	if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
		lr.pos++
	}
	return rest[:i], true
}

// skipBlock consumes lines up to and including the next blank line.
func (lr *lineReader) skipBlock() {
	for {
		line, ok := lr.next()
		if !ok || len(line) == 0 {
			return
		}
	}
}

// isBlockKeyword reports whether line is kw alone or kw followed by a space
// or tab (and, for NOTE, any comment text).
func isBlockKeyword(line []byte, kw string) bool {
	if !bytes.HasPrefix(line, []byte(kw)) {
		return false
	}
	if len(line) == len(kw) {
		return true
	}
	c := line[len(kw)]
	if c != ' ' && c != '\t' {
		return false
	}
	if kw == "NOTE" {
		return true
	}
	return len(bytes.Trim(line[len(kw):], " \t")) == 0
}

// parseTimingLine parses "start --> end [settings]". msg is empty on success.
func parseTimingLine(line []byte) (start, end time.Duration, msg string) {
	i := skipVTTSpace(line, 0)
	start, j, msg := parseVTTTimestamp(line, i, "start")
	if msg != "" {
		return 0, 0, msg
	}
	j = skipVTTSpace(line, j)
	if !bytes.HasPrefix(line[j:], []byte("-->")) {
		return 0, 0, fmt.Sprintf("expected \"-->\" after the start time in %s", quote(line))
	}
	j = skipVTTSpace(line, j+3)
	end, k, msg := parseVTTTimestamp(line, j, "end")
	if msg != "" {
		return 0, 0, msg
	}
	if k < len(line) && line[k] != ' ' && line[k] != '\t' {
		return 0, 0, fmt.Sprintf("unexpected text right after the end time in %s", quote(line))
	}
	return start, end, ""
}

func skipVTTSpace(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f') {
		i++
	}
	return i
}

// parseVTTTimestamp parses "[h+:]mm:ss.ttt" at s[i:] and returns the
// duration and the index just past it, or a message saying what is wrong.
func parseVTTTimestamp(s []byte, i int, which string) (time.Duration, int, string) {
	bad := func(why string) (time.Duration, int, string) {
		tok := s[i:]
		if k := bytes.IndexAny(tok, " \t\f"); k >= 0 {
			tok = tok[:k]
		}
		if k := bytes.Index(tok, []byte("-->")); k >= 0 {
			tok = tok[:k]
		}
		if len(tok) == 0 {
			return 0, 0, fmt.Sprintf("missing %s time (want hh:mm:ss.ttt or mm:ss.ttt)", which)
		}
		return 0, 0, fmt.Sprintf("invalid %s time %q: %s", which, tok, why)
	}
	const (
		want     = "want hh:mm:ss.ttt or mm:ss.ttt"
		wantFrac = "the seconds need a fraction of exactly three digits, as in 00:01.500"
	)
	// digits returns the value and count of the digits at s[j:] (the value
	// saturates; only counts up to 5 matter).
	digits := func(j int) (v, n int) {
		for j+n < len(s) && s[j+n] >= '0' && s[j+n] <= '9' {
			if v < 1e6 {
				v = v*10 + int(s[j+n]-'0')
			}
			n++
		}
		return v, n
	}
	j := i
	v1, n1 := digits(j)
	j += n1
	if n1 == 0 || j >= len(s) || s[j] != ':' {
		return bad(want)
	}
	j++
	v2, n2 := digits(j)
	j += n2
	if n2 != 2 {
		return bad(want)
	}
	var hours, mins, secs int
	if j < len(s) && s[j] == ':' {
		j++
		v3, n3 := digits(j)
		j += n3
		if n3 != 2 {
			return bad(want)
		}
		if n1 > 5 || v1 > maxVTTHours {
			return bad("the hours are too large")
		}
		hours, mins, secs = v1, v2, v3
	} else {
		if n1 != 2 {
			return bad(want)
		}
		mins, secs = v1, v2
	}
	if j >= len(s) || s[j] != '.' {
		return bad(wantFrac)
	}
	j++
	msec, n4 := digits(j)
	j += n4
	if n4 != 3 {
		return bad(wantFrac)
	}
	if mins > 59 {
		return bad("minutes must be 00 to 59")
	}
	if secs > 59 {
		return bad("seconds must be 00 to 59")
	}
	d := time.Duration(hours)*time.Hour + time.Duration(mins)*time.Minute +
		time.Duration(secs)*time.Second + time.Duration(msec)*time.Millisecond
	return d, j, ""
}

// formatVTTTime formats d as hh:mm:ss.ttt.
func formatVTTTime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// cueText turns WebVTT cue text into plain text: tags (<v Name>, <b>, <i>,
// <c.class>, <ruby>, <rt>, <lang en>, timestamps <00:01.000> and their end
// tags) are removed, keeping what they enclose; character references
// (&amp; &lt; &gt; &nbsp; &lrm; &rlm; &quot; &apos; and numeric ones) are
// decoded; anything else is kept as written. An unclosed "<" hides the rest
// of the cue, as in a browser.
func cueText(b []byte) string {
	if bytes.IndexByte(b, '<') < 0 && bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case '<':
			k := bytes.IndexByte(b[i:], '>')
			if k < 0 {
				return out.String()
			}
			i += k + 1
		case '&':
			r, n := decodeCharRef(b[i:])
			if n == 0 {
				out.WriteByte('&')
				i++
				continue
			}
			out.WriteRune(r)
			i += n
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String()
}

var namedRefs = map[string]rune{
	"amp": '&', "lt": '<', "gt": '>', "nbsp": '\u00a0',
	"lrm": '\u200e', "rlm": '\u200f', "quot": '"', "apos": '\'',
}

// decodeCharRef decodes a character reference at the start of b ("&amp;",
// "&#233;", "&#xE9;"), returning the rune and the bytes it used, or n == 0.
func decodeCharRef(b []byte) (r rune, n int) {
	end := bytes.IndexByte(b, ';')
	if end < 2 || end > 10 {
		return 0, 0
	}
	ref := b[1:end]
	if ref[0] != '#' {
		if r, ok := namedRefs[string(ref)]; ok {
			return r, end + 1
		}
		return 0, 0
	}
	num, base := string(ref[1:]), 10
	if len(num) > 0 && (num[0] == 'x' || num[0] == 'X') {
		num, base = num[1:], 16
	}
	if num == "" || num[0] == '+' || num[0] == '-' {
		return 0, 0
	}
	v, err := strconv.ParseUint(num, base, 32)
	if err != nil || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) ||
		(v < 0x20 && v != '\t' && v != '\n') || (v >= 0x7F && v <= 0x9F) {
		return 0, 0
	}
	return rune(v), end + 1
}

func quote(line []byte) string {
	const max = 60
	if len(line) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		return strconv.Quote(string(line[:cut]) + "…")
	}
	return strconv.Quote(string(line))
}

// lineAt is the 1-based line number of byte offset off in data.
func lineAt(data []byte, off int) int {
	n := 1
	for i := 0; i < off && i < len(data); i++ {
		switch data[i] {
		case '\n':
			n++
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				continue // CRLF: counted at the LF
			}
			n++
		}
	}
	return n
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
