package frontend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pacer/auth"
	"pacer/demo"
	"pacer/media"
	"pacer/modules"
	"pacer/storage"
)

// waitFor waits until a JavaScript expression is true in the page.
func (b *browser) waitFor(what, js string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(stepTimeout))); err != nil {
		b.t.Fatalf("wait until %s (%s): %v", what, js, err)
	}
}

// number evaluates a JavaScript expression for a number.
func (b *browser) number(js string) float64 {
	b.t.Helper()
	return step(b, "evaluate "+js, chromedp.Evaluate[float64](js))
}

// userID finds the account a browser signed up with.
func (a *app) userID(email string) uint64 {
	a.t.Helper()
	var id uint64
	_ = a.Srv.DB.View(func(tx *storage.Tx) error {
		id = storage.Part(tx.GetRaw(storage.UsersByEmail, storage.EmailKey(email)), 0)
		return nil
	})
	if id == 0 {
		a.t.Fatalf("no account for %s", email)
	}
	return id
}

// lectureCourse builds, through the services, a published self-paced
// course whose first module holds the demo lecture with its captions.
func (a *app) lectureCourse(teacher uint64) (course, module, item uint64) {
	a.t.Helper()
	title, yes, pacing := "Statistics", true, "self_paced"
	c, err := a.Srv.Courses.CreateCourse(context.Background(), teacher, modules.CourseInput{Title: &title, Published: &yes, Pacing: &pacing})
	if err != nil {
		a.t.Fatal(err)
	}
	week := "Week 1"
	m, err := a.Srv.Courses.CreateModule(context.Background(), teacher, c.ID, modules.ModuleInput{Title: &week})
	if err != nil {
		a.t.Fatal(err)
	}
	video, captions := demo.Lecture()
	md, err := a.Srv.Media.Upload(context.Background(), teacher, media.UploadInput{CourseID: c.ID, ContentType: "video/mp4",
		Filename: "lecture.mp4", Length: int64(len(video))}, strings.NewReader(string(video)))
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.Srv.Media.AddCaptions(context.Background(), teacher, md.ID, media.CaptionInput{Lang: "en", Label: "English"}, []byte(captions)); err != nil {
		a.t.Fatal(err)
	}
	kind, name := modules.KindLecture, "Summaries that do not lie"
	it, err := a.Srv.Courses.CreateItem(context.Background(), teacher, c.ID, m.ID, modules.ItemInput{Kind: &kind, Title: &name, MediaID: &md.ID})
	if err != nil {
		a.t.Fatal(err)
	}
	return c.ID, m.ID, it.ID
}

const videoJS = `document.querySelector("[data-player] video")`

// TestBrowserALectureIsWatchedHonestly is issue 5's browser test: a student
// opens a lecture, the video plays in Chromium with its caption track
// loaded, the played span is reported, a reload resumes where they
// stopped, and finishing the lecture shows it completed at once.
func TestBrowserALectureIsWatchedHonestly(t *testing.T) {
	a := startApp(t)
	teacher, err := a.Srv.Auth.CreateUser(context.Background(), auth.NewUser{Email: "ada@example.test", Password: "correct horse battery", Name: "Ada Lovelace"}, false)
	if err != nil {
		t.Fatal(err)
	}
	course, _, item := a.lectureCourse(teacher.ID)

	sam := a.browser()
	sam.signUp("Sam Student")
	samID := a.userID(sam.Email)
	if _, err := a.Srv.Courses.Enroll(context.Background(), course, samID, "", "test"); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/courses/%d/items/%d", course, item)
	sam.visit(page)
	sam.waitText(".item h1", "Summaries that do not lie")
	sam.waitText("[data-item-status]", "Not done yet")
	sam.waitText(".transcript", "Welcome to week two of Thinking in Statistics.")
	sam.waitFor("the speed menu is offered", `!document.querySelector("[data-speed-wrap]").hidden`)

	// It plays.
	sam.waitFor("the video can play", videoJS+`.readyState >= 1`)
	if d := sam.number(videoJS + `.duration`); d != 48 {
		t.Fatalf("the browser reads a duration of %v s, want 48", d)
	}
	if w := sam.number(videoJS + `.videoWidth`); w != 480 {
		t.Fatalf("videoWidth %v, want 480", w)
	}
	sam.do("play", chromedp.Evaluate[chromedp.Void](`(v => { v.muted = true; v.play(); })(`+videoJS+`)`))
	sam.waitFor("the video plays", videoJS+`.currentTime > 4`)

	// The caption track loads and shows.
	sam.waitFor("the caption track has loaded", `(t => t.readyState === 2 && t.track.mode === "showing" && t.track.cues.length === 12)(document.querySelector("[data-player] track"))`)

	// Pausing reports the span played. The server's clock is pinned, and
	// a span counts only as far as the time since the page was opened
	// allows (2× playback speed): let ten seconds pass.
	a.Clock.Advance(10 * time.Second)
	sam.do("pause", chromedp.Evaluate[chromedp.Void](videoJS+`.pause()`))
	sam.waitFor("a report was answered", `Number(document.querySelector("[data-player]").dataset.reports || 0) >= 1`)
	sam.waitText("[data-player-status]", "Watched")
	l, err := a.Srv.Media.Lecture(context.Background(), samID, course, item)
	if err != nil {
		t.Fatal(err)
	}
	if l.ResumeSeconds < 4 || l.WatchedRatio <= 0.08 || l.Completed {
		t.Fatalf("after about 4 s of playing: %+v", l)
	}
	if n := sam.number(`document.querySelectorAll("[data-watched-bar] rect").length`); n != 1 {
		t.Fatalf("the watched bar shows %v spans, want 1", n)
	}

	// A reload starts where Sam stopped.
	sam.visit(page)
	sam.waitText("[data-player-status]", fmt.Sprintf("Resuming at 0:%02d", l.ResumeSeconds))
	sam.waitFor("the video resumes", fmt.Sprintf(`(v => v.readyState >= 1 && Math.abs(v.currentTime - %d) < 1.5)(`+videoJS+`)`, l.ResumeSeconds))

	// Watching the rest (quickly) completes the lecture as it happens. At
	// 8× in the browser, the pinned clock moves ten times faster than real
	// time while it plays, so that every report finds time enough passed.
	ticking := make(chan struct{})
	ticked := make(chan struct{})
	stopTicking := sync.OnceFunc(func() { close(ticking); <-ticked })
	defer stopTicking()
	go func() {
		defer close(ticked)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ticking:
				return
			case <-t.C:
				a.Clock.Advance(time.Second)
			}
		}
	}()
	sam.do("play to the end", chromedp.Evaluate[chromedp.Void](`(v => { v.muted = true; v.playbackRate = 8; v.play(); })(`+videoJS+`)`))
	sam.waitFor("the video ended", videoJS+`.ended`)
	stopTicking()
	sam.waitText("[data-item-status]", "Completed")
	sam.waitText("[data-player-status]", "Completed")
	rep, err := a.Srv.Courses.Progress(context.Background(), samID, course, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || rep.Items[0].Status != modules.StatusCompleted {
		t.Fatalf("progress after watching: %+v", rep.Items)
	}
}

