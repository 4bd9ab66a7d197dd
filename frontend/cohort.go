package frontend

import (
	"context"
	"strconv"
	"strings"

	"pacer/engagement"
	"pacer/modules"
)

// cohortOverview is the staff course home's "where the class is": per
// module, how many students are in each state on it, and how the students
// spread by pace. Each part is a stacked bar drawn on the server as inline
// SVG (presentation attributes and classes only: the CSP forbids style
// attributes) beside the same numbers as linked text, which is what screen
// readers read; the bars are hidden from them.
type cohortOverview struct {
	engagement.Cohort
	Modules []cohortRow
	Pace    cohortRow
}

// cohortRow is one bar and its counts.
type cohortRow struct {
	Title  string
	Href   string // the module's page; "" for the pace row
	Bar    []cohortSeg
	Counts []cohortCount
}

// cohortSeg is one segment of a bar, in a viewBox 100 wide.
type cohortSeg struct {
	Key  string
	X, W string
}

// cohortCount is one number with the at-risk list of exactly those
// students ("" when it is 0: there is nobody to show).
type cohortCount struct {
	Key   string
	N     int
	Label string
	Href  string
}

// newCohortOverview shapes the counts for the page.
func newCohortOverview(c engagement.Cohort) *cohortOverview {
	o := &cohortOverview{Cohort: c}
	for _, m := range c.Modules {
		link := func(state string) string {
			return engagement.AtRiskFilterLink(c.CourseID, engagement.Filter{Module: m.ModuleID, State: state})
		}
		row := cohortRow{Title: m.Title, Href: modulesPath(c.CourseID, m.ModuleID)}
		if m.Items > 0 {
			row.Counts = []cohortCount{
				{Key: engagement.ModuleCompleted, N: m.Completed, Label: "completed", Href: link(engagement.ModuleCompleted)},
				{Key: engagement.ModuleWorking, N: m.Working, Label: "working on it", Href: link(engagement.ModuleWorking)},
				{Key: engagement.ModuleOverdue, N: m.Overdue, Label: "past due without it", Href: link(engagement.ModuleOverdue)},
				{Key: engagement.ModuleNotStarted, N: m.NotStarted, Label: "not started", Href: link(engagement.ModuleNotStarted)},
			}
		}
		o.Modules = append(o.Modules, row.finish(c.Students))
	}
	pace := func(p string) string { return engagement.AtRiskFilterLink(c.CourseID, engagement.Filter{Pace: p}) }
	o.Pace = cohortRow{Title: "Pace", Counts: []cohortCount{
		{Key: engagement.PaceAhead, N: c.Pace.Ahead, Label: "ahead", Href: pace(engagement.PaceAhead)},
		{Key: engagement.PaceOnSchedule, N: c.Pace.OnSchedule, Label: "on schedule", Href: pace(engagement.PaceOnSchedule)},
		{Key: engagement.PaceBehind1, N: c.Pace.Behind1, Label: "one week behind", Href: pace(engagement.PaceBehind1)},
		{Key: engagement.PaceBehindMore, N: c.Pace.BehindMore, Label: "two weeks or more behind", Href: pace(engagement.PaceBehindMore)},
	}}.finish(c.Students)
	return o
}

// finish draws the bar from the counts and drops the links of zeros.
func (r cohortRow) finish(total int) cohortRow {
	x := 0.0
	for i, n := range r.Counts {
		if n.N == 0 {
			r.Counts[i].Href = ""
			continue
		}
		w := 100 * float64(n.N) / float64(max(total, 1))
		r.Bar = append(r.Bar, cohortSeg{Key: n.Key, X: svgNum(x), W: svgNum(w)})
		x += w
	}
	return r
}

func svgNum(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

func modulesPath(course, module uint64) string {
	return "/courses/" + strconv.FormatUint(course, 10) + "/modules/" + strconv.FormatUint(module, 10)
}

// cohortFor is the overview for staff, nil for anyone else or without the
// engagement service.
func (f *Frontend) cohortFor(user uint64, a modules.Access) (*cohortOverview, error) {
	if f.Engagement == nil || !a.Staff() {
		return nil, nil
	}
	c, err := f.Engagement.Cohort(context.Background(), user, a.Course.ID)
	if err != nil {
		return nil, err
	}
	return newCohortOverview(c), nil
}

// filterWords says in words whom a cohort filter of the at-risk page
// shows: "past due on Week 2 without it", "one week behind".
func filterWords(q engagement.Filter, module string) string {
	var parts []string
	switch q.Pace {
	case engagement.PaceAhead:
		parts = append(parts, "ahead of schedule")
	case engagement.PaceOnSchedule:
		parts = append(parts, "on schedule")
	case engagement.PaceBehind1:
		parts = append(parts, "one week behind")
	case engagement.PaceBehindMore:
		parts = append(parts, "two weeks or more behind")
	}
	switch q.State {
	case engagement.ModuleCompleted:
		parts = append(parts, "who completed "+module)
	case engagement.ModuleWorking:
		parts = append(parts, "working on "+module)
	case engagement.ModuleOverdue:
		parts = append(parts, "past due on "+module+" without it")
	case engagement.ModuleNotStarted:
		parts = append(parts, "who have not started "+module)
	}
	return strings.Join(parts, ", ")
}
