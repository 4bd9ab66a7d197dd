package frontend

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"pacer/api"
	"pacer/engagement"
	"pacer/errs"
	"pacer/modules"
	"pacer/notify"
)

// mountEngagement adds the staff at-risk page, the message form and the
// e-mail preferences page. Without the engagement service (tests that build
// the frontend alone) there are no such pages.
func (f *Frontend) mountEngagement(r fiber.Router) {
	if f.Engagement == nil {
		return
	}
	r.Get("/courses/:course/at-risk", f.signedIn, f.atRiskPage)
	r.Get("/courses/:course/at-risk/message", f.signedIn, f.composeMessage)
	r.Post("/courses/:course/at-risk/message", f.signedIn, f.csrf, f.sendMessage)
	r.Get("/notifications/email", f.signedIn, f.emailPrefsPage)
	r.Post("/notifications/email", f.signedIn, f.csrf, f.saveEmailPrefs)
	// The link in every e-mail works signed out: its signature is the
	// authority, so there is no sign-in and no CSRF token. POST serves RFC
	// 8058 one-click unsubscribes (mail clients post to the link itself)
	// and the page's undo button.
	r.Get("/unsubscribe", f.unsubscribe)
	r.Post("/unsubscribe", f.unsubscribe)
}

// flagBadges names each flag as people read it, with a badge colour that
// grows with how much it calls for action.
var flagBadges = map[string]Badge{
	engagement.FlagInactive:   {Kind: "draft", Text: "Inactive"},
	engagement.FlagBehind:     {Kind: "due", Text: "Behind"},
	engagement.FlagMissed:     {Kind: "overdue", Text: "Missed deadline"},
	engagement.FlagStruggling: {Kind: "late", Text: "Struggling with a quiz"},
}

var flagOrder = []string{engagement.FlagInactive, engagement.FlagBehind, engagement.FlagMissed, engagement.FlagStruggling}

// riskRow is one learner on the at-risk page.
type riskRow struct {
	engagement.Row
	Badges []Badge
	Chart  activityChart
}

// activityChart is a small bar chart of active days per week, drawn on the
// server as inline SVG (no script, no style attributes: the CSP forbids
// both), with its numbers in words for screen readers.
type activityChart struct {
	W, H  int
	Bars  []chartBar
	Label string
}

type chartBar struct {
	X, Y, W, H int
	Title      string
}

const (
	chartBarW = 9
	chartGap  = 3
	chartMaxH = 28
)

func newActivityChart(weeks []int) activityChart {
	c := activityChart{W: len(weeks) * (chartBarW + chartGap), H: chartMaxH + 2}
	words := make([]string, len(weeks))
	for i, n := range weeks {
		h := n * chartMaxH / 7
		if h == 0 {
			h = 1 // a hairline, so an idle week still shows as a week
		}
		ago := len(weeks) - 1 - i
		title := plural(n, "active day", "active days") + " " + weekAgo(ago)
		c.Bars = append(c.Bars, chartBar{X: i * (chartBarW + chartGap), Y: c.H - h, W: chartBarW, H: h, Title: title})
		words[i] = strconv.Itoa(n)
	}
	c.Label = "Active days per week over the last " + strconv.Itoa(len(weeks)) + " weeks, oldest first: " +
		strings.Join(words, ", ")
	return c
}

func weekAgo(n int) string {
	switch n {
	case 0:
		return "this week"
	case 1:
		return "last week"
	}
	return strconv.Itoa(n) + " weeks ago"
}

type flagFilter struct {
	Label   string
	Href    string
	Count   int
	Current bool
}

type atRiskPage struct {
	Course  modules.Course
	Rows    []riskRow
	Total   int
	Flagged int
	Filter  string
	// Cohort says in words whom a filter from the cohort overview keeps
	// (pace, module state); "" without one. Everything else on the page
	// is counted within it.
	Cohort  string
	Filters []flagFilter
	Counts  map[string]int
	Form    *Form
}

