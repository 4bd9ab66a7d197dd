package frontend

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/announcements"
	"pacer/api"
	"pacer/auth"
	"pacer/engagement"
	"pacer/errs"
	"pacer/modules"
	"pacer/timetext"
)

func (f *Frontend) mountCourses(r fiber.Router) {
	r.Get("/dashboard", f.signedIn, f.dashboard)
	r.Get("/courses", f.catalogue)
	r.Get("/courses/new", f.signedIn, f.newCoursePage)
	r.Post("/courses/new", f.signedIn, f.csrf, f.createCourse)
	r.Get("/courses/:course", f.signedIn, f.courseHome)
	r.Post("/courses/:course/enroll", f.signedIn, f.csrf, f.enroll)
	r.Post("/courses/:course/leave", f.signedIn, f.csrf, f.leave)
	r.Get("/courses/:course/edit", f.signedIn, f.editCoursePage)
	r.Post("/courses/:course/edit", f.signedIn, f.csrf, f.updateCourse)
}

// caller is the signed-in user of a route behind signedIn.
func caller(c *fiber.Ctx) uint64 {
	if id := auth.From(c); id != nil {
		return id.UserID
	}
	return 0
}

// userLoc is the signed-in user's own time zone.
func userLoc(c *fiber.Ctx) *time.Location {
	if id := auth.From(c); id != nil {
		return timetext.Zone(id.Timezone)
	}
	return time.UTC
}

// CourseCard is a course in the catalogue or on the dashboard.
type CourseCard struct {
	modules.CourseView
	Student      bool
	Progress     float64
	Done, Total  int
	Next         *ModuleRow
	ModuleCount  int
	MemberCount  int
	Instructors  string
	EnrolmentKey bool
	// Pace is a student's own pace line (engagement.go).
	Pace *engagement.Pace
}

type cataloguePage struct {
	Mine     []CourseCard
	Open     []CourseCard
	SignedIn bool
	// MayCreate shows the "New course" button to those the site lets
	// create courses.
	MayCreate bool
}

// mayCreate reports whether the signed-in caller may create a course.
func (f *Frontend) mayCreate(c *fiber.Ctx) bool {
	id := auth.From(c)
	if id == nil {
		return false
	}
	ok, err := f.Auth.MayCreateCourses(c.UserContext(), id.UserID)
	return err == nil && ok
}

func (f *Frontend) catalogue(c *fiber.Ctx) error {
	list, err := f.Courses.Courses(c.UserContext(), caller(c))
	if err != nil {
		return err
	}
	p := cataloguePage{SignedIn: auth.From(c) != nil, MayCreate: f.mayCreate(c)}
	for _, cv := range list {
		card := CourseCard{CourseView: cv, EnrolmentKey: cv.Enrollment == "key"}
		if cv.MyRole != "" {
			p.Mine = append(p.Mine, card)
		} else {
			p.Open = append(p.Open, card)
		}
	}
	sortCards(p.Mine)
	sortCards(p.Open)
	return f.render(c, fiber.StatusOK, "courses/catalogue", p)
}

func sortCards(cs []CourseCard) {
	sort.SliceStable(cs, func(i, j int) bool { return strings.ToLower(cs[i].Title) < strings.ToLower(cs[j].Title) })
}

type dashboardPage struct {
	Learning []CourseCard
	Teaching []CourseCard
	Name     string
	// Invitations wait for the user to accept or decline them.
	Invitations []modules.MyInvitation
	// MayCreate shows the "New course" button.
	MayCreate bool

	// Deadlines is the learner's overdue and next due times (deadlines.go).
	Deadlines *DeadlineSummary
	// ToGrade is the work waiting for a grade in the courses taught.
	ToGrade *ToGradeCard
}

