package frontend

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/errs"
	"pacer/media"
	"pacer/modules"
)

// The media pages: the course's files for its staff (upload with progress,
// captions, making a lecture or file item of an upload), and what lecture
// and file items show (the player, with captions, speed, resume, a watched
// bar and a transcript). The player's script is static/player.js, the
// upload's static/upload.js; both only enhance pages that work without
// them.

func (f *Frontend) mountMedia(r fiber.Router) {
	r.Get("/courses/:course/media", f.signedIn, f.mediaPage)
	r.Post("/courses/:course/media", f.signedIn, f.csrf, f.uploadMedia)
	r.Post("/courses/:course/media/:media/captions", f.signedIn, f.csrf, f.uploadCaptions)
	r.Post("/courses/:course/media/:media/items", f.signedIn, f.csrf, f.mediaToItem)
	r.Post("/courses/:course/media/:media/delete", f.signedIn, f.csrf, f.deleteMedia)
}

// mediaLibrary is the dot's Data of the files page.
type mediaLibrary struct {
	Course  modules.Course
	Files   []mediaRow
	Modules []modules.Module
	// Module preselects the module new items go to (?module=).
	Module   uint64
	Form     *Form
	MaxBytes int64
	MaxLabel string
	Accept   string
	// Uploaded is the file upload.js has just sent (?uploaded=), shown
	// marked.
	Uploaded uint64
}

type mediaRow struct {
	media.View
	Captions []media.CaptionView
	Playable bool
	// Size and Duration are for people (1.4 MB, 3:05).
	Size, Duration string
}

// acceptTypes is the file picker's filter: the upload allow-list.
const acceptTypes = "video/mp4,video/webm,audio/mpeg,audio/mp4,audio/ogg,audio/wav,application/pdf,image/png,image/jpeg,.mp4,.webm,.mp3,.m4a,.ogg,.wav,.pdf,.png,.jpg,.jpeg"

func (f *Frontend) renderMediaPage(c *fiber.Ctx, status int, a modules.Access, form *Form) error {
	ms, _, err := f.Media.List(c.UserContext(), caller(c), a.Course.ID, 0, 200)
	if err != nil {
		return err
	}
	rows := make([]mediaRow, 0, len(ms))
	// Newest first: what was just uploaded is what the instructor wants.
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		caps, err := f.Media.Captions(c.UserContext(), caller(c), m.ID)
		if err != nil {
			return err
		}
		row := mediaRow{View: m.View(), Playable: m.Playable(), Size: byteSize(m.Size)}
		row.Duration = durationLabel(row.View)
		for _, cp := range caps {
			row.Captions = append(row.Captions, cp.View())
		}
		rows = append(rows, row)
	}
	var mods []modules.Module
	views, err := f.Courses.ListModules(c.UserContext(), caller(c), a.Course.ID)
	if err != nil {
		return err
	}
	for _, v := range views {
		mods = append(mods, v.Module)
	}
	module, _ := api.ParseID(c.Query("module"))
	uploaded, _ := api.ParseID(c.Query("uploaded"))
	if form == nil {
		form = NewForm(nil)
	}
	return f.render(c, status, "media/library", mediaLibrary{Course: a.Course, Files: rows, Modules: mods,
		Module: module, Form: form, MaxBytes: f.Media.MaxUploadBytes(c.UserContext()), MaxLabel: byteSize(f.Media.MaxUploadBytes(c.UserContext())),
		Accept: acceptTypes, Uploaded: uploaded})
}

func (f *Frontend) mediaPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "media")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	return f.renderMediaPage(c, fiber.StatusOK, a, nil)
}

// uploadMedia is the upload form without JavaScript (multipart). With
// JavaScript, upload.js sends the file itself to the API instead, as the
// request body, and shows its progress.
func (f *Frontend) uploadMedia(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "media")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	form := &Form{Values: mustForm(c), Errors: map[string]string{}}
	fh, err := formFile(c, "file")
	if err != nil {
		form.Errors["file"] = "Choose a file to upload."
		return f.renderMediaPage(c, fiber.StatusBadRequest, a, form)
	}
	if fh.Size > f.Media.MaxUploadBytes(c.UserContext()) {
		form.Errors["file"] = fmt.Sprintf("The file is %s; the largest upload is %s.", byteSize(fh.Size), byteSize(f.Media.MaxUploadBytes(c.UserContext())))
		return f.renderMediaPage(c, fiber.StatusRequestEntityTooLarge, a, form)
	}
	src, err := fh.Open()
	if err != nil {
		return errs.Wrap(err, "open uploaded form file")
	}
	defer src.Close()
	m, err := f.Media.Upload(c.UserContext(), caller(c), media.UploadInput{CourseID: a.Course.ID, Filename: fh.Filename,
		ContentType: fh.Header.Get(fiber.HeaderContentType), Length: fh.Size}, src)
	if err != nil {
		if status, msg, ok := uploadProblem(err); ok {
			form.Errors["file"] = msg
			return f.renderMediaPage(c, status, a, form)
		}
		return err
	}
	f.flash(c, "success", "Uploaded “"+m.Filename+"”.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/media#media-%d", a.Course.ID, m.ID))
}

