package deadlines

import (
	"context"
	"time"

	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
)

// What an assignment accepts at this moment, for the learner's page.
const (
	AcceptOnTime = "on_time" // work now would be on time
	AcceptLate   = "late"    // work now would be late, with PenaltyNow
	AcceptClosed = "closed"  // the cut-off has passed
)

// AssignmentState is an assignment as one caller sees it now: for a
// student their window, what a submission now would be judged, and their
// current submission; for staff how many learners submitted.
type AssignmentState struct {
	DueAt      *time.Time      `json:"due_at"`
	CutoffAt   *time.Time      `json:"cutoff_at"`
	Extended   bool            `json:"extended"`
	Accepts    string          `json:"accepts"`
	PenaltyNow float64         `json:"penalty_now"`
	Submission *SubmissionView `json:"submission"`
	// Attempts are all of the learner's attempts, the current one first.
	Attempts []SubmissionView `json:"attempts"`
	// Grade is the attempt whose score counts (the newest graded one);
	// NeedsGrading is true while the current attempt waits for a grade.
	Grade        *SubmissionView `json:"grade"`
	NeedsGrading bool            `json:"needs_grading"`
	Submitted    int             `json:"submitted"`
	Students     int             `json:"students"`
}

// Assignment describes an assignment for its page. It applies the same
// access rules and the same judgement as Submit, so the page never promises
// what a submission would not get.
func (s *Service) Assignment(ctx context.Context, caller, courseID, itemID uint64) (AssignmentState, error) {
	var out AssignmentState
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		ia, err := s.courses.ItemAccess(ctx, caller, courseID, itemID)
		if err != nil {
			return err
		}
		if ia.Item.Kind != modules.KindAssignment {
			return errs.NotFoundf("assignment")
		}
		times := ia.Course.Times()
		if ia.Staff() {
			submitters, err := s.store.Submitters(ctx, courseID, itemID)
			if err != nil {
				return err
			}
			out.Submitted = len(submitters)
			ms, err := s.courses.MemberRecords(ctx, courseID)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.Role == modules.RoleStudent {
					out.Students++
				}
			}
			// Staff see the course's own dates when they are the same for
			// everyone (a scheduled course with a start).
			if !times.SelfPaced() && times.StartsAt != nil {
				if mod, ok, err := s.moduleOfCourse(ctx, courseID, ia.Item.ModuleID); err != nil {
					return err
				} else if ok {
					w := calendar.LearnerWindow(times, mod.Times(), time.Time{}, nil)
					out.DueAt, out.CutoffAt = w.DueAt, w.Cutoff(times)
				}
			}
			return nil
		}
		w := learnerWindow(ia.Module)
		out.DueAt, out.CutoffAt, out.Extended = w.DueAt, w.Cutoff(times), w.Extended
		status, penalty, ok := calendar.Judge(times, w, s.clock())
		switch {
		case !ok:
			out.Accepts = AcceptClosed
		case status == calendar.StatusLate:
			out.Accepts, out.PenaltyNow = AcceptLate, penalty
		default:
			out.Accepts = AcceptOnTime
		}
		subs, err := s.attempts(ctx, courseID, itemID, caller)
		if err != nil || len(subs) == 0 {
			return err
		}
		for _, sub := range subs {
			out.Attempts = append(out.Attempts, SubmissionView{Submission: sub, Points: ia.Item.Points})
		}
		out.Submission = &out.Attempts[0]
		graded, needs := ItemGrade(subs)
		out.NeedsGrading = needs
		if graded != nil {
			out.Grade = &SubmissionView{Submission: *graded, Points: ia.Item.Points}
		}
		return nil
	})
	return out, errs.Wrap(err, "assignment")
}