func (f *Frontend) dashboard(c *fiber.Ctx) error {
	uid := caller(c)
	list, err := f.Courses.Courses(c.UserContext(), uid)
	if err != nil {
		return err
	}
	p := dashboardPage{Name: auth.From(c).Name, MayCreate: f.mayCreate(c)}
	if p.Invitations, err = f.Courses.MyInvitations(c.UserContext(), uid); err != nil {
		return err
	}
	if p.Deadlines, err = f.deadlineSummary(c, uid); err != nil {
		return err
	}
	if p.ToGrade, err = f.toGradeCard(uid, 0, userLoc(c)); err != nil {
		return err
	}
	now := f.Now()
	for _, cv := range list {
		if cv.MyRole == "" {
			continue
		}
		card := CourseCard{CourseView: cv, Student: cv.MyRole == modules.RoleStudent}
		mods, err := f.Courses.ListModules(c.UserContext(), uid, cv.ID)
		if err != nil {
			return err
		}
		card.ModuleCount = len(mods)
		if card.Student {
			card.Progress, card.Done, card.Total = courseShare(mods)
			card.Pace = f.coursePace(uid, cv.ID)
			for _, m := range mods {
				if m.State == modules.StateOpen {
					row := ModuleRow{ModuleView: m, Href: fmt.Sprintf("/courses/%d/modules/%d", cv.ID, m.ID),
						Badges: moduleBadges(m, now, cv.Location()), Opens: m.OpensAt, Due: m.DueAt}
					card.Next = &row
					break
				}
			}
			p.Learning = append(p.Learning, card)
		} else {
			if ms, err := f.Courses.Members(c.UserContext(), cv.ID, uid); err == nil {
				card.MemberCount = len(ms)
			}
			p.Teaching = append(p.Teaching, card)
		}
	}
	sortCards(p.Learning)
	sortCards(p.Teaching)
	return f.render(c, fiber.StatusOK, "dashboard", p)
}

type courseHomePage struct {
	Course      modules.CourseView
	Role        string
	Staff       bool
	Instructor  bool
	Student     bool
	Weeks       []TimelineWeek
	Progress    float64
	Done, Total int
	SelfPaced   bool
	// ToGrade is the course's work waiting for a grade (staff only).
	ToGrade *ToGradeCard
	// Announcements are the newest few (announcements.go).
	Announcements []announcements.Announcement
	// Cohort is where the class is, for staff (cohort.go).
	Cohort *cohortOverview
}

func (f *Frontend) courseHome(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	p := courseHomePage{Course: modules.CourseView{Course: a.Course, MyRole: a.Role()}, Role: a.Role(),
		// An archived course offers no editing.
		Staff: a.Staff(), Instructor: a.Role() == modules.RoleInstructor && !a.Course.Archived, Student: a.Student(),
		SelfPaced: a.Course.Pacing == "self_paced"}
	if a.Role() != modules.RoleInstructor {
		p.Course.EnrollKey = ""
	}
	if a.Member == nil {
		return f.render(c, fiber.StatusOK, "courses/public", p)
	}
	mods, err := f.Courses.ListModules(c.UserContext(), caller(c), a.Course.ID)
	if err != nil {
		return err
	}
	if p.Announcements, err = f.latestAnnouncements(c, a.Course.ID); err != nil {
		return err
	}
	p.Weeks = buildTimeline(a.Course, mods, a.Staff(), f.Now(), userLoc(c))
	if p.Staff {
		if p.ToGrade, err = f.toGradeCard(caller(c), a.Course.ID, userLoc(c)); err != nil {
			return err
		}
	}
	if p.Cohort, err = f.cohortFor(caller(c), a); err != nil {
		return err
	}
	if p.Student {
		p.Progress, p.Done, p.Total = courseShare(mods)
	}
	return f.render(c, fiber.StatusOK, "courses/home", p)
}

func (f *Frontend) enroll(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	home := fmt.Sprintf("/courses/%d", a.Course.ID)
	_, err = f.Courses.Enroll(c.UserContext(), a.Course.ID, caller(c), v.Get("enroll_key"), api.ClientIP(c))
	switch {
	case err == nil:
		f.flash(c, "success", "You are enrolled in "+a.Course.Title+". Start with the first open module below.")
	case errs.Is(err, errs.Conflict):
		f.flash(c, "info", "You are already a member of this course.")
	case errs.Is(err, errs.RateLimited):
		f.flash(c, "error", "Too many wrong enrolment keys. Wait an hour, then try again with the key from your instructor.")
	case errs.Is(err, errs.Forbidden):
		f.flash(c, "error", "That enrolment key is not right. Ask your instructor for the key and try again.")
	default:
		return err
	}
	return f.redirect(c, home)
}

