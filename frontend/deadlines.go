package frontend

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/calendar"
	"pacer/deadlines"
	"pacer/errs"
	"pacer/media"
	"pacer/modules"
	"pacer/timetext"
)

// mountDeadlines adds the pages of weekly windows and deadlines: the
// learner's deadlines and calendar feed, the assignment's part of the item
// page and its submit form, and the staff pages that grant extensions and
// grade submissions.
func (f *Frontend) mountDeadlines(r fiber.Router) {
	f.itemKinds[modules.KindAssignment] = ItemKind{Load: f.loadAssignment}

	r.Get("/deadlines", f.signedIn, f.deadlinesPage)
	r.Post("/deadlines/calendar", f.signedIn, f.csrf, f.rotateCalendar)

	r.Post("/courses/:course/items/:item/submit", f.signedIn, f.csrf, f.submitAssignment)
	r.Get("/courses/:course/items/:item/submissions", f.signedIn, f.submissionsPage)
	r.Post("/courses/:course/submissions/:submission/grade", f.signedIn, f.csrf, f.gradeSubmission)

	r.Get("/courses/:course/modules/:module/assignments/new", f.signedIn, f.newAssignmentPage)
	r.Post("/courses/:course/modules/:module/assignments/new", f.signedIn, f.csrf, f.createAssignment)
	r.Get("/courses/:course/items/:item/assignment", f.signedIn, f.editAssignmentPage)
	r.Post("/courses/:course/items/:item/assignment", f.signedIn, f.csrf, f.updateAssignment)

	r.Get("/courses/:course/extensions", f.signedIn, f.extensionsPage)
	r.Post("/courses/:course/extensions", f.signedIn, f.csrf, f.grantExtension)
	r.Post("/courses/:course/extensions/:extension/delete", f.signedIn, f.csrf, f.deleteExtension)
}

// DeadlineRow is one of the learner's deadlines as the pages show it.
type DeadlineRow struct {
	deadlines.Deadline
	Href  string
	Badge Badge
	// Closed names the module's assignments that no longer take work and
	// StillOpen counts its other items left to complete; they are set for
	// missed deadlines, where only submissions close (items can still be
	// completed, and completing them still unlocks what waits on them).
	Closed    []string
	StillOpen int
	// CourseLoc is the row's course's time zone: its times are written
	// in the reader's, with the course's on hover.
	CourseLoc *time.Location
}

// deadlineBadge names a deadline status for people.
func deadlineBadge(status string) Badge {
	switch status {
	case calendar.DeadlineDone:
		return Badge{"completed", "Done"}
	case calendar.DeadlineMissed:
		return Badge{"overdue", "Missed"}
	case calendar.DeadlineOverdue:
		return Badge{"late", "Overdue"}
	case calendar.DeadlineDueSoon:
		return Badge{"due", "Due soon"}
	}
	return Badge{"open", "Upcoming"}
}

// DeadlineSummary is the dashboard's deadlines card: work past its due
// time that is still accepted, and the next few due times.
type DeadlineSummary struct {
	Overdue []DeadlineRow
	Next    []DeadlineRow
	Loc     *time.Location
}

// dashboardNext is how many upcoming deadlines the dashboard lists.
const dashboardNext = 5

func (f *Frontend) deadlineRows(uid uint64) ([]DeadlineRow, error) {
	list, err := f.Deadlines.Deadlines(context.Background(), uid)
	if err != nil {
		return nil, err
	}
	out := make([]DeadlineRow, 0, len(list))
	zones := map[uint64]*time.Location{}
	for _, d := range list {
		loc, ok := zones[d.CourseID]
		if !ok {
			// One read per course, not per row; a course that cannot
			// be read now just goes without its course time.
			if cv, err := f.Courses.Course(context.Background(), d.CourseID, uid); err == nil {
				loc = cv.Location()
			}
			zones[d.CourseID] = loc
		}
		out = append(out, DeadlineRow{Deadline: d, Href: fmt.Sprintf("/courses/%d/modules/%d", d.CourseID, d.ModuleID),
			Badge: deadlineBadge(d.Status), CourseLoc: loc})
	}
	return out, nil
}

