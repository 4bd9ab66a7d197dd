package deadlines

import (
	"context"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"

	"pacer/audit"
	"pacer/calendar"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/page"
)

// Submission is one attempt of a learner at an assignment. A resubmission
// before the cut-off is a new submission (its own id, the next attempt
// number) that becomes the learner's current one; the attempts it
// supersedes are kept with their files, scores and feedback, since nothing
// handed in and no grade may be lost. SubmissionsByItem points at the
// current attempt, SubmissionHistory lists the earlier ones.
type Submission struct {
	ID             uint64     `json:"id"`
	CourseID       uint64     `json:"course_id"`
	ItemID         uint64     `json:"item_id"`
	ModuleID       uint64     `json:"module_id"`
	UserID         uint64     `json:"user_id"`
	Body           string     `json:"body"`
	BodyHTML       string     `json:"body_html"`
	MediaID        uint64     `json:"media_id,omitempty"`
	Status         string     `json:"status"`
	PenaltyPercent float64    `json:"penalty_percent"`
	SubmittedAt    time.Time  `json:"submitted_at"`
	DueAt          *time.Time `json:"due_at"`
	Attempt        int        `json:"attempt"`
	// Current is true for the learner's newest attempt. It is decided when
	// the submission is read (by SubmissionsByItem), never trusted from the
	// stored record.
	Current      bool       `json:"current"`
	Score        *float64   `json:"score"`
	Feedback     string     `json:"feedback"`
	FeedbackHTML string     `json:"feedback_html"`
	FinalScore   *float64   `json:"final_score"`
	GradedAt     *time.Time `json:"graded_at"`
	GradedBy     uint64     `json:"graded_by,omitempty"`
	// Rubric is the level picked per criterion when the grade came from
	// the assignment's rubric; Adjustment what was added to their sum.
	Rubric     []RubricMark `json:"rubric,omitempty"`
	Adjustment *float64     `json:"adjustment,omitempty"`
}

// SubmissionView is a submission with what a reader needs beside it.
type SubmissionView struct {
	Submission
	UserName string  `json:"user_name"`
	Points   float64 `json:"points"`
}

// SubmissionInput is the body of a submission.
type SubmissionInput struct {
	Body    *string `json:"body"`
	MediaID *uint64 `json:"media_id"`
}

// GradeInput is the body of grading: a score, or (for an assignment with
// a rubric) a level per criterion and an optional adjustment, whose sum is
// the score.
type GradeInput struct {
	Score      *float64     `json:"score"`
	Feedback   *string      `json:"feedback"`
	Rubric     []RubricMark `json:"rubric"`
	Adjustment *float64     `json:"adjustment"`
}

// maxScore bounds a score when the assignment gives no points.
const maxScore = 10000

func (s *Service) validateAssignment(_ context.Context, _ modules.Course, it *modules.Item) error {
	if it.MediaID != 0 {
		return errs.Field("media_id", "not used by assignment items")
	}
	return nil
}

// assignmentDeleted removes the submissions of an assignment that is being
// deleted, inside the deleting transaction.
func (s *Service) assignmentDeleted(ctx context.Context, it modules.Item) error {
	return s.store.DeleteItem(ctx, it.CourseID, it.ID)
}

// learnerWindow is the window of the module as the course service computed
// it for the learner (weeks, explicit dates and extensions applied).
func learnerWindow(v *modules.ModuleView) calendar.Window {
	return calendar.Window{OpensAt: v.OpensAt, DueAt: v.DueAt, Extended: v.Extended}
}