func (f *Frontend) leave(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	switch err := f.Courses.Leave(c.UserContext(), a.Course.ID, caller(c)); {
	case errors.Is(err, modules.ErrArchived):
		f.flash(c, "error", a.Course.Title+" is archived: nobody joins or leaves it any more.")
		return f.redirect(c, fmt.Sprintf("/courses/%d", a.Course.ID))
	case errs.Is(err, errs.Conflict):
		f.flash(c, "error", "You are the only instructor of "+a.Course.Title+". Make someone else an instructor before you leave.")
		return f.redirect(c, fmt.Sprintf("/courses/%d", a.Course.ID))
	case err != nil:
		return err
	}
	f.flash(c, "info", "You have left "+a.Course.Title+". Your progress is kept if you enrol again.")
	return f.redirect(c, "/dashboard")
}

type courseFormPage struct {
	Form      *Form
	New       bool
	Course    modules.Course
	Timezones []string
	// Copy is the form to copy the course for a new term (lifecycle.go).
	Copy *Form
}

// commonZones fill the time-zone suggestions; any IANA name is accepted.
var commonZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
	"Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
	"Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Cairo",
	"Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg", "Asia/Dubai", "Asia/Karachi",
	"Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
	"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth",
	"Australia/Sydney", "Pacific/Auckland", "America/St_Johns", "America/Halifax",
	"America/New_York", "America/Toronto", "America/Chicago", "America/Mexico_City",
	"America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
	"Pacific/Honolulu", "America/Bogota", "America/Lima", "America/Santiago",
	"America/Sao_Paulo", "America/Argentina/Buenos_Aires",
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// courseValues are the form values showing a course (or the defaults of a
// new one), in the units people think in: hours, days and percent.
func courseValues(c modules.Course, tz string) *Form {
	loc := c.Location()
	p := c.Policy
	v := map[string]string{
		"title": c.Title, "description": c.Description, "pacing": c.Pacing,
		"timezone": c.Timezone, "enrollment": c.Enrollment, "enroll_key": c.EnrollKey,
		"starts_at":     localInput(c.StartsAt, loc),
		"grace_hours":   num(float64(p.GraceSeconds) / 3600),
		"late_hours":    num(float64(p.LateSeconds) / 3600),
		"late_penalty":  num(p.LatePenaltyPercentPerDay),
		"inactive_days": num(math.Round(float64(p.InactiveAfterSeconds)/86400*100) / 100),
		"nudge_days":    num(math.Round(float64(p.NudgeCooldownSeconds)/86400*100) / 100),
		"watch_percent": num(math.Round(p.WatchCompleteRatio * 100)),
	}
	if c.Published {
		v["published"] = "1"
	}
	if c.ID == 0 {
		v["timezone"] = tz
	}
	return NewForm(v)
}

// courseRename maps the service's field names to the form's.
var courseRename = map[string]string{
	"policy.grace_seconds":                "grace_hours",
	"policy.late_seconds":                 "late_hours",
	"policy.late_penalty_percent_per_day": "late_penalty",
	"policy.inactive_after_seconds":       "inactive_days",
	"policy.nudge_cooldown_seconds":       "nudge_days",
	"policy.watch_complete_ratio":         "watch_percent",
}

