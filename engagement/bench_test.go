package engagement_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"pacer/auth"
	"pacer/engagement"
	"pacer/modules"
	"pacer/pacertest"
	"pacer/storage"
	"pacer/storage/bolt"
)

// bigSchool is 10 courses of 5,000 students each (50,000 enrolments), half
// scheduled and half self-paced, 8 weekly modules of 3 items each. Each
// learner has done some of the work and was last active some days ago, so
// that a run at benchNow finds a realistic mix: about half flagged.
const (
	benchCourses  = 10
	benchStudents = 5000
	benchModules  = 8
	benchItems    = 3
)

var benchNow = time.Date(2027, 2, 10, 9, 0, 0, 0, time.UTC)

type school struct {
	env     *pacertest.Env
	courses []uint64
}

func buildSchool(b *testing.B) *school {
	b.Helper()
	env := pacertest.New(b)
	teacher := env.Register("Teacher")
	s := &school{env: env}
	items := map[uint64][]uint64{}
	for ci := 0; ci < benchCourses; ci++ {
		fields := scheduledCourse(7*days, 3*days)
		if ci%2 == 1 {
			fields = selfPacedCourse(7*days, 3*days)
		}
		id := env.Course(teacher, fields)
		s.courses = append(s.courses, id)
		for w := 1; w <= benchModules; w++ {
			mid := env.Module(teacher, id, map[string]any{"title": fmt.Sprintf("Week %d", w), "week": w})
			for i := 0; i < benchItems; i++ {
				items[id] = append(items[id], env.Item(teacher, id, mid, map[string]any{"title": fmt.Sprintf("Reading %d.%d", w, i)}))
			}
		}
	}
	// Learners are written straight into the store: 50,000 sign-ups
	// through HTTP would measure argon2, not the job.
	db := env.Bolt()
	for ci, course := range s.courses {
		for lo := 0; lo < benchStudents; lo += 2500 {
			err := db.Update(func(tx *storage.Tx) error {
				for n := lo; n < lo+2500; n++ {
					uid, err := tx.NextID(storage.Users)
					if err != nil {
						return err
					}
					u := auth.User{ID: uid, Email: fmt.Sprintf("l%d@example.test", uid), Name: fmt.Sprintf("Learner %d", uid),
						Timezone: "UTC", TokenGen: 1, CreatedAt: pacertest.Start}
					if err := tx.Put(storage.Users, storage.ID(uid), u); err != nil {
						return err
					}
					enrolled := pacertest.Start.Add(time.Duration(n%14) * days)
					last := benchNow.Add(-time.Duration((n*7+ci)%20) * days)
					m := modules.Member{CourseID: course, UserID: uid, Role: modules.RoleStudent, EnrolledAt: enrolled, LastActiveAt: &last}
					if err := tx.Put(storage.Members, storage.Key(course, uid), m); err != nil {
						return err
					}
					if err := tx.PutRaw(storage.MembersByUser, storage.Key(uid, course), nil); err != nil {
						return err
					}
					done := (n * 13) % (len(items[course]) + 1)
					for _, it := range items[course][:done] {
						at := enrolled.Add(time.Hour)
						p := modules.ItemProgress{Status: modules.StatusCompleted, CompletedAt: &at, UpdatedAt: at}
						if err := tx.Put(storage.Progress, storage.Key(course, uid, it), p); err != nil {
							return err
						}
					}
					for d := 0; d < 5; d++ {
						day := uint64(last.Add(-time.Duration(d*3)*days).Unix() / 86400)
						v := make([]byte, 4)
						binary.BigEndian.PutUint32(v, uint32(1+d))
						if err := tx.PutRaw(storage.ActivityDays, storage.Key(course, uid, day), v); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	env.Clock.Set(benchNow)
	return s
}

// BenchmarkFlagInactive runs flag_inactive over 50,000 enrolments:
//
//   - first_run: every learner judged with nothing stored yet, so every
//     flagged learner is nudged (a notification and a queued e-mail each);
//     the worst case, after the feature is switched on.
//   - no_changes: the steady state of a tick, when nothing changed since
//     the last run: one read pass and no write at all.
//   - next_day: a run a day later (new flags, nudges and digests).
func BenchmarkFlagInactive(b *testing.B) {
	s := buildSchool(b)
	eng := s.env.Server.Engagement
	ctx := context.Background()
	clear := func() {
		if err := s.env.Bolt().Update(func(tx *storage.Tx) error { return tx.DeletePrefix(storage.Engagement, nil) }); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("first_run", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			clear()
			b.StartTimer()
			n, err := eng.FlagInactive(ctx, benchNow)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n), "changed")
		}
	})
	b.Run("no_changes", func(b *testing.B) {
		if _, err := eng.FlagInactive(ctx, benchNow); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			n, err := eng.FlagInactive(ctx, benchNow)
			if err != nil || n != 0 {
				b.Fatalf("changed %d, err %v", n, err)
			}
		}
	})
	b.Run("next_day", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			clear()
			if _, err := eng.FlagInactive(ctx, benchNow); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			n, err := eng.FlagInactive(ctx, benchNow.Add(days))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n), "changed")
		}
	})
}

// BenchmarkTouch is the activity hot path as modules calls it: one map
// update under a lock, no disk.
func BenchmarkTouch(b *testing.B) {
	env := pacertest.New(b)
	tr := engagement.NewTracker(env.Bolt(), bolt.NewEngagement(env.Bolt()), env.Server.Courses, time.Now, nil, time.Hour)
	for u := uint64(0); u < 1000; u++ { // the buffer holds its usual learners
		tr.Touch(1, u)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.Touch(1, uint64(i%1000))
	}
}

func BenchmarkTouchParallel(b *testing.B) {
	env := pacertest.New(b)
	tr := engagement.NewTracker(env.Bolt(), bolt.NewEngagement(env.Bolt()), env.Server.Courses, time.Now, nil, time.Hour)
	for u := uint64(0); u < 1000; u++ {
		tr.Touch(1, u)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := uint64(0)
		for pb.Next() {
			i++
			tr.Touch(1, i%1000)
		}
	})
}

// BenchmarkActivityRequest is a whole learner request that counts as
// activity (a student opening a page they already completed), through the
// app: allocations per request, and commits per request, which is the
// number of fsyncs the activity cost. The tracker flushes every 5 s, so
// commits/op is about 0.
func BenchmarkActivityRequest(b *testing.B) {
	env := pacertest.New(b)
	teacher := env.Register("Teacher")
	course := env.Course(teacher, nil)
	mod := env.Module(teacher, course, map[string]any{"title": "Unit"})
	item := env.Item(teacher, course, mod, nil)
	ann := env.Register("Ann")
	env.Enroll(ann, course)
	path := fmt.Sprintf("/api/v1/courses/%d/items/%d", course, item)
	env.Do("GET", path, ann.Token, nil) // completes the page once
	tr := env.Server.Engagement.Tracker()
	if err := tr.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	before := tr.Flushes()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := env.Do("GET", path, ann.Token, nil); r.Status != 200 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(tr.Flushes()-before)/float64(b.N), "commits/op")
}
