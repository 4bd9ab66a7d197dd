package frontend

import (
	"fmt"
	"time"

	"pacer/calendar"
	"pacer/modules"
	"pacer/timetext"
)

// Badge is a small status label. Kind is one of the badge classes in
// app.css: open, locked, due, completed, late, overdue, draft, info.
type Badge struct {
	Kind string
	Text string
}

// TimelineWeek is one week of the course timeline: the modules that share a
// week number, with the dates of that week.
type TimelineWeek struct {
	Week    int // 0 for modules without a week
	Label   string
	Opens   *time.Time
	Due     *time.Time
	Current bool
	// Done is true when the student has completed every module of the week.
	Done    bool
	Modules []ModuleRow
}

// ModuleRow is a module as the timeline shows it to the caller.
type ModuleRow struct {
	modules.ModuleView
	Href     string
	Badges   []Badge
	LockNote string
	// Opens and Due are the caller's window (a student's own, or for staff
	// the course's schedule when it has one).
	Opens, Due *time.Time
	// Progress is the student's share of items done; ShowProgress is false
	// for staff.
	Progress     float64
	ShowProgress bool
	First, Last  bool
}

// dueSoon is how close a due time must be for the "due" badge, matching the
// calendar's due_soon.
const dueSoon = calendar.DueSoonWithin

// moduleBadges decides a student's badges for a module: completed, locked,
// overdue, due soon or open (plus "extended" when a personal extension
// applies).
func moduleBadges(v modules.ModuleView, now time.Time, loc *time.Location) []Badge {
	var out []Badge
	switch {
	case v.State == modules.StateCompleted:
		out = append(out, Badge{"completed", "Completed"})
	case v.State == modules.StateLocked:
		out = append(out, Badge{"locked", "Locked"})
	case v.DueAt != nil && now.After(*v.DueAt):
		out = append(out, Badge{"overdue", "Overdue"})
	case v.DueAt != nil && v.DueAt.Sub(now) <= dueSoon:
		out = append(out, Badge{"due", "Due soon"})
	default:
		out = append(out, Badge{"open", "Open"})
	}
	if v.Extended {
		out = append(out, Badge{"info", "Extended"})
	}
	return out
}

// lockNote explains in words why a module is locked for a student, with
// its opening time in the reader's zone (and the course's beside it where
// that reads differently).
func lockNote(v modules.ModuleView, now time.Time, reader, course *time.Location) string {
	if v.State != modules.StateLocked {
		return ""
	}
	if v.OpensAt != nil && now.Before(*v.OpensAt) {
		return "Opens " + timetext.ForReader(*v.OpensAt, reader, course)
	}
	if v.LockedReason != "" {
		return sentence(v.LockedReason)
	}
	return "Not open yet."
}

// buildTimeline groups a course's modules into weeks. Consecutive modules
// with the same week number share a week; modules without one stand alone.
func buildTimeline(c modules.Course, mods []modules.ModuleView, staff bool, now time.Time, reader *time.Location) []TimelineWeek {
	loc := c.Location()
	times := c.Times()
	var weeks []TimelineWeek
	for i, m := range mods {
		row := ModuleRow{ModuleView: m, Href: fmt.Sprintf("/courses/%d/modules/%d", c.ID, m.ID),
			First: i == 0, Last: i == len(mods)-1}
		if staff {
			row.Opens, row.Due = m.OpensAt, m.DueAt
			// With a fixed start the schedule is the same for everyone,
			// so staff see the real dates of each week.
			if c.Pacing == calendar.PacingScheduled && c.StartsAt != nil {
				w := calendar.LearnerWindow(times, m.Times(), now, nil)
				row.Opens, row.Due = w.OpensAt, w.DueAt
			}
			if !m.Published {
				row.Badges = append(row.Badges, Badge{"draft", "Draft"})
			}
		} else {
			row.Opens, row.Due = m.OpensAt, m.DueAt
			row.Badges = moduleBadges(m, now, loc)
			row.LockNote = lockNote(m, now, reader, loc)
			if m.Progress != nil {
				row.Progress = *m.Progress
			}
			row.ShowProgress = true
		}
		if n := len(weeks); n > 0 && m.Week != 0 && weeks[n-1].Week == m.Week {
			w := &weeks[n-1]
			w.Modules = append(w.Modules, row)
			if row.Due != nil && (w.Due == nil || row.Due.After(*w.Due)) {
				w.Due = row.Due
			}
			continue
		}
		w := TimelineWeek{Week: m.Week, Opens: row.Opens, Due: row.Due, Modules: []ModuleRow{row}}
		if m.Week > 0 {
			w.Label = fmt.Sprintf("Week %d", m.Week)
		}
		weeks = append(weeks, w)
	}
	for i := range weeks {
		w := &weeks[i]
		w.Current = w.Opens != nil && !now.Before(*w.Opens) && (w.Due == nil || now.Before(*w.Due))
		w.Done = !staff
		for _, m := range w.Modules {
			if m.State != modules.StateCompleted {
				w.Done = false
			}
		}
	}
	return weeks
}

// courseShare is the share of items done over a student's modules.
func courseShare(mods []modules.ModuleView) (share float64, done, total int) {
	for _, m := range mods {
		done += m.CompletedItems
		total += m.RequiredItems
	}
	if total > 0 {
		share = float64(done) / float64(total)
	}
	return share, done, total
}