// Submit stores a student's work on an assignment. Whether it is on time,
// late (and the penalty) or refused after the cut-off is decided here,
// inside the write transaction, with the server's clock and the learner's
// own window, so it holds whatever the scheduler did or did not notice.
// Submitting completes the assignment item.
//
// The write goes through s.batch, so that many learners submitting at once
// share a commit. The engine may run the function again after a rolled-back
// batch, so it starts from a clean slate and writes nothing outside the
// transaction.
func (s *Service) Submit(ctx context.Context, caller, courseID, itemID uint64, in SubmissionInput) (Submission, error) {
	var sub Submission
	err := s.tx.Batch(ctx, func(ctx context.Context) error {
		sub = Submission{}
		ia, err := s.courses.ItemAccess(ctx, caller, courseID, itemID)
		if err != nil {
			return err
		}
		if err := ia.RequireStudent(); err != nil {
			return err
		}
		if ia.Item.Kind != modules.KindAssignment {
			return errs.ConflictCode("conflict", "only assignments take submissions")
		}
		body := ""
		if in.Body != nil {
			body = strings.TrimSpace(*in.Body)
			if why := modules.ValidText(body); why != "" {
				return errs.Field("body", why)
			}
		}
		var media uint64
		if in.MediaID != nil {
			media = *in.MediaID
			if s.MediaCheck == nil {
				return errs.Field("media_id", "file submissions are not available")
			}
			if media == 0 {
				return errs.Field("media_id", "must be a positive integer")
			}
		}
		if body == "" && media == 0 {
			return errs.Validation(map[string]string{"body": "required unless a media_id is given"})
		}
		now := s.clock()
		times := ia.Course.Times()
		w := learnerWindow(ia.Module)
		status, penalty, ok := calendar.Judge(times, w, now)
		if !ok {
			return errs.ConflictCode("deadline_passed", "the deadline has passed: work was accepted until "+
				w.Cutoff(times).Format(time.RFC3339))
		}
		if media != 0 {
			if err := s.MediaCheck(ctx, courseID, caller, media); err != nil {
				return err
			}
		}
		// The earlier attempt, if any, moves to the history untouched: its
		// file, score and feedback stay readable.
		// (sub's id and attempt number are known once the transaction
		// has committed: see Store.AddAttempt.)
		sub = Submission{CourseID: courseID, ItemID: itemID, ModuleID: ia.Item.ModuleID,
			UserID: caller, Body: body, BodyHTML: s.md.HTML(body), MediaID: media, Status: status,
			PenaltyPercent: penalty, SubmittedAt: now, DueAt: w.DueAt}
		if err := s.store.AddAttempt(ctx, &sub); err != nil {
			return err
		}
		if _, err = s.courses.Mark(ctx, courseID, caller, itemID, modules.StatusCompleted); err != nil {
			return err
		}
		// The staff's notification is delivered behind, in batches
		// (deliver.go): the submission writes no row that another
		// learner's submission writes too.
		return s.store.QueueSubmitted(ctx, QueuedSubmission{Course: courseID, Item: itemID, Learner: caller, SubmittedAt: now})
	})
	if err != nil {
		return sub, errs.Wrap(err, "submit")
	}
	s.queue.Added()
	s.courses.Touch(ctx, courseID, caller)
	return sub, nil
}

// ListSubmissions lists an assignment's submissions: staff see everyone's,
// a page at a time in learner order; a student sees their own (also once
// the module has been locked again, since it is their work). Each learner's
// attempts come together, the current one first and then the earlier ones,
// newest first; limit counts learners, so a learner's attempts are never
// split across pages.
func (s *Service) ListSubmissions(ctx context.Context, caller, courseID, itemID uint64, p page.Request) (page.List[SubmissionView], error) {
	out := page.List[SubmissionView]{Items: []SubmissionView{}}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	from, err := p.CursorID()
	if err != nil {
		return out, err
	}
	err = s.tx.Read(ctx, func(ctx context.Context) error {
		ia, err := s.courses.ItemAccess(ctx, caller, courseID, itemID)
		if err != nil && !(errs.Is(err, errs.Forbidden) && ia.Student() && ia.Module != nil) {
			return err
		}
		names := map[uint64]string{}
		add := func(subs []Submission) {
			for _, sub := range subs {
				name, ok := names[sub.UserID]
				if !ok {
					if u, err := s.auth.User(ctx, sub.UserID); err == nil {
						name = u.Name
					}
					names[sub.UserID] = name
				}
				out.Items = append(out.Items, SubmissionView{Submission: sub, UserName: name, Points: ia.Item.Points})
			}
		}
		if !ia.Staff() {
			subs, err := s.attempts(ctx, courseID, itemID, caller)
			add(subs)
			return err
		}
		subs, next, err := s.store.ItemAttempts(ctx, courseID, itemID, from, p.Limit)
		if err != nil {
			return err
		}
		for i := range subs {
			subs[i] = s.readable(subs[i])
		}
		add(subs)
		if next != 0 {
			out.NextCursor = page.FormatID(next)
		}
		return nil
	})
	return out, errs.Wrap(err, "list submissions")
}

