package modules

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"pacer/audit"
	"pacer/auth"
	"pacer/cache"
	"pacer/errs"
	"pacer/limit"
	"pacer/markdown"
	"pacer/notify"
	"pacer/oneline"
	"pacer/txn"
)

// Service is the course service. Hooks are set once by main before serving.
type Service struct {
	tx txn.Runner
	// store keeps the package's records (store.go); users reads accounts.
	store Store
	users Users
	md    *markdown.Renderer
	now   func() time.Time

	kinds map[string]KindHook
	// structures, progress, items and members cache what every learner
	// request reads (cache.go).
	structures *cache.Cache[*structure]
	progress   *cache.Cache[map[uint64]ItemProgress]
	items      *cache.Cache[Item]
	members    *cache.Cache[Member]
	roles      *cache.Buckets[string]
	// Extensions supplies per-learner due-time overrides (deadlines package).
	Extensions ExtensionSource
	// OnCourseCreated runs inside the course's creating transaction (the
	// discussion package adds the general board).
	OnCourseCreated []func(ctx context.Context, c Course) error
	// OnCourseCopied runs inside a course copy's transaction, after
	// OnCourseCreated (the discussion package copies the boards).
	OnCourseCopied []CopyHook
	// OnCourseDeleted runs inside a course deletion's transaction, before
	// the course record goes.
	OnCourseDeleted []func(ctx context.Context, c Course) error
	// CopyMedia gives a course copy its own records of the files its items
	// show (the media package); nil keeps the original ids.
	CopyMedia MediaCopier
	// OnActivity is told of each learner action in a course.
	OnActivity func(course, user uint64)
	// Audit records role changes, invitations, wrong enrolment keys and
	// deletions.
	Audit *audit.Log
	// Notify tells invitees of their invitations (in-app, and by e-mail
	// through its outbox hook); nil tells nobody.
	Notify *notify.Service

	// keyFailsByUser and keyFailsByIP count wrong enrolment keys, so that a
	// key cannot be guessed by trying many (issue 12): a caller over either
	// limit is refused before their key is even compared.
	keyFailsByUser, keyFailsByIP limit.Limiter
	// invitesByUser bounds how many invitations one person sends, since
	// each may become an e-mail.
	invitesByUser limit.Limiter
}

// Limits of guessing and inviting. Ten wrong keys an hour per account and
// thirty per address leave a mistyping person room and make an eight
// character key out of reach.
const (
	keyFailsPerUser = 10
	keyFailsPerIP   = 30
	keyFailWindow   = time.Hour
	invitesPerHour  = 200
	minEnrollKey    = 8
)

// ExtensionSource returns a learner's due-time overrides by module.
type ExtensionSource interface {
	DueOverrides(ctx context.Context, course, user uint64) (map[uint64]time.Time, error)
	// OverridesAhead names the cached overrides DueOverrides will read,
	// for Service.prefetch (a zero Ahead when they are not cached).
	OverridesAhead(ctx context.Context, course, user uint64) cache.Ahead
	// CourseOverrides is every learner's overrides in a course, by
	// learner, in one read: for sweeps over all of its learners.
	CourseOverrides(ctx context.Context, course uint64) (map[uint64]map[uint64]time.Time, error)
}

// KindHook lets the package that owns an item kind take part in item writes,
// inside the same transaction.
type KindHook struct {
	// Validate checks kind-specific fields (the media exists in the course).
	Validate func(ctx context.Context, c Course, it *Item) error
	// Created runs after the item is stored (a discussion item gets its thread).
	Created func(ctx context.Context, c Course, it *Item) error
	// Deleted runs before the item is removed.
	Deleted func(ctx context.Context, it Item) error
	// Settings applies the kind's settings object of a create or patch
	// body (a quiz's `quiz`) to the item; nil: the kind takes none.
	Settings func(it *Item, raw json.RawMessage) error
	// Copied runs after an item was copied into a course copy (a quiz
	// copies its questions).
	Copied func(ctx context.Context, from, to Item) error
	// Opened runs after a student was shown the item (GET on it), in its
	// own transaction: a lecture's watch clock starts there.
	Opened func(courseID, userID uint64, it Item) error
}