// deadlineSummary builds the dashboard's card; nil when there is nothing
// to show.
func (f *Frontend) deadlineSummary(c *fiber.Ctx, uid uint64) (*DeadlineSummary, error) {
	rows, err := f.deadlineRows(uid)
	if err != nil {
		return nil, err
	}
	s := &DeadlineSummary{Loc: userLoc(c)}
	for _, r := range rows {
		switch r.Status {
		case calendar.DeadlineOverdue:
			s.Overdue = append(s.Overdue, r)
		case calendar.DeadlineDueSoon, calendar.DeadlineUpcoming:
			if len(s.Next) < dashboardNext {
				s.Next = append(s.Next, r)
			}
		}
	}
	if len(s.Overdue) == 0 && len(s.Next) == 0 {
		return nil, nil
	}
	return s, nil
}

type deadlinesPage struct {
	Overdue, Upcoming, Missed, Done []DeadlineRow
	Any                             bool
	Loc                             *time.Location
	FeedURL                         string
	// WebcalURL is built here from the configured base URL and a signed
	// token, never from input, so its scheme may be marked safe:
	// html/template would otherwise refuse the webcal: scheme.
	WebcalURL template.URL
}

func (f *Frontend) deadlinesPage(c *fiber.Ctx) error {
	uid := caller(c)
	rows, err := f.deadlineRows(uid)
	if err != nil {
		return err
	}
	p := deadlinesPage{Loc: userLoc(c), Any: len(rows) > 0}
	for _, r := range rows {
		switch r.Status {
		case calendar.DeadlineOverdue:
			p.Overdue = append(p.Overdue, r)
		case calendar.DeadlineMissed:
			if err := f.whatIsClosed(uid, &r); err != nil {
				return err
			}
			p.Missed = append(p.Missed, r)
		case calendar.DeadlineDone:
			p.Done = append(p.Done, r)
		default:
			p.Upcoming = append(p.Upcoming, r)
		}
	}
	if p.FeedURL, err = f.Deadlines.CalendarURL(c.UserContext(), uid); err != nil {
		return err
	}
	p.WebcalURL = webcal(p.FeedURL)
	return f.render(c, fiber.StatusOK, "deadlines/index", p)
}

// whatIsClosed fills in what a missed deadline closed (the module's
// unfinished assignments) and what stays open (its other unfinished
// items), so the page does not tell a learner the whole module is closed.
func (f *Frontend) whatIsClosed(uid uint64, r *DeadlineRow) error {
	m, err := f.Courses.GetModule(context.Background(), uid, r.CourseID, r.ModuleID)
	if err != nil {
		return err
	}
	for _, it := range m.Items {
		switch {
		case it.Status == modules.StatusCompleted:
		case it.Kind == modules.KindAssignment:
			r.Closed = append(r.Closed, it.Title)
		default:
			r.StillOpen++
		}
	}
	return nil
}

// webcal is the feed's URL with the webcal scheme, which calendar apps
// offer to subscribe to when it is opened.
func webcal(feed string) template.URL {
	u, err := url.Parse(feed)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	u.Scheme = "webcal"
	return template.URL(u.String())
}

func (f *Frontend) rotateCalendar(c *fiber.Ctx) error {
	if _, err := f.Deadlines.RotateCalendar(c.UserContext(), caller(c)); err != nil {
		return err
	}
	f.flash(c, "success", "Your calendar link was replaced. Subscribe again with the new link; the old one no longer works.")
	return f.redirect(c, "/deadlines#calendar")
}

// AssignmentView is what the assignment partial shows (ItemPage.Extra).
type AssignmentView struct {
	deadlines.AssignmentState
	// Status is the badge of the learner's current submission.
	Status *Badge
	// Now tells the learner what submitting now would mean.
	Now  Badge
	Form *Form
	// Files is true when learners may attach a file (media is served);
	// Accept is the file picker's filter.
	Files  bool
	Accept string
	// Attempts are the learner's attempts with their badges, the current
	// one first.
	Attempts []SubmissionRow
	// Confirm is true when handing in again would supersede graded work:
	// the form then asks for a confirmation (a required checkbox the
	// server checks too, so it holds without scripts).
	Confirm bool
	// AttachedName is the file name of the submission's attached file.
	AttachedName string
}

// assignmentFormKey carries a submit form that failed back to the item
// page, so the learner's typed answer is shown again with the error.
const assignmentFormKey = "assignment-form"

