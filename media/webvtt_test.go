package media

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func TestParseWebVTTAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Cue
	}{
		{"a header alone is a file without cues", "WEBVTT", nil},
		{"a header and a blank line is a file without cues", "WEBVTT\n\n", nil},
		{"a single cue with hours is read", "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello\n",
			[]Cue{{ms(1000), ms(4000), "Hello"}}},
		{"a cue without hours is read", "WEBVTT\n\n01:02.500 --> 01:03.250\nHi",
			[]Cue{{ms(62500), ms(63250), "Hi"}}},
		{"a one-digit hour is accepted as browsers do", "WEBVTT\n\n1:00:00.000 --> 1:00:01.000\nx",
			[]Cue{{time.Hour, time.Hour + time.Second, "x"}}},
		{"hours beyond two digits are accepted", "WEBVTT\n\n100:00:00.000 --> 100:00:00.001\nx",
			[]Cue{{100 * time.Hour, 100*time.Hour + time.Millisecond, "x"}}},
		{"a byte order mark before the header is allowed", "\uFEFFWEBVTT\n\n00:01.000 --> 00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"text after the header behind a space is allowed", "WEBVTT - Lecture 1\n\n00:01.000 --> 00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"text after the header behind a tab is allowed", "WEBVTT\tx\n\n00:01.000 --> 00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"legacy metadata lines under the header are ignored", "WEBVTT\nKind: captions\nLanguage: en\n\n00:01.000 --> 00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"a cue identifier line is allowed", "WEBVTT\n\nintro-1\n00:01.000 --> 00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"cue settings after the end time are allowed", "WEBVTT\n\n00:01.000 --> 00:02.000 align:start line:0 position:10%\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"tabs and several spaces around the arrow are allowed", "WEBVTT\n\n00:01.000\t-->   00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"an arrow without spaces is accepted as browsers do", "WEBVTT\n\n00:01.000-->00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"several lines of text are joined by newlines", "WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\nsecond",
			[]Cue{{ms(1000), ms(2000), "first\nsecond"}}},
		{"a cue without text has empty text", "WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:03.000 --> 00:04.000\nB",
			[]Cue{{ms(1000), ms(2000), ""}, {ms(3000), ms(4000), "B"}}},
		{"CRLF line endings are accepted", "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nA\r\nB\r\n",
			[]Cue{{ms(1000), ms(2000), "A\nB"}}},
		{"CR line endings are accepted", "WEBVTT\r\r00:01.000 --> 00:02.000\rA\r",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"several blank lines between cues are fine", "WEBVTT\n\n\n\n00:01.000 --> 00:02.000\nA\n\n\n00:02.000 --> 00:03.000\nB\n\n",
			[]Cue{{ms(1000), ms(2000), "A"}, {ms(2000), ms(3000), "B"}}},
		{"start times out of order are allowed", "WEBVTT\n\n00:05.000 --> 00:06.000\nB\n\n00:01.000 --> 00:02.000\nA",
			[]Cue{{ms(5000), ms(6000), "B"}, {ms(1000), ms(2000), "A"}}},
		{"overlapping cues are allowed", "WEBVTT\n\n00:01.000 --> 00:05.000\nA\n\n00:02.000 --> 00:03.000\nB",
			[]Cue{{ms(1000), ms(5000), "A"}, {ms(2000), ms(3000), "B"}}},
		{"NOTE, STYLE and REGION blocks are skipped",
			"WEBVTT\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r1 width:40%\n\nNOTE a comment\nspanning lines\n\nNOTE\n\n00:01.000 --> 00:02.000\nA\n\nNOTE at the end",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"a word starting with NOTE is a cue identifier", "WEBVTT\n\nNOTEworthy\n00:01.000 --> 00:02.000\nA",
			[]Cue{{ms(1000), ms(2000), "A"}}},
		{"a voice tag is stripped to its text", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Dr. Ada>Welcome</v> back",
			[]Cue{{ms(1000), ms(2000), "Welcome back"}}},
		{"bold, italic, underline and class tags are stripped", "WEBVTT\n\n00:01.000 --> 00:02.000\n<b>bold</b> <i>it</i> <u>u</u> <c.yellow.bg_blue>c</c>",
			[]Cue{{ms(1000), ms(2000), "bold it u c"}}},
		{"ruby and inner timestamps are stripped", "WEBVTT\n\n00:01.000 --> 00:02.000\n<ruby>漢<rt>kan</rt></ruby> <00:01.500>next",
			[]Cue{{ms(1000), ms(2000), "漢kan next"}}},
		{"the four usual entities are decoded", "WEBVTT\n\n00:01.000 --> 00:02.000\nR&amp;D &lt;3 &gt; a&nbsp;b",
			[]Cue{{ms(1000), ms(2000), "R&D <3 > a\u00a0b"}}},
		{"numeric character references are decoded", "WEBVTT\n\n00:01.000 --> 00:02.000\ncaf&#233; &#x2014; &#X41;",
			[]Cue{{ms(1000), ms(2000), "café — A"}}},
		{"unknown or broken references are kept as written", "WEBVTT\n\n00:01.000 --> 00:02.000\nAT&T &bogus; &#0; &#xD800; & alone &amp",
			[]Cue{{ms(1000), ms(2000), "AT&T &bogus; &#0; &#xD800; & alone &amp"}}},
		{"an unclosed tag hides the rest of the cue", "WEBVTT\n\n00:01.000 --> 00:02.000\nseen <b unclosed\nhidden",
			[]Cue{{ms(1000), ms(2000), "seen "}}},
		{"non-ASCII text is kept", "WEBVTT\n\n00:01.000 --> 00:02.000\nΓειά σου κόσμε 🌍",
			[]Cue{{ms(1000), ms(2000), "Γειά σου κόσμε 🌍"}}},
		{"the largest minute and second are accepted", "WEBVTT\n\n00:59:59.999 --> 01:00:00.000\nx",
			[]Cue{{ms(3599999), ms(3600000), "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWebVTT([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseWebVTT: %v", err)
			}
			if !reflect.DeepEqual(got.Cues, tc.want) {
				t.Fatalf("cues = %#v\nwant   %#v", got.Cues, tc.want)
			}
		})
	}
}

