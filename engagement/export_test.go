package engagement

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"pacer/modules"
	"pacer/storage"
)

// Crash stops the tracker the way a crash would: the flushing goroutine
// ends and whatever is buffered is lost, with nothing written.
func (t *Tracker) Crash() {
	t.halt(context.Background())
	t.mu.Lock()
	t.pending = map[dayKey]dayVal{}
	t.mu.Unlock()
}

// Tracker is the service's activity tracker, for tests that touch and
// flush it directly.
func (s *Service) Tracker() *Tracker { return s.tracker }

// NextSteps computes a learner's next step both ways at the service's
// clock: from the job's own reading (nextFromFacts) and from
// modules.Learner (nextStep), so a test can check they agree.
func (s *Service) NextSteps(course, user uint64) (fromFacts, fromLearner *Next, err error) {
	err = s.tx.Read(context.Background(), func(ctx context.Context) error {
		c, err := s.courses.CourseRecord(ctx, course)
		if err != nil {
			return err
		}
		cv, err := s.loadCourse(ctx, c)
		if err != nil {
			return err
		}
		m, err := s.courses.Member(ctx, course, user)
		if err != nil {
			return err
		}
		l, err := s.courses.Learner(ctx, c, m, false)
		if err != nil {
			return err
		}
		var sc scratch
		now := s.now().UTC()
		f, err := s.facts(ctx, cv, m, now, HistoryDays, nil, &sc)
		if err != nil {
			return err
		}
		done, err := s.doneItems(ctx, course, user)
		if err != nil {
			return err
		}
		fromFacts, fromLearner = nextFromFacts(cv, f.Modules, done, now), nextStep(l)
		return nil
	})
	return fromFacts, fromLearner, err
}

// JudgeBothWays judges every published course at now twice, changing
// nothing: with the job's sweep (judgeCourse), and one learner at a time
// as the job did before the sweep (judgeCourseEach: a member walk with
// point reads per learner and every record decoded by encoding/json). It
// returns each way's changes, and every student's facts and assessment,
// as text, sorted, for a test to compare.
func (s *Service) JudgeBothWays(now time.Time) (sweep, each []string, err error) {
	now = now.UTC()
	if err := s.tracker.Flush(context.Background()); err != nil {
		return nil, nil, err
	}
	text := func(c uint64, r courseRun) []string {
		var out []string
		for _, ch := range r.changes {
			st, _ := json.Marshal(ch.next)
			out = append(out, fmt.Sprintf("course %d user %d delete %v act %d staff %v state %s", c, ch.user, ch.delete, ch.act, r.cv.staff, st))
		}
		return out
	}
	err = s.tx.Read(context.Background(), func(ctx context.Context) error {
		var sw courseSweep
		return storage.TxFrom(ctx).Each(storage.Courses, nil, func(_, v []byte) error {
			var c modules.Course
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if !c.Published || c.Archived {
				return nil
			}
			r, err := s.judgeCourse(ctx, c, now, &sw)
			if err != nil {
				return err
			}
			sweep = append(sweep, text(c.ID, r)...)
			var sc scratch
			for i := range sw.students {
				m, f := sw.facts(r.cv, i, now, &sc)
				sweep = append(sweep, judgement(c.ID, m, f, now))
			}
			if r, err = s.judgeCourseEach(ctx, c, now); err != nil {
				return err
			}
			each = append(each, text(c.ID, r)...)
			return s.courses.EachMember(ctx, c.ID, func(m modules.Member) error {
				if m.Role != modules.RoleStudent {
					return nil
				}
				f, err := s.facts(ctx, r.cv, m, now, HistoryDays, nil, &sc)
				if err != nil {
					return err
				}
				each = append(each, judgement(c.ID, m, f, now))
				return nil
			})
		})
	})
	slices.Sort(sweep)
	slices.Sort(each)
	return sweep, each, err
}

// judgement is a learner's facts and assessment (with reasons and risk)
// as text.
func judgement(course uint64, m modules.Member, f Facts, now time.Time) string {
	t := func(at *time.Time) string {
		if at == nil {
			return "-"
		}
		return at.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "course %d user %d enrolled %s last %s", course, m.UserID, f.EnrolledAt, t(f.LastActiveAt))
	for _, mf := range f.Modules {
		fmt.Fprintf(&b, " [module %d %s–%s ext %v %d/%d started %d]", mf.ID, t(mf.OpensAt), t(mf.DueAt), mf.Extended,
			mf.Completed, mf.Required, mf.Started)
	}
	a := Assess(f, now)
	fmt.Fprintf(&b, " activity %v flags %q reasons %q risk %v progress %v idle %v recent %d earlier %v",
		f.Activity, a.Flags, a.Reasons, a.Risk, a.Progress, a.IdleFor, a.RecentDays, a.EarlierWeekly)
	return b.String()
}

// judgeCourseEach is judgeCourse as it was before the sweep, kept as the
// reference the sweep must agree with.
func (s *Service) judgeCourseEach(ctx context.Context, c modules.Course, now time.Time) (courseRun, error) {
	cv, err := s.loadCourse(ctx, c)
	if err != nil {
		return courseRun{}, err
	}
	r := courseRun{cv: cv}
	stored := map[uint64][]byte{}
	err = storage.TxFrom(ctx).Each(storage.Engagement, storage.Key(c.ID), func(k, v []byte) error {
		stored[storage.Part(k, 1)] = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return r, err
	}
	var sc scratch
	err = s.courses.EachMember(ctx, c.ID, func(m modules.Member) error {
		if m.Staff() {
			cv.staff = append(cv.staff, m.UserID)
			return nil
		}
		if m.Role != modules.RoleStudent {
			return nil
		}
		f, err := s.facts(ctx, cv, m, now, HistoryDays, nil, &sc)
		if err != nil {
			return err
		}
		a := assess(f, now, false)
		raw, had := stored[m.UserID]
		delete(stored, m.UserID)
		var prev state
		if had {
			if err := json.Unmarshal(raw, &prev); err != nil {
				return err
			}
		}
		next, act := step(prev, a.Flags, cv.cooldown, now)
		if next.empty(cv.cooldown, now) {
			if had {
				r.changes = append(r.changes, change{user: m.UserID, delete: true})
			}
			return nil
		}
		if had && sameState(prev, next) {
			return nil
		}
		r.changes = append(r.changes, change{user: m.UserID, next: next, act: act})
		return nil
	})
	for user := range stored {
		r.changes = append(r.changes, change{user: user, delete: true})
	}
	return r, err
}

// DecodeStateBothWays decodes a stored ladder record with the job's
// scanner and with encoding/json, and returns both re-encoded (or the
// errors), for a test to compare.
func DecodeStateBothWays(raw []byte) (scanned, decoded string) {
	show := func(st state, err error) string {
		if err != nil {
			return "error"
		}
		b, _ := json.Marshal(st)
		return fmt.Sprintf("%s %v %v %v", b, st.Flags == nil, st.Nudged == nil, st.Escalated == nil)
	}
	var a, b state
	var buf stateBuf
	errA := decodeState(raw, &a, &buf)
	errB := json.Unmarshal(raw, &b)
	return show(a.own(), errA), show(b, errB)
}
