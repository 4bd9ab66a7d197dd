package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"pacer/deadlines"
)

// SweepFacts implements deadlines.Store: one batch, the course's
// extensions and the job's marks, each in learner then module order (the
// ranges of extensions_learner_module and job_marks_sweep), on one
// snapshot.
func (s *Deadlines) SweepFacts(ctx context.Context, course uint64, job uint8) (deadlines.SweepFacts, error) {
	var out deadlines.SweepFacts
	err := s.db.Read(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT user_id, module_id, due_at FROM extensions WHERE course_id = $1 ORDER BY user_id, module_id`, int64(course))
		b.Queue(`SELECT user_id, module_id, at_ns FROM job_marks WHERE course_id = $1 AND job = $2 ORDER BY user_id, module_id`,
			int64(course), int16(job))
		br := s.db.q(ctx).SendBatch(ctx, b)
		defer br.Close()
		rows, err := br.Query()
		if err != nil {
			return err
		}
		out.Extensions, err = deadlinesCollect(rows, func(row pgx.CollectableRow) (deadlines.Override, error) {
			var user, module int64
			var due time.Time
			err := row.Scan(&user, &module, &due)
			return deadlines.Override{User: uint64(user), Module: uint64(module), Due: due.UTC()}, err
		})
		if err != nil {
			return err
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		out.Marks, err = deadlinesCollect(rows, func(row pgx.CollectableRow) (deadlines.SweptMark, error) {
			var user, module, at int64
			err := row.Scan(&user, &module, &at)
			return deadlines.SweptMark{User: uint64(user), Module: uint64(module), At: time.Unix(0, at).UTC()}, err
		})
		if err != nil {
			return err
		}
		return br.Close()
	})
	return out, err
}

// markPlace is where a mark goes: one per course, learner, module and job.
type markPlace struct {
	course, user, module uint64
	job                  uint8
}

// ClaimMarks implements deadlines.Store: one read of the places' stored
// marks, the claims decided in the order given (as on bbolt, a later mark
// of a place in the same call meets the one an earlier claimed), then one
// upsert of what was claimed. Under serializable isolation a concurrent
// run that claimed the same place first makes this one abort and run
// again, when it finds the mark and leaves it.
func (s *Deadlines) ClaimMarks(ctx context.Context, marks []deadlines.Mark, anyInstant bool) ([]bool, error) {
	claimed := make([]bool, len(marks))
	if len(marks) == 0 {
		return claimed, nil
	}
	err := s.db.Write(ctx, func(ctx context.Context) error {
		q := s.db.q(ctx)
		n := len(marks)
		courses, users, modules := make([]int64, n), make([]int64, n), make([]int64, n)
		jobs := make([]int16, n)
		for i, m := range marks {
			courses[i], users[i], modules[i], jobs[i] = int64(m.Course), int64(m.User), int64(m.Module), int16(m.Job)
		}
		rows, err := q.Query(ctx, `SELECT m.course_id, m.user_id, m.module_id, m.job, m.at_ns
			FROM job_marks m
			JOIN (SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[])) AS p(course_id, user_id, module_id, job)
				USING (course_id, user_id, module_id, job)`, courses, users, modules, jobs)
		if err != nil {
			return err
		}
		held := map[markPlace]int64{} // the instant each place holds
		var course, user, module, at int64
		var job int16
		_, err = pgx.ForEachRow(rows, []any{&course, &user, &module, &job, &at}, func() error {
			held[markPlace{uint64(course), uint64(user), uint64(module), uint8(job)}] = at
			return nil
		})
		if err != nil {
			return err
		}
		write := map[markPlace]deadlines.Mark{}
		for i, m := range marks {
			p := markPlace{m.Course, m.User, m.Module, m.Job}
			if had, ok := held[p]; ok && (anyInstant || had == m.At.UnixNano()) {
				claimed[i] = false
				continue
			}
			held[p], write[p], claimed[i] = m.At.UnixNano(), m, true
		}
		if len(write) == 0 {
			return nil
		}
		var ats []int64
		var outcomes []int16
		courses, users, modules, jobs = courses[:0], users[:0], modules[:0], jobs[:0]
		for _, m := range write {
			courses, users, modules, jobs = append(courses, int64(m.Course)), append(users, int64(m.User)), append(modules, int64(m.Module)), append(jobs, int16(m.Job))
			ats, outcomes = append(ats, m.At.UnixNano()), append(outcomes, int16(m.Outcome))
		}
		_, err = q.Exec(ctx, `INSERT INTO job_marks (course_id, user_id, module_id, job, at_ns, outcome)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[], $5::bigint[], $6::smallint[])
			ON CONFLICT (course_id, user_id, module_id, job) DO UPDATE SET at_ns = excluded.at_ns, outcome = excluded.outcome`,
			courses, users, modules, jobs, ats, outcomes)
		return err
	})
	return claimed, err
}

// Missed implements deadlines.Store: the learner's range of the primary
// key, in module order.
func (s *Deadlines) Missed(ctx context.Context, course, user uint64) ([]uint64, error) {
	rows, err := s.db.q(ctx).Query(ctx, `SELECT module_id FROM job_marks
		WHERE course_id = $1 AND user_id = $2 AND job = $3 AND outcome <> $4
		ORDER BY module_id`, int64(course), int64(user), int16(deadlines.MarkMissed), int16(deadlines.OutcomeDone))
	if err != nil {
		return nil, err
	}
	return deadlinesCollect(rows, func(row pgx.CollectableRow) (uint64, error) {
		var m int64
		err := row.Scan(&m)
		return uint64(m), err
	})
}