// TestBrowserAnInstructorUploadsALecture: the files page uploads with the
// script (the API, with progress) and without it (the multipart form), adds
// captions, and makes a lecture item of the upload.
func TestBrowserAnInstructorUploadsALecture(t *testing.T) {
	a := startApp(t)
	ada := a.browser()
	ada.signUp("Ada Lovelace")
	adaID := a.userID(ada.Email)
	title, week := "Statistics", "Week 1"
	c, err := a.Srv.Courses.CreateCourse(context.Background(), adaID, modules.CourseInput{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.Srv.Courses.CreateModule(context.Background(), adaID, c.ID, modules.ModuleInput{Title: &week})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	video, captions := demo.Lecture()
	files := map[string][]byte{"week1.mp4": video, "captions.vtt": []byte(captions), "notes.pdf": []byte("%PDF-1.4\n% notes\n%%EOF\n")}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ada.visit(fmt.Sprintf("/courses/%d", c.ID))
	ada.submit(fmt.Sprintf(".tabs a[href='/courses/%d/media']", c.ID))
	ada.waitText("h1", "Files and lectures")
	ada.do("choose the video", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{filepath.Join(dir, "week1.mp4")}))
	// The script sends the file, then loads the page again.
	ada.submit("form[data-upload] button[type=submit]")
	ada.waitText(".media-item.is-new", "week1.mp4")
	if p := ada.path(); !strings.Contains(p, "?uploaded=") {
		t.Fatalf("the script should have uploaded through the API; the page is %s", p)
	}
	ada.waitText(".media-item.is-new .meta", "0:48")
	list, _, err := a.Srv.Media.List(context.Background(), adaID, c.ID, 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("uploads: %v %v", list, err)
	}
	id := list[0].ID

	// Captions through their form.
	ada.click(fmt.Sprintf("#media-%d details:last-of-type summary", id))
	ada.do("choose the captions", chromedp.SetUploadFiles(chromedp.CSS(fmt.Sprintf("#vtt-%d", id)), []string{filepath.Join(dir, "captions.vtt")}))
	ada.submit(fmt.Sprintf("form[action$='/media/%d/captions'] button[type=submit]", id))
	ada.waitText(".flash", "Captions (en) added")
	ada.waitText(fmt.Sprintf("#media-%d", id), "English (en)")

	// The upload becomes a lecture of the module.
	ada.click(fmt.Sprintf("#media-%d details:first-of-type summary", id))
	ada.fill(fmt.Sprintf("#title-%d", id), "Week 1 lecture")
	ada.submit(fmt.Sprintf("form[action$='/media/%d/items'] button[type=submit]", id))
	ada.waitText(".item h1", "Week 1 lecture")
	ada.waitFor("the player has its caption track", `document.querySelectorAll("[data-player] track[srclang=en]").length === 1`)
	ada.waitText(".transcript", "Today: how to summarise data")
	if got := ada.attr("[data-player] video", "src"); got != fmt.Sprintf("/api/v1/media/%d", id) {
		t.Fatalf("video src %q", got)
	}
	_ = m

	// Without JavaScript the same form posts the file as multipart.
	ada.scripts(false)
	ada.visit(fmt.Sprintf("/courses/%d/media", c.ID))
	ada.do("choose the PDF", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{filepath.Join(dir, "notes.pdf")}))
	ada.submit("form[data-upload] button[type=submit]")
	ada.waitText(".flash", "Uploaded “notes.pdf”")
	ada.waitText(".media-list", "application/pdf")
}