// submissionAccept is the file picker's filter on the submit form: the
// media allow-list plus the documents learners hand in.
const submissionAccept = acceptTypes + ",.docx,.odt,.txt,.zip," + media.TypeDocx + "," + media.TypeODT + ",text/plain,application/zip"

// confirmField is the checkbox that confirms handing in over graded work.
const confirmField = "confirm_replace"

// loadAssignment fills the assignment part of the item page.
func (f *Frontend) loadAssignment(c *fiber.Ctx, p *ItemPage) error {
	st, err := f.Deadlines.Assignment(c.UserContext(), caller(c), p.Course.ID, p.Item.ID)
	if err != nil {
		return err
	}
	v := &AssignmentView{AssignmentState: st, Form: NewForm(nil), Files: f.Media != nil, Accept: submissionAccept,
		Confirm: st.Grade != nil}
	if s := st.Submission; s != nil {
		b := submissionBadge(s.Status, s.PenaltyPercent)
		v.Status = &b
		v.Form.Values.Set("body", s.Body)
		if s.MediaID != 0 && f.Media != nil {
			// A file swept or deleted since keeps its link (which answers
			// 404) rather than failing the whole page.
			if m, err := f.Media.Get(c.UserContext(), caller(c), s.MediaID); err == nil {
				v.AttachedName = m.Filename
			}
		}
	}
	for _, a := range st.Attempts {
		v.Attempts = append(v.Attempts, SubmissionRow{SubmissionView: a, Badge: submissionBadge(a.Status, a.PenaltyPercent)})
	}
	if form, ok := c.Locals(assignmentFormKey).(*Form); ok {
		v.Form = form
	}
	switch st.Accepts {
	case deadlines.AcceptClosed:
		v.Now = Badge{"locked", "Closed"}
	case deadlines.AcceptLate:
		v.Now = Badge{"late", fmt.Sprintf("Late now: %s%% penalty", formatNumber(st.PenaltyNow))}
	default:
		v.Now = Badge{"open", "Open for submissions"}
	}
	p.Extra = v
	return nil
}

// submissionBadge names a submission's timeliness.
func submissionBadge(status string, penalty float64) Badge {
	if status == calendar.StatusLate {
		return Badge{"late", fmt.Sprintf("Late · %s%% penalty", formatNumber(penalty))}
	}
	return Badge{"completed", "On time"}
}

func formatNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (f *Frontend) submitAssignment(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	iid, err := api.ParamID(c, "item")
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	back := fmt.Sprintf("/courses/%d/items/%d", a.Course.ID, iid)
	body := v.Get("body")
	form := &Form{Values: url.Values{"body": {body}}, Errors: map[string]string{}}
	st, err := f.Deadlines.Assignment(c.UserContext(), caller(c), a.Course.ID, iid)
	if err != nil {
		return err
	}
	// Handing in over graded work asks for a confirmation first. The page
	// marks the checkbox required; this holds for a browser that ignores it.
	if st.Grade != nil && st.Accepts != deadlines.AcceptClosed && !checkbox(v, confirmField) {
		form.Errors[confirmField] = "Tick the box to hand in a new attempt; your graded attempt is kept."
		form.Error = "Your work was not handed in yet: confirm that you want to hand in a new attempt."
		return f.itemPageWithForm(c, fiber.StatusBadRequest, form)
	}
	in := deadlines.SubmissionInput{Body: &body}
	if id, err := f.submissionFile(c, a.Course.ID, iid); err != nil {
		status, msg, ok := uploadProblem(err)
		if !ok {
			return err
		}
		var e *errs.Error
		if errors.As(err, &e) && e.Kind == errs.Unsupported {
			msg = fileTypeProblem(e.Message)
		}
		form.Errors["file"] = msg
		form.Error = "Your work was not handed in yet: " + msg + " Your answer is kept below."
		return f.itemPageWithForm(c, status, form)
	} else if id != 0 {
		in.MediaID = &id
	}
	sub, err := f.Deadlines.Submit(c.UserContext(), caller(c), a.Course.ID, iid, in)
	if err != nil {
		// A problem the learner can fix (an empty answer, the deadline)
		// comes back on the item page with what they typed.
		var e *errs.Error
		if errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.Conflict) {
			msg := sentence(e.Message)
			switch why := e.Fields["body"]; {
			case strings.HasPrefix(why, "required"):
				msg = "Write your answer before submitting."
				form.Errors["body"] = msg
			case why != "":
				msg = "Your answer " + why + "."
				form.Errors["body"] = msg
			}
			form.Error = msg
			return f.itemPageWithForm(c, errStatus(err), form)
		}
		return err
	}
	msg := "Submitted on time."
	if sub.Status == calendar.StatusLate {
		msg = fmt.Sprintf("Submitted late: a %s%% penalty applies.", formatNumber(sub.PenaltyPercent))
	}
	if sub.Attempt > 1 {
		msg += fmt.Sprintf(" This is attempt %d; your earlier attempts are kept below.", sub.Attempt)
	}
	f.flash(c, "success", msg)
	return f.redirect(c, back+"#submission")
}

