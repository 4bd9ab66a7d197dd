// Package announcements owns course announcements: staff post a title and
// a Markdown body, every other member of the course is told (an
// `announcement` notification, and an e-mail through the notify outbox
// unless they turned that kind off), and members read them newest first
// on the course home and the course's announcements page.
package announcements

import (
	"errors"
	stdhtml "html"
	"strings"
	"time"
	"unicode/utf8"

	"pacer/api"
	"pacer/auth"
	"pacer/errs"
	"pacer/markdown"
	"pacer/modules"
	"pacer/notify"
	"pacer/storage"
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

// record is what is stored: the rendered body, never re-rendered on read.
type record struct {
	ID        uint64    `json:"id"`
	CourseID  uint64    `json:"course_id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	BodyHTML  string    `json:"body_html"`
	AuthorID  uint64    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Input is the body of POST /courses/:course/announcements.
type Input struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Service stores announcements and tells members of them.
type Service struct {
	db      *storage.DB
	courses *modules.Service
	notify  *notify.Service
	md      *markdown.Renderer
	now     func() time.Time
}

// New builds the service.
func New(db *storage.DB, courses *modules.Service, n *notify.Service, md *markdown.Renderer, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{db: db, courses: courses, notify: n, md: md, now: now}
	courses.OnCourseDeleted = append(courses.OnCourseDeleted, s.deleteCourseTx)
	return s
}

// deleteCourseTx removes a deleted course's announcements
// (modules.Service.OnCourseDeleted). Their notifications stay with their
// readers, as a deleted thread's do; the link then answers 404.
func (s *Service) deleteCourseTx(tx *storage.Tx, c modules.Course) error {
	var ids []uint64
	err := tx.Each(storage.AnnouncementsByCourse, storage.Key(c.ID), func(k, _ []byte) error {
		ids = append(ids, storage.Part(k, 1))
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.Delete(storage.Announcements, storage.ID(id)); err != nil {
			return err
		}
	}
	return tx.DeletePrefix(storage.AnnouncementsByCourse, storage.Key(c.ID))
}

// Link is the path of an announcement on the course's announcements page.
func Link(course, id uint64) string {
	return "/courses/" + api.FormatID(course) + "/announcements#announcement-" + api.FormatID(id)
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
func (s *Service) Create(caller, course uint64, in Input) (Announcement, error) {
	var out Announcement
	title, body, fields := validate(in)
	var html, plain string
	if len(fields) == 0 {
		// The notification is plain text (escaped again wherever it is
		// shown), so the entities Plain leaves are turned back into text.
		html, plain = s.md.HTML(body), stdhtml.UnescapeString(s.md.Plain(body))
	}
	err := s.db.Update(func(tx *storage.Tx) error {
		// Access comes first, so a non-member learns nothing from their
		// body's faults.
		a, err := s.courses.MemberAccessTx(tx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		id, err := tx.NextID(storage.Announcements)
		if err != nil {
			return err
		}
		r := record{ID: id, CourseID: course, Title: title, Body: body, BodyHTML: html, AuthorID: caller,
			CreatedAt: s.now().UTC()}
		if err := tx.Put(storage.Announcements, storage.ID(id), r); err != nil {
			return err
		}
		if err := tx.PutRaw(storage.AnnouncementsByCourse, storage.Key(course, id), nil); err != nil {
			return err
		}
		members, err := modules.MembersTx(tx, course)
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.UserID == caller {
				continue
			}
			_, err := s.notify.AddTx(tx, notify.Notification{UserID: m.UserID, CourseID: course,
				Kind: notify.KindAnnouncement, Title: a.Course.Title + ": " + title,
				Body: clip(plain, maxNotifyBody), Link: Link(course, id), CreatedAt: r.CreatedAt})
			if err != nil {
				return err
			}
		}
		out, err = viewTx(tx, r)
		return err
	})
	return out, errs.Wrap(err, "post announcement")
}

// Page is a page of a course's announcements, newest first.
type Page = api.List[Announcement]

// List returns a course's announcements, newest first (members only).
// The cursor is the id of the last announcement of the previous page.
func (s *Service) List(caller, course uint64, p api.Page) (Page, error) {
	out := Page{Items: []Announcement{}}
	before, err := p.CursorID()
	if err != nil {
		return out, err
	}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	err = s.db.View(func(tx *storage.Tx) error {
		if _, err := s.courses.MemberAccessTx(tx, course, caller); err != nil {
			return err
		}
		return tx.EachReverse(storage.AnnouncementsByCourse, storage.Key(course), func(k, _ []byte) error {
			id := storage.Part(k, 1)
			if before != 0 && id >= before {
				return nil
			}
			if len(out.Items) == p.Limit {
				out.NextCursor = api.FormatID(out.Items[len(out.Items)-1].ID)
				return storage.Stop
			}
			var r record
			if err := tx.Get(storage.Announcements, storage.ID(id), &r); err != nil {
				return err
			}
			v, err := viewTx(tx, r)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
			return nil
		})
	})
	return out, errs.Wrap(err, "list announcements")
}

// viewTx is a record as the API shows it, with its author's name.
func viewTx(tx *storage.Tx, r record) (Announcement, error) {
	v := Announcement{ID: r.ID, CourseID: r.CourseID, Title: r.Title, BodyHTML: r.BodyHTML,
		Author: Author{ID: r.AuthorID}, CreatedAt: r.CreatedAt}
	u, err := auth.LookupTx(tx, r.AuthorID)
	switch {
	case err == nil:
		v.Author.Name = u.Name
	case errors.Is(err, storage.ErrNotFound) || errs.Is(err, errs.NotFound):
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
