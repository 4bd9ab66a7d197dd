package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"strings"

	"pacer/media"
	"pacer/modules"
	"pacer/server"
)

// The demo lecture is made here, at seed time, from the slides and
// narration below: a video the project draws and encodes itself (see
// video.go), and English captions with the narration. Nothing third-party
// is shipped.

const (
	lectureWidth, lectureHeight = 480, 270
	slideSeconds                = 8
)

type slide struct {
	title string
	lines []string
	// narration is the caption text: two cues per slide, four seconds
	// each.
	narration [2]string
}

var lectureSlides = []slide{
	{"Summaries that do not lie", []string{"Thinking in Statistics", "Week 2 lecture"},
		[2]string{"Welcome to week two of Thinking in Statistics.", "Today: how to summarise data without misleading anyone."}},
	{"The mean", []string{"Add all values, divide by n.", "(2 + 3 + 4 + 5 + 36) / 5 = 10"},
		[2]string{"The mean adds every value and divides by how many there are.", "For 2, 3, 4, 5 and 36 the mean is 10."}},
	{"The median", []string{"The middle value, once sorted.", "2  3  (4)  5  36  ->  4"},
		[2]string{"The median is the middle value once the data are sorted.", "Here it is 4: two values below it, two above."}},
	{"Skew pulls the mean", []string{"One large value: mean 10, median 4.", "For incomes, report the median."},
		[2]string{"One very large value pulled the mean up to 10.", "That is why typical incomes are described by the median."}},
	{"Spread", []string{"Standard deviation: typical", "distance from the mean.", "IQR: the middle half of the data."},
		[2]string{"A centre alone is not enough: we also need the spread.", "The standard deviation and the interquartile range measure it."}},
	{"Summary", []string{"Report centre and spread: both.", "Next week: uncertainty and samples."},
		[2]string{"So: always report a centre and a spread together.", "Next week we ask how much a sample can tell us. See you then!"}},
}

var (
	paper  = color.RGBA{0xF6, 0xF3, 0xEA, 0xFF}
	ink    = color.RGBA{0x1F, 0x29, 0x37, 0xFF}
	accent = color.RGBA{0x2F, 0x5D, 0x8A, 0xFF}
	faint  = color.RGBA{0xD8, 0xD2, 0xC4, 0xFF}
)

// drawFrame draws second t of the lecture: the current slide, and a bar
// with the elapsed time, so that playback is visible.
func drawFrame(t, total int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, lectureWidth, lectureHeight))
	fillRect(img, 0, 0, lectureWidth, lectureHeight, paper)
	s := lectureSlides[min(t/slideSeconds, len(lectureSlides)-1)]
	fillRect(img, 0, 0, lectureWidth, 56, accent)
	drawText(img, 24, 18, 3, paper, s.title)
	for i, line := range s.lines {
		drawText(img, 24, 84+i*30, 2, ink, line)
	}
	// The time bar along the bottom.
	fillRect(img, 24, 236, lectureWidth-48, 8, faint)
	fillRect(img, 24, 236, (lectureWidth-48)*t/(total-1), 8, accent)
	label := fmt.Sprintf("%d:%02d / %d:%02d", t/60, t%60, total/60, total%60)
	drawText(img, lectureWidth-24-textWidth(label, 1), 250, 1, ink, label)
	return img
}

// Lecture returns the demo lecture: an MP4 (H.264) video and its English
// captions as WebVTT.
func Lecture() (video []byte, captions string) {
	total := len(lectureSlides) * slideSeconds
	enc := newAVCEncoder(lectureWidth, lectureHeight)
	var samples [][]byte
	var keys []bool
	for t := 0; t < total; t++ {
		nal, key := enc.encode(toYUV(drawFrame(t, total), enc.mbW, enc.mbH))
		samples = append(samples, nal)
		keys = append(keys, key)
	}
	video = mp4Video(lectureWidth, lectureHeight, enc.sps(), enc.pps(), samples, keys, 1000)

	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n\nNOTE Narration of the Pacer demo lecture.\n\n")
	half := slideSeconds / 2
	for i, s := range lectureSlides {
		for j, text := range s.narration {
			start := i*slideSeconds + j*half
			fmt.Fprintf(&vtt, "%s --> %s\n%s\n\n", vttTime(start), vttTime(start+half), text)
		}
	}
	return video, vtt.String()
}

func vttTime(sec int) string { return fmt.Sprintf("00:%02d:%02d.000", sec/60, sec%60) }

// seedLecture uploads the lecture through the media service as the
// instructor would, adds its captions, and makes it the first item of the
// course's second week.
func seedLecture(s *server.Server, teacher, course uint64) error {
	video, captions := Lecture()
	m, err := s.Media.Upload(context.Background(), teacher, media.UploadInput{CourseID: course, ContentType: "video/mp4",
		Filename: "week-2-summaries.mp4", Length: int64(len(video))}, bytes.NewReader(video))
	if err != nil {
		return fmt.Errorf("upload the demo lecture: %w", err)
	}
	if _, err := s.Media.AddCaptions(context.Background(), teacher, m.ID, media.CaptionInput{Lang: "en", Label: "English"}, []byte(captions)); err != nil {
		return fmt.Errorf("add the demo lecture's captions: %w", err)
	}
	var week2 uint64
	err = s.Tx.Read(context.Background(), func(ctx context.Context) error {
		mods, err := s.Courses.Modules(ctx, course)
		if err == nil && len(mods) > 1 {
			week2 = mods[1].ID
		}
		return err
	})
	if err != nil || week2 == 0 {
		return fmt.Errorf("find week 2: %v", err)
	}
	first := 1
	_, err = s.Courses.CreateItem(context.Background(), teacher, course, week2, modules.ItemInput{
		Kind:     ptr(modules.KindLecture),
		Title:    ptr("Lecture: Summaries that do not lie"),
		Body:     ptr("A short lecture on the mean, the median and spread. Captions are available, and the transcript is below the player."),
		MediaID:  &m.ID,
		Position: &first,
	})
	return err
}