// itemPageWithForm shows the item page again for a submit form that
// failed, with what the learner typed and the error, in the status of the
// failure. The item page is the items feature's handler; the form reaches
// loadAssignment through the request's locals.
func (f *Frontend) itemPageWithForm(c *fiber.Ctx, status int, form *Form) error {
	c.Locals(assignmentFormKey, form)
	if err := f.itemPage(c); err != nil {
		return err
	}
	c.Status(status)
	return nil
}

// fileTypeProblem words a refused file for a learner: which files are
// taken, in words rather than media types.
func fileTypeProblem(reason string) string {
	const kinds = "PDF, images, audio, video, Word, OpenDocument text, plain text or ZIP files"
	if strings.HasPrefix(reason, "files of type") {
		return "This type of file cannot be handed in. Attach " + kinds + "."
	}
	return "The file's content does not match its type (" + strings.TrimSuffix(reason, ".") + "). Attach " + kinds + "."
}

// submissionFile stores the file of a submit form, when there is one, as a
// submission upload of the learner, and returns its id (0 for none). Work
// is not uploaded once the assignment is closed, so a refused submission
// leaves no file behind.
func (f *Frontend) submissionFile(c *fiber.Ctx, courseID, itemID uint64) (uint64, error) {
	if f.Media == nil {
		return 0, nil
	}
	fh, err := formFile(c, "file")
	if err != nil || fh.Size == 0 {
		return 0, nil
	}
	st, err := f.Deadlines.Assignment(c.UserContext(), caller(c), courseID, itemID)
	if err != nil || st.Accepts == deadlines.AcceptClosed {
		return 0, err
	}
	if fh.Size > f.Media.MaxUploadBytes(c.UserContext()) {
		return 0, errs.E(errs.TooLarge, "the file is "+byteSize(fh.Size)+"; the largest upload is "+byteSize(f.Media.MaxUploadBytes(c.UserContext())))
	}
	src, err := fh.Open()
	if err != nil {
		return 0, errs.Wrap(err, "open uploaded form file")
	}
	defer src.Close()
	m, err := f.Media.Upload(c.UserContext(), caller(c), media.UploadInput{CourseID: courseID, Purpose: media.PurposeSubmission,
		Filename: fh.Filename, ContentType: fh.Header.Get(fiber.HeaderContentType), Length: fh.Size}, src)
	return m.ID, err
}

// SubmissionRow is one line of the grading table: a learner's current
// attempt, with their earlier attempts (kept with their grades) beside it.
type SubmissionRow struct {
	deadlines.SubmissionView
	Badge   Badge
	Earlier []SubmissionRow
}

type submissionsPage struct {
	Course modules.Course
	Module modules.ModuleView
	Item   modules.ItemView
	Rows   []SubmissionRow
	// Missing are students whose cut-off (extension included) has passed
	// without a submission; NotYet those whose cut-off has not come.
	Missing []deadlines.Pending
	NotYet  []deadlines.Pending
	OnTime  int
	Late    int
	Chart   []ChartBar
}

// ChartBar is one segment of the submissions bar: a share of the class.
type ChartBar struct {
	Label string
	Kind  string
	Count int
	X, W  float64 // percent of the bar's width
}

