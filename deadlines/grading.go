package deadlines

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
	"pacer/txn"
)

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
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		ms, err := s.memberships(ctx, caller)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !m.Member.Staff() || (courseID != 0 && m.Course.ID != courseID) {
				continue
			}
			subs, err := s.store.Ungraded(ctx, m.Course.ID)
			if err != nil {
				return err
			}
			rows := map[uint64]*ToGrade{}
			gone := map[uint64]bool{} // items deleted since
			for _, sub := range subs {
				r := rows[sub.ItemID]
				if r == nil {
					if gone[sub.ItemID] {
						continue
					}
					it, err := s.courses.Item(ctx, m.Course.ID, sub.ItemID)
					if errs.Is(err, errs.NotFound) {
						gone[sub.ItemID] = true
						continue
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
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		ia, err := s.courses.ItemAccess(ctx, caller, courseID, itemID)
		if err != nil {
			return err
		}
		if err := ia.RequireStaff(); err != nil {
			return err
		}
		mod, ok, err := s.moduleOfCourse(ctx, courseID, ia.Item.ModuleID)
		if err != nil || !ok {
			return err
		}
		times := ia.Course.Times()
		ms, err := s.courses.MemberRecords(ctx, courseID)
		if err != nil {
			return err
		}
		submitters, err := s.store.Submitters(ctx, courseID, itemID)
		if err != nil {
			return err
		}
		exts, err := s.store.ModuleOverrides(ctx, courseID, mod.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if _, submitted := slices.BinarySearch(submitters, m.UserID); m.Role != modules.RoleStudent || submitted {
				continue
			}
			var ext *time.Time
			if due, ok := exts[m.UserID]; ok {
				ext = &due
			}
			w := calendar.LearnerWindow(times, mod.Times(), m.EnrolledAt, ext)
			p := Pending{UserID: m.UserID, DueAt: w.DueAt, CutoffAt: w.Cutoff(times), Extended: w.Extended, State: PendingNotYet}
			if p.CutoffAt != nil && now.After(*p.CutoffAt) {
				p.State = PendingMissing
			}
			if u, err := s.auth.User(ctx, m.UserID); err == nil {
				p.Name = u.Name
			} else if !errors.Is(err, txn.ErrNotFound) && !errs.Is(err, errs.NotFound) {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, errs.Wrap(err, "pending submissions")
}
