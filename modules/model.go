// Package modules owns courses, their members, roles and invitations, the
// ordered modules and items inside them, and each learner's completion and
// progress. Other feature packages build on it: they ask it who may see a
// course (Access), take part in item writes through kind hooks, and mark
// items complete.
package modules

import (
	"time"

	"pacer/calendar"
)

// Roles of a course member.
const (
	RoleInstructor = "instructor"
	RoleTA         = "ta"
	RoleStudent    = "student"
)

// Item kinds.
const (
	KindPage       = "page"
	KindLecture    = "lecture"
	KindAssignment = "assignment"
	KindDiscussion = "discussion"
	KindFile       = "file"
	// KindQuiz is owned by package quiz (its questions and attempts).
	KindQuiz = "quiz"
)

// Module states for a learner.
const (
	StateLocked    = "locked"
	StateOpen      = "open"
	StateCompleted = "completed"
)

// Item progress statuses.
const (
	StatusNotStarted = "not_started"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
)

// Policy is a course's deadline and engagement policy.
type Policy struct {
	GraceSeconds             int64   `json:"grace_seconds"`
	LateSeconds              int64   `json:"late_seconds"`
	LatePenaltyPercentPerDay float64 `json:"late_penalty_percent_per_day"`
	InactiveAfterSeconds     int64   `json:"inactive_after_seconds"`
	NudgeCooldownSeconds     int64   `json:"nudge_cooldown_seconds"`
	WatchCompleteRatio       float64 `json:"watch_complete_ratio"`
}

// DefaultPolicy applies to new courses.
func DefaultPolicy() Policy {
	return Policy{GraceSeconds: 0, LateSeconds: 172800, LatePenaltyPercentPerDay: 10,
		InactiveAfterSeconds: 604800, NudgeCooldownSeconds: 259200, WatchCompleteRatio: 0.9}
}

// Course is a stored course.
type Course struct {
	ID              uint64     `json:"id"`
	Title           string     `json:"title"`
	Description     string     `json:"description"`
	DescriptionHTML string     `json:"description_html"`
	Published       bool       `json:"published"`
	Pacing          string     `json:"pacing"`
	StartsAt        *time.Time `json:"starts_at"`
	Timezone        string     `json:"timezone"`
	Enrollment      string     `json:"enrollment"`
	EnrollKey       string     `json:"enroll_key,omitempty"`
	// Archived courses are read-only and leave the catalogue
	// (lifecycle.go).
	Archived  bool      `json:"archived"`
	Policy    Policy    `json:"policy"`
	CreatedBy uint64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Location is the course time zone (UTC if the stored name is unknown).
func (c Course) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		return time.UTC
	}
	return loc
}

// Times is what the calendar needs of the course.
func (c Course) Times() calendar.CourseTimes {
	return calendar.CourseTimes{Pacing: c.Pacing, StartsAt: c.StartsAt, Location: c.Location(),
		GraceSeconds: c.Policy.GraceSeconds, LateSeconds: c.Policy.LateSeconds,
		LatePenaltyPercentPerDay: c.Policy.LatePenaltyPercentPerDay}
}

// Member is a user's membership of a course. Joined says how they came
// in; it is empty for memberships stored before it was recorded.
type Member struct {
	CourseID     uint64     `json:"course_id"`
	UserID       uint64     `json:"user_id"`
	Role         string     `json:"role"`
	EnrolledAt   time.Time  `json:"enrolled_at"`
	LastActiveAt *time.Time `json:"last_active_at"`
	Joined       string     `json:"joined,omitempty"`
}

// How a member joined. Each is an act of the member themselves (creating
// the course, enrolling, accepting an invitation) or of an administrator:
// since issue 12 nobody else can make a person a member.
const (
	JoinedCreated    = "created"
	JoinedEnrolled   = "enrolled"
	JoinedInvitation = "invitation"
	JoinedAdmin      = "admin"
)

// shownEmail is the member's address as the course's staff may see it:
// only a member who joined themselves shows it. One an administrator added
// did not choose to share it. Memberships older than Joined show it, as
// they always did: most enrolled themselves, and for any other the
// address was already known to whoever added them.
func (m Member) shownEmail(email string) string {
	if m.Joined == JoinedAdmin {
		return ""
	}
	return email
}

// Staff reports whether the role may teach.
func (m Member) Staff() bool { return m.Role == RoleInstructor || m.Role == RoleTA }

// Module is an ordered unit of a course, usually one week.
type Module struct {
	ID            uint64     `json:"id"`
	CourseID      uint64     `json:"course_id"`
	Title         string     `json:"title"`
	Summary       string     `json:"summary"`
	SummaryHTML   string     `json:"summary_html"`
	Week          int        `json:"week,omitempty"`
	OpensAt       *time.Time `json:"opens_at"`
	DueAt         *time.Time `json:"due_at"`
	Prerequisites []uint64   `json:"prerequisites"`
	Published     bool       `json:"published"`
	Position      int        `json:"position"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Times is what the calendar needs of the module.
func (m Module) Times() calendar.ModuleTimes {
	return calendar.ModuleTimes{Week: m.Week, OpensAt: m.OpensAt, DueAt: m.DueAt}
}

// Item is one piece of a module: a page, lecture, assignment, discussion or file.
type Item struct {
	ID        uint64  `json:"id"`
	CourseID  uint64  `json:"course_id"`
	ModuleID  uint64  `json:"module_id"`
	Kind      string  `json:"kind"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	BodyHTML  string  `json:"body_html"`
	MediaID   uint64  `json:"media_id,omitempty"`
	Points    float64 `json:"points,omitempty"`
	Published bool    `json:"published"`
	Position  int     `json:"position"`
	ThreadID  uint64  `json:"thread_id,omitempty"`
	// Quiz holds a quiz item's settings (package quiz owns their rules).
	Quiz *QuizSettings `json:"quiz,omitempty"`
	// Rubric is an assignment's rubric (package deadlines owns its rules).
	Rubric    *Rubric   `json:"rubric,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// QuizSettings are a quiz item's settings as the item keeps them; package
// quiz defines what they mean and checks them (quiz.Settings).
type QuizSettings struct {
	Attempts         int    `json:"attempts"`
	TimeLimitSeconds int    `json:"time_limit_seconds"`
	PassPercent      int    `json:"pass_percent"`
	Feedback         string `json:"feedback"`
	Score            string `json:"score"`
	Shuffle          bool   `json:"shuffle"`
	Draw             int    `json:"draw"`
}

// Rubric is how an assignment is graded: criteria, each with levels worth
// points; a grade picks one level per criterion. Ids count from 1 in the
// order given.
type Rubric struct {
	Criteria []Criterion `json:"criteria"`
}

// Criterion is one row of a rubric.
type Criterion struct {
	ID     int     `json:"id"`
	Title  string  `json:"title"`
	Levels []Level `json:"levels"`
}

// Level is one column of a criterion.
type Level struct {
	ID     int     `json:"id"`
	Title  string  `json:"title"`
	Points float64 `json:"points"`
}

// ItemProgress is one learner's progress on one item.
type ItemProgress struct {
	Status      string     `json:"status"`
	CompletedAt *time.Time `json:"completed_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}
