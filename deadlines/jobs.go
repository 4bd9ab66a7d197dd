package deadlines

import (
	"context"
	"fmt"
	"time"

	"pacer/calendar"
	"pacer/jobs"
	"pacer/modules"
	"pacer/notify"
	"pacer/timetext"
)

// Job names, as the admin routes know them.
const (
	JobOpenWindows       = "open_windows"
	JobDeadlineReminders = "deadline_reminders"
	JobEnforceDeadlines  = "enforce_deadlines"
)

// ReminderBefore is how long before a due time deadline_reminders reminds.
const ReminderBefore = 24 * time.Hour

// A mark (Mark, MarkStore) records that a job dealt with one learner's
// module for one instant (the opening or the due time it looked at):
// "open_windows told Ann that Week 2 opened". Marks are written in the same
// transaction as the notification, so a job never tells twice, whatever
// crashes or reruns. A due time that moves (an extension) is a new instant:
// reminders and missed deadlines are noticed again for it.

// RegisterJobs adds this package's jobs to a scheduler.
func (s *Service) RegisterJobs(_ context.Context, sched *jobs.Scheduler) error {
	for _, j := range []struct {
		name string
		fn   jobs.Func
	}{
		{JobOpenWindows, s.OpenWindows},
		{JobDeadlineReminders, s.DeadlineReminders},
		{JobEnforceDeadlines, s.EnforceDeadlines},
	} {
		if err := sched.Register(j.name, j.fn); err != nil {
			return err
		}
	}
	return nil
}

// OpenWindows tells each learner once when a module opens for them: its
// opening time has passed and was after they enrolled (a module that was
// already open when they joined is no news).
func (s *Service) OpenWindows(ctx context.Context, now time.Time) (int, error) {
	return s.sweep(ctx, now, MarkOpened, func(m modules.Swept, w slot) (time.Time, bool) {
		if w.OpensAt == nil || now.Before(*w.OpensAt) || !w.OpensAt.After(m.EnrolledAt) {
			return time.Time{}, false
		}
		return *w.OpensAt, true
	})
}

// DeadlineReminders reminds each learner once, in the 24 hours before a
// due time, of work not yet done. A reminder that would come after the due
// time (the server was down) is not sent: enforce_deadlines takes over.
func (s *Service) DeadlineReminders(ctx context.Context, now time.Time) (int, error) {
	return s.sweep(ctx, now, MarkReminded, func(_ modules.Swept, w slot) (time.Time, bool) {
		if w.DueAt == nil || !now.Before(*w.DueAt) || now.Before(w.DueAt.Add(-ReminderBefore)) {
			return time.Time{}, false
		}
		return *w.DueAt, true
	})
}

// EnforceDeadlines records, once per due time, each learner's module whose
// cut-off (due + grace + late) has passed with the work not done, and tells
// the learner. It looks at every cut-off in the past, so deadlines that
// passed while the server was down are noticed at its next run.
func (s *Service) EnforceDeadlines(ctx context.Context, now time.Time) (int, error) {
	return s.sweep(ctx, now, MarkMissed, func(_ modules.Swept, w slot) (time.Time, bool) {
		if w.cutoff == nil || !now.After(*w.cutoff) {
			return time.Time{}, false
		}
		return *w.DueAt, true
	})
}

// courseInfo is what a sweep keeps of a course.
type courseInfo struct {
	course modules.Course
	times  calendar.CourseTimes
	loc    *time.Location
	mods   []modules.Module
	// base holds each module's window (and cut-off) when it is the same
	// for every learner (a scheduled course with a start), so a sweep does
	// not recompute it ten thousand times.
	base []slot
}

// slot is a learner's window of a module with its cut-off.
type slot struct {
	calendar.Window
	cutoff *time.Time
}

// candidate is one learner's module that a job has to deal with.
type candidate struct {
	course   int // index into the sweep's courses
	mod      int // index into the course's modules
	user     uint64
	enrolled time.Time
	window   calendar.Window
	at       time.Time
}

// pickFunc decides whether a job is due for a learner's module, and for
// which instant.
type pickFunc func(m modules.Swept, w slot) (time.Time, bool)