// uploadProblem turns the errors a person can fix by choosing another file
// into a status and a message for the form.
func uploadProblem(err error) (int, string, bool) {
	var e *errs.Error
	if !errors.As(err, &e) {
		return 0, "", false
	}
	switch e.Kind {
	case errs.TooLarge:
		return fiber.StatusRequestEntityTooLarge, sentence(e.Message), true
	case errs.Unsupported:
		return fiber.StatusUnsupportedMediaType, sentence(e.Message), true
	case errs.Invalid:
		return fiber.StatusBadRequest, sentence(e.Message), true
	}
	return 0, "", false
}

func mustForm(c *fiber.Ctx) url.Values {
	v, _ := readForm(c)
	return v
}

func (f *Frontend) uploadCaptions(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "media")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	// The media must be this course's before the form is even looked at,
	// so another course's file is 404 here as everywhere.
	if m, err := f.Media.Get(c.UserContext(), caller(c), mid); err != nil {
		return err
	} else if m.CourseID != a.Course.ID {
		return errs.NotFoundf("media")
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	fh, err := formFile(c, "vtt")
	if err != nil {
		form.Error = "Choose a WebVTT (.vtt) captions file."
		return f.renderMediaPage(c, fiber.StatusBadRequest, a, form)
	}
	if fh.Size > media.MaxCaptionBytes {
		form.Error = "A captions file may be at most 1 MiB."
		return f.renderMediaPage(c, fiber.StatusRequestEntityTooLarge, a, form)
	}
	src, err := fh.Open()
	if err != nil {
		return errs.Wrap(err, "open captions form file")
	}
	defer src.Close()
	raw, err := io.ReadAll(io.LimitReader(src, media.MaxCaptionBytes+1))
	if err != nil {
		return errs.Wrap(err, "read captions form file")
	}
	lang := strings.TrimSpace(v.Get("lang"))
	if _, err := f.Media.AddCaptions(c.UserContext(), caller(c), mid, media.CaptionInput{Lang: lang, Label: v.Get("label")}, raw); err != nil {
		if status, msg, ok := uploadProblem(err); ok {
			form.Error = "Captions were not added: " + strings.TrimSuffix(msg, ".") + "."
			return f.renderMediaPage(c, status, a, form)
		}
		if form.fail(err, nil) {
			return f.renderMediaPage(c, errStatus(err), a, form)
		}
		return err
	}
	f.flash(c, "success", "Captions ("+lang+") added.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/media#media-%d", a.Course.ID, mid))
}

// deleteMedia is the files page's delete button (staff). A file an item
// shows or a submission used stays, and the page says why.
func (f *Frontend) deleteMedia(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "media")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	// Another course's file is 404 here as everywhere.
	m, err := f.Media.Get(c.UserContext(), caller(c), mid)
	if err != nil {
		return err
	}
	if m.CourseID != a.Course.ID {
		return errs.NotFoundf("media")
	}
	if err := f.Media.Delete(c.UserContext(), caller(c), mid); err != nil {
		if form := NewForm(nil); form.fail(err, nil) {
			form.Error = "“" + m.Filename + "” was not deleted. " + form.Error
			return f.renderMediaPage(c, errStatus(err), a, form)
		}
		return err
	}
	f.flash(c, "success", "Deleted “"+m.Filename+"”.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/media", a.Course.ID))
}

