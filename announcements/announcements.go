// Package announcements owns course announcements: staff post a title and
// a Markdown body, every other member of the course is told (an
// `announcement` notification, and an e-mail through the notify outbox
// unless they turned that kind off), and members read them newest first
// on the course home and the course's announcements page.
package announcements

import (
	"context"
	"errors"
	stdhtml "html"
	"strings"
	"time"
	"unicode/utf8"

	"pacer/auth"
	"pacer/errs"
	"pacer/markdown"
	"pacer/modules"
	"pacer/notify"
	"pacer/page"
	"pacer/txn"
)

// Limits of one announcement.
const (
	maxBody = 20_000
	// maxNotifyBody bounds the plain text a notification (and its e-mail)
	// carries; the whole announcement is a click away.
	maxNotifyBody = 1_000
)

// Author names who posted an announcement.
type Author struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

// Announcement is an announcement as the API shows it.
type Announcement struct {
	ID        uint64    `json:"id"`
	CourseID  uint64    `json:"course_id"`
	Title     string    `json:"title"`
	BodyHTML  string    `json:"body_html"`
	Author    Author    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// Input is the body of POST /courses/:course/announcements.
type Input struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Service stores announcements and tells members of them.
type Service struct {
	tx      txn.Runner
	store   Store
	courses *modules.Service
	notify  *notify.Service
	auth    *auth.Service
	md      *markdown.Renderer
	now     func() time.Time
}

// Config is what the service is built from.
type Config struct {
	// Tx runs the service's transactions; Store keeps the announcements
	// (the engine's implementation, joining Tx's transactions).
	Tx      txn.Runner
	Store   Store
	Courses *modules.Service
	Notify  *notify.Service
	// Auth names the authors.
	Auth     *auth.Service
	Markdown *markdown.Renderer
	Now      func() time.Time
}

// New builds the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{tx: cfg.Tx, store: cfg.Store, courses: cfg.Courses, notify: cfg.Notify, auth: cfg.Auth, md: cfg.Markdown, now: cfg.Now}
	cfg.Courses.OnCourseDeleted = append(cfg.Courses.OnCourseDeleted, s.deleteCourse)
	return s
}

// deleteCourse removes a deleted course's announcements
// (modules.Service.OnCourseDeleted), in the deletion's transaction. Their
// notifications stay with their readers, as a deleted thread's do; the
// link then answers 404.
func (s *Service) deleteCourse(ctx context.Context, c modules.Course) error {
	return s.store.DeleteCourse(ctx, c.ID)
}

// Link is the path of an announcement on the course's announcements page.
func Link(course, id uint64) string {
	return "/courses/" + page.FormatID(course) + "/announcements#announcement-" + page.FormatID(id)
}

// validate checks the input and returns the clean title and body.
func validate(in Input) (title, body string, fields map[string]string) {
	fields = map[string]string{}
	// Titles follow the one rule of every title (one line, 1 to 200
	// characters).
	title, why := modules.ValidTitle(in.Title)
	if why != "" {
		fields["title"] = why
	}
	body = strings.TrimSpace(in.Body)
	switch {
	case body == "":
		fields["body"] = "required"
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		fields["body"] = "must be text"
	case len(body) > maxBody:
		fields["body"] = "must be at most 20000 bytes"
	}
	return title, body, fields
}

// Create posts an announcement (staff only: 404 for non-members, 403 for
// students) and tells every other member, in the same transaction.
func (s *Service) Create(ctx context.Context, caller, course uint64, in Input) (Announcement, error) {
	var out Announcement
	title, body, fields := validate(in)
	var html, plain string
	if len(fields) == 0 {
		// The notification is plain text (escaped again wherever it is
		// shown), so the entities Plain leaves are turned back into text.
		html, plain = s.md.HTML(body), stdhtml.UnescapeString(s.md.Plain(body))
	}
	// The clock is read once, outside the work, so that a retried
	// transaction stores the same instant.
	now := s.now().UTC()
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		// Access comes first, so a non-member learns nothing from their
		// body's faults.
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		r, err := s.store.Add(ctx, Record{CourseID: course, Title: title, Body: body, BodyHTML: html, AuthorID: caller, CreatedAt: now})
		if err != nil {
			return err
		}
		members, err := s.courses.MemberRecords(ctx, course)
		if err != nil {
			return err
		}
		// Told all at once (notify.Service.AddAll): the recipients'
		// accounts, preferences and notifications are read and written
		// as sets, not member by member.
		told := make([]notify.Notification, 0, len(members))
		for _, m := range members {
			if m.UserID == caller {
				continue
			}
			told = append(told, notify.Notification{UserID: m.UserID, CourseID: course,
				Kind: notify.KindAnnouncement, Title: a.Course.Title + ": " + title,
				Body: clip(plain, maxNotifyBody), Link: Link(course, r.ID), CreatedAt: r.CreatedAt})
		}
		if _, err := s.notify.AddAll(ctx, told); err != nil {
			return err
		}
		out, err = s.view(ctx, r)
		return err
	})
	return out, errs.Wrap(err, "post announcement")
}

// Page is a page of a course's announcements, newest first.
type Page = page.List[Announcement]

// List returns a course's announcements, newest first (members only).
// The cursor is the id of the last announcement of the previous page.
func (s *Service) List(ctx context.Context, caller, course uint64, p page.Request) (Page, error) {
	out := Page{Items: []Announcement{}}
	before, err := p.CursorID()
	if err != nil {
		return out, err
	}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	err = s.tx.Read(ctx, func(ctx context.Context) error {
		if _, err := s.courses.MemberAccess(ctx, course, caller); err != nil {
			return err
		}
		recs, more, err := s.store.Newest(ctx, course, before, p.Limit)
		if err != nil {
			return err
		}
		for _, r := range recs {
			v, err := s.view(ctx, r)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
		}
		if more {
			out.NextCursor = page.FormatID(recs[len(recs)-1].ID)
		}
		return nil
	})
	return out, errs.Wrap(err, "list announcements")
}

// view is a record as the API shows it, with its author's name.
func (s *Service) view(ctx context.Context, r Record) (Announcement, error) {
	v := Announcement{ID: r.ID, CourseID: r.CourseID, Title: r.Title, BodyHTML: r.BodyHTML,
		Author: Author{ID: r.AuthorID}, CreatedAt: r.CreatedAt}
	u, err := s.auth.User(ctx, r.AuthorID)
	switch {
	case err == nil:
		v.Author.Name = u.Name
	case errors.Is(err, txn.ErrNotFound) || errs.Is(err, errs.NotFound):
		v.Author.Name = "Former member"
	default:
		return v, err
	}
	return v, nil
}

// clip shortens text to at most n bytes on a rune boundary, with an
// ellipsis when it was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "…"
}