func TestParseWebVTTRejects(t *testing.T) {
	cue := "00:01.000 --> 00:02.000\n"
	tests := []struct {
		name string
		in   string
		want VTTError
	}{
		{"an empty file has no header", "", VTTError{1, `a WebVTT file must start with the line "WEBVTT"`}},
		{"an SRT file is not WebVTT", "1\n00:00:01,000 --> 00:00:02,000\nHi\n", VTTError{1, `a WebVTT file must start with the line "WEBVTT"`}},
		{"a lower-case header is refused", "webvtt\n", VTTError{1, `a WebVTT file must start with the line "WEBVTT"`}},
		{"a header glued to more letters is refused", "WEBVTTX\n", VTTError{1, `a WebVTT file must start with the line "WEBVTT"`}},
		{"a BOM not at the very start is refused", " \uFEFFWEBVTT\n", VTTError{1, `a WebVTT file must start with the line "WEBVTT"`}},
		{"an arrow in the header line is refused", "WEBVTT 00:01.000 --> 00:02.000\n", VTTError{1, `the "WEBVTT" header line may not contain "-->"`}},
		{"a cue right under the header needs a blank line first", "WEBVTT\n" + cue + "A\n", VTTError{2, `expected a blank line between the "WEBVTT" header and the first cue`}},
		{"a comma before the milliseconds is refused", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nA", VTTError{3, `invalid start time "00:00:01,000": the seconds need a fraction of exactly three digits, as in 00:01.500`}},
		{"two-digit milliseconds are refused", "WEBVTT\n\n00:01.00 --> 00:02.000\nA", VTTError{3, `invalid start time "00:01.00": the seconds need a fraction of exactly three digits, as in 00:01.500`}},
		{"a one-digit second is refused", "WEBVTT\n\n00:00:1.000 --> 00:00:02.000\nA", VTTError{3, `invalid start time "00:00:1.000": want hh:mm:ss.ttt or mm:ss.ttt`}},
		{"sixty minutes are refused", "WEBVTT\n\n00:60:00.000 --> 01:00:01.000\nA", VTTError{3, `invalid start time "00:60:00.000": minutes must be 00 to 59`}},
		{"sixty seconds are refused", "WEBVTT\n\n00:00.000 --> 00:60.000\nA", VTTError{3, `invalid end time "00:60.000": seconds must be 00 to 59`}},
		{"minutes above 59 without hours are refused", "WEBVTT\n\n75:00.000 --> 76:00.000\nA", VTTError{3, `invalid start time "75:00.000": minutes must be 00 to 59`}},
		{"absurdly many hours are refused", "WEBVTT\n\n100000:00:00.000 --> 100000:00:01.000\nA", VTTError{3, `invalid start time "100000:00:00.000": the hours are too large`}},
		{"a missing end time is refused", "WEBVTT\n\n00:01.000 -->\nA", VTTError{3, `missing end time (want hh:mm:ss.ttt or mm:ss.ttt)`}},
		{"a missing start time is refused", "WEBVTT\n\n --> 00:01.000\nA", VTTError{3, `missing start time (want hh:mm:ss.ttt or mm:ss.ttt)`}},
		{"a short arrow is not a timing line", "WEBVTT\n\nid\n00:01.000 -> 00:02.000\nA", VTTError{4, `expected a cue timing line such as "00:00:01.000 --> 00:00:04.000", got "00:01.000 -> 00:02.000"`}},
		{"text glued to the end time is refused", "WEBVTT\n\n00:01.000 --> 00:02.000x\nA", VTTError{3, `unexpected text right after the end time in "00:01.000 --> 00:02.000x"`}},
		{"a cue ending before it starts is refused", "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nA", VTTError{3, `cue end 00:00:01.000 is before start 00:00:02.000`}},
		{"a cue ending when it starts is refused", "WEBVTT\n\n00:02.000 --> 00:02.000\nA", VTTError{3, `cue end 00:00:02.000 is the same as its start; a cue must last longer than zero`}},
		{"an identifier without a timing line is refused", "WEBVTT\n\nintro\n\n", VTTError{3, `expected a cue timing line such as "00:00:01.000 --> 00:00:04.000" after the cue identifier "intro"`}},
		{"an identifier at the end of the file is refused", "WEBVTT\n\nintro", VTTError{3, `expected a cue timing line such as "00:00:01.000 --> 00:00:04.000" after the cue identifier "intro"`}},
		{"plain text where a cue should be is refused", "WEBVTT\n\n" + cue + "A\n\nstray words\nmore words\n", VTTError{7, `expected a cue timing line such as "00:00:01.000 --> 00:00:04.000", got "more words"`}},
		{"two cues without a blank line between them are refused", "WEBVTT\n\n" + cue + "A\n00:03.000 --> 00:04.000\nB", VTTError{5, `cue text may not contain "-->"; is a blank line missing before this cue?`}},
		{"a NUL byte is refused with its line", "WEBVTT\n\n" + cue + "A\x00\n", VTTError{4, `the file contains a NUL byte`}},
		{"invalid UTF-8 is refused with its line", "WEBVTT\r\n\r\n" + cue + "caf\xe9\n", VTTError{4, `the file is not valid UTF-8 text`}},
		{"a cue text over 4 KiB is refused", "WEBVTT\n\n" + cue + strings.Repeat("a", 4000) + "\n" + strings.Repeat("b", 100) + "\n", VTTError{3, `the text of this cue is longer than 4096 bytes`}},
		{"a long bad line is quoted shortened", "WEBVTT\n\nid\n" + strings.Repeat("é", 40), VTTError{4, `expected a cue timing line such as "00:00:01.000 --> 00:00:04.000", got "` + strings.Repeat("é", 30) + `…"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWebVTT([]byte(tc.in))
			if err == nil {
				t.Fatalf("ParseWebVTT accepted it: %#v", got)
			}
			var ve VTTError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a VTTError", err)
			}
			if ve != tc.want {
				t.Fatalf("error = %#v\nwant    %#v", ve, tc.want)
			}
		})
	}
}

func TestParseWebVTTLimits(t *testing.T) {
	t.Run("a cue text of exactly 4 KiB is accepted", func(t *testing.T) {
		in := "WEBVTT\n\n00:01.000 --> 00:02.000\n" + strings.Repeat("a", MaxCueTextBytes)
		c, err := ParseWebVTT([]byte(in))
		if err != nil || len(c.Cues[0].Text) != MaxCueTextBytes {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a file of exactly 1 MiB is accepted", func(t *testing.T) {
		in := "WEBVTT\n\nNOTE " + strings.Repeat("x", MaxCaptionBytes-len("WEBVTT\n\nNOTE "))
		if _, err := ParseWebVTT([]byte(in)); err != nil {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a file one byte over 1 MiB is refused as a whole", func(t *testing.T) {
		in := "WEBVTT\n\nNOTE " + strings.Repeat("x", MaxCaptionBytes+1-len("WEBVTT\n\nNOTE "))
		_, err := ParseWebVTT([]byte(in))
		want := VTTError{0, "the captions file is 1048577 bytes; the limit is 1048576 bytes (1 MiB)"}
		if err != want {
			t.Fatalf("err = %#v, want %#v", err, want)
		}
		if err.Error() != want.Msg {
			t.Fatalf("a file-wide error reads %q", err.Error())
		}
	})
	t.Run("twenty thousand cues are accepted", func(t *testing.T) {
		c, err := ParseWebVTT(tinyCues(MaxCues))
		if err != nil || len(c.Cues) != MaxCues {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("the twenty-thousand-and-first cue is refused", func(t *testing.T) {
		_, err := ParseWebVTT(tinyCues(MaxCues + 1))
		want := VTTError{3 + 3*MaxCues, "too many cues: the limit is 20000"}
		if err != want {
			t.Fatalf("err = %#v, want %#v", err, want)
		}
	})
	t.Run("an error reads as a sentence with its line number", func(t *testing.T) {
		_, err := ParseWebVTT([]byte("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\n"))
		if got, want := err.Error(), "line 3: cue end 00:00:01.000 is before start 00:00:02.000"; got != want {
			t.Fatalf("Error() = %q, want %q", got, want)
		}
	})
	t.Run("cue text does not keep the uploaded buffer alive", func(t *testing.T) {
		buf := []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nHello")
		c, err := ParseWebVTT(buf)
		if err != nil {
			t.Fatal(err)
		}
		copy(buf[len(buf)-5:], "XXXXX")
		if c.Cues[0].Text != "Hello" {
			t.Fatalf("text changed with the buffer: %q", c.Cues[0].Text)
		}
	})
}

// vttFile builds a file of n short cues (three lines each after the header).
func vttFile(n int) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	for i := 0; i < n; i++ {
		s := time.Duration(i) * 100 * time.Millisecond
		fmt.Fprintf(&b, "%s --> %s\n<v Speaker>line %d &amp; more</v>\n\n", formatVTTTime(s), formatVTTTime(s+50*time.Millisecond), i)
	}
	return []byte(b.String())
}

// tinyCues builds a file of n minimal cues (three lines each after the
// header), small enough that 20,001 of them fit in 1 MiB.
func tinyCues(n int) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	for i := 0; i < n; i++ {
		s := i * 100 // ms
		fmt.Fprintf(&b, "%02d:%02d.%03d --> %02d:%02d.%03d\nx\n\n", s/60000, s/1000%60, s%1000, s/60000, s/1000%60, s%1000+50)
	}
	return []byte(b.String())
}

func BenchmarkParseWebVTT(b *testing.B) {
	data := vttFile(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseWebVTT(data)
		if err != nil || len(c.Cues) != 1000 {
			b.Fatal(err)
		}
	}
}
