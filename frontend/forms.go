package frontend

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
	"pacer/media"
	"pacer/modules"
)

// maxFormBytes bounds a urlencoded form body (a page's Markdown body is at
// most 100 kB; escaping can triple it), and the text of a multipart one.
const maxFormBytes = 1 << 20

// maxTokenBytes bounds a _csrf field read before its form is (a token is 43
// bytes).
const maxTokenBytes = 256

const (
	formKey      = "pacer.form"
	formFilesKey = "pacer.formFiles"
)

// errFormTooLarge ends a multipart body that runs past its form's limit.
var errFormTooLarge = errs.E(errs.TooLarge, "the form is too large")

// uploadForm tells, for the route of a multipart form that carries a file
// (course files, captions, submitted work), who may send one and the
// largest file it takes; ok is false for every other form. The handlers
// check the caller again and bound the files themselves.
func (f *Frontend) uploadForm(ctx context.Context, route string) (may func(modules.Access) error, maxFile int64, ok bool) {
	var maxUpload int64
	if f.Media != nil {
		maxUpload = f.Media.MaxUploadBytes(ctx)
	}
	switch route {
	case "/courses/:course/media":
		return modules.Access.RequireStaff, maxUpload, true
	case "/courses/:course/media/:media/captions":
		return modules.Access.RequireStaff, media.MaxCaptionBytes, true
	case "/courses/:course/items/:item/submit":
		return modules.Access.RequireStudent, maxUpload, true
	}
	return nil, 0, false
}

// formLimit is the largest body the route's form may have: a file of its
// largest size plus the text of an ordinary form.
func (f *Frontend) formLimit(c *fiber.Ctx) int64 {
	if _, maxFile, ok := f.uploadForm(c.UserContext(), c.Route().Path); ok {
		return maxFormBytes + maxFile
	}
	return maxFormBytes
}

// readForm returns the form that the route's CSRF check has read (see
// readCheckedForm). The values are fresh strings, so they may outlive the
// request (Fiber reuses its buffers).
func readForm(c *fiber.Ctx) (url.Values, error) {
	if v, ok := c.Locals(formKey).(url.Values); ok {
		return v, nil
	}
	return readCheckedForm(c, maxFormBytes, nil)
}

// readCheckedForm reads a urlencoded or multipart form of at most limit
// bytes, and hands its _csrf token to check (when not nil), refusing the form
// with errBadCSRF unless check approves it.
//
// Security fix: a multipart form used to be read whole, its files spooled
// to disk, before its token was looked at, so a page on another site could
// make a signed-in browser fill the server's temporary directory. Pacer's
// own forms send _csrf as their first field (browsers send fields in page
// order), so here the token is read and checked first, and nothing after it
// is read unless it is right. The rest is read through the limit; files
// over maxFormBytes spill to the temporary directory, which the CSRF check
// empties when the request is done (removeFormFiles).
func readCheckedForm(c *fiber.Ctx, limit int64, check func(token string) bool) (url.Values, error) {
	if v, ok := c.Locals(formKey).(url.Values); ok {
		if check != nil && !check(v.Get("_csrf")) {
			return nil, errBadCSRF
		}
		return v, nil
	}
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil {
		// A sloppy type ("…; charset") still names its media type.
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	}
	switch mt {
	case fiber.MIMEMultipartForm:
		return readMultipart(c, params["boundary"], limit, check)
	case fiber.MIMEApplicationForm:
	default:
		return nil, errs.E(errs.Unsupported, "forms must be sent as application/x-www-form-urlencoded")
	}
	var raw []byte
	if c.Request().IsBodyStream() {
		b, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), maxFormBytes+1))
		if err != nil {
			return nil, errs.BadRequest("could not read the form")
		}
		raw = b
	} else {
		raw = []byte(string(c.Body()))
	}
	if len(raw) > maxFormBytes {
		return nil, errs.E(errs.TooLarge, "the form is too large")
	}
	v, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, errs.BadRequest("malformed form")
	}
	c.Locals(formKey, v)
	if check != nil && !check(v.Get("_csrf")) {
		return nil, errBadCSRF
	}
	return v, nil
}

func readMultipart(c *fiber.Ctx, boundary string, limit int64, check func(token string) bool) (url.Values, error) {
	// Browsers always state the length of a form post; a body of unknown
	// length is refused rather than read without a bound, and one over the
	// limit before a byte of it is read.
	n := c.Request().Header.ContentLength()
	if n < 0 {
		return nil, errs.BadRequest("a form upload needs a Content-Length")
	}
	if int64(n) > limit {
		c.Context().Response.SetConnectionClose()
		return nil, errFormTooLarge
	}
	if boundary == "" {
		return nil, errs.BadRequest("malformed form")
	}
	var body io.Reader
	if c.Request().IsBodyStream() {
		body = c.Context().RequestBodyStream()
	} else {
		body = bytes.NewReader(c.Body())
	}
	mr := multipart.NewReader(&boundedReader{r: body, left: limit}, boundary)
	v := url.Values{}
	if check != nil {
		p, err := mr.NextPart()
		if err != nil || p.FormName() != "_csrf" || p.FileName() != "" {
			return nil, errBadCSRF
		}
		tok, err := io.ReadAll(io.LimitReader(p, maxTokenBytes+1))
		if err != nil || len(tok) > maxTokenBytes || !check(string(tok)) {
			return nil, errBadCSRF
		}
		v.Set("_csrf", string(tok))
	}
	mf, err := mr.ReadForm(maxFormBytes)
	if err != nil {
		if errors.Is(err, errFormTooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
			c.Context().Response.SetConnectionClose()
			return nil, errFormTooLarge
		}
		return nil, errs.BadRequest("malformed form")
	}
	// ReadForm's strings are its own, not Fiber's reused buffers.
	for k, vs := range mf.Value {
		for _, x := range vs {
			v.Add(k, x)
		}
	}
	c.Locals(formKey, v)
	if check == nil {
		// Only the CSRF-checked upload forms take files (and remove
		// them after their handler); the one-click unsubscribe does not.
		_ = mf.RemoveAll()
		return v, nil
	}
	c.Locals(formFilesKey, mf)
	return v, nil
}

