// Package calendar holds Pacer's time rules: weeks, per-learner windows,
// submission judging and deadline statuses. The deadlines package stores
// extensions and submissions and runs the scheduler on top of it; modules
// uses it to lock and order a learner's weeks. Everything here is a pure function of its inputs and `now`; there
// is no storage, no clock and no I/O, so every state can be recomputed at the
// moment of a request (API.md, "Schedule: weeks, windows and due dates";
// DESIGN.md, "Time").
//
// Conventions used throughout:
//
//   - Weeks are counted in calendar days in the course time zone
//     (time.Time.AddDate on the start instant expressed in that zone), never
//     as 168*time.Hour. A week that spans a daylight-saving change therefore
//     keeps its wall-clock time and is 167 h or 169 h long in UTC.
//   - Every boundary is inclusive at the exact instant: a module is open AT
//     its opening instant, work submitted AT due+grace is on time, work
//     submitted AT due+grace+late is late (still accepted), and a deadline is
//     "due_soon" when it is exactly 48 h away. One nanosecond later the next
//     state applies.
//   - Every returned instant is in UTC.
package calendar

import (
	"math"
	"time"
)

// Pacing values.
const (
	PacingScheduled = "scheduled"
	PacingSelfPaced = "self_paced"
)

// Submission statuses returned by Judge.
const (
	StatusOnTime         = "on_time"
	StatusLate           = "late"
	StatusDeadlinePassed = "deadline_passed" // returned with ok == false
)

// Deadline statuses returned by DeadlineStatus (GET /api/v1/me/deadlines).
const (
	DeadlineUpcoming = "upcoming"
	DeadlineDueSoon  = "due_soon"
	DeadlineOverdue  = "overdue"
	DeadlineDone     = "done"
	DeadlineMissed   = "missed"
)

// DueSoonWithin is how close a due time must be (inclusive) for a deadline to
// be "due_soon".
const DueSoonWithin = 48 * time.Hour

// PenaltyDay is the length of one started "day" of lateness in Judge.
const PenaltyDay = 24 * time.Hour

// maxPolicySeconds bounds grace and late seconds so that converting them to a
// time.Duration can never overflow (about 292 years).
const maxPolicySeconds = int64(math.MaxInt64 / int64(time.Second))

// CourseTimes is what the calendar needs of a course.
type CourseTimes struct {
	Pacing                    string         // PacingScheduled or PacingSelfPaced
	StartsAt                  *time.Time     // week 1 starts here for scheduled courses (UTC instant); nil = not set
	Location                  *time.Location // course time zone (never nil; callers pass time.UTC by default)
	GraceSeconds, LateSeconds int64
	LatePenaltyPercentPerDay  float64
}

// ModuleTimes is what the calendar needs of a module.
type ModuleTimes struct {
	Week    int        // 0 = no week
	OpensAt *time.Time // explicit, wins over Week in scheduled courses
	DueAt   *time.Time // explicit, wins over Week in scheduled courses
}

// Window is when a module opens and is due for one learner.
type Window struct {
	OpensAt  *time.Time // nil = open from the start
	DueAt    *time.Time // nil = no due time
	Extended bool       // DueAt comes from a per-learner extension
}

// location returns the course time zone, falling back to UTC when the caller
// broke the "never nil" promise.
func (c CourseTimes) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// SelfPaced reports whether weeks count from each learner's enrolment.
// Any pacing value other than PacingSelfPaced is treated as scheduled.
func (c CourseTimes) SelfPaced() bool { return c.Pacing == PacingSelfPaced }

// grace and late return the policy durations, negative values read as 0 and
// absurdly large ones clamped so that they never overflow.
func (c CourseTimes) grace() time.Duration { return policyDuration(c.GraceSeconds) }
func (c CourseTimes) late() time.Duration  { return policyDuration(c.LateSeconds) }

func policyDuration(s int64) time.Duration {
	if s <= 0 {
		return 0
	}
	if s > maxPolicySeconds {
		s = maxPolicySeconds
	}
	return time.Duration(s) * time.Second
}

