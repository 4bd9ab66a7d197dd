package engagement

import (
	"context"
	"slices"
	"time"

	"pacer/calendar"
	"pacer/modules"
)

// courseView is what the rules need of one course, read once per run and
// shared by all its learners: published modules in order, how many
// published items each holds, which module each item belongs to, and the
// windows that are the same for every learner.
type courseView struct {
	course   modules.Course
	times    calendar.CourseTimes
	inactive time.Duration
	cooldown time.Duration
	mods     []modules.Module
	required []int
	// items are each module's published items in order.
	items   [][]itemRef
	itemMod map[uint64]int
	// fixed holds each module's window when it does not depend on the
	// learner (scheduled courses with a start); nil otherwise.
	fixed []calendar.Window
	// staff are the instructors and TAs, who receive digests.
	staff []uint64
	// struggles are the quizzes each learner is stuck on (struggle.go).
	struggles map[uint64][]Struggle
}

func (s *Service) loadCourse(ctx context.Context, c modules.Course) (*courseView, error) {
	cv := &courseView{course: c, times: c.Times(), itemMod: map[uint64]int{},
		inactive: time.Duration(max(c.Policy.InactiveAfterSeconds, 0)) * time.Second,
		cooldown: time.Duration(max(c.Policy.NudgeCooldownSeconds, 0)) * time.Second}
	mods, err := s.courses.Modules(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		if !m.Published {
			continue
		}
		items, err := s.courses.Items(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		var refs []itemRef
		for _, it := range items {
			if it.Published {
				cv.itemMod[it.ID] = len(cv.mods)
				refs = append(refs, itemRef{id: it.ID, title: it.Title})
			}
		}
		cv.mods = append(cv.mods, m)
		cv.required = append(cv.required, len(refs))
		cv.items = append(cv.items, refs)
	}
	if !cv.times.SelfPaced() && cv.times.StartsAt != nil {
		for _, m := range cv.mods {
			cv.fixed = append(cv.fixed, calendar.LearnerWindow(cv.times, m.Times(), time.Time{}, nil))
		}
	}
	if err := cv.readStruggles(ctx, s.quizzes); err != nil {
		return nil, err
	}
	return cv, nil
}

// itemRef is what a next step names of an item.
type itemRef struct {
	id    uint64
	title string
}

// scratch is reused from learner to learner so that a sweep over many
// learners allocates little.
type scratch struct {
	mods      []ModuleFacts
	completed []int
	started   []int
	days      []uint32
}

// facts reads one learner's facts: their windows (extensions applied),
// completed items per module and recent activity. history is how many days
// of activity to read. The slices in the result belong to sc and are
// overwritten by the next call.
// Buffered activity in pend (nil for the job, which flushes first) is
// added to what is stored. The job reads the same inputs for a whole
// course at once (sweep.go) and builds facts with the same cv.facts.
func (s *Service) facts(ctx context.Context, cv *courseView, m modules.Member, now time.Time, history int, pend []pendingDay, sc *scratch) (Facts, error) {
	var ext map[uint64]time.Time
	if src := s.courses.Extensions; src != nil {
		var err error
		if ext, err = src.DueOverrides(ctx, cv.course.ID, m.UserID); err != nil {
			return Facts{}, err
		}
	}
	sc.completed = slices.Grow(sc.completed[:0], len(cv.mods))[:len(cv.mods)]
	clear(sc.completed)
	sc.started = slices.Grow(sc.started[:0], len(cv.mods))[:len(cv.mods)]
	clear(sc.started)
	err := s.courses.EachProgress(ctx, cv.course.ID, m.UserID, func(item uint64, completed bool) {
		cv.count(item, completed, sc.completed, sc.started)
	})
	if err != nil {
		return Facts{}, err
	}
	if sc.days, err = s.activity(ctx, cv.course.ID, m.UserID, now, history, sc.days); err != nil {
		return Facts{}, err
	}
	return cv.facts(m, ext, sc.completed, sc.started, sc.days, pend, now, sc), nil
}

// count adds one stored progress record of item to a learner's per-module
// counts; items not published in the course do not count.
func (cv *courseView) count(item uint64, done bool, completed, started []int) {
	i, ok := cv.itemMod[item]
	switch {
	case !ok:
	case done:
		completed[i]++
	default:
		started[i]++
	}
}

// facts builds a learner's facts from what was read of them: extensions,
// per-module counts, and per-day activity (days[0] is today), to which
// buffered activity in pend is added. The modules of the result live in
// sc and days is the result's Activity.
func (cv *courseView) facts(m modules.Member, ext map[uint64]time.Time, completed, started []int, days []uint32, pend []pendingDay, now time.Time, sc *scratch) Facts {
	sc.mods = sc.mods[:0]
	for i, mod := range cv.mods {
		var w calendar.Window
		e, extended := ext[mod.ID]
		switch {
		case extended:
			w = calendar.LearnerWindow(cv.times, mod.Times(), m.EnrolledAt, &e)
		case cv.fixed != nil:
			w = cv.fixed[i]
		default:
			w = calendar.LearnerWindow(cv.times, mod.Times(), m.EnrolledAt, nil)
		}
		sc.mods = append(sc.mods, ModuleFacts{ID: mod.ID, Title: mod.Title, Week: mod.Week, OpensAt: w.OpensAt, DueAt: w.DueAt,
			Extended: w.Extended, Required: cv.required[i], Completed: completed[i], Started: started[i]})
	}
	overlay(&m, days, pend, now)
	return Facts{Times: cv.times, InactiveAfter: cv.inactive, EnrolledAt: m.EnrolledAt, LastActiveAt: m.LastActiveAt,
		Modules: sc.mods, Activity: days, Struggles: cv.struggles[m.UserID]}
}

// doneItems is the set of items a learner has completed in a course.
func (s *Service) doneItems(ctx context.Context, course, user uint64) (map[uint64]bool, error) {
	done := map[uint64]bool{}
	err := s.courses.EachProgress(ctx, course, user, func(item uint64, completed bool) {
		if completed {
			done[item] = true
		}
	})
	return done, err
}

// nextFromFacts is nextStep computed from the job's own reading of the
// course, for nudging many learners without a modules.Learner each (which
// decodes every module and item again). Its module states follow
// modules.Learner's rules exactly: completed when every item is done;
// locked before the learner's opening time or while a published
// prerequisite is incomplete; open otherwise. A test checks the two agree.
func nextFromFacts(cv *courseView, mods []ModuleFacts, done map[uint64]bool, now time.Time) *Next {
	idx := make(map[uint64]int, len(mods))
	for i, m := range mods {
		idx[m.ID] = i
	}
	open := func(i int) bool {
		m := mods[i]
		if m.Required > 0 && m.Complete() {
			return false
		}
		if m.OpensAt != nil && now.Before(*m.OpensAt) {
			return false
		}
		for _, pre := range cv.mods[i].Prerequisites {
			if j, ok := idx[pre]; ok && !mods[j].Complete() {
				return false
			}
		}
		return true
	}
	for i, m := range mods {
		if !open(i) {
			continue
		}
		for _, it := range cv.items[i] {
			if !done[it.id] {
				return &Next{ItemID: it.id, ItemTitle: it.title, ModuleID: m.ID, ModuleTitle: m.Title,
					DueAt: m.DueAt, Link: itemLink(cv.course.ID, it.id)}
			}
		}
	}
	for _, m := range mods {
		if m.OpensAt != nil && now.Before(*m.OpensAt) && !(m.Required > 0 && m.Complete()) {
			return &Next{ModuleID: m.ID, ModuleTitle: m.Title, DueAt: m.DueAt, OpensAt: m.OpensAt,
				Link: courseLink(cv.course.ID)}
		}
	}
	return nil
}