// NewService builds the service: tx runs its transactions, revs keeps the
// revisions of its caches (nil: nothing is cached), store keeps its
// records.
func NewService(tx txn.Runner, revs cache.Revisions, store Store, users Users, md *markdown.Renderer, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{tx: tx, store: store, users: users, md: md, now: now, kinds: map[string]KindHook{}}
	s.UseLimits(context.Background(), limit.Memory(now))
	newCaches(s, revs)
	return s
}

// UseLimits builds the service's rate limits (wrong enrolment keys,
// invitations) with f; NewService keeps them in this process's memory.
// It is wiring: call it before serving.
func (s *Service) UseLimits(_ context.Context, f limit.Factory) {
	s.keyFailsByUser = f("enrol_key_fails_by_user", keyFailsPerUser, keyFailWindow)
	s.keyFailsByIP = f("enrol_key_fails_by_ip", keyFailsPerIP, keyFailWindow)
	s.invitesByUser = f("invitations_by_user", invitesPerHour, time.Hour)
}

// RegisterKind installs the hook of an item kind. The packages that own
// item kinds call it while they are wired, before serving.
func (s *Service) RegisterKind(ctx context.Context, kind string, h KindHook) { s.kinds[kind] = h }

// CourseInput is the body of course create and update; nil means unchanged
// (or the default on create).
type CourseInput struct {
	Title       *string      `json:"title"`
	Description *string      `json:"description"`
	Published   *bool        `json:"published"`
	Pacing      *string      `json:"pacing"`
	StartsAt    *time.Time   `json:"starts_at"`
	Timezone    *string      `json:"timezone"`
	Enrollment  *string      `json:"enrollment"`
	EnrollKey   *string      `json:"enroll_key"`
	Policy      *PolicyInput `json:"policy"`
}

// PolicyInput changes some policy fields.
type PolicyInput struct {
	GraceSeconds             *int64   `json:"grace_seconds"`
	LateSeconds              *int64   `json:"late_seconds"`
	LatePenaltyPercentPerDay *float64 `json:"late_penalty_percent_per_day"`
	InactiveAfterSeconds     *int64   `json:"inactive_after_seconds"`
	NudgeCooldownSeconds     *int64   `json:"nudge_cooldown_seconds"`
	WatchCompleteRatio       *float64 `json:"watch_complete_ratio"`
}

const (
	maxTitle = 200
	maxText  = 100_000
	// maxPolicySeconds is ten years: anything longer is a mistake.
	maxPolicySeconds = 10 * 365 * 24 * 3600
)

// ValidTitle checks a one-line title of 1..200 characters.
func ValidTitle(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", "required"
	case oneline.Problem(s) != "":
		return "", oneline.Reason
	case utf8.RuneCountInString(s) > maxTitle:
		return "", "must be at most 200 characters"
	}
	return s, ""
}

// ValidText checks a Markdown body.
func ValidText(s string) string {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "must be valid text"
	case len(s) > maxText:
		return "must be at most 100000 bytes"
	}
	return ""
}

// apply merges in into c, collecting field errors.
func (in CourseInput) apply(c *Course, fields map[string]string) {
	if in.Title != nil {
		if t, r := ValidTitle(*in.Title); r != "" {
			fields["title"] = r
		} else {
			c.Title = t
		}
	}
	if in.Description != nil {
		if r := ValidText(*in.Description); r != "" {
			fields["description"] = r
		} else {
			c.Description = *in.Description
		}
	}
	if in.Published != nil {
		c.Published = *in.Published
	}
	if in.Pacing != nil {
		switch *in.Pacing {
		case "scheduled", "self_paced":
			c.Pacing = *in.Pacing
		default:
			fields["pacing"] = "must be scheduled or self_paced"
		}
	}
	if in.StartsAt != nil {
		t := in.StartsAt.UTC()
		if t.Year() < 2000 || t.Year() > 2200 {
			fields["starts_at"] = "must be a date between 2000 and 2200"
		} else {
			c.StartsAt = &t
		}
	}
	if in.Timezone != nil {
		if !auth.ValidTimezone(*in.Timezone) {
			fields["timezone"] = "must be an IANA time zone name"
		} else {
			c.Timezone = *in.Timezone
		}
	}
	if in.Enrollment != nil {
		switch *in.Enrollment {
		case "open", "key":
			c.Enrollment = *in.Enrollment
		default:
			fields["enrollment"] = "must be open or key"
		}
	}
	if in.EnrollKey != nil {
		k := strings.TrimSpace(*in.EnrollKey)
		if utf8.RuneCountInString(k) > 100 || !utf8.ValidString(k) {
			fields["enroll_key"] = "must be at most 100 characters"
		} else if strings.ContainsRune(k, 0) {
			fields["enroll_key"] = "must be valid text"
		} else {
			c.EnrollKey = k
		}
	}
	switch {
	case c.Enrollment != "key" || fields["enrollment"] != "" || fields["enroll_key"] != "":
	case c.EnrollKey == "":
		fields["enroll_key"] = "required when enrollment is key"
	case (in.EnrollKey != nil || in.Enrollment != nil) && utf8.RuneCountInString(c.EnrollKey) < minEnrollKey:
		// A short key is found by trying them all. Only a request that sets
		// the key or the enrolment is refused, so that a course keeping an
		// older short key can still be edited.
		fields["enroll_key"] = "must be at least 8 characters"
	}
	if in.Policy != nil {
		in.Policy.apply(&c.Policy, fields)
	}
}