// boundedReader reads at most left bytes and then fails with
// errFormTooLarge: a second line behind the Content-Length check.
type boundedReader struct {
	r    io.Reader
	left int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errFormTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// formFile is a file of the multipart form read by the CSRF check.
func formFile(c *fiber.Ctx, name string) (*multipart.FileHeader, error) {
	mf, _ := c.Locals(formFilesKey).(*multipart.Form)
	if mf == nil || len(mf.File[name]) == 0 {
		return nil, errs.BadRequest("no file " + name)
	}
	return mf.File[name][0], nil
}

// removeFormFiles deletes the temporary files of the request's multipart
// form, once its handler is done with them.
func removeFormFiles(c *fiber.Ctx) {
	if mf, _ := c.Locals(formFilesKey).(*multipart.Form); mf != nil {
		_ = mf.RemoveAll()
	}
}

// Form is a form's submitted values and the errors to show beside them, for
// re-rendering after a failed submit. The zero Form is an empty form.
type Form struct {
	Values url.Values
	// Errors maps a field name to a message shown under it.
	Errors map[string]string
	// Error is a message for the whole form, shown above it.
	Error string
}

// NewForm starts a form with initial values.
func NewForm(values map[string]string) *Form {
	f := &Form{Values: url.Values{}}
	for k, v := range values {
		f.Values.Set(k, v)
	}
	return f
}

// Get is a field's value.
func (f *Form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Checked reports whether a checkbox is on (or a multi-value field holds v).
func (f *Form) Checked(name string, v ...string) bool {
	if f == nil {
		return false
	}
	if len(v) == 0 {
		x := f.Values.Get(name)
		return x != "" && x != "0" && x != "false"
	}
	for _, x := range f.Values[name] {
		if x == v[0] {
			return true
		}
	}
	return false
}

// Is reports whether a radio or select field has value v.
func (f *Form) Is(name, v string) bool { return f.Get(name) == v }

// Err is the message for a field, "" when it is fine.
func (f *Form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// HasErrors reports whether anything is wrong with the form.
func (f *Form) HasErrors() bool { return f != nil && (len(f.Errors) > 0 || f.Error != "") }

// fail records a service error on the form when a person can fix it by
// changing the input (400, 409, and 401 for a wrong password), and reports
// whether it did. Other errors go to the error page. rename maps the
// service's field names to the form's where they differ.
func (f *Form) fail(err error, rename map[string]string) bool {
	var e *errs.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Kind {
	case errs.Invalid, errs.Conflict, errs.Unauthenticated:
	default:
		return false
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	for k, v := range e.Fields {
		if r, ok := rename[k]; ok {
			k = r
		}
		f.Errors[k] = sentence(v)
	}
	if len(e.Fields) == 0 {
		f.Error = sentence(e.Message)
	} else if f.Error == "" {
		f.Error = "Please correct the marked fields."
	}
	return true
}

// fieldWords names in words the API fields that service reasons mention
// ("must not be before opens_at"), since a page's reader never sees the
// field names.
var fieldWords = strings.NewReplacer(
	"opens_at", "the opening time",
	"due_at", "the due time",
	"starts_at", "the start date",
	"ends_at", "the end date",
	"expires_at", "the expiry time",
)

// sentence capitalises a service reason ("must be at least 8 characters"),
// puts the fields it names in words and ends it with a full stop.
func sentence(s string) string {
	s = fieldWords.Replace(strings.TrimSpace(s))
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// optString is a pointer to the field's value, for service inputs where nil
// means "unchanged".
func optString(v url.Values, name string) *string {
	if _, ok := v[name]; !ok {
		return nil
	}
	s := v.Get(name)
	return &s
}

func boolPtr(b bool) *bool { return &b }

// checkbox reads a checkbox: present and not "0" means on.
func checkbox(v url.Values, name string) bool {
	x := v.Get(name)
	return x != "" && x != "0" && x != "false"
}

// formInt parses an optional integer field; ok is false when it is present
// but not a number.
func formInt(v url.Values, name string) (n int64, set, ok bool) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, true, err == nil
}

// formFloat parses an optional decimal field.
func formFloat(v url.Values, name string) (x float64, set, ok bool) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, false, true
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, true, err == nil
}
