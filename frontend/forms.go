package frontend

import (
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pacer/errs"
	"pacer/modules"
)

// maxFormBytes bounds a urlencoded form body (a page's Markdown body is at
// most 100 kB; escaping can triple it).
const maxFormBytes = 1 << 20

const formKey = "pacer.form"

// uploadForms are the routes whose multipart forms carry files (course
// files, captions, submitted work) and so may be larger than maxFormBytes,
// with who may send one: the handlers check again and bound the files.
var uploadForms = map[string]func(modules.Access) error{
	"/courses/:course/media":                 modules.Access.RequireStaff,
	"/courses/:course/media/:media/captions": modules.Access.RequireStaff,
	"/courses/:course/items/:item/submit":    modules.Access.RequireStudent,
}

// readForm reads a urlencoded body through a limit. The values are fresh
// strings, so they may outlive the request (Fiber reuses its buffers).
func readForm(c *fiber.Ctx) (url.Values, error) {
	if v, ok := c.Locals(formKey).(url.Values); ok {
		return v, nil
	}
	ctype := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ctype == fiber.MIMEMultipartForm {
		// Upload forms are parsed here, on demand (files spill to disk);
		// only the text fields are returned. Browsers always state the
		// length of a form post; a body of unknown length is refused
		// rather than parsed without a bound.
		if c.Request().Header.ContentLength() < 0 {
			return nil, errs.BadRequest("a form upload needs a Content-Length")
		}
		// Security fix: every other form's multipart body used to be read
		// whole (16 MB in memory, the rest on disk) before its CSRF token
		// was looked at, on /signin and /signup by anyone at all. Only the
		// upload forms take more than maxFormBytes.
		if c.Request().Header.ContentLength() > maxFormBytes && uploadForms[c.Route().Path] == nil {
			c.Context().Response.SetConnectionClose()
			return nil, errs.E(errs.TooLarge, "the form is too large")
		}
		mf, err := c.MultipartForm()
		if err != nil {
			return nil, errs.BadRequest("malformed form")
		}
		v := url.Values{}
		for k, vs := range mf.Value {
			for _, x := range vs {
				v.Add(strings.Clone(k), strings.Clone(x))
			}
		}
		c.Locals(formKey, v)
		return v, nil
	}
	if ctype != fiber.MIMEApplicationForm {
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
	return v, nil
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

// sentence capitalises a service reason ("must be at least 8 characters")
// and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
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
