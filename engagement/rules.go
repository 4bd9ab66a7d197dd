package engagement

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"pacer/calendar"
)

// Flags a learner can carry in a course.
const (
	FlagInactive = "inactive"
	FlagBehind   = "behind"
	FlagMissed   = "missed_deadline"
	// FlagStruggling: stuck on a quiz (Struggle).
	FlagStruggling = "struggling"
)

// ValidFlag reports whether f names a flag.
func ValidFlag(f string) bool {
	return f == FlagInactive || f == FlagBehind || f == FlagMissed || f == FlagStruggling
}

// HistoryDays is how many days of activity the rules look at: this week,
// and the four weeks before it for the learner's earlier pace.
const HistoryDays = 35

// ModuleFacts is one visible module as it stands for one learner.
type ModuleFacts struct {
	ID    uint64
	Title string
	Week  int
	// OpensAt and DueAt are the learner's own window (extension applied);
	// nil = open from the start / no due time.
	OpensAt             *time.Time
	DueAt               *time.Time
	Extended            bool
	Required, Completed int
	// Started counts items the learner has begun and not completed (any
	// stored progress short of completed).
	Started int
}

// Complete reports whether every item of the module is done.
func (m ModuleFacts) Complete() bool { return m.Completed >= m.Required }

// Facts are everything the rules need to judge one learner at an instant.
// They are read from stored data in one pass; Assess is a pure function of
// them and now.
type Facts struct {
	Times calendar.CourseTimes
	// InactiveAfter is the course's inactive_after_seconds; 0 turns the
	// inactive flag off.
	InactiveAfter time.Duration
	EnrolledAt    time.Time
	LastActiveAt  *time.Time
	Modules       []ModuleFacts
	// Activity counts the learner's actions per UTC day: Activity[0] is
	// the day of now, Activity[i] i days before. It may be shorter than
	// HistoryDays (days beyond are taken as idle).
	Activity []uint32
	// Struggles are the quizzes the learner is stuck on.
	Struggles []Struggle
}

// Assessment is the judgement of one learner.
type Assessment struct {
	Flags   []string
	Reasons []string
	// Risk is in 0..1; see Assess for the formula.
	Risk     float64
	Progress float64
	// IdleFor is the time since the learner's last activity (or since they
	// could first have been active: enrolment, or the course start).
	IdleFor time.Duration
	Behind  []ModuleFacts
	Missed  []ModuleFacts
	// Due counts modules whose due time (plus grace) has passed.
	Due int
	// RecentDays is the number of active days in the last 7 days;
	// EarlierWeekly the learner's average active days per week in the
	// weeks before (0 when there is no earlier week to compare with).
	RecentDays    int
	EarlierWeekly float64
	PaceDrop      float64
}

// Has reports whether the assessment carries flag f.
func (a Assessment) Has(f string) bool {
	for _, g := range a.Flags {
		if g == f {
			return true
		}
	}
	return false
}

// Risk weights; they sum to 1, so the risk stays in 0..1.
const (
	weightIdle   = 0.35
	weightBehind = 0.30
	weightMissed = 0.20
	weightPace   = 0.15
)

// Assess applies the flag rules at now. Every boundary is inclusive of the
// state it names, in step with the calendar package:
//
//   - inactive: now − last ≥ inactive_after, where last is the latest of the
//     learner's last activity, their enrolment and (scheduled courses) the
//     course start, so nobody is "inactive" in a course that has not begun.
//     A learner who completed every module is never inactive.
//   - behind: at least one module is incomplete and now > due + grace for
//     this learner (their week, the module's date, or their extension);
//     within the grace period work is still on time, so nobody is behind.
//   - missed_deadline: at least one module is incomplete and now > due +
//     grace + late, the cut-off after which work is refused. It lasts until
//     the work is done or staff grant an extension.
//   - struggling: the learner failed a quiz twice with no pass since, or
//     a timed attempt's time ran out with under half of it answered
//     (quiz.Struggling). It lasts until they pass that quiz. It does not
//     add to the risk score, whose weights predate it; the at-risk list
//     filters on it like any flag.
//
// Risk is a weighted sum of four terms, each in 0..1:
//
//	idle   = min(1, idle_for / (2 · inactive_after))     0 when the threshold is 0
//	behind = modules behind / modules come due           0 when nothing is due
//	missed = 1 − 0.5^missed_deadlines                    1 → 0.5, 2 → 0.75, …
//	pace   = max(0, 1 − recent / earlier)                recent = active days in
//	         the last 7 days, earlier = average active days per week over up to
//	         4 weeks before that (only weeks after enrolment); 0 when there is
//	         no earlier week or it had no activity
//	risk   = 0.35·idle + 0.30·behind + 0.20·missed + 0.15·pace, to 2 decimals
//
// So a learner exactly at the inactivity threshold scores 0.175 from that
// term alone, twice the threshold 0.35, and one who is also behind on
// everything due, has missed a deadline and stopped where they used to be
// active every week approaches 1.
func Assess(f Facts, now time.Time) Assessment { return assess(f, now, true) }

// assess is Assess; without reasons it skips the text, which only people
// read, for the job's pass over every learner.
func assess(f Facts, now time.Time, reasons bool) Assessment {
	var a Assessment
	assessInto(&a, f, now, reasons)
	return a
}