// LearnerStart is the instant week 1 starts for a learner, in UTC:
//
//   - scheduled course with StartsAt set: StartsAt;
//   - scheduled course without StartsAt: the learner's enrolment instant
//     (the course then behaves like a self-paced one until a start is set);
//   - self-paced course: the learner's enrolment instant (StartsAt is
//     ignored for weeks).
func LearnerStart(c CourseTimes, enrolledAt time.Time) time.Time {
	if !c.SelfPaced() && c.StartsAt != nil {
		return c.StartsAt.UTC()
	}
	return enrolledAt.UTC()
}

// WeekStart returns the instant week n (1-based) starts, given the base
// instant, in loc: base + 7·(n-1) calendar days, keeping base's wall-clock
// time in loc. The result is in UTC. The end of week n is WeekStart(n+1).
//
// If the wall-clock time does not exist on the target day (it falls in a
// spring-forward gap), Go's time.Date moves it forward by the length of the
// gap (02:30 → 03:30 in Europe/Berlin); if it exists twice (autumn overlap),
// time.Date picks the second occurrence (the one after the clocks went back).
// A nil loc means UTC. n < 1 counts backwards from week 1 (week 0 is the
// week before week 1).
func WeekStart(base time.Time, loc *time.Location, n int) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return base.In(loc).AddDate(0, 0, 7*(n-1)).UTC()
}

// WeekAt returns the learner's week number at now: 1 during week 1, 2 during
// week 2, … and 0 before week 1 starts. A week includes its start instant and
// excludes its end instant (which is the start of the next week).
func WeekAt(c CourseTimes, enrolledAt, now time.Time) int {
	start := LearnerStart(c, enrolledAt)
	if now.Before(start) {
		return 0
	}
	loc := c.location()
	// Estimate with 168 h weeks, then correct for DST drift (at most an
	// hour or so per change, so one or two steps at most).
	n := int(now.Sub(start)/(7*24*time.Hour)) + 1
	for n > 1 && WeekStart(start, loc, n).After(now) {
		n--
	}
	for !WeekStart(start, loc, n+1).After(now) {
		n++
	}
	return n
}

// LearnerWindow computes when a module opens and is due for one learner.
//
// Rules, field by field (OpensAt and DueAt are decided independently):
//
//   - An explicit module date (m.OpensAt / m.DueAt) wins over m.Week. This
//     holds in scheduled courses (API contract) and, by choice, in self-paced
//     courses too: an instructor who sets an absolute date on a self-paced
//     module means that date for everyone.
//   - Otherwise, when m.Week ≥ 1, the module opens at the start of that week
//     and is due at its end (the start of the next week). Weeks count from
//     LearnerStart: the course start in scheduled courses, the enrolment
//     instant in self-paced courses and in scheduled courses without a start.
//   - Otherwise (no week, no explicit date) the module is open from the
//     course start and has no due time. For a scheduled course with StartsAt
//     the window's OpensAt is StartsAt (so nothing opens before the course
//     starts); for a self-paced course, or a scheduled one without a start,
//     the course starts for the learner at enrolment, so OpensAt is nil
//     ("open from the start").
//   - A per-learner extension, when non-nil, replaces the due time (most
//     specific wins), also for modules that had no due time, and sets
//     Extended. It does not move the opening time.
func LearnerWindow(c CourseTimes, m ModuleTimes, enrolledAt time.Time, extension *time.Time) Window {
	var w Window
	var weekOpens, weekDue *time.Time
	if m.Week >= 1 && (m.OpensAt == nil || m.DueAt == nil) {
		start := LearnerStart(c, enrolledAt)
		loc := c.location()
		o := WeekStart(start, loc, m.Week)
		d := WeekStart(start, loc, m.Week+1)
		weekOpens, weekDue = &o, &d
	}

	switch {
	case m.OpensAt != nil:
		w.OpensAt = utcPtr(*m.OpensAt)
	case weekOpens != nil:
		w.OpensAt = weekOpens
	case !c.SelfPaced() && c.StartsAt != nil:
		w.OpensAt = utcPtr(*c.StartsAt)
	}

	switch {
	case extension != nil:
		w.DueAt = utcPtr(*extension)
		w.Extended = true
	case m.DueAt != nil:
		w.DueAt = utcPtr(*m.DueAt)
	case weekDue != nil:
		w.DueAt = weekDue
	}
	return w
}

