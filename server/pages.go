package server

import (
	"errors"
	"strings"

	"pacer/errs"
	"pacer/frontend"
	"pacer/storage"
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
		SecureCookies: s.cfg.TLSCert != "" || strings.HasPrefix(s.cfg.BaseURL, "https://"),
		UserByEmail:   s.userByEmail,
		Now:           s.now,
		Log:           s.log,
	}))
	f.Mount(s.App)
}

// userByEmail finds an account by e-mail for instructors adding members.
func (s *Server) userByEmail(email string) (uint64, error) {
	if email == "" || len(email) > 254 {
		return 0, errs.NotFoundf("user")
	}
	var id uint64
	err := s.DB.View(func(tx *storage.Tx) error {
		raw := tx.GetRaw(storage.UsersByEmail, storage.EmailKey(email))
		if len(raw) != 8 {
			return errs.NotFoundf("user")
		}
		id = storage.Part(raw, 0)
		return nil
	})
	var e *errs.Error
	if err != nil && !errors.As(err, &e) {
		return 0, errs.Wrap(err, "find user by e-mail")
	}
	return id, err
}