func (in PolicyInput) apply(p *Policy, fields map[string]string) {
	secs := func(name string, v *int64, dst *int64, min int64) {
		if v == nil {
			return
		}
		if *v < min || *v > maxPolicySeconds {
			fields["policy."+name] = "out of range"
			return
		}
		*dst = *v
	}
	secs("grace_seconds", in.GraceSeconds, &p.GraceSeconds, 0)
	secs("late_seconds", in.LateSeconds, &p.LateSeconds, 0)
	secs("inactive_after_seconds", in.InactiveAfterSeconds, &p.InactiveAfterSeconds, 60)
	secs("nudge_cooldown_seconds", in.NudgeCooldownSeconds, &p.NudgeCooldownSeconds, 0)
	if v := in.LatePenaltyPercentPerDay; v != nil {
		if math.IsNaN(*v) || *v < 0 || *v > 100 {
			fields["policy.late_penalty_percent_per_day"] = "must be between 0 and 100"
		} else {
			p.LatePenaltyPercentPerDay = *v
		}
	}
	if v := in.WatchCompleteRatio; v != nil {
		if math.IsNaN(*v) || *v <= 0 || *v > 1 {
			fields["policy.watch_complete_ratio"] = "must be above 0 and at most 1"
		} else {
			p.WatchCompleteRatio = *v
		}
	}
}

