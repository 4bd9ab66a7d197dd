// Package grades is the gradebook: one row per student and one column per
// graded item (assignments and quizzes with points), each cell the item's
// grade as its owner decides it — the newest graded attempt of an
// assignment (deadlines.ItemGrade), the best or last attempt of a quiz
// (quiz.Counted) — with totals. It keeps nothing of its own: every figure
// is read from the owners in one transaction when asked.
package grades

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"pacer/auth"
	"pacer/calendar"
	"pacer/deadlines"
	"pacer/errs"
	"pacer/modules"
	"pacer/quiz"
	"pacer/txn"
)

// Cell statuses.
const (
	NotSubmitted = "not_submitted"
	NeedsGrading = "needs_grading"
	Graded       = "graded"
	Missed       = "missed"
)

// Column is one graded item, in course order.
type Column struct {
	ItemID uint64     `json:"item_id"`
	Title  string     `json:"title"`
	Kind   string     `json:"kind"`
	Points float64    `json:"points"`
	DueAt  *time.Time `json:"due_at"`
	// ModuleID is for the pages (links); the contract does not name it.
	ModuleID uint64 `json:"module_id"`
}

// Cell is one student's standing on one item. Score and FinalScore are
// the grade that counts (nil when none does). SubmissionID or AttemptID
// names the work that grade came from, for the pages' links.
type Cell struct {
	ItemID       uint64   `json:"item_id"`
	Status       string   `json:"status"`
	Score        *float64 `json:"score"`
	FinalScore   *float64 `json:"final_score"`
	SubmissionID uint64   `json:"submission_id,omitempty"`
	AttemptID    uint64   `json:"attempt_id,omitempty"`
}

// Row is one student's line.
type Row struct {
	UserID      uint64  `json:"user_id"`
	Name        string  `json:"name"`
	Email       string  `json:"email"`
	Cells       []Cell  `json:"cells"`
	Total       float64 `json:"total"`
	TotalPoints float64 `json:"total_points"`
	Percent     float64 `json:"percent"`
}

// Book is the gradebook of a course.
type Book struct {
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
}

// Own is a student's own grades.
type Own struct {
	Columns []Column `json:"columns"`
	Row     Row      `json:"row"`
}

// Users reads accounts (auth.Service).
type Users interface {
	User(ctx context.Context, id uint64) (auth.User, error)
}

// Config is what the service is built from.
type Config struct {
	Tx        txn.Runner
	Courses   *modules.Service
	Deadlines *deadlines.Service
	Quiz      *quiz.Service
	Users     Users
	Now       func() time.Time
}

// Service answers gradebooks.
type Service struct {
	tx        txn.Runner
	courses   *modules.Service
	deadlines *deadlines.Service
	quiz      *quiz.Service
	users     Users
	now       func() time.Time
}

// New builds the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{tx: cfg.Tx, courses: cfg.Courses, deadlines: cfg.Deadlines, quiz: cfg.Quiz, users: cfg.Users, now: cfg.Now}
}

// Sort orders of the gradebook's rows.
const (
	ByName  = "name"
	ByTotal = "total"
)

// Gradebook is the course's gradebook, for its staff: rows sorted by
// name (default) or by total, highest first.
func (s *Service) Gradebook(ctx context.Context, caller, course uint64, sortBy string) (Book, error) {
	var b Book
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		members, err := s.courses.MemberRecords(ctx, course)
		if err != nil {
			return err
		}
		var students []modules.Member
		for _, m := range members {
			if m.Role == modules.RoleStudent {
				students = append(students, m)
			}
		}
		b, err = s.book(ctx, a.Course, students)
		return err
	})
	if err != nil {
		return b, errs.Wrap(err, "gradebook")
	}
	switch sortBy {
	case ByTotal:
		slices.SortStableFunc(b.Rows, func(x, y Row) int {
			return cmp.Or(cmp.Compare(y.Percent, x.Percent), cmp.Compare(y.Total, x.Total))
		})
	case ByName, "":
	default:
		return b, errs.Field("sort", "must be name or total")
	}
	return b, nil
}

// Grades is a student's own row.
func (s *Service) Grades(ctx context.Context, caller, course uint64) (Own, error) {
	var o Own
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStudent(); err != nil {
			return err
		}
		b, err := s.book(ctx, a.Course, []modules.Member{*a.Member})
		if err != nil {
			return err
		}
		o.Columns, o.Row = b.Columns, b.Rows[0]
		return nil
	})
	return o, errs.Wrap(err, "grades")
}

