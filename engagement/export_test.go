package engagement

import (
	"context"

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

// NextSteps computes a learner's next step both ways at the service's
// clock: from the job's own reading (nextFromFacts) and from
// modules.Learner (nextStep), so a test can check they agree.
func (s *Service) NextSteps(course, user uint64) (fromFacts, fromLearner *Next, err error) {
	err = s.db.View(func(tx *storage.Tx) error {
		c, err := modules.CourseTx(tx, course)
		if err != nil {
			return err
		}
		cv, err := loadCourse(tx, c)
		if err != nil {
			return err
		}
		m, err := modules.MemberTx(tx, course, user)
		if err != nil {
			return err
		}
		l, err := s.courses.LearnerTx(tx, c, m, false)
		if err != nil {
			return err
		}
		var sc scratch
		now := s.now().UTC()
		f, err := s.factsTx(tx, cv, m, now, HistoryDays, nil, &sc)
		if err != nil {
			return err
		}
		done, err := doneItemsTx(tx, course, user)
		if err != nil {
			return err
		}
		fromFacts, fromLearner = nextFromFacts(cv, f.Modules, done, now), nextStep(l)
		return nil
	})
	return fromFacts, fromLearner, err
}