// attempts returns a learner's attempts at an item, the current one
// first and then the earlier ones, newest first, ready for readers; none
// when they never submitted.
func (s *Service) attempts(ctx context.Context, courseID, itemID, user uint64) ([]Submission, error) {
	subs, err := s.store.Attempts(ctx, courseID, itemID, user)
	for i := range subs {
		subs[i] = s.readable(subs[i])
	}
	return subs, err
}

// readable completes a stored submission for readers: its feedback
// rendered (records graded before feedback_html was stored have only the
// Markdown). Whether it is the current attempt the store decides.
func (s *Service) readable(sub Submission) Submission {
	if sub.FeedbackHTML == "" && sub.Feedback != "" {
		sub.FeedbackHTML = s.md.HTML(sub.Feedback)
	}
	return sub
}

// CourseSubmissions lists every submission of a course, current and
// earlier attempts, by item, learner, then newest first: what the
// gradebook reads, in the transaction ctx carries. The caller decides who
// may see them.
func (s *Service) CourseSubmissions(ctx context.Context, course uint64) ([]Submission, error) {
	return s.store.CourseSubmissions(ctx, course)
}

// ItemGrade is what counts for a learner's item: the newest graded
// attempt's final score, and whether the current attempt still waits for a
// grade (the older grade counts meanwhile).
func ItemGrade(attempts []Submission) (graded *Submission, needsGrading bool) {
	for i := range attempts {
		a := &attempts[i]
		if a.Current && a.Score == nil {
			needsGrading = true
		}
		if a.Score != nil && (graded == nil || a.Attempt > graded.Attempt) {
			graded = a
		}
	}
	return graded, needsGrading
}

// submission loads a submission for a caller. The course is the stored
// submission's: one of another course is 404 whatever the URL says, as is
// any submission to a non-member. Staff may read all of the course's; a
// student only their own (others' are 404, since they are not theirs to
// know of).
func (s *Service) submission(ctx context.Context, caller, courseID, subID uint64) (Submission, modules.Access, error) {
	a, err := s.courses.MemberAccess(ctx, courseID, caller)
	if err != nil {
		return Submission{}, a, err
	}
	sub, err := s.store.Submission(ctx, subID)
	if err != nil {
		return sub, a, notFoundAs(err, "submission")
	}
	if sub.CourseID != courseID || (!a.Staff() && sub.UserID != caller) {
		return sub, a, errs.NotFoundf("submission")
	}
	return sub, a, nil
}

// GetSubmission returns one submission to staff or to its author.
func (s *Service) GetSubmission(ctx context.Context, caller, courseID, subID uint64) (SubmissionView, error) {
	var out SubmissionView
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		sub, _, err := s.submission(ctx, caller, courseID, subID)
		if err != nil {
			return err
		}
		it, err := s.courses.Item(ctx, courseID, sub.ItemID)
		if err != nil {
			return err
		}
		u, err := s.auth.User(ctx, sub.UserID)
		if err != nil {
			return err
		}
		out = SubmissionView{Submission: s.readable(sub), UserName: u.Name, Points: it.Points}
		return nil
	})
	return out, errs.Wrap(err, "get submission")
}