// book builds the columns and the rows of students, sorted by name.
func (s *Service) book(ctx context.Context, c modules.Course, students []modules.Member) (Book, error) {
	b := Book{Columns: []Column{}, Rows: []Row{}}
	mods, err := s.courses.Modules(ctx, c.ID)
	if err != nil {
		return b, err
	}
	times := c.Times()
	items := map[uint64]modules.Item{}
	modOf := map[uint64]modules.Module{}
	for _, m := range mods {
		its, err := s.courses.Items(ctx, m.ID)
		if err != nil {
			return b, err
		}
		for _, it := range its {
			if it.Points <= 0 || (it.Kind != modules.KindAssignment && it.Kind != modules.KindQuiz) {
				continue
			}
			// The column's due time is the course's (none for a week of
			// a self-paced course, which each learner starts on their
			// own); a learner's own window, extensions applied, decides
			// their "missed".
			var due *time.Time
			if !times.SelfPaced() || m.DueAt != nil {
				due = calendar.LearnerWindow(times, m.Times(), c.CreatedAt, nil).DueAt
			}
			b.Columns = append(b.Columns, Column{ItemID: it.ID, Title: it.Title, Kind: it.Kind, Points: it.Points, DueAt: due, ModuleID: m.ID})
			items[it.ID], modOf[it.ID] = it, m
		}
	}
	// Every grade of the course in two reads.
	subs, err := s.deadlines.CourseSubmissions(ctx, c.ID)
	if err != nil {
		return b, err
	}
	work := map[[2]uint64][]deadlines.Submission{}
	for _, sub := range subs {
		k := [2]uint64{sub.ItemID, sub.UserID}
		work[k] = append(work[k], sub)
	}
	atts, err := s.quiz.CourseAttempts(ctx, c.ID)
	if err != nil {
		return b, err
	}
	tries := map[[2]uint64][]quiz.Attempt{}
	for _, a := range atts {
		k := [2]uint64{a.ItemID, a.UserID}
		tries[k] = append(tries[k], a)
	}
	now := s.now().UTC()
	for _, m := range students {
		u, err := s.users.User(ctx, m.UserID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return b, err
		}
		overrides, err := s.deadlines.DueOverrides(ctx, c.ID, m.UserID)
		if err != nil {
			return b, err
		}
		row := Row{UserID: m.UserID, Name: u.Name, Email: u.Email, Cells: make([]Cell, 0, len(b.Columns))}
		for _, col := range b.Columns {
			it, mod := items[col.ItemID], modOf[col.ItemID]
			var ext *time.Time
			if t, ok := overrides[mod.ID]; ok {
				ext = &t
			}
			cut := calendar.LearnerWindow(times, mod.Times(), m.EnrolledAt, ext).Cutoff(times)
			closed := cut != nil && now.After(*cut)
			k := [2]uint64{it.ID, m.UserID}
			var cell Cell
			if it.Kind == modules.KindQuiz {
				cell = quizCell(it, tries[k], closed)
			} else {
				cell = assignmentCell(it, work[k], closed)
			}
			row.Cells = append(row.Cells, cell)
			switch {
			case cell.FinalScore != nil:
				row.Total += *cell.FinalScore
				row.TotalPoints += col.Points
			case cell.Status == Missed:
				row.TotalPoints += col.Points
			}
		}
		row.Total = round2(row.Total)
		if row.TotalPoints > 0 {
			row.Percent = round2(100 * row.Total / row.TotalPoints)
		}
		b.Rows = append(b.Rows, row)
	}
	slices.SortStableFunc(b.Rows, func(x, y Row) int {
		return cmp.Or(strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)), cmp.Compare(x.UserID, y.UserID))
	})
	return b, nil
}

// assignmentCell: the newest graded attempt counts; an ungraded current
// attempt makes the item need grading (the older grade still counts);
// nothing handed in is missed once the learner's cut-off passed.
func assignmentCell(it modules.Item, subs []deadlines.Submission, closed bool) Cell {
	c := Cell{ItemID: it.ID, Status: NotSubmitted}
	if len(subs) == 0 {
		if closed {
			c.Status = Missed
		}
		return c
	}
	graded, needs := deadlines.ItemGrade(subs)
	for _, s := range subs {
		if s.Current {
			c.SubmissionID = s.ID
		}
	}
	if graded != nil {
		c.Score, c.FinalScore = graded.Score, graded.FinalScore
		c.Status = Graded
	}
	if needs {
		c.Status = NeedsGrading
	}
	return c
}

// quizCell: the attempt the quiz's scoring rule picks counts; no
// submitted attempt is missed once the learner's cut-off passed.
func quizCell(it modules.Item, atts []quiz.Attempt, closed bool) Cell {
	c := Cell{ItemID: it.ID, Status: NotSubmitted}
	if len(atts) == 0 {
		if closed {
			c.Status = Missed
		}
		return c
	}
	st := quiz.DefaultSettings()
	if it.Quiz != nil {
		st = quiz.Settings(*it.Quiz)
	}
	finals := make([]float64, len(atts))
	for i, a := range atts {
		finals[i] = a.FinalScore
	}
	a := atts[quiz.Counted(st, finals)]
	score := quiz.Grade(a.Result, it.Points, 0)
	final := a.FinalScore
	c.Score, c.FinalScore, c.AttemptID, c.Status = &score, &final, a.ID, Graded
	return c
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