// courseInput reads the course form. Fields that cannot even be parsed are
// recorded on form; the service checks the rest.
func courseInput(v url.Values, form *Form) modules.CourseInput {
	in := modules.CourseInput{
		Title:       optString(v, "title"),
		Description: optString(v, "description"),
		Published:   boolPtr(checkbox(v, "published")),
		Pacing:      optString(v, "pacing"),
		Enrollment:  optString(v, "enrollment"),
		EnrollKey:   optString(v, "enroll_key"),
	}
	tz := strings.TrimSpace(v.Get("timezone"))
	if tz == "" {
		tz = "UTC"
	}
	in.Timezone = &tz
	loc := time.UTC
	if auth.ValidTimezone(tz) {
		loc, _ = time.LoadLocation(tz)
	}
	if s := strings.TrimSpace(v.Get("starts_at")); s != "" {
		if t, err := parseLocal(s, loc); err != nil {
			form.Errors["starts_at"] = "Enter a date and time, like 2027-01-04 09:00."
		} else {
			in.StartsAt = &t
		}
	}
	pol := &modules.PolicyInput{}
	seconds := func(name string, unit float64, dst **int64) {
		x, set, ok := formFloat(v, name)
		switch {
		case !ok || math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x*unit) > 1e12:
			form.Errors[name] = "Enter a number."
		case set:
			n := int64(math.Round(x * unit))
			*dst = &n
		}
	}
	seconds("grace_hours", 3600, &pol.GraceSeconds)
	seconds("late_hours", 3600, &pol.LateSeconds)
	seconds("inactive_days", 86400, &pol.InactiveAfterSeconds)
	seconds("nudge_days", 86400, &pol.NudgeCooldownSeconds)
	if x, set, ok := formFloat(v, "late_penalty"); !ok {
		form.Errors["late_penalty"] = "Enter a number."
	} else if set {
		pol.LatePenaltyPercentPerDay = &x
	}
	if x, set, ok := formFloat(v, "watch_percent"); !ok {
		form.Errors["watch_percent"] = "Enter a number."
	} else if set {
		r := x / 100
		pol.WatchCompleteRatio = &r
	}
	in.Policy = pol
	return in
}

func (f *Frontend) newCoursePage(c *fiber.Ctx) error {
	if !f.mayCreate(c) {
		return errs.Forbid("on this site only course creators may create courses; ask an administrator")
	}
	tz := "UTC"
	if id := auth.From(c); id != nil && id.Timezone != "" {
		tz = id.Timezone
	}
	draft := modules.Course{Pacing: "scheduled", Timezone: tz, Enrollment: "open", Policy: modules.DefaultPolicy()}
	return f.render(c, fiber.StatusOK, "courses/form", courseFormPage{Form: courseValues(draft, tz), New: true, Timezones: commonZones})
}

func (f *Frontend) createCourse(c *fiber.Ctx) error {
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in := courseInput(v, form)
	page := courseFormPage{Form: form, New: true, Timezones: commonZones}
	if len(form.Errors) > 0 {
		form.Error = "Please correct the marked fields."
		return f.render(c, fiber.StatusBadRequest, "courses/form", page)
	}
	course, err := f.Courses.CreateCourse(c.UserContext(), caller(c), in)
	if err != nil {
		if form.fail(err, courseRename) {
			return f.render(c, errStatus(err), "courses/form", page)
		}
		return err
	}
	msg := "Course created. Add its first module below."
	if !course.Published {
		msg += " Students see it once you publish it in Settings."
	}
	f.flash(c, "success", msg)
	return f.redirect(c, fmt.Sprintf("/courses/%d", course.ID))
}

func (f *Frontend) editCoursePage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "edit")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "courses/form", courseFormPage{Form: courseValues(a.Course, ""), Course: a.Course,
		Timezones: commonZones, Copy: copyDefaults(a.Course)})
}

func (f *Frontend) updateCourse(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "edit")
	if err != nil {
		return err
	}
	if err := a.RequireInstructor(); err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in := courseInput(v, form)
	page := courseFormPage{Form: form, Course: a.Course, Timezones: commonZones, Copy: copyDefaults(a.Course)}
	if len(form.Errors) > 0 {
		form.Error = "Please correct the marked fields."
		return f.render(c, fiber.StatusBadRequest, "courses/form", page)
	}
	if _, err := f.Courses.UpdateCourse(c.UserContext(), caller(c), a.Course.ID, in); err != nil {
		if form.fail(err, courseRename) {
			return f.render(c, errStatus(err), "courses/form", page)
		}
		return err
	}
	f.flash(c, "success", "Course settings saved.")
	return f.redirect(c, fmt.Sprintf("/courses/%d", a.Course.ID))
}
