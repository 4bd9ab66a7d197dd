package engagement

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
	"pacer/txn"
)

// ChartWeeks is how many weeks of activity the at-risk view returns per
// learner (for its small chart).
const ChartWeeks = 8

// Row is one learner on the at-risk view.
type Row struct {
	UserID        uint64     `json:"user_id"`
	Name          string     `json:"name"`
	Flags         []string   `json:"flags"`
	Reasons       []string   `json:"reasons"`
	LastActiveAt  *time.Time `json:"last_active_at"`
	Progress      float64    `json:"progress"`
	Risk          float64    `json:"risk"`
	BehindModules int        `json:"behind_modules"`
	// Pace is the learner's pace as the cohort overview counts it.
	Pace string `json:"pace"`
	// NudgedAt and EscalatedAt are the job's last automatic nudge and the
	// last time staff were told, from the ladder record.
	NudgedAt    *time.Time `json:"nudged_at"`
	EscalatedAt *time.Time `json:"escalated_at"`
	// WeeklyActivity is the number of active days in each of the last
	// ChartWeeks weeks, oldest first (the last one ends today).
	WeeklyActivity []int `json:"weekly_activity"`
}

// AtRisk judges every student of a course now (staff only), highest risk
// first. It is computed from stored data and the clock at the request, so
// it is right even before the job has run; buffered activity counts. With
// flag set, only learners carrying that flag are listed.
func (s *Service) AtRisk(ctx context.Context, caller, course uint64, flag string) ([]Row, error) {
	return s.AtRiskWhere(ctx, caller, course, Filter{Flag: flag})
}

// AtRiskWhere is AtRisk narrowed by every condition of q: the learners the
// cohort overview counted under one of its numbers.
func (s *Service) AtRiskWhere(ctx context.Context, caller, course uint64, q Filter) ([]Row, error) {
	now := s.now().UTC()
	rows := []Row{}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		if err := q.check(); err != nil {
			return err
		}
		rows, err = s.judgeAll(ctx, a.Course, now, q)
		return err
	})
	if err != nil {
		return nil, errs.Wrap(err, "at-risk learners")
	}
	return rows, nil
}

// judgeAll assesses every student of a course.
func (s *Service) judgeAll(ctx context.Context, c modules.Course, now time.Time, q Filter) ([]Row, error) {
	cv, err := s.loadCourse(ctx, c)
	if err != nil {
		return nil, err
	}
	mod, err := cv.moduleIndex(q)
	if err != nil {
		return nil, err
	}
	pend := s.tracker.pendingIn(c.ID)
	rows := []Row{}
	var sc scratch
	err = s.courses.EachMember(ctx, c.ID, func(m modules.Member) error {
		if m.Role != modules.RoleStudent {
			return nil
		}
		f, err := s.facts(ctx, cv, m, now, ChartWeeks*7, pend[m.UserID], &sc)
		if err != nil {
			return err
		}
		a := Assess(f, now)
		where := standing(f, a, now)
		if !q.keeps(a, where, mod) {
			return nil
		}
		r := Row{UserID: m.UserID, Flags: a.Flags, Reasons: a.Reasons, LastActiveAt: f.LastActiveAt,
			Progress: round2(a.Progress), Risk: a.Risk, BehindModules: len(a.Behind), Pace: where.Pace,
			WeeklyActivity: weekly(f.Activity)}
		if r.Flags == nil {
			r.Flags = []string{}
		}
		if r.Reasons == nil {
			r.Reasons = []string{}
		}
		if u, err := s.auth.User(ctx, m.UserID); err == nil {
			r.Name = u.Name
		}
		raw, ok, err := s.store.State(ctx, c.ID, m.UserID)
		if err != nil {
			return err
		}
		var st state
		if ok && json.Unmarshal(raw, &st) == nil {
			r.NudgedAt, r.EscalatedAt = st.NudgedAt, st.EscalatedAt
		}
		rows = append(rows, r)
		return nil
	})
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Risk != rows[j].Risk {
			return rows[i].Risk > rows[j].Risk
		}
		return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name)
	})
	return rows, err
}

