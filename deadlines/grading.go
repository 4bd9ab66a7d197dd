package deadlines

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"pacer/auth"
	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/storage"
)

// noteSubmittedTx tells every staff member of the course that work arrived
// on an item, inside the submitting transaction. Each keeps one unread
// "submitted" notification per item that counts the submissions since they
// last read it, so a class handing in at once is one line, not hundreds.
func (s *Service) noteSubmittedTx(tx *storage.Tx, c modules.Course, it modules.Item, learner uint64) error {
	staff, err := modules.StaffMembersTx(tx, c.ID)
	if err != nil {
		return err
	}
	name := "a learner"
	if u, err := auth.LookupTx(tx, learner); err == nil {
		name = u.Name
	}
	for _, m := range staff {
		key := storage.Key(m.UserID, c.ID, it.ID)
		id, count := uint64(0), uint64(0)
		if v := tx.GetRaw(storage.SubmittedNotes, key); len(v) == 16 {
			id, count = binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])
		}
		title, body := submittedText(c.Title, it.Title, name, count+1)
		updated := false
		if id != 0 {
			if updated, err = notify.UpdateUnreadTx(tx, m.UserID, id, title, body); err != nil {
				return err
			}
		}
		if !updated {
			count = 0
			title, body = submittedText(c.Title, it.Title, name, 1)
			n, err := s.notify.AddTx(tx, notify.Notification{UserID: m.UserID, CourseID: c.ID, Kind: notify.KindSubmitted,
				Title: title, Body: body, Link: submissionsLink(c.ID, it.ID)})
			if err != nil {
				return err
			}
			id = n.ID
		}
		v := make([]byte, 16)
		binary.BigEndian.PutUint64(v, id)
		binary.BigEndian.PutUint64(v[8:], count+1)
		if err := tx.PutRaw(storage.SubmittedNotes, key, v); err != nil {
			return err
		}
	}
	return nil
}

// submittedText words the staff notification of n new submissions.
func submittedText(course, item, latest string, n uint64) (title, body string) {
	if n == 1 {
		return "New submission to " + item, "In " + course + ", " + latest + " handed in " + item + "."
	}
	return fmt.Sprintf("%d new submissions to %s", n, item),
		fmt.Sprintf("In %s, %d submissions to %s arrived since you last read this; the latest is from %s.", course, n, item, latest)
}

func submissionsLink(course, item uint64) string { return itemLink(course, item) + "/submissions" }

// ToGrade is an assignment with current attempts that wait for a grade.
type ToGrade struct {
	CourseID    uint64    `json:"course_id"`
	CourseTitle string    `json:"course_title"`
	ItemID      uint64    `json:"item_id"`
	Title       string    `json:"title"`
	Count       int       `json:"count"`
	LatestAt    time.Time `json:"latest_at"`
	Link        string    `json:"link"`
}

// ToGradeList lists, for a staff member, the assignments whose learners'
// current attempts are not graded yet, with how many, newest work first:
// of one course (courseID), or of every course they teach (0). A caller
// who is not staff of the course gets an empty list.
func (s *Service) ToGradeList(ctx context.Context, caller, courseID uint64) ([]ToGrade, error) {
	out := []ToGrade{}
	err := s.db.View(func(tx *storage.Tx) error {
		ms, err := s.membershipsTx(tx, caller)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !m.Member.Staff() || (courseID != 0 && m.Course.ID != courseID) {
				continue
			}
			rows := map[uint64]*ToGrade{}
			err := tx.Each(storage.SubmissionsByItem, storage.Key(m.Course.ID), func(k, v []byte) error {
				var sub Submission
				if err := tx.Get(storage.Submissions, v, &sub); err != nil {
					return err
				}
				if sub.Score != nil {
					return nil
				}
				r := rows[sub.ItemID]
				if r == nil {
					it, err := modules.ItemTx(tx, m.Course.ID, sub.ItemID)
					if errs.Is(err, errs.NotFound) {
						return nil
					} else if err != nil {
						return err
					}
					r = &ToGrade{CourseID: m.Course.ID, CourseTitle: m.Course.Title, ItemID: it.ID, Title: it.Title,
						Link: submissionsLink(m.Course.ID, it.ID)}
					rows[sub.ItemID] = r
				}
				r.Count++
				if sub.SubmittedAt.After(r.LatestAt) {
					r.LatestAt = sub.SubmittedAt
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, r := range rows {
				out = append(out, *r)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b ToGrade) int {
		return cmp.Or(b.LatestAt.Compare(a.LatestAt), cmp.Compare(a.CourseID, b.CourseID), cmp.Compare(a.ItemID, b.ItemID))
	})
	return out, errs.Wrap(err, "to grade")
}

// Learner states on the submissions page for one who has not submitted.
const (
	PendingNotYet  = "not_submitted" // their cut-off has not come (or there is none)
	PendingMissing = "missing"       // their cut-off, extension included, has passed
)

// Pending is a student without a submission to an item, with their own
// window: they are missing only once their cut-off has passed.
type Pending struct {
	UserID   uint64     `json:"user_id"`
	Name     string     `json:"name"`
	DueAt    *time.Time `json:"due_at"`
	CutoffAt *time.Time `json:"cutoff_at"`
	Extended bool       `json:"extended"`
	State    string     `json:"state"`
}

// PendingList lists the students of the course who have not submitted to
// the assignment (staff only), each judged against their own window (week
// from their enrolment in a self-paced course, their extension) and the
// clock now.
func (s *Service) PendingList(ctx context.Context, caller, courseID, itemID uint64) ([]Pending, error) {
	out := []Pending{}
	now := s.clock()
	err := s.db.View(func(tx *storage.Tx) error {
		ia, err := s.courses.ItemAccessTx(tx, caller, courseID, itemID)
		if err != nil {
			return err
		}
		if err := ia.RequireStaff(); err != nil {
			return err
		}
		mod, ok, err := moduleOfCourse(tx, courseID, ia.Item.ModuleID)
		if err != nil || !ok {
			return err
		}
		times := ia.Course.Times()
		ms, err := modules.MembersTx(tx, courseID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Role != modules.RoleStudent || tx.Has(storage.SubmissionsByItem, storage.Key(courseID, itemID, m.UserID)) {
				continue
			}
			var ext *time.Time
			if _, due, ok := parseExtensionIndex(tx.GetRaw(storage.ExtensionsByLearner, storage.Key(courseID, m.UserID, mod.ID))); ok {
				ext = &due
			}
			w := calendar.LearnerWindow(times, mod.Times(), m.EnrolledAt, ext)
			p := Pending{UserID: m.UserID, DueAt: w.DueAt, CutoffAt: w.Cutoff(times), Extended: w.Extended, State: PendingNotYet}
			if p.CutoffAt != nil && now.After(*p.CutoffAt) {
				p.State = PendingMissing
			}
			if u, err := auth.LookupTx(tx, m.UserID); err == nil {
				p.Name = u.Name
			} else if !errors.Is(err, storage.ErrNotFound) && !errs.Is(err, errs.NotFound) {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, errs.Wrap(err, "pending submissions")
}
