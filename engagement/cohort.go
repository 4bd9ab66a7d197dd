package engagement

import (
	"context"
	"strconv"
	"time"

	"pacer/errs"
	"pacer/modules"
)

// A learner's state on one module, as the cohort overview counts it.
const (
	ModuleCompleted  = "completed"   // every item done
	ModuleWorking    = "working"     // begun, not done, not past due
	ModuleOverdue    = "overdue"     // past due + grace and not done (the behind rule)
	ModuleNotStarted = "not_started" // nothing begun, not past due
)

// A learner's pace in a course, as the cohort overview counts it.
const (
	PaceAhead      = "ahead"       // nothing behind, and all open work with a due time still to come done
	PaceOnSchedule = "on_schedule" // nothing behind, work still to do before its due time
	PaceBehind1    = "behind1"     // behind in one week (or one module without a week)
	PaceBehindMore = "behind_more" // behind in two weeks or more
)

// ValidModuleState reports whether s names a module state.
func ValidModuleState(s string) bool {
	return s == ModuleCompleted || s == ModuleWorking || s == ModuleOverdue || s == ModuleNotStarted
}

// ValidPace reports whether p names a pace.
func ValidPace(p string) bool {
	return p == PaceAhead || p == PaceOnSchedule || p == PaceBehind1 || p == PaceBehindMore
}

// Standing is where one learner is: their pace, and their state on each
// module of their Facts (in the same order; "" for a module without
// items, which nobody can do).
type Standing struct {
	Pace    string
	Modules []string
}

// Classify is the standing of a learner at now. It is a pure function of
// the same Facts and rules as Assess, so the overview's counts, the
// at-risk filters and the behind flag never disagree.
func Classify(f Facts, now time.Time) Standing { return standing(f, assess(f, now, false), now) }

// standing classifies with an assessment already made at now:
//
//   - a module is overdue exactly when Assess lists it as behind (past its
//     due time plus grace, not done); else completed when every item is
//     done; else working when any item is begun; else not_started;
//   - the pace is behind1 or behind_more by the number of weeks behind
//     (as BehindPhrase counts them: each module without a week is its own);
//     otherwise ahead when every module open to the learner whose due time
//     is still to come is done, and at least one such module exists;
//     otherwise on_schedule.
func standing(f Facts, a Assessment, now time.Time) Standing {
	st := Standing{Modules: make([]string, len(f.Modules))}
	behind := make(map[uint64]bool, len(a.Behind))
	weeks := map[int]bool{}
	noWeek := 0
	for _, m := range a.Behind {
		behind[m.ID] = true
		if m.Week > 0 {
			weeks[m.Week] = true
		} else {
			noWeek++
		}
	}
	early, pending := 0, 0
	grace := time.Duration(max(f.Times.GraceSeconds, 0)) * time.Second
	for i, m := range f.Modules {
		switch {
		case m.Required == 0:
			continue
		case behind[m.ID]:
			st.Modules[i] = ModuleOverdue
		case m.Complete():
			st.Modules[i] = ModuleCompleted
		case m.Started > 0 || m.Completed > 0:
			st.Modules[i] = ModuleWorking
		default:
			st.Modules[i] = ModuleNotStarted
		}
		if m.DueAt == nil || now.After(m.DueAt.Add(grace)) {
			continue
		}
		switch {
		case m.Complete():
			early++
		case m.OpensAt == nil || !now.Before(*m.OpensAt):
			pending++
		}
	}
	switch n := len(weeks) + noWeek; {
	case n == 1:
		st.Pace = PaceBehind1
	case n > 1:
		st.Pace = PaceBehindMore
	case early > 0 && pending == 0:
		st.Pace = PaceAhead
	default:
		st.Pace = PaceOnSchedule
	}
	return st
}

// Filter narrows the at-risk list. Every field set must hold: Flag (a
// flag the learner carries), Pace, and Module with State (the learner's
// state on that module; State needs Module).
type Filter struct {
	Flag   string
	Pace   string
	Module uint64
	State  string
}

// check validates a filter's words; the module is checked against the
// course later.
func (q Filter) check() error {
	fields := map[string]string{}
	if q.Flag != "" && !ValidFlag(q.Flag) {
		fields["flag"] = "must be inactive, behind, missed_deadline or struggling"
	}
	if q.Pace != "" && !ValidPace(q.Pace) {
		fields["pace"] = "must be ahead, on_schedule, behind1 or behind_more"
	}
	switch {
	case q.State != "" && !ValidModuleState(q.State):
		fields["state"] = "must be completed, working, overdue or not_started"
	case q.State != "" && q.Module == 0:
		fields["module"] = "required with state"
	case q.State == "" && q.Module != 0:
		fields["state"] = "required with module"
	}
	if len(fields) > 0 {
		return errs.Validation(fields)
	}
	return nil
}