// weekly folds per-day counts (today first) into active days per week,
// oldest week first.
func weekly(days []uint32) []int {
	out := make([]int, ChartWeeks)
	for i, n := range days {
		w := i / 7
		if w < ChartWeeks && n > 0 {
			out[ChartWeeks-1-w]++
		}
	}
	return out
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// BehindModule is a module past due and not done, on the pace view.
type BehindModule struct {
	ModuleID uint64     `json:"module_id"`
	Title    string     `json:"title"`
	DueAt    *time.Time `json:"due_at"`
	Missed   bool       `json:"missed"`
}

// Pace is one learner's standing in one course, in their own words.
type Pace struct {
	CourseID     uint64         `json:"course_id"`
	CourseTitle  string         `json:"course_title"`
	UserID       uint64         `json:"user_id"`
	OnTrack      bool           `json:"on_track"`
	Flags        []string       `json:"flags"`
	Reasons      []string       `json:"reasons"`
	Progress     float64        `json:"progress"`
	Behind       []BehindModule `json:"behind"`
	Next         *Next          `json:"next"`
	LastActiveAt *time.Time     `json:"last_active_at"`
	// Summary is the line for a dashboard: "You are 1 week behind; next:
	// “Reading” in Week 3, due Mon 18 Jan 2027 00:00 CET".
	Summary string `json:"summary"`
	// Risk is shown to staff only.
	Risk *float64 `json:"risk,omitempty"`
}

// Pace is a learner's pace in a course: the caller's own (students), or
// any student's for staff (user ≠ 0).
func (s *Service) Pace(ctx context.Context, caller, course, user uint64) (Pace, error) {
	var p Pace
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		target := *a.Member
		staff := false
		if user != 0 && user != caller {
			if err := a.RequireStaff(); err != nil {
				return err
			}
			staff = true
			if target, err = s.courses.Member(ctx, course, user); err != nil || target.Role != modules.RoleStudent {
				return errs.NotFoundf("student")
			}
		} else if err := a.RequireStudent(); err != nil {
			return err
		} else if target, err = s.courses.Member(ctx, course, caller); err != nil {
			// The record itself: access's copy has no last activity.
			return err
		}
		p, err = s.learnerPace(ctx, a.Course, target, s.readerZone(ctx, caller))
		if !staff {
			p.Risk = nil
		}
		return err
	})
	return p, errs.Wrap(err, "pace")
}

// MyPace is the caller's pace in every course they study, for the
// dashboard.
func (s *Service) MyPace(ctx context.Context, caller uint64) ([]Pace, error) {
	out := []Pace{}
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		courses, err := s.courses.CoursesOf(ctx, caller)
		if err != nil {
			return err
		}
		reader := s.readerZone(ctx, caller)
		for _, id := range courses {
			m, err := s.courses.Member(ctx, id, caller)
			if err != nil || m.Role != modules.RoleStudent {
				continue
			}
			c, err := s.courses.CourseRecord(ctx, id)
			if err != nil {
				continue
			}
			p, err := s.learnerPace(ctx, c, m, reader)
			if err != nil {
				return err
			}
			p.Risk = nil
			out = append(out, p)
		}
		return nil
	})
	return out, errs.Wrap(err, "my pace")
}

// learnerPace is a learner's pace; reader is the zone of whoever reads it (the
// caller), in which its summary writes times.
func (s *Service) learnerPace(ctx context.Context, c modules.Course, m modules.Member, reader *time.Location) (Pace, error) {
	now := s.now().UTC()
	cv, err := s.loadCourse(ctx, c)
	if err != nil {
		return Pace{}, err
	}
	var sc scratch
	f, err := s.facts(ctx, cv, m, now, HistoryDays, s.tracker.pendingIn(c.ID)[m.UserID], &sc)
	if err != nil {
		return Pace{}, err
	}
	a := Assess(f, now)
	l, err := s.courses.Learner(ctx, c, m, false)
	if err != nil {
		return Pace{}, err
	}
	risk := a.Risk
	p := Pace{CourseID: c.ID, CourseTitle: c.Title, UserID: m.UserID, OnTrack: len(a.Behind) == 0,
		Flags: a.Flags, Reasons: a.Reasons, Progress: round2(a.Progress), Behind: []BehindModule{},
		Next: nextStep(l), LastActiveAt: f.LastActiveAt, Risk: &risk}
	if p.Flags == nil {
		p.Flags = []string{}
	}
	if p.Reasons == nil {
		p.Reasons = []string{}
	}
	for _, b := range a.Behind {
		missed := false
		for _, x := range a.Missed {
			missed = missed || x.ID == b.ID
		}
		p.Behind = append(p.Behind, BehindModule{ModuleID: b.ID, Title: b.Title, DueAt: b.DueAt, Missed: missed})
	}
	switch {
	case len(a.Behind) > 0:
		p.Summary = "You are " + BehindPhrase(a.Behind)
	case a.Has(FlagInactive) && f.LastActiveAt == nil:
		p.Summary = "You have not started yet"
	case a.Has(FlagInactive):
		p.Summary = "Your last visit was " + Ago(a.IdleFor) + " ago"
	case p.Next == nil && a.Progress >= 1:
		p.Summary = "You have finished everything so far"
	default:
		p.Summary = "You are on track"
	}
	if p.Next != nil {
		p.Summary += "; next: " + p.Next.Phrase(reader, c.Location())
	}
	return p, nil
}