// CreateCourse creates a course whose instructor is the caller.
func (s *Service) CreateCourse(ctx context.Context, userID uint64, in CourseInput) (Course, error) {
	now := s.now().UTC()
	c := Course{Pacing: "scheduled", Timezone: "UTC", Enrollment: "open", Policy: DefaultPolicy(),
		CreatedBy: userID, CreatedAt: now, UpdatedAt: now}
	fields := map[string]string{}
	if in.Title == nil {
		fields["title"] = "required"
	}
	in.apply(&c, fields)
	if len(fields) > 0 {
		return Course{}, errs.Validation(fields)
	}
	c.DescriptionHTML = s.md.HTML(c.Description)
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		if err := s.mayCreate(ctx, userID); err != nil {
			return err
		}
		var err error
		if c, err = s.store.AddCourse(ctx, c); err != nil {
			return err
		}
		if err := s.putMember(ctx, Member{CourseID: c.ID, UserID: userID, Role: RoleInstructor, EnrolledAt: now, Joined: JoinedCreated}); err != nil {
			return err
		}
		for _, f := range s.OnCourseCreated {
			if err := f(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	return c, errs.Wrap(err, "create course")
}

// UpdateCourse changes a course (instructors only).
func (s *Service) UpdateCourse(ctx context.Context, caller, courseID uint64, in CourseInput) (Course, error) {
	var c Course
	err := s.writeCourse(ctx, courseID, func(ctx context.Context) error {
		a, err := s.access(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireInstructor(); err != nil {
			return err
		}
		c = a.Course
		fields := map[string]string{}
		in.apply(&c, fields)
		if len(fields) > 0 {
			return errs.Validation(fields)
		}
		c.DescriptionHTML = s.md.HTML(c.Description)
		c.UpdatedAt = s.now().UTC()
		return s.store.PutCourse(ctx, c)
	})
	return c, errs.Wrap(err, "update course")
}

// Access is what a caller may do in a course.
type Access struct {
	Course Course
	// Member is the caller's membership, nil for a non-member. It is read
	// through the membership cache, which does not keep LastActiveAt (see
	// cachedMember): a reader of that reads the record (Service.Member).
	Member *Member
	// st is the structure Course was read from, so that a learner's view
	// built in the same transaction does not read it again.
	st *structure
}

// Role is the caller's role, "" for a non-member.
func (a Access) Role() string {
	if a.Member == nil {
		return ""
	}
	return a.Member.Role
}

// Staff reports whether the caller teaches the course.
func (a Access) Staff() bool { return a.Member != nil && a.Member.Staff() }

// Student reports whether the caller is a student of the course.
func (a Access) Student() bool { return a.Member != nil && a.Member.Role == RoleStudent }

// RequireMember answers 404 to non-members: member-only content must not
// reveal that a course exists.
func (a Access) RequireMember() error {
	if a.Member == nil {
		return errs.NotFoundf("course")
	}
	return nil
}

// RequireStaff is RequireMember plus 403 for students.
func (a Access) RequireStaff() error {
	if err := a.RequireMember(); err != nil {
		return err
	}
	if !a.Staff() {
		return errs.Forbid("only the course's instructors and TAs may do this")
	}
	return nil
}

// RequireInstructor is RequireMember plus 403 for anyone but instructors.
func (a Access) RequireInstructor() error {
	if err := a.RequireMember(); err != nil {
		return err
	}
	if a.Member.Role != RoleInstructor {
		return errs.Forbid("only the course's instructors may do this")
	}
	return nil
}

// RequireStudent is RequireMember plus 403 for staff.
func (a Access) RequireStudent() error {
	if err := a.RequireMember(); err != nil {
		return err
	}
	if !a.Student() {
		return errs.Forbid("only students do this")
	}
	return nil
}

// access loads a course and the caller's membership. A course that does
// not exist, or is unpublished and the caller is not a member, is 404.
func (s *Service) access(ctx context.Context, courseID, userID uint64) (Access, error) {
	var a Access
	if err := s.prefetch(ctx, courseID, userID, 0); err != nil {
		return a, err
	}
	st, err := s.structureOf(ctx, courseID)
	if err != nil {
		if errors.Is(err, txn.ErrNotFound) {
			return a, errs.NotFoundf("course")
		}
		return a, err
	}
	a.Course, a.st = st.course, st
	switch m, err := s.cachedMember(ctx, courseID, userID); {
	case err == nil:
		a.Member = &m
	case errors.Is(err, ErrNoRecord):
		// An archived course has left the catalogue: only its members
		// still see it.
		if !a.Course.Published || a.Course.Archived {
			return a, errs.NotFoundf("course")
		}
	default:
		return a, err
	}
	return a, s.writable(ctx, a.Course)
}

// memberAccess is access that also requires membership.
func (s *Service) memberAccess(ctx context.Context, courseID, userID uint64) (Access, error) {
	a, err := s.access(ctx, courseID, userID)
	if err != nil {
		return a, err
	}
	return a, a.RequireMember()
}

// Access loads a course and the caller's membership (access), in the
// transaction ctx carries or in a read transaction of its own.
func (s *Service) Access(ctx context.Context, courseID, userID uint64) (Access, error) {
	var a Access
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		a, err = s.access(ctx, courseID, userID)
		return err
	})
	return a, err
}

// MemberAccess is Access that also requires membership.
func (s *Service) MemberAccess(ctx context.Context, courseID, userID uint64) (Access, error) {
	var a Access
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		a, err = s.memberAccess(ctx, courseID, userID)
		return err
	})
	return a, err
}

// CourseView is a course as one caller sees it.
type CourseView struct {
	Course
	MyRole string `json:"my_role"`
}

func view(a Access) CourseView {
	c := a.Course
	if a.Role() != RoleInstructor {
		c.EnrollKey = ""
	}
	return CourseView{Course: c, MyRole: a.Role()}
}

// Course returns a course as the caller may see it.
func (s *Service) Course(ctx context.Context, courseID, userID uint64) (CourseView, error) {
	a, err := s.Access(ctx, courseID, userID)
	if err != nil {
		return CourseView{}, err
	}
	return view(a), nil
}

