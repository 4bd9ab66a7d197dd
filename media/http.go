package media

import (
	"bytes"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
)

// HTTP serves the media routes.
type HTTP struct {
	svc *Service
	// idle is how long an upload may go without a byte before it is cut
	// off; the server's ReadTimeout would otherwise end every upload that
	// takes longer than it in total.
	idle time.Duration
}

// NewHTTP wraps the service (Config.Uploads limits uploads per user).
func NewHTTP(s *Service) *HTTP {
	return &HTTP{svc: s, idle: time.Minute}
}

// Mount adds the routes under /api/v1.
func (h *HTTP) Mount(r fiber.Router) {
	r.Post("/courses/:course/media", h.upload)
	r.Get("/courses/:course/media", h.list)
	r.Get("/media/:media", h.get)
	r.Delete("/media/:media", h.delete)
	r.Get("/media/:media/captions", h.captions)
	r.Post("/media/:media/captions", h.addCaptions)
	r.Get("/media/:media/captions/:lang", h.caption)
	r.Delete("/media/:media/captions/:lang", h.deleteCaption)
	r.Post("/courses/:course/items/:item/watch", h.watch)
	r.Get("/courses/:course/items/:item/lecture", h.lecture)
}

// upload streams the request body into the store. A body larger than the
// server's BodyLimit arrives as a stream (StreamRequestBody), which is read
// here through the upload limit and never buffered whole.
func (h *HTTP) upload(c *fiber.Ctx) error {
	body := h.body(c)
	err := h.doUpload(c, body)
	if err != nil && !body.done() {
		// The rest of the body is still on its way. fasthttp would read it
		// as the next request, so the connection ends with this answer.
		c.Context().Response.SetConnectionClose()
	}
	return err
}

func (h *HTTP) doUpload(c *fiber.Ctx, body *bodyReader) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	in := UploadInput{
		CourseID:    course,
		Purpose:     strings.Clone(c.Query("purpose")),
		Filename:    strings.Clone(c.Query("filename")),
		ContentType: string(c.Request().Header.ContentType()),
		Length:      int64(c.Request().Header.ContentLength()),
	}
	if in.Length < 0 {
		in.Length = -1
	}
	m, err := h.svc.Upload(c.UserContext(), id.UserID, in, body)
	if err != nil {
		return err
	}
	return api.Created(c, m.View())
}

// bodyReader reads a request body, streamed or not, and keeps extending the
// connection's read deadline while bytes arrive.
type bodyReader struct {
	r        io.Reader
	conn     net.Conn
	idle     time.Duration
	extended time.Time
	eof      bool
}