// MessageInput is the body of POST /courses/:course/nudges: a message to
// the chosen learners, or to every learner carrying a flag.
type MessageInput struct {
	UserIDs []uint64 `json:"user_ids"`
	Flag    string   `json:"flag"`
	Message string   `json:"message"`
}

// MessageResult is the answer: who was messaged.
type MessageResult struct {
	Sent    int      `json:"sent"`
	UserIDs []uint64 `json:"user_ids"`
}

// maxRecipients bounds one message's explicit recipients.
const maxRecipients = 1000

// maxMessage bounds a message's length in bytes.
const maxMessage = 5000

// Message sends a staff message to learners of a course as an
// instructor_message notification (and so an e-mail, where wanted). Every
// recipient must be a student of the course; with Flag, the recipients are
// the students carrying it now.
func (s *Service) Message(ctx context.Context, caller, course uint64, in MessageInput) (MessageResult, error) {
	res := MessageResult{UserIDs: []uint64{}}
	msg := strings.TrimSpace(in.Message)
	fields := map[string]string{}
	switch {
	case msg == "":
		fields["message"] = "required"
	case len(msg) > maxMessage || !utf8.ValidString(msg) || strings.ContainsRune(msg, 0):
		fields["message"] = "must be text of at most 5000 bytes"
	}
	switch {
	case len(in.UserIDs) > 0 && in.Flag != "":
		fields["user_ids"] = "give user_ids or flag, not both"
	case len(in.UserIDs) == 0 && in.Flag == "":
		fields["user_ids"] = "required (or give flag)"
	case len(in.UserIDs) > maxRecipients:
		fields["user_ids"] = "at most 1000"
	case in.Flag != "" && !ValidFlag(in.Flag):
		fields["flag"] = "must be inactive, behind, missed_deadline or struggling"
	}
	// Access comes first so that a non-member learns nothing, not even
	// that their body was wrong.
	err := s.tx.Write(ctx, func(ctx context.Context) error {
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
		var to []uint64
		if in.Flag != "" {
			rows, err := s.judgeAll(ctx, a.Course, s.now().UTC(), Filter{Flag: in.Flag})
			if err != nil {
				return err
			}
			for _, r := range rows {
				to = append(to, r.UserID)
			}
		} else {
			seen := map[uint64]bool{}
			for _, id := range in.UserIDs {
				if seen[id] {
					continue
				}
				seen[id] = true
				m, err := s.courses.Member(ctx, course, id)
				if err != nil && !errors.Is(err, txn.ErrNotFound) {
					return err
				}
				if err != nil || m.Role != modules.RoleStudent {
					return errs.Field("user_ids", "user "+itoa(id)+" is not a student of this course")
				}
				to = append(to, id)
			}
		}
		from := "Your instructor"
		if u, err := s.auth.User(ctx, caller); err == nil {
			from = u.Name
		}
		for _, id := range to {
			_, err := s.notify.Add(ctx, notify.Notification{UserID: id, CourseID: course,
				Kind: notify.KindInstructorMessage, Title: from + " sent you a message in " + a.Course.Title,
				Body: msg, Link: courseLink(course)})
			if err != nil {
				return err
			}
		}
		res.Sent, res.UserIDs = len(to), append(res.UserIDs, to...)
		return nil
	})
	return res, errs.Wrap(err, "message learners")
}