// Courses lists the caller's courses and published courses open to all.
func (s *Service) Courses(ctx context.Context, userID uint64) ([]CourseView, error) {
	var out []CourseView
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		ids, err := s.store.CoursesOf(ctx, userID)
		if err != nil {
			return err
		}
		mine := make(map[uint64]bool, len(ids))
		for _, id := range ids {
			mine[id] = true
		}
		return s.store.EachCourse(ctx, func(c Course) error {
			a := Access{Course: c}
			if mine[c.ID] {
				var err error
				if a, err = s.access(ctx, c.ID, userID); err != nil {
					return err
				}
			} else if !c.Published || c.Archived {
				return nil
			}
			out = append(out, view(a))
			return nil
		})
	})
	return out, errs.Wrap(err, "list courses")
}

func (s *Service) putMember(ctx context.Context, m Member) error {
	if err := s.forgetMember(ctx, m.CourseID, m.UserID); err != nil {
		return err
	}
	return s.store.PutMember(ctx, m)
}

// Seen is a learner's last activity in a course, as the activity flush
// reports it (MarkActive).
type Seen struct {
	Course, User uint64
	At           time.Time
}

// MarkActive moves each member's last_active_at forward to the time seen
// (never back: a late flush of older activity changes nothing), in the
// transaction ctx carries (or a write of its own), for the engagement
// package's activity flush: one write for the whole flush. member[i] is
// false for seen[i] of someone who is no longer a member of the course,
// whose activity is then dropped. The member record stays this
// package's: others report activity through here. Nothing is bumped: the
// membership cache does not keep last_active_at (cachedMember).
func (s *Service) MarkActive(ctx context.Context, seen []Seen) (member []bool, err error) {
	err = s.tx.Write(ctx, func(ctx context.Context) error {
		member, err = s.store.MarkActive(ctx, seen)
		return err
	})
	return member, err
}