func (f *Frontend) renderAtRisk(c *fiber.Ctx, status int, a modules.Access, form *Form) error {
	q, err := engagement.FilterQuery(c)
	if err != nil {
		return err
	}
	filter := q.Flag
	if filter != "" && !engagement.ValidFlag(filter) {
		filter = ""
	}
	q.Flag = ""
	all, err := f.Engagement.AtRiskWhere(c.UserContext(), caller(c), a.Course.ID, q)
	if err != nil {
		return err
	}
	p := atRiskPage{Course: a.Course, Total: len(all), Filter: filter,
		Counts: map[string]int{}, Form: form}
	if p.Form == nil {
		p.Form = NewForm(nil)
	}
	if q != (engagement.Filter{}) {
		module := ""
		if q.Module != 0 {
			m, err := f.Courses.GetModule(c.UserContext(), caller(c), a.Course.ID, q.Module)
			if err != nil {
				return err
			}
			module = "“" + m.Title + "”"
		}
		p.Cohort = filterWords(q, module)
	}
	base := engagement.AtRiskFilterLink(a.Course.ID, q)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	for _, r := range all {
		if len(r.Flags) > 0 {
			p.Flagged++
		}
		for _, fl := range r.Flags {
			p.Counts[fl]++
		}
		if filter != "" && !hasFlag(r.Flags, filter) {
			continue
		}
		row := riskRow{Row: r, Chart: newActivityChart(r.WeeklyActivity)}
		for _, fl := range r.Flags {
			row.Badges = append(row.Badges, flagBadges[fl])
		}
		p.Rows = append(p.Rows, row)
	}
	everyone := "Everyone"
	if p.Cohort != "" {
		everyone = "All of these"
	}
	p.Filters = append(p.Filters, flagFilter{Label: everyone, Href: base, Count: len(all), Current: filter == ""})
	for _, fl := range flagOrder {
		p.Filters = append(p.Filters, flagFilter{Label: flagBadges[fl].Text, Href: base + sep + "flag=" + fl,
			Count: p.Counts[fl], Current: filter == fl})
	}
	return f.render(c, status, "engagement_at_risk", p)
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

func (f *Frontend) atRiskPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "at-risk")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	return f.renderAtRisk(c, fiber.StatusOK, a, nil)
}

// composePage writes to one learner, or to everyone carrying a flag.
type composePage struct {
	Course modules.Course
	// To names the recipients in words.
	To     string
	UserID uint64
	Flag   string
	Count  int
	Form   *Form
}

func (f *Frontend) renderCompose(c *fiber.Ctx, status int, a modules.Access, user uint64, flag string, form *Form) error {
	rows, err := f.Engagement.AtRisk(c.UserContext(), caller(c), a.Course.ID, flag)
	if err != nil {
		return err
	}
	p := composePage{Course: a.Course, UserID: user, Flag: flag, Form: form}
	if p.Form == nil {
		p.Form = NewForm(nil)
	}
	switch {
	case user != 0:
		for _, r := range rows {
			if r.UserID == user {
				p.To, p.Count = r.Name, 1
			}
		}
		if p.To == "" {
			return errs.NotFoundf("student")
		}
	default:
		p.Count = len(rows)
		p.To = "everyone flagged " + strings.ToLower(flagBadges[flag].Text) + " (" + plural(len(rows), "learner", "learners") + ")"
	}
	return f.render(c, status, "engagement_message", p)
}

func (f *Frontend) composeMessage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "at-risk")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	user, err := api.QueryID(c, "user")
	if err != nil {
		return err
	}
	flag := strings.Clone(c.Query("flag"))
	if (user == 0) == (flag == "") || (flag != "" && !engagement.ValidFlag(flag)) {
		return errs.BadRequest("choose a learner or a flag")
	}
	return f.renderCompose(c, fiber.StatusOK, a, user, flag, nil)
}