func (f *Frontend) submissionsPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	iid, err := api.ParamID(c, "item")
	if err != nil {
		return err
	}
	uid := caller(c)
	it, err := f.Courses.GetItem(c.UserContext(), uid, a.Course.ID, iid)
	if err != nil {
		return err
	}
	if it.Kind != modules.KindAssignment {
		return errs.NotFoundf("assignment")
	}
	m, err := f.Courses.GetModule(c.UserContext(), uid, a.Course.ID, it.ModuleID)
	if err != nil {
		return err
	}
	p := submissionsPage{Course: a.Course, Module: m, Item: it}
	cursor := ""
	for {
		page, err := f.Deadlines.ListSubmissions(c.UserContext(), uid, a.Course.ID, iid, api.Page{Limit: 200, Cursor: cursor})
		if err != nil {
			return err
		}
		// Each learner's attempts come together, the current one first.
		for _, s := range page.Items {
			row := SubmissionRow{SubmissionView: s, Badge: submissionBadge(s.Status, s.PenaltyPercent)}
			if !s.Current && len(p.Rows) > 0 && p.Rows[len(p.Rows)-1].UserID == s.UserID {
				last := &p.Rows[len(p.Rows)-1]
				last.Earlier = append(last.Earlier, row)
				continue
			}
			p.Rows = append(p.Rows, row)
			if s.Status == calendar.StatusLate {
				p.Late++
			} else {
				p.OnTime++
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	pending, err := f.Deadlines.PendingList(c.UserContext(), uid, a.Course.ID, iid)
	if err != nil {
		return err
	}
	for _, pd := range pending {
		if pd.State == deadlines.PendingMissing {
			p.Missing = append(p.Missing, pd)
		} else {
			p.NotYet = append(p.NotYet, pd)
		}
	}
	p.Chart = submissionChart(p.OnTime, p.Late, len(p.NotYet), len(p.Missing))
	return f.render(c, fiber.StatusOK, "deadlines/submissions", p)
}

// ToGradeCard is the "To grade" list of the dashboard and the course page:
// assignments whose current attempts wait for a grade, newest work first.
type ToGradeCard struct {
	Rows []deadlines.ToGrade
	Loc  *time.Location
	// Course is true on a course's own page, where the course name is not
	// repeated.
	Course bool
}

// toGradeCard builds the card of one course (courseID) or of every course
// the user teaches (0); nil when nothing waits.
func (f *Frontend) toGradeCard(uid, courseID uint64, loc *time.Location) (*ToGradeCard, error) {
	rows, err := f.Deadlines.ToGradeList(context.Background(), uid, courseID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &ToGradeCard{Rows: rows, Loc: loc, Course: courseID != 0}, nil
}

// submissionChart lays out the on time / late / missing bar.
func submissionChart(onTime, late, notYet, missing int) []ChartBar {
	total := onTime + late + notYet + missing
	if total == 0 {
		return nil
	}
	var out []ChartBar
	x := 0.0
	for _, b := range []ChartBar{{Label: "On time", Kind: "ontime", Count: onTime}, {Label: "Late", Kind: "late", Count: late},
		{Label: "Not yet submitted", Kind: "notyet", Count: notYet}, {Label: "Missing", Kind: "missing", Count: missing}} {
		b.X = x
		b.W = 100 * float64(b.Count) / float64(total)
		x += b.W
		out = append(out, b)
	}
	return out
}

func (f *Frontend) gradeSubmission(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "home")
	if err != nil {
		return err
	}
	sid, err := api.ParamID(c, "submission")
	if err != nil {
		return err
	}
	uid := caller(c)
	// The submission decides the item (and so where to go back to); the
	// service checks that the caller teaches its course.
	sub, err := f.Deadlines.GetSubmission(c.UserContext(), uid, a.Course.ID, sid)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/courses/%d/items/%d/submissions#submission-%d", a.Course.ID, sub.ItemID, sub.ID)
	v, _ := readForm(c)
	in := deadlines.GradeInput{Feedback: optString(v, "feedback")}
	if picks, adj, rubric, problem := rubricGrade(v); rubric {
		if problem != "" {
			f.flash(c, "error", problem)
			return f.redirect(c, back)
		}
		in.Rubric, in.Adjustment = picks, adj
		if in.Rubric == nil {
			in.Rubric = []deadlines.RubricMark{}
		}
	} else {
		score, set, ok := formFloat(v, "score")
		if !set || !ok {
			f.flash(c, "error", "Give "+sub.UserName+"’s score as a number.")
			return f.redirect(c, back)
		}
		in.Score = &score
	}
	g, err := f.Deadlines.Grade(c.UserContext(), uid, a.Course.ID, sid, in)
	if err != nil {
		form := &Form{}
		if form.fail(err, nil) {
			msg := form.Error
			if e := form.Errors["score"]; e != "" {
				msg = "Score: " + e
			} else if e := form.Errors["rubric"]; e != "" {
				msg = "Rubric: " + e
			} else if e := form.Errors["feedback"]; e != "" {
				msg = "Feedback: " + e
			}
			f.flash(c, "error", msg)
			return f.redirect(c, back)
		}
		return err
	}
	f.flash(c, "success", fmt.Sprintf("%s’s work is graded: %s.", g.UserName, formatNumber(*g.FinalScore)))
	return f.redirect(c, back)
}

type assignmentFormPage struct {
	Form   *Form
	Course modules.Course
	Module modules.ModuleView
	Item   modules.Item
	New    bool
}

func assignmentValues(it modules.Item) *Form {
	v := map[string]string{"title": it.Title, "body": it.Body}
	if it.Points > 0 {
		v["points"] = formatNumber(it.Points)
	}
	if it.Published {
		v["published"] = "1"
	}
	v["rubric"] = rubricText(it.Rubric)
	return NewForm(v)
}

// assignmentInput reads the assignment form; points must be a number.
func assignmentInput(v url.Values, form *Form) (modules.ItemInput, bool) {
	in := modules.ItemInput{Title: optString(v, "title"), Body: optString(v, "body"),
		Published: boolPtr(checkbox(v, "published"))}
	points, set, ok := formFloat(v, "points")
	switch {
	case !ok:
		form.Errors["points"] = "Give the points as a number."
		form.Error = "Please correct the marked fields."
		return in, false
	case set:
		in.Points = &points
	default:
		zero := 0.0
		in.Points = &zero
	}
	if v.Has("rubric") {
		raw, problem := parseRubric(v.Get("rubric"))
		if problem != "" {
			form.Errors["rubric"] = problem
			form.Error = "Please correct the marked fields."
			return in, false
		}
		in.Rubric = raw
	}
	return in, true
}

func (f *Frontend) newAssignmentPage(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "deadlines/assignment_form", assignmentFormPage{
		Form: assignmentValues(modules.Item{Published: true, Points: 10}), Course: a.Course, Module: m, New: true})
}

func (f *Frontend) createAssignment(c *fiber.Ctx) error {
	a, m, _, err := f.loadStaffModule(c)
	if err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	page := assignmentFormPage{Form: form, Course: a.Course, Module: m, New: true}
	in, ok := assignmentInput(v, form)
	if !ok {
		return f.render(c, fiber.StatusBadRequest, "deadlines/assignment_form", page)
	}
	kind := modules.KindAssignment
	in.Kind = &kind
	it, err := f.Courses.CreateItem(c.UserContext(), caller(c), a.Course.ID, m.ID, in)
	if err != nil {
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "deadlines/assignment_form", page)
		}
		return err
	}
	f.flash(c, "success", "Assignment “"+it.Title+"” added.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/items/%d", a.Course.ID, it.ID))
}

