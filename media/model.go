package media

import (
	"io"
	"math"
	"strconv"
	"time"
)

// Upload purposes. Course files are uploaded by staff and visible to every
// member; a submission file is uploaded by a student for an assignment and
// visible only to them and the course's staff.
const (
	PurposeCourse     = "course"
	PurposeSubmission = "submission"
)

// Media is one upload: a record per upload and course, pointing at a blob
// that identical uploads share. Authorisation always starts from CourseID
// and Purpose, never from the URL.
type Media struct {
	ID          uint64 `json:"id"`
	CourseID    uint64 `json:"course_id"`
	OwnerID     uint64 `json:"owner_id"`
	Purpose     string `json:"purpose"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Filename    string `json:"filename"`
	// Duration is in seconds as the container states it; 0 when unknown.
	Duration  float64   `json:"duration"`
	CreatedAt time.Time `json:"created_at"`
	// AttachedAt is when a submission first used this submission file.
	// From then on it is handed-in work: kept whatever later attempts do,
	// never swept, and not deleted (409).
	AttachedAt *time.Time `json:"attached_at,omitempty"`
}

// HasDuration reports whether the file's duration is known.
func (m Media) HasDuration() bool { return m.Duration > 0 && !math.IsInf(m.Duration, 0) }

// Playable reports whether a lecture can be made of the file.
func (m Media) Playable() bool { return isAV(m.ContentType) }

// URL is where the bytes are served.
func (m Media) URL() string { return "/api/v1/media/" + strconv.FormatUint(m.ID, 10) }

// View is the media as the API shows it. duration_seconds is whole seconds
// (the contract's convention for *_seconds fields), null when unknown.
type View struct {
	ID              uint64    `json:"id"`
	CourseID        uint64    `json:"course_id"`
	Purpose         string    `json:"purpose"`
	ContentType     string    `json:"content_type"`
	Size            int64     `json:"size"`
	SHA256          string    `json:"sha256"`
	DurationSeconds *int64    `json:"duration_seconds"`
	Filename        string    `json:"filename"`
	URL             string    `json:"url"`
	CreatedAt       time.Time `json:"created_at"`
}

// View returns the API form of m.
func (m Media) View() View {
	v := View{ID: m.ID, CourseID: m.CourseID, Purpose: m.Purpose, ContentType: m.ContentType, Size: m.Size,
		SHA256: m.SHA256, Filename: m.Filename, URL: m.URL(), CreatedAt: m.CreatedAt}
	if m.HasDuration() {
		d := int64(math.Round(m.Duration))
		v.DurationSeconds = &d
	}
	return v
}

// Caption is one language's WebVTT file of a media.
type Caption struct {
	MediaID   uint64    `json:"media_id"`
	Lang      string    `json:"lang"`
	Label     string    `json:"label"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	Cues      int       `json:"cues"`
	CreatedAt time.Time `json:"created_at"`
}

// CaptionView is a caption as the API lists it.
type CaptionView struct {
	Lang  string `json:"lang"`
	Label string `json:"label"`
	URL   string `json:"url"`
	Cues  int    `json:"cues"`
}

// View returns the API form of c.
func (c Caption) View() CaptionView {
	return CaptionView{Lang: c.Lang, Label: c.Label, Cues: c.Cues,
		URL: "/api/v1/media/" + strconv.FormatUint(c.MediaID, 10) + "/captions/" + c.Lang}
}

// WatchState is one learner's viewing of one lecture item.
type WatchState struct {
	Spans     [][2]float64 `json:"spans"`
	Position  float64      `json:"position"`
	Completed bool         `json:"completed"`
	UpdatedAt time.Time    `json:"updated_at"`
	// ClockAt is when the learner last opened the item or reported on it:
	// the next span counts only as far as the time since allows
	// (PaceSpan). Zero until the first open or report.
	ClockAt time.Time `json:"clock_at,omitzero"`
}

func (w WatchState) spans() []Span {
	out := make([]Span, len(w.Spans))
	for i, s := range w.Spans {
		out[i] = Span{From: s[0], To: s[1]}
	}
	return out
}

func pairs(spans []Span) [][2]float64 {
	out := make([][2]float64, len(spans))
	for i, s := range spans {
		out[i] = [2]float64{s.From, s.To}
	}
	return out
}

// readerOf reads at most n bytes of a stored file (its recorded size).
func readerOf(f io.Reader, n int64) io.Reader { return io.LimitReader(f, n) }