// sendMessage sends the at-risk page's message: to the learners ticked in
// the table ("to" = selected), to everyone carrying a flag ("to" = the
// flag), or, from the compose page, to its one learner or flag.
func (f *Frontend) sendMessage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "at-risk")
	if err != nil {
		return err
	}
	if err := a.RequireStaff(); err != nil {
		return err
	}
	v, err := readForm(c)
	if err != nil {
		return err
	}
	in := engagement.MessageInput{Message: v.Get("message")}
	to := v.Get("to")
	switch {
	case to == "selected" || to == "":
		for _, s := range v["user"] {
			id, err := api.ParseID(s)
			if err != nil {
				return errs.BadRequest("bad learner")
			}
			in.UserIDs = append(in.UserIDs, id)
		}
	default:
		in.Flag = to
	}
	form := &Form{Values: v, Errors: map[string]string{}}
	if to == "selected" && len(in.UserIDs) == 0 {
		form.Errors["user"] = "Tick at least one learner in the table."
	}
	var res engagement.MessageResult
	if len(form.Errors) == 0 {
		res, err = f.Engagement.Message(c.UserContext(), caller(c), a.Course.ID, in)
		if err != nil && !form.fail(err, map[string]string{"user_ids": "user", "flag": "user"}) {
			return err
		}
	}
	if form.HasErrors() {
		if v.Get("from") == "compose" {
			status := fiber.StatusBadRequest
			if err != nil {
				status = errStatus(err)
			}
			user, _ := api.ParseID(v.Get("user"))
			return f.renderCompose(c, status, a, user, in.Flag, form)
		}
		return f.renderAtRisk(c, fiber.StatusBadRequest, a, form)
	}
	if res.Sent == 0 {
		f.flash(c, "info", "Nobody carries that flag right now, so no message was sent.")
	} else {
		f.flash(c, "success", "Message sent to "+plural(res.Sent, "learner", "learners")+".")
	}
	return f.redirect(c, fmt.Sprintf("/courses/%d/at-risk", a.Course.ID))
}

type emailPrefsPage struct {
	Items   []notify.PrefItem
	Sending bool
}

func (f *Frontend) emailPrefsPage(c *fiber.Ctx) error {
	p, err := f.Outbox.Preferences(caller(c))
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "engagement_email", emailPrefsPage{Items: p.Items, Sending: p.Sending})
}

// saveEmailPrefs stores the page's checkboxes: every kind listed on the
// page is on when ticked and off when not.
func (f *Frontend) saveEmailPrefs(c *fiber.Ctx) error {
	v, err := readForm(c)
	if err != nil {
		return err
	}
	on := map[string]bool{}
	for _, k := range v["kind"] {
		on[k] = true
	}
	choices := map[string]bool{}
	for _, k := range notify.Kinds() {
		choices[k] = on[k]
	}
	if _, err := f.Outbox.SetPreferences(caller(c), choices); err != nil {
		return err
	}
	f.flash(c, "success", "E-mail preferences saved.")
	return f.redirect(c, "/notifications/email")
}

// coursePace is a learner's pace line for the dashboard, or nil when it
// cannot be told (no engagement service, or not a student).
func (f *Frontend) coursePace(user, course uint64) *engagement.Pace {
	if f.Engagement == nil {
		return nil
	}
	p, err := f.Engagement.Pace(context.Background(), user, course, 0)
	if err != nil {
		return nil
	}
	return &p
}

type unsubscribePage struct {
	On        bool
	Labels    []string
	U, K, Sig string
}

// unsubscribe follows an unsubscribe link. GET and one-click POST turn the
// link's kinds off; the page's undo button posts action=resubscribe.
func (f *Frontend) unsubscribe(c *fiber.Ctx) error {
	pick := func(name string) string {
		if v := c.Query(name); v != "" {
			return strings.Clone(v)
		}
		if c.Method() == fiber.MethodPost {
			if v, err := readForm(c); err == nil {
				return v.Get(name)
			}
		}
		return ""
	}
	u, k, sig := pick("u"), pick("k"), pick("sig")
	on := c.Method() == fiber.MethodPost && pick("action") == "resubscribe"
	_, kinds, err := f.Outbox.Unsubscribe(u, k, sig, on)
	if err != nil {
		return err
	}
	p := unsubscribePage{On: on, U: u, K: k, Sig: sig}
	for _, kind := range kinds {
		p.Labels = append(p.Labels, notify.Label(kind))
	}
	// The page carries the signed link in its form: keep it out of
	// Referer headers.
	c.Set("Referrer-Policy", "no-referrer")
	return f.render(c, fiber.StatusOK, "engagement_unsubscribe", p)
}