func utcPtr(t time.Time) *time.Time {
	u := t.UTC()
	return &u
}

// graceEnd returns due+grace; ok is false when there is no due time.
func (w Window) graceEnd(c CourseTimes) (time.Time, bool) {
	if w.DueAt == nil {
		return time.Time{}, false
	}
	return w.DueAt.UTC().Add(c.grace()), true
}

// Cutoff returns due + grace + late, the last instant (inclusive) at which
// work is still accepted, in UTC; nil when the window has no due time.
func (w Window) Cutoff(c CourseTimes) *time.Time {
	ge, ok := w.graceEnd(c)
	if !ok {
		return nil
	}
	cut := ge.Add(c.late())
	return &cut
}

// IsOpen reports whether the window is open at now. It is open from OpensAt
// inclusive (always, when OpensAt is nil). A window stays open after its due
// time: whether work is still accepted is Judge's business.
func (w Window) IsOpen(now time.Time) bool {
	return w.OpensAt == nil || !now.Before(*w.OpensAt)
}

// Judge decides whether work submitted at `at` is on time, late (with a
// penalty) or refused:
//
//   - no due time: "on_time", penalty 0;
//   - at ≤ due+grace: "on_time", penalty 0;
//   - due+grace < at ≤ due+grace+late: "late", penalty =
//     LatePenaltyPercentPerDay × (number of started 24 h periods past
//     due+grace; one second — indeed one nanosecond — late is one day),
//     capped to [0, 100];
//   - at > due+grace+late: ok == false, status "deadline_passed", penalty 0.
//
// Days are counted as 24 h periods (elapsed time), not calendar days, since
// the late window itself is a number of seconds. Negative policy values are
// read as 0, so with late_seconds 0 work is refused right after due+grace.
func Judge(c CourseTimes, w Window, at time.Time) (status string, penaltyPercent float64, ok bool) {
	ge, has := w.graceEnd(c)
	if !has || !at.After(ge) {
		return StatusOnTime, 0, true
	}
	if at.After(ge.Add(c.late())) {
		return StatusDeadlinePassed, 0, false
	}
	return StatusLate, latePenalty(c.LatePenaltyPercentPerDay, at.Sub(ge)), true
}

// latePenalty is rate × started days in `over` (> 0), within [0, 100].
func latePenalty(rate float64, over time.Duration) float64 {
	if !(rate > 0) { // also catches NaN
		return 0
	}
	days := int64(over / PenaltyDay)
	if over%PenaltyDay != 0 {
		days++
	}
	p := rate * float64(days)
	if p > 100 {
		return 100
	}
	return p
}

// DeadlineStatus is the status of one due time for /me/deadlines:
//
//   - "done" when done (whatever the time);
//   - "missed" when now > due+grace+late (past the cut-off);
//   - "overdue" when due < now ≤ cut-off (past due, work still accepted);
//   - "due_soon" when now ≤ due and due − now ≤ 48 h;
//   - "upcoming" otherwise.
//
// A window without a due time is never overdue: it is "upcoming" unless done
// (callers normally leave such modules out of the deadline list).
func DeadlineStatus(c CourseTimes, w Window, done bool, now time.Time) string {
	if done {
		return DeadlineDone
	}
	if w.DueAt == nil {
		return DeadlineUpcoming
	}
	due := w.DueAt.UTC()
	switch {
	case now.After(*w.Cutoff(c)):
		return DeadlineMissed
	case now.After(due):
		return DeadlineOverdue
	case due.Sub(now) <= DueSoonWithin:
		return DeadlineDueSoon
	default:
		return DeadlineUpcoming
	}
}