// sweep is the shape of every job: one read transaction finds the learners'
// modules the job is due for and has no mark of, using only what is cheap
// (per course, one walk of the members and one store call for the
// extensions and the job's marks; no progress, no items); then batches of
// candidates are settled in short write transactions, each claiming its
// marks again, so that concurrent or repeated runs never tell twice.
func (s *Service) sweep(ctx context.Context, now time.Time, job uint8, pick pickFunc) (int, error) {
	var courses []courseInfo
	var cands []candidate
	var members []modules.Swept // one buffer for every course's walk
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		courses, err = s.sweepCourses(ctx)
		if err != nil {
			return err
		}
		for ci := range courses {
			c := &courses[ci]
			if len(c.mods) == 0 {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if members, err = s.courses.Sweep(ctx, c.course.ID, members); err != nil {
				return err
			}
			facts, err := s.store.SweepFacts(ctx, c.course.ID, job)
			if err != nil {
				return err
			}
			// Members, extensions and marks all come in learner order: one
			// merge finds each learner's share of the other two.
			exts, marks := facts.Extensions, facts.Marks
			for _, m := range members {
				var ext []Override
				ext, exts = learnerShare(exts, m.UserID, func(o Override) uint64 { return o.User })
				var mine []SweptMark
				mine, marks = learnerShare(marks, m.UserID, func(k SweptMark) uint64 { return k.User })
				if m.Role != modules.RoleStudent {
					continue
				}
				for mi, mod := range c.mods {
					var w slot
					e, extended := overrideOf(ext, mod.ID)
					switch {
					case c.base != nil && !extended:
						w = c.base[mi]
					case extended:
						w = newSlot(c.times, calendar.LearnerWindow(c.times, mod.Times(), m.EnrolledAt, &e))
					default:
						w = newSlot(c.times, calendar.LearnerWindow(c.times, mod.Times(), m.EnrolledAt, nil))
					}
					at, due := pick(m, w)
					if !due || marked(mine, mod.ID, job, at) {
						continue
					}
					cands = append(cands, candidate{course: ci, mod: mi, user: m.UserID, enrolled: m.EnrolledAt, window: w.Window, at: at})
				}
			}
		}
		return nil
	})
	if err != nil || len(cands) == 0 {
		return 0, err
	}
	changed := 0
	for start := 0; start < len(cands); start += s.sweepChunk {
		if err := ctx.Err(); err != nil {
			return changed, err
		}
		batch := cands[start:min(start+s.sweepChunk, len(cands))]
		n := 0
		err := s.tx.Write(ctx, func(ctx context.Context) error {
			n = 0
			var err error
			n, err = s.settleBatch(ctx, courses, batch, job, now)
			return err
		})
		if err != nil {
			return changed, err
		}
		changed += n
	}
	return changed, nil
}

// learnerShare splits off the leading entries of rows (sorted by learner)
// that belong to user, skipping those of learners before them (who are not
// members any more): it returns user's entries and the rest.
func learnerShare[T any](rows []T, user uint64, of func(T) uint64) (mine, rest []T) {
	i := 0
	for i < len(rows) && of(rows[i]) < user {
		i++
	}
	j := i
	for j < len(rows) && of(rows[j]) == user {
		j++
	}
	return rows[i:j], rows[j:]
}

// overrideOf is a learner's extended due time of a module, if any.
func overrideOf(ext []Override, module uint64) (time.Time, bool) {
	for _, o := range ext {
		if o.Module == module {
			return o.Due, true
		}
	}
	return time.Time{}, false
}

