package frontend

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/auth"
	"pacer/errs"
)

//go:embed templates
var templateFS embed.FS

// parseTemplates builds one template set per page: the layout and every
// partial, cloned, plus the page's own file, which defines "title" and
// "content" (and may define "head"). A page is named by its path under
// templates/pages without ".html": "courses/home".
func (f *Frontend) parseTemplates() (map[string]*template.Template, error) {
	base := template.New("layout").Funcs(f.funcs())
	base, err := base.ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", "templates/partials/*/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	err = fs.WalkDir(templateFS, "templates/pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if t, err = t.ParseFS(templateFS, p); err != nil {
			return err
		}
		for _, need := range []string{"title", "content"} {
			if t.Lookup(need) == nil {
				return fmt.Errorf("%s does not define %q", p, need)
			}
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")] = t
		return nil
	})
	return pages, err
}

// View is what every page template receives as its dot. Page-specific data
// is in .Data; the rest is filled by render for the layout.
type View struct {
	// User is the signed-in caller, nil when signed out.
	User *auth.Identity
	// CSRF is the token every POST form carries as _csrf (see the
	// "csrf" partial) and scripts send as X-CSRF-Token.
	CSRF string
	// Unread is the signed-in user's unread notification count.
	Unread int
	// Path is the current path, for marking the current nav link.
	Path string
	// Flash is a one-time message from the previous request.
	Flash *Flash
	// Nav is the header's links, with the current one marked.
	Nav []NavLink
	// Course is the course header with its tabs on course pages.
	Course *CourseHeader
	// Zones is whose clock the page writes times on (timefmt.go): use
	// {{at .T $.Zones}} for every instant shown.
	Zones Zones
	Data  any
}

// render answers with a page: the named template executed with data as
// .Data and the common fields filled. The page is rendered into a buffer
// first, so a template error becomes a clean 500 instead of half a page.
func (f *Frontend) render(c *fiber.Ctx, status int, name string, data any) error {
	t, ok := f.pages[name]
	if !ok {
		return errs.Wrap(fmt.Errorf("no page template %q", name), "render")
	}
	v := f.view(c, data)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return errs.Wrap(err, "render "+name)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// Pages show personal data; a shared cache must never keep them.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

func (f *Frontend) view(c *fiber.Ctx, data any) *View {
	v := &View{User: auth.From(c), Path: strings.Clone(c.Path()), Data: data}
	if v.User != nil {
		v.CSRF = f.Auth.CSRFToken(c.UserContext(), v.User)
		if n, err := f.Notify.Unread(c.UserContext(), v.User.UserID); err == nil {
			v.Unread = n
		}
	} else if tok, ok := c.Locals(formTokenKey).(string); ok {
		v.CSRF = tok
	}
	v.Flash = f.takeFlash(c)
	v.Nav = navFor(v)
	v.Course, _ = c.Locals(courseHeaderKey).(*CourseHeader)
	v.Zones = zonesOf(c, v.Course)
	return v
}