// formatFloat writes a number as short as it can be read back.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// FinalScore applies a late penalty (in percent) to a score, rounded to
// hundredths so that 8 × 0.9 reads 7.2.
func FinalScore(score, penaltyPercent float64) float64 {
	return math.Round(score*(1-penaltyPercent/100)*100) / 100
}

// Grade scores a submission (staff only) and tells the learner. The final
// score is the score with the submission's late penalty applied.
func (s *Service) Grade(ctx context.Context, caller, courseID, subID uint64, in GradeInput) (SubmissionView, error) {
	var out SubmissionView
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		sub, a, err := s.submission(ctx, caller, courseID, subID)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		it, err := s.courses.Item(ctx, courseID, sub.ItemID)
		if err != nil {
			return err
		}
		fields := map[string]string{}
		top := float64(maxScore)
		if it.Points > 0 {
			top = it.Points
		}
		var marks []RubricMark
		var adjustment *float64
		if in.Rubric != nil {
			if in.Score != nil {
				return errs.Field("score", "give a score or a rubric grade, not both")
			}
			adj := 0.0
			if in.Adjustment != nil {
				if math.IsNaN(*in.Adjustment) || math.IsInf(*in.Adjustment, 0) {
					return errs.Field("adjustment", "must be a number")
				}
				adj, adjustment = *in.Adjustment, in.Adjustment
			}
			var score float64
			if marks, score, err = rubricScore(it.Rubric, in.Rubric, adj); err != nil {
				return err
			}
			in.Score = &score
		} else if in.Adjustment != nil {
			return errs.Field("adjustment", "only with a rubric grade")
		}
		switch {
		case in.Score == nil:
			fields["score"] = "required"
		case math.IsNaN(*in.Score) || *in.Score < 0 || *in.Score > top:
			fields["score"] = "must be between 0 and " + formatFloat(top)
		}
		feedback := sub.Feedback
		if in.Feedback != nil {
			feedback = strings.TrimSpace(*in.Feedback)
			if why := modules.ValidText(feedback); why != "" {
				fields["feedback"] = why
			}
		}
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		now := s.clock()
		score := *in.Score
		final := FinalScore(score, sub.PenaltyPercent)
		sub.Score, sub.FinalScore, sub.Feedback, sub.GradedAt, sub.GradedBy = &score, &final, feedback, &now, caller
		sub.Rubric, sub.Adjustment = marks, adjustment
		sub.FeedbackHTML = s.md.HTML(feedback)
		if err := s.store.SaveSubmission(ctx, sub); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "grade", CourseID: courseID,
			TargetID: sub.ID, Detail: fmt.Sprintf("user %d item %d score %s", sub.UserID, sub.ItemID, formatFloat(score))}); err != nil {
			return err
		}
		u, err := s.auth.User(ctx, sub.UserID)
		if err != nil {
			return err
		}
		out = SubmissionView{Submission: s.readable(sub), UserName: u.Name, Points: it.Points}
		body := "Your submission to " + it.Title + " in " + a.Course.Title + " scored " + formatFloat(final)
		if it.Points > 0 {
			body += " of " + formatFloat(it.Points)
		}
		if sub.PenaltyPercent > 0 {
			body += " (" + formatFloat(score) + " before the late penalty of " + formatFloat(sub.PenaltyPercent) + " %)"
		}
		body += "."
		if feedback != "" {
			// Notifications and e-mails are plain text: the feedback is
			// rendered and its markup dropped, so "**IQR**" reads "IQR".
			body += "\n\nFeedback: " + html.UnescapeString(s.md.Plain(feedback))
		}
		_, err = s.notify.Add(ctx, notify.Notification{UserID: sub.UserID, CourseID: courseID, Kind: notify.KindGraded,
			Title: it.Title + " was graded", Body: body, Link: itemLink(courseID, it.ID)})
		return err
	})
	return out, errs.Wrap(err, "grade")
}
