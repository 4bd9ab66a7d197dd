package frontend

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/audit"
	"pacer/auth"
	"pacer/errs"
	"pacer/jobs"
	"pacer/notify"
)

// The administrators' console: pages over the admin API's features
// (accounts, site settings, the audit log, scheduler jobs, the mail
// outbox). Every route answers like the admin API: sign-in first, then 403
// to anyone who is not an administrator, then the CSRF check of forms.
func (f *Frontend) mountAdmin(r fiber.Router) {
	g := r.Group("/admin", f.signedIn, adminOnly)
	g.Get("", f.adminHome)
	g.Get("/users", f.adminUsers)
	g.Post("/users/:user", f.csrf, f.adminUpdateUser)
	g.Get("/settings", f.adminSettings)
	g.Post("/settings", f.csrf, f.adminSaveSettings)
	g.Get("/audit", f.adminAudit)
	g.Get("/jobs", f.adminJobs)
	g.Post("/jobs/:job/run", f.csrf, f.adminRunJob)
	g.Get("/outbox", f.adminOutbox)
}

// adminOnly is auth.Admin for pages: 403, as the admin API answers.
func adminOnly(c *fiber.Ctx) error {
	if id := auth.From(c); id == nil || !id.IsAdmin {
		return errs.Forbid("administrators only")
	}
	return c.Next()
}

// adminTabs are the console's sections, shown on each of its pages.
var adminTabs = []struct{ Key, Label, Href string }{
	{"users", "Users", "/admin/users"},
	{"settings", "Site settings", "/admin/settings"},
	{"audit", "Audit log", "/admin/audit"},
	{"jobs", "Jobs", "/admin/jobs"},
	{"outbox", "Mail outbox", "/admin/outbox"},
}

// adminPage is what every console page has: its tabs, then its own data.
type adminPage struct {
	Tabs []NavLink
	Data any
}

func (f *Frontend) renderAdmin(c *fiber.Ctx, tab, name string, data any) error {
	return f.renderAdminStatus(c, fiber.StatusOK, tab, name, data)
}

func (f *Frontend) renderAdminStatus(c *fiber.Ctx, status int, tab, name string, data any) error {
	p := adminPage{Data: data}
	for _, t := range adminTabs {
		p.Tabs = append(p.Tabs, NavLink{Label: t.Label, Href: t.Href, Current: t.Key == tab})
	}
	return f.render(c, status, "admin/"+name, p)
}

func (f *Frontend) adminHome(c *fiber.Ctx) error {
	return f.renderAdmin(c, "", "home", nil)
}

type adminUsersPage struct {
	Query string
	Users []auth.AdminUser
	Me    uint64
	// Restricted says course_creation is "creators", when grants matter.
	Restricted bool
	Total      int
}

// maxAdminUsers bounds one page of the users list; a search narrows it.
const maxAdminUsers = 200

func (f *Frontend) adminUsers(c *fiber.Ctx) error {
	all, err := f.Auth.Users(c.UserContext())
	if err != nil {
		return err
	}
	st, err := f.Auth.SiteSettings(c.UserContext())
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.Query("q"))
	p := adminUsersPage{Query: q, Me: caller(c), Restricted: st.CourseCreation == auth.CreationCreators}
	needle := strings.ToLower(q)
	for _, u := range all {
		if needle != "" && !strings.Contains(strings.ToLower(u.Name), needle) && !strings.Contains(strings.ToLower(u.Email), needle) {
			continue
		}
		p.Total++
		if len(p.Users) < maxAdminUsers {
			p.Users = append(p.Users, u)
		}
	}
	return f.renderAdmin(c, "users", "users", p)
}

// adminUpdateUser applies one change from the users page: disabled or
// can_create_courses, "1" or "0".
func (f *Frontend) adminUpdateUser(c *fiber.Ctx) error {
	id, err := api.ParamID(c, "user")
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	var in auth.AdminUpdate
	if s := v.Get("disabled"); s != "" {
		in.Disabled = boolPtr(s == "1")
	}
	if s := v.Get("can_create_courses"); s != "" {
		in.CanCreateCourses = boolPtr(s == "1")
	}
	back := "/admin/users"
	if q := strings.TrimSpace(v.Get("q")); q != "" {
		back += "?q=" + url.QueryEscape(q)
	}
	u, err := f.Auth.AdminUpdate(c.UserContext(), caller(c), id, in, api.ClientIP(c))
	var e *errs.Error
	switch {
	case errors.As(err, &e) && (e.Kind == errs.Conflict || e.Kind == errs.Invalid):
		f.flash(c, "error", sentence(e.Message))
		return f.redirect(c, back)
	case err != nil:
		return err
	}
	msg := u.Name + "’s account is saved."
	switch {
	case in.Disabled != nil && *in.Disabled:
		msg = u.Name + "’s account is disabled and signed out everywhere."
	case in.Disabled != nil:
		msg = u.Name + " can sign in again."
	case in.CanCreateCourses != nil && *in.CanCreateCourses:
		msg = u.Name + " may now create courses."
	case in.CanCreateCourses != nil:
		msg = u.Name + " may no longer create courses (unless anyone may)."
	}
	f.flash(c, "success", msg)
	return f.redirect(c, back)
}