// keeps reports whether a learner passes the filter; mod is the index of
// the filter's module in the learner's facts (-1 when none is asked for).
func (q Filter) keeps(a Assessment, st Standing, mod int) bool {
	if q.Flag != "" && !a.Has(q.Flag) {
		return false
	}
	if q.Pace != "" && st.Pace != q.Pace {
		return false
	}
	return mod < 0 || st.Modules[mod] == q.State
}

// moduleIndex is the position of a filter's module among the course's
// published modules: -1 when the filter names none, and a 400 naming
// "module" when it names one that is not a published module of the
// course.
func (cv *courseView) moduleIndex(q Filter) (int, error) {
	if q.Module == 0 {
		return -1, nil
	}
	for i, m := range cv.mods {
		if m.ID == q.Module {
			return i, nil
		}
	}
	return -1, errs.Field("module", "not a published module of this course")
}

// CohortModule is one module's line of the overview: how many students
// are in each state on it.
type CohortModule struct {
	ModuleID   uint64 `json:"module_id"`
	Title      string `json:"title"`
	Week       int    `json:"week"`
	Items      int    `json:"items"`
	Completed  int    `json:"completed"`
	Working    int    `json:"working"`
	Overdue    int    `json:"overdue"`
	NotStarted int    `json:"not_started"`
}

// PaceCounts is how the students spread by pace.
type PaceCounts struct {
	Ahead      int `json:"ahead"`
	OnSchedule int `json:"on_schedule"`
	Behind1    int `json:"behind1"`
	BehindMore int `json:"behind_more"`
}

// Cohort is where a course's students are: per published module, and by
// pace, at ComputedAt.
type Cohort struct {
	CourseID   uint64         `json:"course_id"`
	Students   int            `json:"students"`
	Modules    []CohortModule `json:"modules"`
	Pace       PaceCounts     `json:"pace"`
	ComputedAt time.Time      `json:"computed_at"`
}

// Cohort counts where a course's students are now (staff only). It is
// one pass over the course's students, reading each one's progress and
// extensions once, with the course read once for all of them; activity
// is not read, since nothing here depends on it.
func (s *Service) Cohort(ctx context.Context, caller, course uint64) (Cohort, error) {
	var out Cohort
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.courses.MemberAccess(ctx, course, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		out, err = s.cohortOf(ctx, a.Course, s.now().UTC())
		return err
	})
	return out, errs.Wrap(err, "cohort")
}

func (s *Service) cohortOf(ctx context.Context, c modules.Course, now time.Time) (Cohort, error) {
	out := Cohort{CourseID: c.ID, Modules: []CohortModule{}, ComputedAt: now}
	cv, err := s.loadCourse(ctx, c)
	if err != nil {
		return out, err
	}
	for i, m := range cv.mods {
		out.Modules = append(out.Modules, CohortModule{ModuleID: m.ID, Title: m.Title, Week: m.Week, Items: cv.required[i]})
	}
	var sc scratch
	err = s.courses.EachMember(ctx, c.ID, func(m modules.Member) error {
		if m.Role != modules.RoleStudent {
			return nil
		}
		f, err := s.facts(ctx, cv, m, now, 0, nil, &sc)
		if err != nil {
			return err
		}
		st := Classify(f, now)
		out.Students++
		for i, state := range st.Modules {
			cm := &out.Modules[i]
			switch state {
			case ModuleCompleted:
				cm.Completed++
			case ModuleWorking:
				cm.Working++
			case ModuleOverdue:
				cm.Overdue++
			case ModuleNotStarted:
				cm.NotStarted++
			}
		}
		switch st.Pace {
		case PaceAhead:
			out.Pace.Ahead++
		case PaceOnSchedule:
			out.Pace.OnSchedule++
		case PaceBehind1:
			out.Pace.Behind1++
		case PaceBehindMore:
			out.Pace.BehindMore++
		}
		return nil
	})
	return out, err
}

// AtRiskFilterLink is the at-risk page narrowed by a filter, as the
// overview links to it.
func AtRiskFilterLink(course uint64, q Filter) string {
	s := AtRiskLink(course)
	sep := "?"
	add := func(k, v string) {
		s += sep + k + "=" + v
		sep = "&"
	}
	if q.Flag != "" {
		add("flag", q.Flag)
	}
	if q.Pace != "" {
		add("pace", q.Pace)
	}
	if q.Module != 0 {
		add("module", strconv.FormatUint(q.Module, 10))
	}
	if q.State != "" {
		add("state", q.State)
	}
	return s
}