// Enrolment is the answer to enrol.
type Enrolment struct {
	Role       string    `json:"role"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// ErrWrongKey is the answer to a wrong enrolment key.
var ErrWrongKey = errs.Forbid("wrong enrolment key")

// Enroll makes the caller a student of a published course. ip is the
// caller's address: wrong keys are counted per account and per address, and
// a caller over either limit gets 429 from every course that asks for a key,
// whatever key they send. Courses open to all stay open to them, so that
// someone guessing behind a shared address does not lock everyone out.
func (s *Service) Enroll(ctx context.Context, courseID, userID uint64, key, ip string) (Enrolment, error) {
	userKey := fmt.Sprint(userID)
	// The counts are read before the transaction, not in it: on a shared
	// store each is a statement of its own, and a request holding its
	// transaction's connection must not wait for a second one.
	noGuesses := s.keyGuessesLeft(ctx, userKey, ip)
	var e Enrolment
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.access(ctx, courseID, userID)
		if err != nil {
			return err
		}
		if a.Member != nil {
			return errs.ConflictCode("already_enrolled", "you are already a member of this course")
		}
		if !a.Course.Published {
			return errs.NotFoundf("course")
		}
		if a.Course.Enrollment == "key" {
			if noGuesses != nil {
				return noGuesses
			}
			if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(key)), []byte(a.Course.EnrollKey)) != 1 {
				return ErrWrongKey
			}
		}
		e = Enrolment{Role: RoleStudent, EnrolledAt: s.now().UTC()}
		return s.putMember(ctx, Member{CourseID: courseID, UserID: userID, Role: RoleStudent, EnrolledAt: e.EnrolledAt, Joined: JoinedEnrolled})
	})
	if errors.Is(err, ErrWrongKey) {
		s.keyFailsByUser.Allow(ctx, userKey)
		s.keyFailsByIP.Allow(ctx, ip)
		// The failed guess is recorded in its own transaction: the
		// enrolment's was rolled back.
		if aerr := s.Audit.Record(ctx, audit.Entry{ActorID: userID, Action: "enroll_key_wrong", CourseID: courseID, IP: ip}); aerr != nil {
			return e, errs.Wrap(aerr, "audit enrolment key")
		}
	}
	return e, errs.Wrap(err, "enroll")
}

// keyGuessesLeft is 429 when an account or an address has used up its
// wrong enrolment keys.
func (s *Service) keyGuessesLeft(ctx context.Context, userKey, ip string) error {
	for _, l := range []struct {
		lim limit.Limiter
		key string
	}{{s.keyFailsByUser, userKey}, {s.keyFailsByIP, ip}} {
		if over, wait := l.lim.Exceeded(ctx, l.key); over {
			return errs.Limited("too many wrong enrolment keys; try again later", wait)
		}
	}
	return nil
}

// Leave removes the caller from a course; their work is kept, so enrolling
// again picks it up. Anyone may leave but the last instructor (409), since
// a course must keep one: nobody can be held in a course.
func (s *Service) Leave(ctx context.Context, courseID, userID uint64) error {
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, userID)
		if err != nil {
			return err
		}
		if a.Member.Role == RoleInstructor {
			if err := s.lastInstructor(ctx, courseID); err != nil {
				return err
			}
		}
		if err := s.dropMember(ctx, courseID, userID); err != nil {
			return err
		}
		if a.Member.Staff() {
			return s.Audit.Record(ctx, audit.Entry{ActorID: userID, Action: "leave", CourseID: courseID,
				TargetID: userID, Detail: a.Member.Role})
		}
		return nil
	})
	return errs.Wrap(err, "leave")
}

// lastInstructor answers 409 when a course has one instructor or none, for
// a change that would take one away.
func (s *Service) lastInstructor(ctx context.Context, courseID uint64) error {
	n := 0
	err := s.store.EachMember(ctx, courseID, func(o Member) error {
		if o.Role == RoleInstructor {
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n <= 1 {
		return errs.ConflictCode("conflict", "a course needs at least one instructor")
	}
	return nil
}

// MemberView is one row of the members list.
type MemberView struct {
	UserID       uint64     `json:"user_id"`
	Name         string     `json:"name"`
	Email        string     `json:"email"`
	Role         string     `json:"role"`
	EnrolledAt   time.Time  `json:"enrolled_at"`
	LastActiveAt *time.Time `json:"last_active_at"`
}

// Members lists a course's members (staff only).
func (s *Service) Members(ctx context.Context, courseID, caller uint64) ([]MemberView, error) {
	var out []MemberView
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		a, err := s.memberAccess(ctx, courseID, caller)
		if err != nil {
			return err
		}
		if err := a.RequireStaff(); err != nil {
			return err
		}
		out, err = s.memberViews(ctx, courseID)
		return err
	})
	return out, errs.Wrap(err, "members")
}

func (s *Service) memberViews(ctx context.Context, courseID uint64) ([]MemberView, error) {
	var out []MemberView
	err := s.store.EachMember(ctx, courseID, func(m Member) error {
		u, err := s.users.User(ctx, m.UserID)
		if err != nil {
			return err
		}
		out = append(out, MemberView{UserID: m.UserID, Name: u.Name, Email: m.shownEmail(u.Email), Role: m.Role,
			EnrolledAt: m.EnrolledAt, LastActiveAt: m.LastActiveAt})
		return nil
	})
	return out, err
}

// CoursesOf lists the ids of the courses a user is a member of, in id
// order (no access check).
func (s *Service) CoursesOf(ctx context.Context, userID uint64) ([]uint64, error) {
	return s.store.CoursesOf(ctx, userID)
}

// IsMember reports whether a user is a member of a course, in any role.
func (s *Service) IsMember(ctx context.Context, courseID, userID uint64) (bool, error) {
	return s.store.IsMember(ctx, courseID, userID)
}

// EachMember calls fn with every member of a course in user order (no
// access check): the sweeps and views that
// judge every learner of a course walk them through here, one record at a
// time, so that no list of a large course is held at once.
func (s *Service) EachMember(ctx context.Context, courseID uint64, fn func(Member) error) error {
	return s.store.EachMember(ctx, courseID, fn)
}

// MemberRecords lists a course's member records (no access check).
func (s *Service) MemberRecords(ctx context.Context, courseID uint64) ([]Member, error) {
	var out []Member
	err := s.EachMember(ctx, courseID, func(m Member) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// SetRole changes the role of a member of a course (instructors only; 404
// for a user who is not a member). Only an administrator may add someone
// this way: others invite (Invite), so that nobody becomes a member, or
// shows their e-mail address to a course's staff, without accepting. The
// last instructor cannot step down, so a course always has one.
func (s *Service) SetRole(ctx context.Context, courseID, caller, userID uint64, role string, admin bool) (MemberView, error) {
	switch role {
	case RoleInstructor, RoleTA, RoleStudent:
	default:
		return MemberView{}, errs.Field("role", "must be instructor, ta or student")
	}
	var out MemberView
	now := s.now().UTC()
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		if admin {
			c, err := s.CourseRecord(ctx, courseID)
			if err != nil {
				return err
			}
			if err := s.writable(ctx, c); err != nil {
				return err
			}
		} else {
			a, err := s.memberAccess(ctx, courseID, caller)
			if err != nil {
				return err
			}
			if err := a.RequireInstructor(); err != nil {
				return err
			}
		}
		m, err := s.store.Member(ctx, courseID, userID)
		switch {
		case errors.Is(err, ErrNoRecord) && admin:
			m = Member{CourseID: courseID, UserID: userID, EnrolledAt: now, Joined: JoinedAdmin}
		case errors.Is(err, ErrNoRecord):
			// The same answer whether or not the account exists.
			return errs.NotFoundf("member")
		case err != nil:
			return err
		}
		u, err := s.users.User(ctx, userID)
		if err != nil {
			return err
		}
		if m.Role == RoleInstructor && role != RoleInstructor {
			if err := s.lastInstructor(ctx, courseID); err != nil {
				return err
			}
		}
		before := m.Role
		m.Role = role
		if err := s.putMember(ctx, m); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, audit.Entry{ActorID: caller, Action: "role_change", CourseID: courseID,
			TargetID: userID, Detail: fmt.Sprintf("%q -> %q", before, role)}); err != nil {
			return err
		}
		out = MemberView{UserID: userID, Name: u.Name, Email: m.shownEmail(u.Email), Role: role, EnrolledAt: m.EnrolledAt, LastActiveAt: m.LastActiveAt}
		return nil
	})
	return out, errs.Wrap(err, "set role")
}

// dropMember deletes a membership with its index entries (by user, and
// the staff index): leaving, removal and a course's deletion all end a
// membership this one way, so no index outlives its record.
func (s *Service) dropMember(ctx context.Context, courseID, userID uint64) error {
	if err := s.forgetMember(ctx, courseID, userID); err != nil {
		return err
	}
	return s.store.DeleteMember(ctx, courseID, userID)
}

// Role is a user's role in a course, or "" when they are not a member,
// through the membership cache (thread pages name the role of every author).
func (s *Service) Role(ctx context.Context, courseID, userID uint64) (string, error) {
	var role string
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		role, err = s.role(ctx, courseID, userID)
		return err
	})
	return role, err
}

// Roles reads the course roles of several users (those who are not
// members are left out), in the transaction ctx carries or in its own,
// through the cache of roles by bucket of users (modules.roles): a
// revision per bucket, read together, and each bucket not cached in one
// store read.
func (s *Service) Roles(ctx context.Context, courseID uint64, users []uint64) (map[uint64]string, error) {
	var out map[uint64]string
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.roles.Read(ctx, courseID, users, func(ctx context.Context, lo, hi uint64) (map[uint64]string, error) {
			return s.store.RolesBetween(ctx, courseID, lo, hi)
		})
		return err
	})
	return out, err
}

// RolesAhead names for cache.Prefetch what Roles(courseID, users) reads
// through the cache (see auth's NamesAhead).
func (s *Service) RolesAhead(ctx context.Context, courseID uint64, users []uint64) []cache.Ahead {
	return s.roles.Ahead(courseID, users)
}

func (s *Service) role(ctx context.Context, courseID, userID uint64) (string, error) {
	m, err := s.cachedMember(ctx, courseID, userID)
	switch {
	case errors.Is(err, ErrNoRecord):
		return "", nil
	case err != nil:
		return "", err
	}
	return m.Role, nil
}

// Member reads one membership (txn.ErrNotFound when there is none, as
// callers in other packages expect).
func (s *Service) Member(ctx context.Context, courseID, userID uint64) (Member, error) {
	m, err := s.store.Member(ctx, courseID, userID)
	if errors.Is(err, ErrNoRecord) {
		return m, txn.ErrNotFound
	}
	return m, err
}