// assessInto is assess into a, reusing its slices' arrays: the job judges
// every learner of a course with one Assessment, so that a sweep over
// 50,000 learners does not allocate flags and modules behind for each.
func assessInto(a *Assessment, f Facts, now time.Time, reasons bool) {
	*a = Assessment{Flags: a.Flags[:0], Reasons: a.Reasons[:0], Behind: a.Behind[:0], Missed: a.Missed[:0]}
	done, total := 0, 0
	for _, m := range f.Modules {
		done += m.Completed
		total += m.Required
	}
	if total > 0 {
		a.Progress = float64(done) / float64(total)
	}

	last := f.EnrolledAt
	if f.LastActiveAt != nil && f.LastActiveAt.After(last) {
		last = *f.LastActiveAt
	}
	if !f.Times.SelfPaced() && f.Times.StartsAt != nil && f.Times.StartsAt.After(last) {
		last = *f.Times.StartsAt
	}
	if now.After(last) {
		a.IdleFor = now.Sub(last)
	}
	finished := total > 0 && done >= total
	if f.InactiveAfter > 0 && a.IdleFor >= f.InactiveAfter && !finished {
		a.Flags = append(a.Flags, FlagInactive)
		if reasons {
			a.Reasons = append(a.Reasons, inactiveReason(a.IdleFor, f.LastActiveAt == nil))
		}
	}

	grace := time.Duration(max(f.Times.GraceSeconds, 0)) * time.Second
	late := time.Duration(max(f.Times.LateSeconds, 0)) * time.Second
	for _, m := range f.Modules {
		if m.DueAt == nil || m.Required == 0 || !now.After(m.DueAt.Add(grace)) {
			continue
		}
		a.Due++
		if m.Complete() {
			continue
		}
		a.Behind = append(a.Behind, m)
		if now.After(m.DueAt.Add(grace).Add(late)) {
			a.Missed = append(a.Missed, m)
		}
	}
	if len(a.Behind) > 0 {
		a.Flags = append(a.Flags, FlagBehind)
		if reasons {
			a.Reasons = append(a.Reasons, countedTitles(len(a.Behind), "module behind", "modules behind", a.Behind))
		}
	}
	if len(a.Missed) > 0 {
		a.Flags = append(a.Flags, FlagMissed)
		if reasons {
			a.Reasons = append(a.Reasons, countedTitles(len(a.Missed), "missed deadline", "missed deadlines", a.Missed))
		}
	}

	if len(f.Struggles) > 0 {
		a.Flags = append(a.Flags, FlagStruggling)
		if reasons {
			for _, st := range f.Struggles {
				a.Reasons = append(a.Reasons, struggleReason(st))
			}
		}
	}

	a.RecentDays, a.EarlierWeekly = pace(f.Activity, f.EnrolledAt, now)
	if a.EarlierWeekly >= 1 {
		a.PaceDrop = math.Max(0, 1-float64(a.RecentDays)/a.EarlierWeekly)
		if a.PaceDrop >= 0.5 && reasons {
			a.Reasons = append(a.Reasons, fmt.Sprintf("active on %s in the last week, against %s a week before",
				plural(a.RecentDays, "day", "days"), trimFloat(a.EarlierWeekly)))
		}
	}

	var idle, behind, missed float64
	if f.InactiveAfter > 0 {
		idle = math.Min(1, float64(a.IdleFor)/float64(2*f.InactiveAfter))
	}
	if a.Due > 0 {
		behind = float64(len(a.Behind)) / float64(a.Due)
	}
	missed = 1 - math.Pow(0.5, float64(len(a.Missed)))
	r := weightIdle*idle + weightBehind*behind + weightMissed*missed + weightPace*a.PaceDrop
	a.Risk = math.Round(math.Min(1, math.Max(0, r))*100) / 100
}

// pace counts active days in the last 7 days and the average per week
// over the up to 4 whole weeks before them that follow enrolment.
func pace(days []uint32, enrolled, now time.Time) (recent int, earlierWeekly float64) {
	for i := 0; i < 7 && i < len(days); i++ {
		if days[i] > 0 {
			recent++
		}
	}
	// Whole days between enrolment and now bound how far back "earlier"
	// may look: days before enrolment are not idle, they are not yet.
	since := int(now.Sub(enrolled) / (24 * time.Hour))
	span := min(HistoryDays, since) - 7
	span -= span % 7
	if span < 7 {
		return recent, 0
	}
	active := 0
	for i := 7; i < 7+span && i < len(days); i++ {
		if days[i] > 0 {
			active++
		}
	}
	return recent, float64(active) * 7 / float64(span)
}

// inactiveReason says how long a learner has been away: "no activity for
// 9 days".
func inactiveReason(d time.Duration, never bool) string {
	s := "no activity for " + Ago(d)
	if never {
		s += " (none since enrolling)"
	}
	return s
}

// Ago is a duration as people say it: "9 days", "20 hours", "5 minutes".
func Ago(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day", "days")
	case d >= time.Hour:
		return plural(int(d/time.Hour), "hour", "hours")
	default:
		return plural(int(d/time.Minute), "minute", "minutes")
	}
}

// countedTitles is "2 modules behind: Week 3, Week 4".
func countedTitles(n int, one, many string, ms []ModuleFacts) string {
	titles := make([]string, 0, len(ms))
	for _, m := range ms {
		titles = append(titles, m.Title)
	}
	word := many
	if n == 1 {
		word = one
	}
	return strconv.Itoa(n) + " " + word + ": " + strings.Join(titles, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func trimFloat(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}