type adminSettingsPage struct{ Form *Form }

func (f *Frontend) adminSettings(c *fiber.Ctx) error {
	st, err := f.Auth.SiteSettings(c.UserContext())
	if err != nil {
		return err
	}
	return f.renderAdmin(c, "settings", "settings", adminSettingsPage{Form: NewForm(map[string]string{"course_creation": st.CourseCreation})})
}

func (f *Frontend) adminSaveSettings(c *fiber.Ctx) error {
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	_, err := f.Auth.UpdateSiteSettings(c.UserContext(), caller(c), auth.SettingsInput{CourseCreation: optString(v, "course_creation")}, api.ClientIP(c))
	if err != nil {
		if form.fail(err, nil) {
			return f.renderAdminStatus(c, errStatus(err), "settings", "settings", adminSettingsPage{Form: form})
		}
		return err
	}
	f.flash(c, "success", "Site settings saved.")
	return f.redirect(c, "/admin/settings")
}

type auditRow struct {
	audit.Entry
	Actor string
}

type adminAuditPage struct {
	Form    *Form
	Entries []auditRow
	// Next is the link to the next (older) page, "" on the last.
	Next string
}

func (f *Frontend) adminAudit(c *fiber.Ctx) error {
	form := NewForm(map[string]string{"action": strings.TrimSpace(c.Query("action")),
		"actor": strings.TrimSpace(c.Query("actor")), "course": strings.TrimSpace(c.Query("course"))})
	form.Errors = map[string]string{}
	var filter audit.Filter
	filter.Action = form.Get("action")
	for name, dst := range map[string]*uint64{"actor": &filter.ActorID, "course": &filter.CourseID} {
		if s := form.Get(name); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil || n == 0 {
				form.Errors[name] = "Enter an id number."
				continue
			}
			*dst = n
		}
	}
	p := adminAuditPage{Form: form}
	if len(form.Errors) == 0 {
		page, err := api.ParsePage(c)
		if err != nil {
			return err
		}
		list, err := f.Audit.List(c.UserContext(), page, filter)
		if err != nil {
			return err
		}
		names := map[uint64]string{}
		for _, e := range list.Items {
			row := auditRow{Entry: e}
			if e.ActorID != 0 {
				name, ok := names[e.ActorID]
				if !ok {
					if u, err := f.Auth.User(c.UserContext(), e.ActorID); err == nil {
						name = u.Name
					}
					names[e.ActorID] = name
				}
				row.Actor = name
			}
			p.Entries = append(p.Entries, row)
		}
		if list.NextCursor != "" {
			q := url.Values{"cursor": {list.NextCursor}}
			for _, k := range []string{"action", "actor", "course"} {
				if s := form.Get(k); s != "" {
					q.Set(k, s)
				}
			}
			p.Next = "/admin/audit?" + q.Encode()
		}
	} else {
		form.Error = "Please correct the marked fields."
		return f.renderAdminStatus(c, fiber.StatusBadRequest, "audit", "audit", p)
	}
	return f.renderAdmin(c, "audit", "audit", p)
}

type adminJobsPage struct{ Jobs []jobs.Status }

func (f *Frontend) adminJobs(c *fiber.Ctx) error {
	var p adminJobsPage
	if f.Scheduler != nil {
		var err error
		if p.Jobs, err = f.Scheduler.Jobs(c.UserContext()); err != nil {
			return err
		}
	}
	return f.renderAdmin(c, "jobs", "jobs", p)
}

// adminRunJob runs a job now and waits for it, as the admin API does, and
// audits the run the same way.
func (f *Frontend) adminRunJob(c *fiber.Ctx) error {
	if f.Scheduler == nil {
		return errs.NotFoundf("job")
	}
	res, err := f.Scheduler.RunFor(c.UserContext(), strings.Clone(c.Params("job")), caller(c), api.ClientIP(c))
	if err != nil {
		return err
	}
	if res.Error != "" {
		f.flash(c, "error", fmt.Sprintf("%s failed: %s", res.Job, res.Error))
	} else {
		f.flash(c, "success", fmt.Sprintf("%s ran: %s.", res.Job, plural(res.Changed, "change", "changes")))
	}
	return f.redirect(c, "/admin/jobs")
}

type adminOutboxPage struct {
	Form   *Form
	States []string
	Mail   []notify.MailSummary
	Next   string
}

func (f *Frontend) adminOutbox(c *fiber.Ctx) error {
	state := strings.TrimSpace(c.Query("state"))
	p := adminOutboxPage{Form: NewForm(map[string]string{"state": state}),
		States: []string{notify.MailPending, notify.MailSending, notify.MailSent, notify.MailFailed, notify.MailUnknown}}
	if f.Outbox != nil {
		page, err := api.ParsePage(c)
		if err != nil {
			return err
		}
		list, err := f.Outbox.Page(state, page)
		if err != nil {
			return err
		}
		p.Mail = list.Items
		if list.NextCursor != "" {
			q := url.Values{"cursor": {list.NextCursor}}
			if state != "" {
				q.Set("state", state)
			}
			p.Next = "/admin/outbox?" + q.Encode()
		}
	}
	return f.renderAdmin(c, "outbox", "outbox", p)
}