func (f *Frontend) editAssignmentPage(c *fiber.Ctx) error {
	a, it, m, err := f.loadStaffItem(c)
	if err != nil {
		return err
	}
	if it.Kind != modules.KindAssignment {
		return errs.NotFoundf("assignment")
	}
	return f.render(c, fiber.StatusOK, "deadlines/assignment_form", assignmentFormPage{
		Form: assignmentValues(it.Item), Course: a.Course, Module: m, Item: it.Item})
}

func (f *Frontend) updateAssignment(c *fiber.Ctx) error {
	a, it, m, err := f.loadStaffItem(c)
	if err != nil {
		return err
	}
	if it.Kind != modules.KindAssignment {
		return errs.NotFoundf("assignment")
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	page := assignmentFormPage{Form: form, Course: a.Course, Module: m, Item: it.Item}
	in, ok := assignmentInput(v, form)
	if !ok {
		return f.render(c, fiber.StatusBadRequest, "deadlines/assignment_form", page)
	}
	if _, err := f.Courses.UpdateItem(c.UserContext(), caller(c), a.Course.ID, it.ID, in); err != nil {
		if form.fail(err, nil) {
			return f.render(c, errStatus(err), "deadlines/assignment_form", page)
		}
		return err
	}
	f.flash(c, "success", "Saved.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/items/%d", a.Course.ID, it.ID))
}