// sweepCourses reads every course with its published modules, in order.
func (s *Service) sweepCourses(ctx context.Context) ([]courseInfo, error) {
	var out []courseInfo
	err := s.courses.EachCourse(ctx, func(c modules.Course) error {
		if c.Archived {
			// A finished course opens, reminds and records nothing more.
			return nil
		}
		out = append(out, courseInfo{course: c, times: c.Times(), loc: c.Location()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		c := &out[i]
		mods, err := s.courses.Modules(ctx, c.course.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range mods {
			if m.Published {
				c.mods = append(c.mods, m)
			}
		}
		if !c.times.SelfPaced() && c.times.StartsAt != nil {
			c.base = make([]slot, len(c.mods))
			for mi, m := range c.mods {
				// With a course start, the enrolment instant plays no part.
				c.base[mi] = newSlot(c.times, calendar.LearnerWindow(c.times, m.Times(), time.Time{}, nil))
			}
		}
	}
	return out, nil
}

func newSlot(c calendar.CourseTimes, w calendar.Window) slot {
	return slot{Window: w, cutoff: w.Cutoff(c)}
}

// marked reports whether the job already dealt with the module: for
// openings once and for all, for due times once per due instant.
func marked(marks []SweptMark, module uint64, job uint8, at time.Time) bool {
	for _, m := range marks {
		if m.Module == module {
			return job == MarkOpened || m.At.Equal(at)
		}
	}
	return false
}

// settleBatch settles a batch of candidates inside one write transaction:
// it judges each (outcome), claims their marks in one store call (a
// concurrent or repeated run may have dealt with some since the sweep
// read) and tells the learners of the marks it placed. It returns how many
// it told or recorded as missed.
func (s *Service) settleBatch(ctx context.Context, courses []courseInfo, batch []candidate, job uint8, now time.Time) (int, error) {
	items := map[uint64][]uint64{}
	marks := make([]Mark, 0, len(batch))
	of := make([]int, 0, len(batch)) // the candidate of each mark
	for i, cd := range batch {
		outcome, err := s.outcome(ctx, courses, cd, job, items)
		if err != nil {
			return 0, err
		}
		if outcome == 0 {
			continue
		}
		c := &courses[cd.course]
		marks = append(marks, Mark{Course: c.course.ID, User: cd.user, Module: c.mods[cd.mod].ID, Job: job, At: cd.at, Outcome: outcome})
		of = append(of, i)
	}
	// An opening is told once and for all, a due time once per instant.
	claimed, err := s.store.ClaimMarks(ctx, marks, job == MarkOpened)
	if err != nil {
		return 0, err
	}
	n := 0
	for j, ok := range claimed {
		switch {
		case !ok || marks[j].Outcome == OutcomeDone:
		case marks[j].Outcome == OutcomeSilent:
			n++
		default:
			if err := s.tell(ctx, courses, batch[of[j]], job, now); err != nil {
				return 0, err
			}
			n++
		}
	}
	return n, nil
}

// outcome judges one candidate inside a write transaction: whether the
// work is done (for reminders and missed deadlines), and whether telling
// would only be noise. It is 0 when the learner left the course since the
// read: nothing is recorded.
func (s *Service) outcome(ctx context.Context, courses []courseInfo, cd candidate, job uint8, items map[uint64][]uint64) (uint8, error) {
	c := &courses[cd.course]
	mod := c.mods[cd.mod]
	if member, err := s.courses.IsMember(ctx, c.course.ID, cd.user); err != nil || !member {
		return 0, err
	}
	if job != MarkOpened {
		done, err := s.moduleDone(ctx, c.course.ID, cd.user, mod.ID, items)
		if err != nil || done {
			return OutcomeDone, err
		}
	}
	if job == MarkMissed && cd.window.Cutoff(c.times).Before(cd.enrolled) {
		// The deadline had passed before they joined: it is recorded as
		// missed, but telling them would only be noise.
		return OutcomeSilent, nil
	}
	return OutcomeNotified, nil
}

// tell notifies the learner of a candidate whose mark was just placed.
func (s *Service) tell(ctx context.Context, courses []courseInfo, cd candidate, job uint8, now time.Time) error {
	c := &courses[cd.course]
	mod := c.mods[cd.mod]
	n := notify.Notification{UserID: cd.user, CourseID: c.course.ID, Link: moduleLink(c.course.ID, mod.ID), CreatedAt: now,
		Cause: cause(job, c.course.ID, mod.ID, cd.user, cd.at)}
	reader := s.readerZone(ctx, cd.user)
	formatTime := func(t time.Time) string { return timetext.ForReader(t, reader, c.loc) }
	switch job {
	case MarkOpened:
		n.Kind = notify.KindModuleOpened
		n.Title = mod.Title + " is open"
		n.Body = mod.Title + " of " + c.course.Title + " opened on " + formatTime(cd.at) + "."
		if cd.window.DueAt != nil {
			n.Body += " It is due on " + formatTime(*cd.window.DueAt) + "."
		}
		if len(mod.Prerequisites) > 0 {
			n.Body += " It unlocks once you complete the modules it builds on."
		}
	case MarkReminded:
		n.Kind = notify.KindDeadlineSoon
		n.Title = mod.Title + " is due soon"
		n.Body = mod.Title + " of " + c.course.Title + " is due on " + formatTime(cd.at) + "."
		if cut := cd.window.Cutoff(c.times); !cut.Equal(cd.at) {
			n.Body += " Late work is accepted until " + formatTime(*cut) + ", with a penalty."
		}
	case MarkMissed:
		n.Kind = notify.KindDeadlineMissed
		n.Title = mod.Title + ": deadline missed"
		n.Body = "The due time of " + mod.Title + " in " + c.course.Title + " was " + formatTime(cd.at) +
			". Its assignments no longer take submissions; its other items can still be completed, and" +
			" completing them still unlocks what follows. Ask your instructor if you need an extension."
	}
	_, err := s.notify.Add(ctx, n)
	return err
}

// cause names what a job tells a learner, as its mark does: an opening
// once and for all, a due time once per due instant. Two replicas that
// both lead for a moment tell it once (notify.Notification.Cause).
func cause(job uint8, course, module, user uint64, at time.Time) string {
	switch job {
	case MarkOpened:
		return fmt.Sprintf("%s:%d:%d:%d", notify.KindModuleOpened, course, module, user)
	case MarkReminded:
		return fmt.Sprintf("%s:%d:%d:%d:%d", notify.KindDeadlineSoon, course, module, user, at.UnixNano())
	}
	return fmt.Sprintf("%s:%d:%d:%d:%d", notify.KindDeadlineMissed, course, module, user, at.UnixNano())
}

// moduleDone reports whether a learner completed every published item of
// a module; a module with no items has nothing to do. It mirrors
// modules.ModuleView.Complete, reading only the progress keys it needs.
func (s *Service) moduleDone(ctx context.Context, course, user, module uint64, cache map[uint64][]uint64) (bool, error) {
	ids, ok := cache[module]
	if !ok {
		items, err := s.courses.Items(ctx, module)
		if err != nil {
			return false, err
		}
		ids = []uint64{}
		for _, it := range items {
			if it.Published {
				ids = append(ids, it.ID)
			}
		}
		cache[module] = ids
	}
	for _, id := range ids {
		if done, err := s.courses.Completed(ctx, course, user, id); err != nil || !done {
			return false, err
		}
	}
	return true, nil
}

// Missed lists the modules whose deadline enforce_deadlines recorded as
// missed for a learner in a course.
func (s *Service) Missed(ctx context.Context, course, user uint64) ([]uint64, error) {
	return s.store.Missed(ctx, course, user)
}