func (h *HTTP) body(c *fiber.Ctx) *bodyReader {
	if !c.Request().IsBodyStream() {
		return &bodyReader{r: bytes.NewReader(c.Body())}
	}
	return &bodyReader{r: c.Context().RequestBodyStream(), conn: c.Context().Conn(), idle: h.idle}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.conn != nil {
		// Network deadlines are wall-clock time, not the service's clock.
		if now := time.Now(); now.Sub(b.extended) > time.Second {
			_ = b.conn.SetReadDeadline(now.Add(b.idle))
			b.extended = now
		}
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// done reports whether the whole body has been read (or was never a
// stream).
func (b *bodyReader) done() bool { return b.eof || b.conn == nil }

func (h *HTTP) list(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	p, err := api.ParsePage(c)
	if err != nil {
		return err
	}
	after, err := p.CursorID()
	if err != nil {
		return err
	}
	ms, more, err := h.svc.List(c.UserContext(), id.UserID, course, after, p.Limit)
	if err != nil {
		return err
	}
	out := api.List[View]{Items: make([]View, 0, len(ms))}
	for _, m := range ms {
		out.Items = append(out.Items, m.View())
	}
	if more && len(ms) > 0 {
		out.NextCursor = api.FormatID(ms[len(ms)-1].ID)
	}
	return c.JSON(out)
}

// get serves a media's bytes to whoever may read it; ?download=1 asks the
// browser to save rather than show it.
func (h *HTTP) get(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	m, f, err := h.svc.Open(c.UserContext(), id.UserID, mid)
	if err != nil {
		return err
	}
	return serveFile(c, f, fileMeta{Size: m.Size, ETag: `"` + m.SHA256 + `"`, ModTime: m.CreatedAt,
		ContentType: m.ContentType, Filename: m.Filename, Attachment: c.Query("download") == "1"})
}

// delete removes a media (staff, or the uploader of an unattached
// submission file): 204, or 409 while an item or a submission uses it.
func (h *HTTP) delete(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.UserContext(), id.UserID, mid); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) captions(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	cs, err := h.svc.Captions(c.UserContext(), id.UserID, mid)
	if err != nil {
		return err
	}
	out := make([]CaptionView, 0, len(cs))
	for _, x := range cs {
		out = append(out, x.View())
	}
	return c.JSON(api.Items(out))
}

func (h *HTTP) addCaptions(c *fiber.Ctx) error {
	body := h.body(c)
	err := h.doAddCaptions(c, body)
	if err != nil && !body.done() {
		c.Context().Response.SetConnectionClose()
	}
	return err
}

func (h *HTTP) doAddCaptions(c *fiber.Ctx, body *bodyReader) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	if cl := c.Request().Header.ContentLength(); cl > MaxCaptionBytes {
		return errs.E(errs.TooLarge, "a captions file may be at most 1 MiB")
	}
	raw, err := io.ReadAll(io.LimitReader(body, MaxCaptionBytes+1))
	if err != nil {
		return errs.BadRequest("could not read the captions file")
	}
	if len(raw) > MaxCaptionBytes {
		return errs.E(errs.TooLarge, "a captions file may be at most 1 MiB")
	}
	cp, err := h.svc.AddCaptions(c.UserContext(), id.UserID, mid, CaptionInput{Lang: strings.Clone(c.Query("lang")), Label: strings.Clone(c.Query("label"))}, raw)
	if err != nil {
		return err
	}
	return api.Created(c, cp.View())
}

func (h *HTTP) caption(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	lang := c.Params("lang")
	if !validLang(lang) {
		return errs.NotFoundf("captions")
	}
	cp, f, err := h.svc.OpenCaption(c.UserContext(), id.UserID, mid, lang)
	if err != nil {
		return err
	}
	return serveFile(c, f, fileMeta{Size: cp.Size, ETag: `"` + cp.SHA256 + `"`, ModTime: cp.CreatedAt,
		ContentType: "text/vtt; charset=utf-8", Filename: "captions-" + cp.Lang + ".vtt"})
}

func (h *HTTP) deleteCaption(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	mid, err := api.ParamID(c, "media")
	if err != nil {
		return err
	}
	lang := c.Params("lang")
	if !validLang(lang) {
		return errs.NotFoundf("captions")
	}
	if err := h.svc.DeleteCaption(c.UserContext(), id.UserID, mid, lang); err != nil {
		return err
	}
	return api.NoContent(c)
}

func (h *HTTP) watch(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	item, err := api.ParamID(c, "item")
	if err != nil {
		return err
	}
	var in WatchInput
	if err := api.Decode(c, &in); err != nil {
		return err
	}
	res, err := h.svc.Watch(c.UserContext(), id.UserID, course, item, in)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (h *HTTP) lecture(c *fiber.Ctx) error {
	id, err := auth.Caller(c)
	if err != nil {
		return err
	}
	course, err := api.ParamID(c, "course")
	if err != nil {
		return err
	}
	item, err := api.ParamID(c, "item")
	if err != nil {
		return err
	}
	l, err := h.svc.OpenLecture(c.UserContext(), id.UserID, course, item)
	if err != nil {
		return err
	}
	return c.JSON(l)
}