type extensionsPage struct {
	Course     modules.Course
	Extensions []deadlines.ExtensionView
	Students   []map[string]any
	Modules    []map[string]any
	Form       *Form
	Zone       string
}

// extensionsData gathers what the extensions page shows.
func (f *Frontend) extensionsData(c *fiber.Ctx, a modules.Access, form *Form) (extensionsPage, error) {
	uid := caller(c)
	p := extensionsPage{Course: a.Course, Form: form, Zone: a.Course.Timezone}
	var err error
	if p.Extensions, err = f.Deadlines.ListExtensions(c.UserContext(), uid, a.Course.ID, 0, 0); err != nil {
		return p, err
	}
	members, err := f.Courses.Members(c.UserContext(), a.Course.ID, uid)
	if err != nil {
		return p, err
	}
	p.Students = append(p.Students, map[string]any{"Value": "", "Label": "Choose a student"})
	for _, m := range members {
		if m.Role == modules.RoleStudent {
			p.Students = append(p.Students, map[string]any{"Value": strconv.FormatUint(m.UserID, 10), "Label": m.Name + " (" + m.Email + ")"})
		}
	}
	mods, err := f.Courses.ListModules(c.UserContext(), uid, a.Course.ID)
	if err != nil {
		return p, err
	}
	p.Modules = append(p.Modules, map[string]any{"Value": "", "Label": "Choose a module"})
	for _, m := range mods {
		p.Modules = append(p.Modules, map[string]any{"Value": strconv.FormatUint(m.ID, 10), "Label": m.Title})
	}
	return p, nil
}

func (f *Frontend) extensionsPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "extensions")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	form := NewForm(map[string]string{"user": c.Query("user"), "module": c.Query("module")})
	p, err := f.extensionsData(c, a, form)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "deadlines/extensions", p)
}

func (f *Frontend) grantExtension(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "extensions")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	v, _ := readForm(c)
	form := &Form{Values: v, Errors: map[string]string{}}
	in := deadlines.ExtensionInput{}
	if id, err := api.ParseID(v.Get("user")); err == nil {
		in.UserID = id
	}
	if id, err := api.ParseID(v.Get("module")); err == nil {
		in.ModuleID = id
	}
	if s := strings.TrimSpace(v.Get("due_at")); s != "" {
		t, err := parseLocal(s, a.Course.Location())
		if err != nil {
			form.Errors["due_at"] = "Give a date and time."
		} else {
			in.DueAt = &t
		}
	}
	var ext deadlines.ExtensionView
	if len(form.Errors) == 0 {
		ext, err = f.Deadlines.CreateExtension(c.UserContext(), caller(c), a.Course.ID, in)
		if err != nil && !form.fail(err, map[string]string{"user_id": "user", "module_id": "module"}) {
			return err
		}
	} else {
		form.Error = "Please correct the marked fields."
	}
	if form.HasErrors() {
		p, perr := f.extensionsData(c, a, form)
		if perr != nil {
			return perr
		}
		status := fiber.StatusBadRequest
		if err != nil {
			status = errStatus(err)
		}
		return f.render(c, status, "deadlines/extensions", p)
	}
	f.flash(c, "success", fmt.Sprintf("%s now has until %s for %s.", ext.UserName,
		timetext.ForReader(ext.DueAt, userLoc(c), a.Course.Location()), ext.ModuleTitle))
	return f.redirect(c, fmt.Sprintf("/courses/%d/extensions", a.Course.ID))
}

func (f *Frontend) deleteExtension(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "extensions")
	if err != nil {
		return err
	}
	id, err := api.ParamID(c, "extension")
	if err != nil {
		return err
	}
	if err := f.Deadlines.DeleteExtension(c.UserContext(), caller(c), a.Course.ID, id); err != nil {
		return err
	}
	f.flash(c, "success", "The extension was removed; the module's own due time applies again.")
	return f.redirect(c, fmt.Sprintf("/courses/%d/extensions", a.Course.ID))
}
