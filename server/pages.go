package server

import (
	"strings"

	"pacer/frontend"
)

// mountPages builds the web pages and mounts them after every API route.
// The templates are embedded, so a failure to parse them is a build bug and
// panics at start (every test would see it first).
func (s *Server) mountPages() {
	f := frontend.Must(frontend.New(frontend.Deps{
		Auth:          s.Auth,
		AuthHTTP:      s.AuthHTTP,
		Courses:       s.Courses,
		Notify:        s.Notify,
		Media:         s.Media,
		Markdown:      s.Markdown,
		Discussion:    s.Discussion,
		Deadlines:     s.Deadlines,
		Engagement:    s.Engagement,
		Announcements: s.Announcements,
		Quiz:          s.Quiz,
		Grades:        s.Grades,
		Audit:         s.Audit,
		Scheduler:     s.Scheduler,
		Outbox:        s.Outbox,
		SecureCookies: s.cfg.TLSCert != "" || strings.HasPrefix(s.cfg.BaseURL, "https://"),
		Now:           s.now,
		Log:           s.log,
	}))
	f.Mount(s.App)
}