// mediaToItem makes a lecture or file item of an upload in a module.
func (f *Frontend) mediaToItem(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "media")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	module, err := api.ParseID(v.Get("module"))
	if err != nil {
		form.Error = "Choose the module the item goes in."
		return f.renderMediaPage(c, fiber.StatusBadRequest, a, form)
	}
	kind := v.Get("kind")
	if kind != modules.KindLecture && kind != modules.KindFile {
		kind = modules.KindFile
	}
	title := strings.TrimSpace(v.Get("title"))
	if title == "" {
		if m, err := f.Media.Get(c.UserContext(), caller(c), mid); err == nil {
			title = strings.TrimSuffix(m.Filename, pathExt(m.Filename))
		}
	}
	it, err := f.Courses.CreateItem(c.UserContext(), caller(c), a.Course.ID, module, modules.ItemInput{Kind: &kind, Title: &title, MediaID: &mid})
	if err != nil {
		if form.fail(err, nil) {
			return f.renderMediaPage(c, errStatus(err), a, form)
		}
		return err
	}
	f.flash(c, "success", kindLabel(kind)+" “"+it.Title+"” added.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/items/%d", a.Course.ID, it.ID))
}

func pathExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// byteSize is a size for people: 1.4 MB, 820 kB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// clock is a media time as m:ss or h:mm:ss.
func clock(sec float64) string {
	s := int(math.Max(0, sec))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// lecturePage is ItemPage.Extra of a lecture item.
type lecturePage struct {
	media.Lecture
	// ResumeAt is where the player starts: the stored position, unless the
	// learner had reached the end (then the start).
	ResumeAt int64
	// Bar is the watched spans as rectangles on a 0..1000 scale.
	Bar        []barRect
	WatchedPct int
	Transcript []transcriptLine
	// TranscriptLang is the language the transcript is in.
	TranscriptLang string
	WatchURL       string
	Speeds         []string
	// ResumeClock and DurationClock are ResumeAt and the duration as m:ss.
	ResumeClock, DurationClock string
}

type barRect struct{ X, W float64 }

type transcriptLine struct {
	Start, End float64
	Clock      string
	Text       string
}

func watchedBar(spans [][2]float64, duration float64) []barRect {
	var out []barRect
	if duration <= 0 {
		return out
	}
	for _, s := range spans {
		out = append(out, barRect{X: math.Round(s[0]/duration*10000) / 10, W: math.Round((s[1]-s[0])/duration*10000) / 10})
	}
	return out
}

// loadLecture is the lecture kind's ItemKind.Load.
func (f *Frontend) loadLecture(c *fiber.Ctx, p *ItemPage) error {
	l, err := f.Media.Lecture(c.UserContext(), caller(c), p.Course.ID, p.Item.ID)
	if err != nil {
		return err
	}
	lp := lecturePage{Lecture: l, Bar: watchedBar(l.Spans, l.Duration), WatchedPct: int(math.Floor(l.WatchedRatio * 100)),
		Speeds: []string{"0.75", "1", "1.25", "1.5", "1.75", "2"}}
	if float64(l.ResumeSeconds) < l.Duration-2 {
		lp.ResumeAt = l.ResumeSeconds
	}
	lp.ResumeClock, lp.DurationClock = clock(float64(lp.ResumeAt)), clock(l.Duration)
	if p.Student {
		lp.WatchURL = fmt.Sprintf("/api/v1/courses/%d/items/%d/watch", p.Course.ID, p.Item.ID)
	}
	if len(l.Captions) > 0 {
		lp.TranscriptLang = l.Captions[0].Label
		cues, err := f.Media.Transcript(c.UserContext(), caller(c), l.Media.ID, l.Captions[0].Lang)
		if err != nil {
			return err
		}
		for _, cue := range cues {
			lp.Transcript = append(lp.Transcript, transcriptLine{Start: cue.Start.Seconds(), End: cue.End.Seconds(),
				Clock: clock(cue.Start.Seconds()), Text: cue.Text})
		}
	}
	p.Extra = lp
	return nil
}

// filePage is ItemPage.Extra of a file item.
type filePage struct {
	Media media.View
	Size  string
	Image bool
	AV    bool
}

// loadFile is the file kind's ItemKind.Load.
func (f *Frontend) loadFile(c *fiber.Ctx, p *ItemPage) error {
	l, err := f.Media.Lecture(c.UserContext(), caller(c), p.Course.ID, p.Item.ID)
	if err != nil {
		return err
	}
	ct := l.Media.ContentType
	p.Extra = filePage{Media: l.Media, Size: byteSize(l.Media.Size), Image: strings.HasPrefix(ct, "image/"),
		AV: strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "audio/")}
	return nil
}

// durationLabel is a media's duration for the files table.
func durationLabel(v media.View) string {
	if v.DurationSeconds == nil {
		return ""
	}
	return clock(float64(*v.DurationSeconds))
}
